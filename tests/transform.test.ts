import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { buildPlatform, platformOutputs } from "../platform";
import { loadPlatformConfig } from "../platform/config";
import { PlatformKey } from "../platform/kms";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { synthesize } from "../platform/offline/synth";
import { transform, type Transform } from "../platform/transform";
import { captureWarnings, PROJECT, REPO_ROOT } from "./helpers";

const WEB = { imageTag: "1.4.2", runtimes: ["ecs"], user: "65532", jobs: { selfcheck: { schedule: "cron(0 3 * * ? *)", command: ["/app/main.js", "selfcheck"] } } };

/** The dev platform with web on ECS, built with the given platform-wide transforms. */
async function platformWith(transforms: Transform[]): Promise<RecordedResource[]> {
    const config = { "aws:region": "eu-west-1", [`${PROJECT}:apps`]: JSON.stringify({ web: WEB }) };
    const { result } = await captureWarnings(() => synthesize({ project: PROJECT, stack: "dev", config, program: () => platformOutputs(buildPlatform(loadPlatformConfig(), { transform: transforms })) }));
    return result.cloud.resources;
}

const ACCOUNT_ID = "123456789012";
const MY_DELIVERY_POLICY = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 } } });
const MY_LAYER_ARN = "arn:aws:lambda:eu-west-1:123456789012:layer:tools:3";
/** The examples of docs/transform.md, one per component, as written there: tsc checks each against the SDK's types. */
export const DOCUMENTED_EXAMPLES: Transform[] = [
    transform(aws.ec2.FlowLog, (a) => ({ ...a, maxAggregationInterval: 60 })),
    transform(aws.ecr.Repository, (a) => ({ ...a, forceDelete: true }), { name: /-scratch$/ }),
    transform(aws.kms.Key, (a) => ({ ...a, deletionWindowInDays: 30 })),
    transform(aws.sns.Topic, (a) => ({ ...a, deliveryPolicy: MY_DELIVERY_POLICY })),
    transform(aws.ecs.Cluster, (a) => ({ ...a, settings: [{ name: "containerInsights", value: "enhanced" }] })),
    transform(aws.lb.TargetGroup, (a) => ({ ...a, deregistrationDelay: 10 })),
    transform(aws.scheduler.Schedule, (a) => ({ ...a, state: "DISABLED" })),
    transform(aws.s3.BucketLifecycleConfiguration, (a) => ({ ...a, expectedBucketOwner: ACCOUNT_ID })),
    transform(aws.cloudwatch.LogGroup, (a) => ({ ...a, retentionInDays: 30 })),
    transform(aws.eks.NodeGroup, (a) => ({ ...a, labels: pulumi.output(a.labels).apply((labels) => ({ ...labels, team: "payments" })) })),
    transform(aws.eks.FargateProfile, (a) => ({ ...a, tags: { team: "payments" } })),
    transform(aws.eks.Addon, (a) => ({ ...a, configurationValues: JSON.stringify({ replicaCount: 3 }) }), { name: /coredns/ }),
    transform(k8s.helm.v3.Release, (a) => ({ ...a, timeout: 900 })),
    transform(aws.eks.Addon, (a) => ({ ...a, resolveConflictsOnUpdate: "PRESERVE" })),
    transform(aws.iam.Role, (a) => ({ ...a, maxSessionDuration: 7200 })),
    transform(k8s.apps.v1.Deployment, (a) => ({ ...a, metadata: pulumi.output(a.metadata).apply((m) => ({ ...m, annotations: { team: "payments" } })) })),
    transform(aws.lambda.Function, (a) => ({ ...a, layers: [MY_LAYER_ARN] })),
    transform(aws.sqs.Queue, (a) => ({ ...a, delaySeconds: 5 }), { name: /-audit$/ }),
    transform(aws.sns.Topic, (a) => ({ ...a, signatureVersion: 2 })),
    transform(aws.cloudwatch.EventRule, (a) => ({ ...a, state: "DISABLED" })),
    transform(aws.dynamodb.Table, (a) => ({ ...a, tableClass: "STANDARD_INFREQUENT_ACCESS" })),
    transform(aws.s3.Bucket, (a) => ({ ...a, objectLockEnabled: true })),
    transform(aws.kinesis.Stream, (a) => ({ ...a, retentionPeriod: 48 })),
    transform(aws.apigateway.Stage, (a) => ({ ...a, cacheClusterEnabled: true, cacheClusterSize: "0.5" })),
    transform(aws.wafv2.WebAcl, (a) => ({ ...a, description: "edge" })),
    transform(aws.sfn.StateMachine, (a) => ({ ...a, publish: true })),
    transform(aws.cloudwatch.EventRule, (a) => ({ ...a, description: "uploads" })),
    transform(aws.cloudwatch.Dashboard, (a) => ({ ...a, dashboardName: "ops" }), { name: /-dashboards$/ }),
    transform(awsx.ec2.Vpc, (a) => ({ ...a, enableDnsHostnames: true })),
];

describe("transform: the escape hatch for any child resource", function () {
    this.timeout(90_000);

    it("changes the one child it names and nothing else in the platform", async () => {
        const baseline = await platformWith([]);
        const changed = await platformWith([transform(aws.ecs.TaskDefinition, (args) => ({ ...args, ephemeralStorage: { sizeInGib: 50 } }), { name: /-web$/ })]);
        expect(changed.map((r) => r.urn).sort()).to.deep.equal(baseline.map((r) => r.urn).sort());
        const before = new Map(baseline.map((r) => [r.urn, JSON.stringify(r.inputs)]));
        const differing = changed.filter((resource) => JSON.stringify(resource.inputs) !== before.get(resource.urn));
        expect(differing.map((r) => `${r.type} ${r.name}`)).to.deep.equal(["aws:ecs/taskDefinition:TaskDefinition platform-dev-web"]);
        expect(differing[0].inputs.ephemeralStorage).to.deep.equal({ sizeInGib: 50 });
        // The job's task definition is the same class under another name: untouched.
        const jobTask = changed.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name !== "platform-dev-web")!;
        expect(jobTask.inputs.ephemeralStorage).to.equal(undefined);
    });

    it("applies a component's own transform to its children only, in order, and may edit the args in place", async () => {
        const { result } = await captureWarnings(() =>
            synthesize({
                project: PROJECT,
                stack: "dev",
                config: { "aws:region": "eu-west-1" },
                program: () => {
                    new PlatformKey("changed", {
                        description: "changed",
                        alias: "changed",
                        region: "eu-west-1",
                        accountId: "123456789012",
                        transform: [
                            transform(aws.kms.Key, (args) => {
                                args.deletionWindowInDays = 23;
                            }),
                            transform(aws.kms.Key, (args) => ({ ...args, description: pulumi.interpolate`${args.description} (transformed)` })),
                        ],
                    });
                    new PlatformKey("untouched", { description: "untouched", alias: "untouched", region: "eu-west-1", accountId: "123456789012" });
                    return {};
                },
            }),
        );
        const keys = result.cloud.resources.filter((r) => r.type === "aws:kms/key:Key");
        const changed = keys.find((k) => k.name === "changed")!;
        expect(changed.inputs.deletionWindowInDays).to.equal(23);
        expect(changed.inputs.description).to.equal("changed (transformed)");
        const untouched = keys.find((k) => k.name === "untouched")!;
        expect(untouched.inputs.deletionWindowInDays).to.not.equal(23);
        expect(untouched.inputs.description).to.equal("untouched");
        // The alias of the changed key is not a kms.Key: untouched.
        expect(result.cloud.resources.find((r) => r.type === "aws:kms/alias:Alias" && r.name === "changed")!.inputs.name).to.equal("alias/changed");
    });

    it("is type-checked against the child's args", () => {
        // @ts-expect-error ephemeralStorage takes { sizeInGib }, not a number: tsc refuses it.
        const wrong = transform(aws.ecs.TaskDefinition, (args) => ({ ...args, ephemeralStorage: 50 }));
        expect(wrong.description).to.equal("TaskDefinition");
    });

    it("every example in docs/transform.md is one of the compiled examples above", () => {
        const documented = [...readFileSync(path.join(REPO_ROOT, "docs", "transform.md"), "utf8").matchAll(/^\| `[^|]+` \| `(transform\(.*\))` \|$/gm)].map((m) => m[1]);
        const source = readFileSync(__filename, "utf8");
        expect(documented.length).to.equal(DOCUMENTED_EXAMPLES.length - 1);
        for (const example of documented) expect(source, example).to.contain(`    ${example},`);
    });
});
