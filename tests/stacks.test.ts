import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { listStacks, loadStackFiles, StackFileError } from "../platform/offline/stack-files";
import { synthesize } from "../platform/offline/synth";
import { FIXTURE_STACKS, platformProgram, REPO_ROOT, sharedSynth } from "./helpers";

describe("stack files", () => {
    it("has a dev, a staging and a prod fixture stack", () => {
        expect(listStacks(FIXTURE_STACKS)).to.include.members(["dev", "prod", "staging"]);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`synthesizes the ${stack} fixture stack with the ${stack} profile and unique URNs`, async () => {
            const result = await sharedSynth(stack);
            expect(result.outputs.profile).to.equal(stack);
            const urns = result.cloud.resources.map((r) => r.urn);
            expect(new Set(urns).size).to.equal(urns.length);
            expect(result.cloud.ofType("aws:ecr/repository:Repository").map((r) => r.inputs.name)).to.include(`platform-${stack}/web`);
        });
    }

    it("runs web as its image does: the Dockerfile's user, and the nightly job on the bundle's entry point", async () => {
        const dockerfile = readFileSync(`${REPO_ROOT}/apps/web/Dockerfile`, "utf8");
        const imageUser = /^USER (\d+)(?::\d+)?$/m.exec(dockerfile)?.[1];
        const entryScript = /^CMD \[.*"(\/app\/[^"]+\.js)"\]$/m.exec(dockerfile)?.[1];
        expect(imageUser, "USER in apps/web/Dockerfile").to.equal("65532");
        expect(entryScript, "script in the Dockerfile's CMD").to.equal("/app/main.js");
        // Released, so the real image (not the placeholder) and the job's own command are in play.
        const files = loadStackFiles(FIXTURE_STACKS, "prod");
        const apps = JSON.parse(files.config["platform:apps"]) as Record<string, Record<string, unknown>>;
        apps.web.imageTag = "1.2.3";
        const result = await synthesize({ project: files.project, stack: "prod", config: { ...files.config, "platform:apps": JSON.stringify(apps) }, program: platformProgram });
        const containers = Object.fromEntries(result.cloud.ofType("aws:ecs/taskDefinition:TaskDefinition").map((task) => [task.name, JSON.parse(task.inputs.containerDefinitions as string)[0] as Record<string, any>]));
        expect(containers["platform-prod-web"].image).to.equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod/web:1.2.3");
        expect(containers["platform-prod-web"].user).to.equal(imageUser);
        expect(containers["platform-prod-web"]).to.not.have.property("command");
        expect(containers["platform-prod-web-selfcheck"].user).to.equal(imageUser);
        expect(containers["platform-prod-web-selfcheck"].command).to.deep.equal(["--enable-source-maps", entryScript, "selfcheck"]);
    });

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
