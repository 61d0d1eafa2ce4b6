import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const testUnit = require("../../scripts/test-unit.cjs") as { orderedTestFiles(): string[]; APP_CODE_TESTS: string; SERIAL: string };

describe("npm run test:unit: file order", () => {
    it("runs every test file once, the serial one apart, and the ones that load app code after all others", () => {
        const ordered = testUnit.orderedTestFiles();
        const onDisk = fs
            .readdirSync(path.join(REPO_ROOT, "tests"), { recursive: true })
            .map((file) => `tests/${String(file).split(path.sep).join("/")}`)
            .filter((file) => file.endsWith(".test.ts"));
        expect([...ordered, testUnit.SERIAL].sort()).to.deep.equal(onDisk.sort());
        expect(new Set(ordered).size).to.equal(ordered.length);
        const firstAppFile = ordered.findIndex((file) => file.startsWith(testUnit.APP_CODE_TESTS));
        expect(firstAppFile).to.be.greaterThan(0);
        expect(ordered.slice(firstAppFile).every((file) => file.startsWith(testUnit.APP_CODE_TESTS))).to.equal(true);
    });

    it("loading Powertools Tracer (as app code does) registers the X-Ray SDK's cls-hooked namespace that tests/setup.ts looks for, and nothing registers it before", () => {
        const probe = `const before = Boolean(process.namespaces && process.namespaces.AWSXRay); require("@aws-lambda-powertools/tracer"); console.log(JSON.stringify({ before, after: Boolean(process.namespaces.AWSXRay) }));`;
        const result = spawnSync(process.execPath, ["-e", probe], { cwd: REPO_ROOT, encoding: "utf8" });
        expect(result.status, result.stderr).to.equal(0);
        expect(JSON.parse(result.stdout)).to.deep.equal({ before: false, after: true });
    });
});
