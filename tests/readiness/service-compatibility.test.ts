import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { ECS_EXEC_AGENT_PATHS, keyPolicyAdmits, SERVICE_COMPATIBILITY } from "../../platform/offline/readiness/service-compatibility";
import type { SynthResult } from "../../platform/offline/synth";
import { eksProd } from "../eks/fixtures";
import { broken, pick, recorded, run, stackFile } from "./fixtures";

const SERVICE = "aws:ecs/service:Service";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const KEY = "aws:kms/key:Key";
const failures = (resources: RecordedResource[], check: string) => run(SERVICE_COMPATIBILITY, resources).filter((f) => f.severity === "failure" && f.message.startsWith(`${check}:`));

describe("readiness: service-compatibility", function () {
    // The shipped stacks are synthesized once per run (shared with other suites); a cold start takes longer than the default.
    this.timeout(120_000);

    const stacks: Record<string, SynthResult> = {};
    before(async () => {
        for (const name of ["dev", "staging", "prod"]) stacks[name] = await stackFile(name);
    });

    it("finds nothing AWS would refuse in the shipped dev, staging and prod stacks", () => {
        for (const [name, result] of Object.entries(stacks)) {
            expect(
                run(SERVICE_COMPATIBILITY, result.cloud.resources).filter((f) => f.severity === "failure"),
                name,
            ).to.deep.equal([]);
        }
    });

    describe("fargate-spot-arm64", () => {
        it("fails dev as it was built before: its ARM64 service on the cluster's mix with FARGATE_SPOT", () => {
            const resources = broken(stacks.dev.cloud.resources, (copy) => {
                const defaults = pick(copy, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies;
                pick(copy, SERVICE, "-web").inputs.capacityProviderStrategies = defaults;
            });
            const found = failures(resources, "fargate-spot-arm64");
            expect(found.map((f) => f.type)).to.deep.equal([SERVICE]);
            expect(found[0].message).to.match(/ARM64 tasks on FARGATE_SPOT/);
            expect(found[0].doc).to.equal("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html");
        });

        it("fails a service with no strategy of its own when the cluster's default has spot, and a scheduled ARM64 task with spot", () => {
            const resources = broken(stacks.dev.cloud.resources, (copy) => {
                const defaults = pick(copy, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies;
                delete pick(copy, SERVICE, "-web").inputs.capacityProviderStrategies;
                (pick(copy, "aws:scheduler/schedule:Schedule", "-selfcheck").inputs.target as any).ecsParameters.capacityProviderStrategies = defaults;
            });
            expect(
                failures(resources, "fargate-spot-arm64")
                    .map((f) => f.type)
                    .sort(),
            ).to.deep.equal(["aws:ecs/service:Service", "aws:scheduler/schedule:Schedule"]);
        });

        it("accepts spot for X86_64 tasks", () => {
            const resources = broken(stacks.dev.cloud.resources, (copy) => {
                pick(copy, SERVICE, "-web").inputs.capacityProviderStrategies = [{ capacityProvider: "FARGATE_SPOT", weight: 1 }];
                (pick(copy, TASK_DEFINITION, "-web").inputs.runtimePlatform as any).cpuArchitecture = "X86_64";
            });
            expect(failures(resources, "fargate-spot-arm64")).to.deep.equal([]);
        });
    });

    describe("ecs-exec-read-only-root", () => {
        for (const path of ECS_EXEC_AGENT_PATHS) {
            it(`fails dev's service (ECS Exec on, read-only root) when ${path} is not writable`, () => {
                const resources = broken(stacks.dev.cloud.resources, (copy) => {
                    const taskDefinition = pick(copy, TASK_DEFINITION, "-web");
                    const containers = JSON.parse(taskDefinition.inputs.containerDefinitions as string);
                    containers[0].mountPoints = containers[0].mountPoints.filter((m: { containerPath: string }) => m.containerPath !== path);
                    taskDefinition.inputs.containerDefinitions = JSON.stringify(containers);
                });
                const found = failures(resources, "ecs-exec-read-only-root");
                expect(found).to.have.length(1);
                expect(found[0].message).to.contain(`without writable volumes at ${path}`);
            });
        }

        it("accepts the same container when ECS Exec is off (prod)", () => {
            expect(pick(stacks.prod.cloud.resources, SERVICE).inputs.enableExecuteCommand).to.equal(false);
            expect(failures(stacks.prod.cloud.resources, "ecs-exec-read-only-root")).to.deep.equal([]);
        });
    });

    describe("eks-fargate-pods", () => {
        const profile = recorded("aws:eks/fargateProfile:FargateProfile", "batch", { fargateProfileName: "batch", selectors: [{ namespace: "batch", labels: { compute: "fargate" } }] });
        const workload = (type: string, name: string, namespace: string, labels: Record<string, string>, pod: Record<string, unknown>) =>
            recorded(type, name, { metadata: { name, namespace }, spec: { template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "i" }], ...pod } } } });

        it("fails a DaemonSet, a privileged pod, host networking and an arm64-only pod that land on a profile", () => {
            const resources = [
                profile,
                workload("kubernetes:apps/v1:DaemonSet", "agent", "batch", { compute: "fargate" }, {}),
                workload("kubernetes:apps/v1:Deployment", "privileged", "batch", { compute: "fargate" }, { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] }),
                workload("kubernetes:apps/v1:Deployment", "host", "batch", { compute: "fargate" }, { hostNetwork: true }),
                workload("kubernetes:apps/v1:Deployment", "graviton", "batch", { compute: "fargate" }, { nodeSelector: { "kubernetes.io/arch": "arm64" } }),
            ];
            const found = failures(resources, "eks-fargate-pods");
            expect(found.map((f) => f.name)).to.deep.equal(["agent", "graviton", "host", "privileged"]);
            expect(found.find((f) => f.name === "agent")!.message).to.match(/DaemonSet/);
            expect(found.find((f) => f.name === "graviton")!.message).to.match(/x86_64 pods only/);
        });

        it("on a synthesized cluster with Fargate profiles: quiet while no pod is selected, fails web's arm64 Deployment once its pods carry the profile's labels", async () => {
            const eks = await eksProd();
            expect(failures(eks.resources, "eks-fargate-pods")).to.deep.equal([]);
            const resources = broken(eks.resources, (copy) => {
                const template = (pick(copy, "kubernetes:apps/v1:Deployment", "-eks-web").inputs.spec as any).template;
                template.metadata.labels["platform/compute"] = "fargate";
            });
            const found = failures(resources, "eks-fargate-pods");
            expect(found.map((f) => f.type)).to.deep.equal(["kubernetes:apps/v1:Deployment"]);
            expect(found[0].message).to.match(/lands on Fargate profile web-jobs, but it requires arm64 nodes/);
        });

        it("ignores pods the profile does not select (another namespace, or missing the selector's labels)", () => {
            const resources = [
                profile,
                workload("kubernetes:apps/v1:DaemonSet", "other-namespace", "web", { compute: "fargate" }, {}),
                workload("kubernetes:apps/v1:Deployment", "unlabelled", "batch", {}, { hostNetwork: true }),
            ];
            expect(failures(resources, "eks-fargate-pods")).to.deep.equal([]);
        });
    });

    describe("lambda-quotas", () => {
        it("fails memory, timeout and ephemeral storage outside Lambda's quotas, and an environment over 4 KB", () => {
            const fn = recorded("aws:lambda/function:Function", "big", { memorySize: 20480, timeout: 901, ephemeralStorage: { size: 20000 }, environment: { variables: { BLOB: "x".repeat(4100) } } });
            const messages = failures([fn], "lambda-quotas").map((f) => f.message);
            expect(messages).to.have.length(4);
            expect(messages.join("\n"))
                .to.match(/memorySize 20480 MB/)
                .and.match(/timeout 901 s/)
                .and.match(/ephemeral storage 20000 MB/)
                .and.match(/4104 bytes/);
        });

        it("accepts the limits themselves", () => {
            const fn = recorded("aws:lambda/function:Function", "edge", { memorySize: 10240, timeout: 900, ephemeralStorage: { size: 10240 }, environment: { variables: { A: "x".repeat(4095) } } });
            expect(failures([fn], "lambda-quotas")).to.deep.equal([]);
        });
    });

    describe("lambda-container-image", () => {
        const REPO = "platform-dev/web";
        const URI = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${REPO}:1.4.2`;
        const repository = recorded("aws:ecr/repository:Repository", "web", { name: REPO }, { name: REPO });
        const policy = (statements: unknown[]) => recorded("aws:ecr/repositoryPolicy:RepositoryPolicy", "web", { repository: REPO, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
        const lambdaPull = { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] };
        const image = (inputs: Record<string, unknown>) => recorded("aws:lambda/function:Function", "web", { packageType: "Image", imageUri: URI, ...inputs });

        it("accepts a tagged image of this region's private ECR whose repository policy admits Lambda", () => {
            expect(failures([repository, policy([lambdaPull]), image({})], "lambda-container-image")).to.deep.equal([]);
        });

        it("fails an image outside private ECR, one in another region, a handler on an image, and a repository policy without Lambda", () => {
            const messages = (resources: RecordedResource[]) =>
                failures(resources, "lambda-container-image")
                    .map((f) => f.message)
                    .join("\n");
            expect(messages([image({ imageUri: "public.ecr.aws/docker/library/node:22-alpine" })])).to.match(/only from ECR/);
            expect(messages([image({ imageUri: URI.replace("eu-west-1", "us-east-1") })])).to.match(/in us-east-1; .* \(eu-west-1\)/);
            expect(messages([image({ handler: "index.handler" })])).to.match(/sets handler/);
            expect(messages([repository, policy([{ ...lambdaPull, Principal: { AWS: "arn:aws:iam::123456789012:root" } }]), image({})])).to.match(/does not admit lambda\.amazonaws\.com/);
        });

        it("fails an HTTP API integration timeout above 30 s", () => {
            const integration = (timeoutMilliseconds: number) => recorded("aws:apigatewayv2/integration:Integration", "web", { integrationType: "AWS_PROXY", timeoutMilliseconds });
            expect(failures([integration(30001)], "lambda-container-image")).to.have.length(1);
            expect(failures([integration(30000)], "lambda-container-image")).to.deep.equal([]);
        });
    });

    describe("sqs-visibility-timeout", () => {
        const fixture = (visibility: number) => {
            const queue = recorded("aws:sqs/queue:Queue", "jobs", { visibilityTimeoutSeconds: visibility }, { arn: "arn:aws:sqs:eu-west-1:123456789012:jobs" });
            const fn = recorded("aws:lambda/function:Function", "worker", { name: "worker", timeout: 30 }, { arn: "arn:aws:lambda:eu-west-1:123456789012:function:worker" });
            const mapping = recorded("aws:lambda/eventSourceMapping:EventSourceMapping", "jobs-worker", { eventSourceArn: queue.state.arn, functionName: "worker" });
            return run(SERVICE_COMPATIBILITY, [queue, fn, mapping]).filter((f) => f.message.startsWith("sqs-visibility-timeout:"));
        };

        it("fails a visibility timeout below the consuming function's timeout (Lambda refuses the mapping)", () => {
            expect(fixture(10).map((f) => f.severity)).to.deep.equal(["failure"]);
        });

        it("warns below 6 times the function's timeout, and is quiet from there", () => {
            expect(fixture(60).map((f) => f.severity)).to.deep.equal(["warning"]);
            expect(fixture(180)).to.deep.equal([]);
        });
    });

    describe("kms-service-delivery", () => {
        const dataKey = (copy: RecordedResource[]) => pick(copy, KEY, "-data");

        it("reads the data key's policy: every service that delivers to an encrypted queue or topic in the shipped stacks is admitted", () => {
            for (const result of Object.values(stacks)) {
                for (const service of ["cloudwatch.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]) {
                    expect(keyPolicyAdmits(dataKey(result.cloud.resources).inputs.policy, service), service).to.equal(true);
                }
            }
        });

        for (const [service, from] of [
            ["cloudwatch.amazonaws.com", "aws:cloudwatch/metricAlarm:MetricAlarm"],
            ["events.amazonaws.com", "aws:cloudwatch/eventTarget:EventTarget"],
            ["sns.amazonaws.com", "aws:sns/topicSubscription:TopicSubscription"],
        ] as const) {
            it(`fails every delivery by ${service} when the data key's policy no longer admits it`, () => {
                const resources = broken(stacks.dev.cloud.resources, (copy) => {
                    const key = dataKey(copy);
                    const policy = JSON.parse(key.inputs.policy as string);
                    policy.Statement = policy.Statement.filter((s: { Principal?: { Service?: string } }) => s.Principal?.Service !== service);
                    key.inputs.policy = JSON.stringify(policy);
                });
                const found = failures(resources, "kms-service-delivery");
                expect(found.length).to.be.greaterThan(0);
                expect([...new Set(found.map((f) => f.type))]).to.include(from);
                for (const f of found) expect(f.message).to.contain(`${service} delivers to`);
            });
        }

        it("fails an S3 notification to a queue encrypted with the AWS managed key, and one to a queue whose key omits s3.amazonaws.com", () => {
            const key = recorded(
                KEY,
                "k",
                { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" }] }) },
                { arn: "arn:aws:kms:eu-west-1:123456789012:key/k" },
            );
            const managed = recorded("aws:sqs/queue:Queue", "managed", { kmsMasterKeyId: "alias/aws/sqs" }, { arn: "arn:aws:sqs:eu-west-1:123456789012:managed" });
            const custom = recorded("aws:sqs/queue:Queue", "custom", { kmsMasterKeyId: key.state.arn }, { arn: "arn:aws:sqs:eu-west-1:123456789012:custom" });
            const notification = recorded("aws:s3/bucketNotification:BucketNotification", "uploads", { bucket: "b", queues: [{ queueArn: managed.state.arn }, { queueArn: custom.state.arn }] });
            const messages = failures([key, managed, custom, notification], "kms-service-delivery").map((f) => f.message);
            expect(messages).to.have.length(2);
            expect(messages[0]).to.match(/AWS managed key alias\/aws\/sqs/);
            expect(messages[1]).to.match(/key k, whose policy does not let s3\.amazonaws\.com use it/);
        });

        it("matches wildcard actions in a key policy (kms:GenerateDataKey*, kms:*)", () => {
            const policy = (actions: string[]) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: ["events.amazonaws.com"] }, Action: actions }] });
            expect(keyPolicyAdmits(policy(["kms:GenerateDataKey*", "kms:Decrypt"]), "events.amazonaws.com")).to.equal(true);
            expect(keyPolicyAdmits(policy(["kms:*"]), "events.amazonaws.com")).to.equal(true);
            expect(keyPolicyAdmits(policy(["kms:Decrypt"]), "events.amazonaws.com")).to.equal(false);
            expect(keyPolicyAdmits(policy(["kms:*"]), "sns.amazonaws.com")).to.equal(false);
        });
    });
});
