import { expect } from "chai";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configureScanCache, scanEntries } from "../../platform/offline/readiness/sdk-calls";
import { REPO_ROOT } from "../helpers";

/**
 * The code-iam scan's disk cache: a second process (simulated by forgetting the in-memory scans)
 * gets its scans from disk without bundling again, and an edit to any file the bundle read, even
 * one imported indirectly, makes the entry miss and be scanned afresh.
 */
describe("the code scan's disk cache", function () {
    this.timeout(60_000);
    const work = path.join(REPO_ROOT, "out", ".cache", `scan-cache-test-${process.pid}`);
    const sources = path.join(work, "src");
    const cacheDir = path.join(work, "cache");
    const entry = path.relative(REPO_ROOT, path.join(sources, "entry.ts")).split(path.sep).join("/");
    const helper = path.join(sources, "store.ts");
    let restore: () => void;

    const store = (command: string) =>
        `import { DynamoDBClient, ${command}Command } from "@aws-sdk/client-dynamodb";\n` +
        `const client = new DynamoDBClient({});\n` +
        `export const send = (input: never) => client.send(new ${command}Command(input));\n`;
    const operations = () =>
        scanEntries([entry])
            .get(entry)!
            .calls.map((call) => `${call.sdkPackage} ${call.operation}`);
    const cacheFiles = () => readdirSync(cacheDir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".json"));

    before(() => {
        mkdirSync(sources, { recursive: true });
        writeFileSync(path.join(sources, "entry.ts"), `import { send } from "./store";\nexport const handler = (event: never) => send(event);\n`);
        writeFileSync(helper, store("GetItem"));
        restore = configureScanCache({ dir: cacheDir });
    });

    after(() => {
        restore();
        rmSync(work, { recursive: true, force: true });
    });

    it("returns the same calls from disk as from a fresh bundle, without bundling again", () => {
        expect(operations()).to.deep.equal(["@aws-sdk/client-dynamodb GetItem"]);
        const [file] = cacheFiles();
        expect(file, "a cache entry written for the scanned entry").to.be.a("string");
        configureScanCache({ dir: cacheDir });
        expect(operations(), "the scan read back from disk").to.deep.equal(["@aws-sdk/client-dynamodb GetItem"]);

        // Proof the hit came from disk and not from a new bundle: an entry edited on disk is what is returned.
        const cached = path.join(cacheDir, file);
        const original = readFileSync(cached, "utf8");
        writeFileSync(cached, original.replace(/"operation":"GetItem"/, `"operation":"FromDisk"`));
        configureScanCache({ dir: cacheDir });
        expect(operations()).to.deep.equal(["@aws-sdk/client-dynamodb FromDisk"]);
        writeFileSync(cached, original);
    });

    it("misses when a file the entry imports changes, and scans the new code", () => {
        writeFileSync(helper, store("PutItem"));
        configureScanCache({ dir: cacheDir });
        expect(operations()).to.deep.equal(["@aws-sdk/client-dynamodb PutItem"]);
        configureScanCache({ dir: cacheDir });
        expect(operations(), "the new scan is the one cached").to.deep.equal(["@aws-sdk/client-dynamodb PutItem"]);
    });
});
