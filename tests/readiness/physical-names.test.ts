import * as path from "node:path";
import { expect } from "chai";
import { NAME_LIMITS, nameWithin, physicalName } from "../../platform/naming";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { isNameless, NAME_RULES } from "../../platform/offline/readiness/name-rules";
import { physicalNamesRule } from "../../platform/offline/readiness/physical-names";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { synthesize, type SynthResult } from "../../platform/offline/synth";
import { platformProgram, REPO_ROOT, sharedSynth } from "../helpers";

const LONG_APP = "order-fulfilment-and-invoicing-service-x";
const LONG_JOB = "nightly-ledger-reconcile";

function contextOf(stack: string, result: SynthResult): ReadinessContext {
    return { project: "platform", stack, region: result.cloud.options.region, accountId: result.cloud.options.accountId, resources: result.cloud.resources, bundles: [] };
}

/** A recorded resource as the mock cloud would hold it, for rule cases no shipped stack has. */
function resource(type: string, name: string, inputs: Record<string, unknown> = {}): RecordedResource {
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, custom: true, remote: false, inputs, protect: false, retainOnDelete: false, dependsOn: [], ignoreChanges: [], state: {} };
}

function check(...resources: RecordedResource[]) {
    return physicalNamesRule.check({ project: "platform", stack: "test", region: "eu-west-1", accountId: "123456789012", resources, bundles: [] });
}

describe("readiness: physical names", function () {
    this.timeout(180_000);
    const shipped: Record<string, SynthResult> = {};
    let longNames: SynthResult;
    before(async () => {
        for (const stack of ["dev", "staging", "prod"]) shipped[stack] = await sharedSynth(stack);
        const dir = path.join(REPO_ROOT, "tests/fixtures/projects/long-names");
        const files = loadStackFiles(dir, "prod-eu-central");
        longNames = await synthesize({ project: files.project, stack: "prod-eu-central", config: files.config, program: platformProgram });
    });

    it("has a naming row, with the document it comes from, for every type the shipped stacks register", () => {
        const missing = new Set<string>();
        for (const result of Object.values(shipped)) {
            for (const r of result.cloud.resources) if (!isNameless(r) && !Object.hasOwn(NAME_RULES, r.type)) missing.add(r.type);
        }
        expect([...missing], "add a row to platform/offline/readiness/name-rules.ts").to.deep.equal([]);
        for (const [type, rule] of Object.entries(NAME_RULES)) expect(rule.doc, type).to.match(/^https:\/\//);
    });

    it("finds no name over a limit in dev, staging and prod", () => {
        for (const [stack, result] of Object.entries(shipped)) expect(physicalNamesRule.check(contextOf(stack, result)), stack).to.deep.equal([]);
    });

    it("keeps every name within limits for a 40-character app, a 24-character job and the stack prod-eu-central", () => {
        expect(LONG_APP).to.have.length(40);
        expect(LONG_JOB).to.have.length(24);
        expect(physicalNamesRule.check(contextOf("prod-eu-central", longNames))).to.deep.equal([]);
        const byType = (type: string) => longNames.cloud.ofType(type);
        // The resources that would not fit get explicit, hash-shortened names within the limits.
        const alb = byType("aws:lb/loadBalancer:LoadBalancer")[0];
        expect(alb.inputs.name)
            .to.match(/^platform-prod-eu-[a-z-]*-[0-9a-f]{8}$/)
            .and.to.have.length.at.most(32);
        expect(byType("aws:lb/targetGroup:TargetGroup")[0].inputs.name).to.have.length.at.most(32);
        const cronJob = byType("kubernetes:batch/v1:CronJob")[0];
        expect((cronJob.inputs.metadata as { name: string }).name)
            .to.have.length.at.most(NAME_LIMITS.cronJob)
            .and.match(/^order-fulfilment-/);
        const schedule = byType("aws:scheduler/schedule:Schedule")[0];
        expect(schedule.inputs.name).to.have.length.at.most(64);
        for (const role of byType("aws:iam/role:Role")) if (typeof role.inputs.name === "string") expect(role.inputs.name).to.have.length.at.most(64);
    });

    it("fails a Pulumi autoname over the provider's cap and an explicit name over AWS's limit, naming both", () => {
        const logical = `platform-prod-eu-central-${LONG_APP}`;
        const findings = check(
            resource("aws:lb/targetGroup:TargetGroup", logical),
            resource("aws:lb/loadBalancer:LoadBalancer", logical),
            resource("aws:iam/role:Role", `${logical}-task`),
            resource("kubernetes:batch/v1:CronJob", "cron", { metadata: { name: `${LONG_APP}-${LONG_JOB}` } }),
            resource("aws:scheduler/schedule:Schedule", `${logical}-${LONG_JOB}`),
        );
        expect(findings.map((f) => [f.type, f.severity])).to.deep.equal([
            ["aws:lb/targetGroup:TargetGroup", "failure"],
            ["aws:lb/loadBalancer:LoadBalancer", "failure"],
            ["aws:iam/role:Role", "failure"],
            ["kubernetes:batch/v1:CronJob", "failure"],
            ["aws:scheduler/schedule:Schedule", "failure"],
        ]);
        expect(findings[0].message).to.contain("over the provider's cap of 32");
        expect(findings[1].message).to.contain("at most 32 allowed");
        expect(findings[3].message).to.contain("65 characters; at most 52 allowed");
        expect(findings[4].doc).to.equal("https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html");
    });

    it("checks characters as well as length: capitals in a bucket name, a Service name starting with a digit", () => {
        const findings = check(resource("aws:s3/bucket:Bucket", "logs", { bucket: "Platform-Logs" }), resource("kubernetes:core/v1:Service", "svc", { metadata: { name: "1web", namespace: "web" } }));
        expect(findings.map((f) => f.message)).to.deep.equal([
            "bucket \"Platform-Logs\": expected lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
            "metadata.name \"1web\": expected a DNS-1035 label: lowercase letters, digits and '-', starting with a letter, at most 63",
        ]);
    });

    it("lower-cases S3 autonames and appends .fifo to FIFO queues, as the provider does", () => {
        expect(check(resource("aws:s3/bucket:Bucket", "Platform-Logs"))).to.deep.equal([]);
        expect(check(resource("aws:sqs/queue:Queue", "q".repeat(68), { fifoQueue: true }))).to.have.length(1);
        expect(check(resource("aws:sqs/queue:Queue", "q".repeat(68)))).to.deep.equal([]);
    });

    it("warns about a type without a naming row instead of passing it silently", () => {
        const [only] = check(resource("aws:rds/instance:Instance", "db"));
        expect(only).to.include({ severity: "warning", type: "aws:rds/instance:Instance" });
        expect(only.message).to.contain("no naming row");
    });
});

describe("physicalName and nameWithin (the one naming helper)", () => {
    it("keeps a name that fits, and shortens one that does not with a stable hash of the whole name", () => {
        expect(physicalName("platform-dev-web", 32)).to.equal("platform-dev-web");
        const long = `platform-prod-eu-central-${LONG_APP}`;
        const short = physicalName(long, 32);
        expect(short).to.have.length.at.most(32).and.equal(physicalName(long, 32));
        expect(short)
            .to.equal(`${long.slice(0, 23)}-${short.slice(-8)}`)
            .and.match(/-[0-9a-f]{8}$/);
        // Two long names with the same head still differ.
        expect(physicalName(`${long}-a`, 32)).to.not.equal(physicalName(`${long}-b`, 32));
    });

    it("leaves a resource to Pulumi's autonaming while the autoname fits, and names it explicitly when it would not", () => {
        expect(nameWithin("platform-dev-web", 32)).to.equal(undefined);
        // 25 + "-" + 7 random would be 33: named explicitly, and it fits as it is.
        expect(nameWithin("x".repeat(25), 32)).to.equal("x".repeat(25));
        expect(nameWithin("x".repeat(40), 32)).to.have.length(32);
    });
});
