import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../platform/config";
import { forgetRegisteredApps } from "../../platform/apps/registry";
import { runPolicyGate } from "../../platform/offline/policy-gate";
import { SynthError } from "../../platform/offline/synth";
import { REPO_ROOT, synthPlatform } from "../helpers";

/** The code blocks of docs/your-first-app.md whose first line names their file (`// <path>`). */
function documentedFiles(): Record<string, string> {
    const doc = readFileSync(path.join(REPO_ROOT, "docs", "your-first-app.md"), "utf8");
    const files: Record<string, string> = {};
    for (const [, code] of doc.matchAll(/```ts\n([\s\S]*?)```/g)) {
        const file = /^\/\/ (\S+)\n/.exec(code)?.[1];
        if (file) files[file] = code;
    }
    return files;
}

describe("app modules (platform/apps/registry.ts): the docs' sample app", function () {
    this.timeout(120_000);
    // The sample under names of its own, so a user's real `orders` app is never overwritten.
    const key = `docs-sample-${process.pid}`;
    const moduleFile = path.join(REPO_ROOT, "platform", "apps", `${key}.ts`);
    const codeDir = path.join(REPO_ROOT, "apps", key);

    before(() => {
        const files = documentedFiles();
        expect(Object.keys(files)).to.have.members(["platform/apps/orders.ts", "apps/orders/src/handler.ts"]);
        writeFileSync(moduleFile, files["platform/apps/orders.ts"].replace('key: "orders"', `key: "${key}"`).replace("apps/orders/src/handler.ts", `apps/${key}/src/handler.ts`));
        mkdirSync(path.join(codeDir, "src"), { recursive: true });
        writeFileSync(path.join(codeDir, "src", "handler.ts"), files["apps/orders/src/handler.ts"]);
        forgetRegisteredApps();
    });
    after(() => {
        rmSync(moduleFile, { force: true });
        rmSync(codeDir, { recursive: true, force: true });
        forgetRegisteredApps();
    });

    it("builds the module as documented, with no other file changed: a queue consumed by the function, and the stack output", async () => {
        const { cloud, outputs } = await synthPlatform("dev", { profile: "dev", [key]: { batchSize: 2 } });
        const name = `platform-dev-${key}`;
        const component = cloud.resources.find((r) => r.type === `platform:apps:${key}`);
        expect(component?.name).to.equal(name);
        const fn = cloud.ofType("aws:lambda/function:Function").find((r) => r.name === `${name}-handler`);
        expect(fn, "the function").to.not.equal(undefined);
        const mapping = cloud.ofType("aws:lambda/eventSourceMapping:EventSourceMapping").find((r) => r.name.startsWith(`${name}-queue`));
        expect(mapping?.inputs.batchSize).to.equal(2);
        expect(cloud.ofType("aws:sqs/queue:Queue").filter((r) => r.name.startsWith(`${name}-queue`))).to.have.length(2); // the queue and its dead-letter queue
        expect(outputs[key]).to.have.all.keys("queueUrl", "functionName");
        // Built from the platform's constructs, the sample passes the policy pack as the built-in apps do.
        const gate = await runPolicyGate(
            cloud.resources.filter((r) => r.urn.includes(key) || !r.type.startsWith("aws:")),
            {},
        );
        expect(gate.blocking.filter((v) => v.name.includes(key)).map((v) => `${v.policy} ${v.name}`)).to.deep.equal([]);
    });

    it("takes the profile's defaults from `{}`, and builds nothing with enabled: false", async () => {
        const on = await synthPlatform("prod", { profile: "prod", [key]: {} });
        expect(on.cloud.ofType("aws:lambda/eventSourceMapping:EventSourceMapping").find((r) => r.name.startsWith(`platform-prod-${key}`))?.inputs.batchSize).to.equal(10);
        const off = await synthPlatform("dev", { profile: "dev", [key]: { enabled: false, batchSize: 2 } });
        expect(off.cloud.resources.filter((r) => r.name.includes(key))).to.deep.equal([]);
        expect(off.outputs).to.not.have.property(key);
    });

    it("checks the app's key with its own schema: a misspelt setting is an error with a suggestion", async () => {
        const err = await synthPlatform("dev", { profile: "dev", [key]: { batchSise: 2 } }).then(
            () => undefined,
            (e: unknown) => e,
        );
        const cause = err instanceof SynthError ? err.cause : err;
        expect(cause).to.be.instanceOf(ConfigError);
        expect((cause as ConfigError).problems).to.deep.equal([{ key: `platform:${key}.batchSise`, message: 'unknown key (did you mean "batchSize"?); expected one of batchSize, enabled' }]);
    });
});
