import { expect } from "chai";
import { probeRuntime, runtimeOptions, splitNodeArgs } from "../../platform/offline/runtime-probe";
import { REPO_ROOT } from "../helpers";

describe("pulumi up / preview load the program without type-checking", function () {
    this.timeout(120_000);

    it("Pulumi.yaml turns ts-node off and loads the TypeScript through the project's loader", () => {
        const options = runtimeOptions(REPO_ROOT);
        expect(options.typescript, "runtime option typescript").to.equal(false);
        expect(splitNodeArgs(options.nodeargs)).to.deep.equal(["--require", "./platform/runtime/register.js"]);
    });

    it("the SDK's cmd/run, started as the language host starts it, loads index.ts and registers the first resource", async () => {
        const result = await probeRuntime({ projectDir: REPO_ROOT, stack: "dev" });
        // The provider is the first resource buildPlatform creates: the program ran from the top.
        expect(result.first, result.stderr).to.deep.equal({ type: "pulumi:providers:aws", name: "aws" });
        expect(result.stderr).to.not.match(/TSError|ts-node/);
    });

    it("without the loader in nodeargs the same start fails on index.ts (the option is what makes it work)", async () => {
        const failure = await probeRuntime({ projectDir: REPO_ROOT, stack: "dev", runtime: { typescript: false }, timeoutMs: 60_000 }).then(
            () => undefined,
            (err: Error) => err,
        );
        expect(failure?.message).to.match(/exited .* before registering a resource/);
    });
});
