import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { listStacks, loadStackFiles, StackFileError } from "../platform/offline/stack-files";
import { REPO_ROOT, synthStackFile } from "./helpers";

describe("stack files", () => {
    it("has a dev, a staging and a prod stack", () => {
        expect(listStacks(REPO_ROOT)).to.include.members(["dev", "prod", "staging"]);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`synthesizes Pulumi.${stack}.yaml with the ${stack} profile and unique URNs`, async () => {
            const result = await synthStackFile(stack);
            expect(result.outputs.profile).to.equal(stack);
            const urns = result.cloud.resources.map((r) => r.urn);
            expect(new Set(urns).size).to.equal(urns.length);
            expect(result.cloud.ofType("aws:ecr/repository:Repository").map((r) => r.inputs.name)).to.include("platform/web");
        });
    }

    it("reads values as the CLI hands them over: namespaced keys, JSON for structures, placeholders for secrets, project defaults", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "stack-files-"));
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\nconfig:\n  demo:greeting:\n    default: hello\n  demo:answer: 42\n");
        writeFileSync(path.join(dir, "Pulumi.qa.yaml"), "config:\n  aws:region: eu-north-1\n  demo:answer: 43\n  network:\n    azCount: 3\n  demo:token:\n    secure: AAABAHtoken\n");
        const files = loadStackFiles(dir, "qa");
        expect(files.project).to.equal("demo");
        expect(files.config).to.deep.include({ "aws:region": "eu-north-1", "demo:greeting": "hello", "demo:answer": "43", "demo:network": '{"azCount":3}' });
        expect(files.secretKeys).to.deep.equal(["demo:token"]);
        expect(files.config["demo:token"]).to.match(/^\[secret demo:token: /);
    });

    it("names the file when the project file is missing or malformed", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "stack-files-"));
        expect(() => loadStackFiles(dir, "dev")).to.throw(StackFileError, /Pulumi\.yaml: not found/);
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: [unclosed\n");
        expect(() => loadStackFiles(dir, "dev")).to.throw(StackFileError, /Pulumi\.yaml: not valid YAML/);
    });
});
