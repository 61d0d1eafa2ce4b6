/**
 * A generated stack for the scale benchmark: the prod stack file with N container apps (copies of
 * its `web` app: ECS and EKS, a load balancer, jobs), synthesized offline and gated by the policy
 * pack, as `npm run synth` does. `node --require ./platform/runtime/register.js bench/apps-stack.ts <N>`
 */
import * as path from "node:path";
import { buildPlatformAsync, platformOutputs } from "../platform";
import { loadPlatformConfig } from "../platform/config";
import { runPolicyGate } from "../platform/offline/policy-gate";
import { loadStackFiles } from "../platform/offline/stack-files";
import { synthesize } from "../platform/offline/synth";

async function main(count: number): Promise<void> {
    const files = loadStackFiles(path.resolve(__dirname, ".."), "prod");
    const apps = JSON.parse(files.config["platform:apps"]) as Record<string, unknown>;
    const generated = Object.fromEntries(Array.from({ length: count }, (_, i) => [i === 0 ? "web" : `app${i}`, apps.web]));
    const result = await synthesize({
        project: files.project,
        stack: "prod",
        config: { ...files.config, "platform:apps": JSON.stringify(generated) },
        secretKeys: files.secretKeys,
        program: async () => platformOutputs(await buildPlatformAsync(loadPlatformConfig())),
    });
    const gate = await runPolicyGate(result.cloud.resources, {});
    console.log(`${count} apps: ${result.cloud.resources.length} resources, ${gate.violations.length} violations`);
}

main(Number(process.argv[2] ?? "10")).then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(2);
    },
);
