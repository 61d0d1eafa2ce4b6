import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../platform/offline/policy-gate";
import { loadStackFiles } from "../platform/offline/stack-files";
import { synthesize, type SynthResult } from "../platform/offline/synth";
import { FIXTURE_STACKS, platformProgram, REPO_ROOT } from "./helpers";

/** The YAML block of the README's "Your first app" section, as a user would paste it under `config:`. */
function readmeFirstApp(): Record<string, any> {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Your first app\n"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf("\n## ", 1)));
    if (!block) throw new Error('README.md: no yaml block under "## Your first app"');
    return parse(block[1]) as Record<string, any>;
}

/** The dev fixture stack with the README's block pasted in (apps added beside web and worker), released with `tag`. */
function devWithReadmeApps(tag: string): Promise<SynthResult> {
    const files = loadStackFiles(FIXTURE_STACKS, "dev");
    const config = { ...files.config };
    for (const [key, value] of Object.entries(readmeFirstApp())) {
        const existing = config[key] === undefined ? {} : (JSON.parse(config[key]) as Record<string, unknown>);
        const added = key === "platform:apps" ? Object.fromEntries(Object.entries(value as Record<string, any>).map(([app, spec]) => [app, { ...spec, imageTag: tag }])) : value;
        config[key] = JSON.stringify({ ...existing, ...added });
    }
    return synthesize({ project: files.project, stack: "dev", config, secretKeys: files.secretKeys, program: platformProgram });
}

describe("README: Your first app", function () {
    this.timeout(180_000);
    let result: SynthResult;
    const named = (type: string, pattern: RegExp) => result.cloud.resources.filter((r) => r.type === type && pattern.test(r.name));

    before(async () => {
        result = await devWithReadmeApps("1.4.2");
    });

    it("adds an HTTP app on ECS, EKS and Lambda from one spec", () => {
        expect(named("aws:ecs/service:Service", /-shop$/)).to.have.length(1);
        expect(named("kubernetes:apps/v1:Deployment", /-shop$/)).to.have.length(1);
        const functions = named("aws:lambda/function:Function", /-shop/);
        expect(functions).to.have.length(1);
        expect(String(functions[0].inputs.imageUri)).to.match(/\/shop:1\.4\.2$/);
    });

    it("gives each runtime's role GetItem on the referenced table and SendMessage on the queue, and nothing more on them", () => {
        const statements = (pattern: RegExp) =>
            result.cloud.resources
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && pattern.test(r.name))
                .flatMap((r) => (JSON.parse(typeof r.inputs.policy === "string" ? r.inputs.policy : JSON.stringify(r.inputs.policy)) as { Statement: { Action: string | string[] }[] }).Statement)
                .flatMap((s) => [s.Action].flat());
        for (const runtime of [/-shop-task$/, /-eks-shop-pods/, /-lambda-shop/]) {
            const actions = statements(runtime);
            expect(actions, String(runtime)).to.include("dynamodb:GetItem");
            expect(actions, String(runtime)).to.include("sqs:SendMessage");
            expect(actions, String(runtime)).to.not.include("dynamodb:PutItem");
        }
    });

    it("schedules the nightly job on ECS and as a CronJob on EKS", () => {
        expect(named("aws:scheduler/schedule:Schedule", /shop-nightly/)).to.have.length(1);
        expect(named("kubernetes:batch/v1:CronJob", /shop-nightly/)).to.have.length(1);
    });

    it("runs the worker on ECS scaled on backlog per task and on EKS scaled by KEDA, on the queue the block declares", () => {
        expect(named("aws:ecs/service:Service", /-order-worker$/)).to.have.length(1);
        expect(named("aws:appautoscaling/policy:Policy", /order-worker-backlog/)).to.not.be.empty;
        const scaler = named("kubernetes:keda.sh/v1alpha1:ScaledObject", /order-worker/);
        expect(scaler).to.have.length(1);
        const trigger = (scaler[0].inputs.spec as any).triggers[0];
        expect(trigger.type).to.equal("aws-sqs-queue");
        expect(trigger.metadata.queueLength).to.equal("20");
        expect(named("aws:sqs/queue:Queue", /-orders$/)).to.have.length(1);
    });

    it("passes the policy gate at dev's thresholds", async () => {
        const gate = await runPolicyGate(result.cloud.resources, stackPolicyConfig(policyConfigFiles(FIXTURE_STACKS, "dev", "dev"), "dev"));
        expect(gate.blocking.map((v) => `${v.policy} ${v.name}: ${v.message}`)).to.deep.equal([]);
    });
});
