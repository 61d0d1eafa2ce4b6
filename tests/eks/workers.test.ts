import { expect } from "chai";
import { resolvePlatformConfig } from "../../platform/config";
import { KEDA, unknownValueKeys } from "../../platform/eks/helm-values";
import { configProblems, statementsOf } from "../helpers";
import { eksDev, synth, type Synthesized, WEB } from "./fixtures";
import { validateKeda } from "./keda-crds";

const QUEUES = { translate: { enabled: true }, queues: { work: { processingTimeoutSeconds: 30 } } };
/** A worker on EKS only, 25 messages per pod, up to 5 pods. */
const WORKER = { imageTag: "2.0.0", user: "65532", runtimes: ["eks"], consumes: { queue: "queues.work", messagesPerTask: 25 }, replicas: { min: 1, max: 5 } };
const bySid = (statements: any[]) => Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
const workerNamed = (resources: Synthesized["resources"], type: string) => resources.filter((r) => r.type === type && r.name.includes("-eks-worker"));

describe("EKS queue workers (consumes, KEDA)", function () {
    this.timeout(120_000);
    const stacks: Record<"dev" | "prod", () => Promise<Synthesized>> = {
        dev: () => synth("dev", { ...QUEUES, apps: { web: WEB, worker: WORKER } }),
        prod: () => synth("prod", { ...QUEUES, apps: { web: WEB, worker: WORKER } }),
    };

    for (const stack of ["dev", "prod"] as const) {
        describe(`in ${stack}`, () => {
            let s: Synthesized;
            before(async () => {
                s = await stacks[stack]();
            });

            it("scales the Deployment on the queue's backlog per pod through an aws-sqs-queue trigger naming the queue URL", () => {
                const queue = s.one("aws:sqs/queue:Queue", "-queue-work");
                const scaler = s.one("kubernetes:keda.sh/v1alpha1:ScaledObject", "-eks-worker-scaler");
                const spec = scaler.inputs.spec as any;
                expect(spec.scaleTargetRef).to.deep.equal({ apiVersion: "apps/v1", kind: "Deployment", name: "worker" });
                expect(spec.maxReplicaCount).to.equal(5);
                expect(spec.triggers).to.have.length(1);
                expect(spec.triggers[0]).to.deep.include({ type: "aws-sqs-queue", authenticationRef: { name: "worker-queue" } });
                expect(spec.triggers[0].metadata).to.deep.include({ queueURL: queue.state.url, queueLength: "25", awsRegion: "eu-west-1", activationQueueLength: "0" });
                validateKeda(JSON.parse(JSON.stringify(scaler.inputs)));
            });

            it(`scales to zero pods in dev only by default (minReplicaCount ${stack === "dev" ? 0 : 1})`, () => {
                const spec = s.one("kubernetes:keda.sh/v1alpha1:ScaledObject", "-eks-worker-scaler").inputs.spec as any;
                expect(spec.minReplicaCount).to.equal(stack === "dev" ? 0 : 1);
            });

            it("authenticates KEDA as its own operator (Pod Identity provider aws, no role to assume)", () => {
                const auth = s.one("kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "-eks-worker-keda-auth");
                expect(auth.inputs.metadata).to.deep.include({ name: "worker-queue", namespace: "worker" });
                expect(auth.inputs.spec).to.deep.equal({ podIdentity: { provider: "aws" } });
                validateKeda(JSON.parse(JSON.stringify(auth.inputs)));
            });

            it("gives the pods' role exactly receive, delete and change-visibility on that queue, and its key through SQS only", () => {
                const queue = s.one("aws:sqs/queue:Queue", "-queue-work");
                const policies = s.all("aws:iam/rolePolicy:RolePolicy").filter((r) => r.name.startsWith("platform-" + stack + "-eks-worker-pods-queue"));
                const statements = bySid(policies.flatMap((policy) => statementsOf(policy)));
                expect(Object.keys(statements).sort()).to.deep.equal(["QueueQUEUEURL", "QueueQUEUEURLKey"]);
                expect(statements.QueueQUEUEURL).to.deep.include({ Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"], Resource: [queue.state.arn] });
                expect(statements.QueueQUEUEURLKey).to.deep.include({ Action: ["kms:Decrypt"], Condition: { StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } } });
                const association = s.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "-eks-worker-pods");
                expect(association.inputs).to.deep.include({ namespace: "worker", serviceAccount: "worker" });
            });

            it("runs without Service, Ingress, HPA or inbound allow: default deny is its whole inbound policy", () => {
                for (const type of ["kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"]) {
                    expect(workerNamed(s.resources, type), type).to.deep.equal([]);
                }
                const policies = workerNamed(s.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => (r.inputs.metadata as any).name);
                expect(policies.sort()).to.deep.equal(["allow-dns-credentials-https", "default-deny"]);
                const deployment = s.one("kubernetes:apps/v1:Deployment", "-eks-worker");
                expect((deployment.inputs.spec as any).replicas).to.equal(undefined);
                // Its port serves the kubelet's probes (apps/worker/src/health.ts).
                expect((deployment.inputs.spec as any).template.spec.containers[0].livenessProbe.httpGet).to.deep.equal({ path: "/healthz", port: "http" });
            });

            it("installs KEDA with an operator role that may read exactly the consumed queue's attributes", () => {
                const queue = s.one("aws:sqs/queue:Queue", "-queue-work");
                const release = s.one("kubernetes:helm.sh/v3:Release", "-eks-keda");
                expect(release.inputs).to.deep.include({ chart: "keda", version: KEDA.version, namespace: "keda" });
                expect(unknownValueKeys(KEDA, release.inputs.values as Record<string, unknown>)).to.deep.equal([]);
                expect((release.inputs.values as any).operator.replicaCount).to.equal(stack === "prod" ? 2 : 1);
                const statements = statementsOf(s.one("aws:iam/rolePolicy:RolePolicy", "-eks-keda-read-queue-backlog-worker"));
                expect(statements).to.deep.equal([{ Sid: "ReadQueueBacklogWorker", Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: [queue.state.arn] }]);
                expect(s.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "-eks-keda").inputs).to.deep.include({ namespace: "keda", serviceAccount: "keda-operator" });
                // The ScaledObject waits for KEDA's CRDs and webhook.
                const scaler = s.one("kubernetes:keda.sh/v1alpha1:ScaledObject", "-eks-worker-scaler");
                expect(scaler.dependsOn).to.include(release.urn);
            });

            it("alarms on the backlog when no ECS worker already does", () => {
                const alarm = s.one("aws:cloudwatch/metricAlarm:MetricAlarm", "-eks-worker-backlog");
                expect(alarm.inputs).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", threshold: 125 });
            });
        });
    }

    it("installs no KEDA on a cluster without queue workers", async () => {
        const dev = await eksDev();
        expect(dev.all("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart)).to.not.include("keda");
        expect(dev.all("kubernetes:keda.sh/v1alpha1:ScaledObject")).to.deep.equal([]);
    });

    it("leaves the backlog alarm to ECS when the worker runs on both runtimes", async () => {
        const both = await synth("dev", { ...QUEUES, apps: { worker: { ...WORKER, runtimes: ["ecs", "eks"] } } });
        expect(
            both
                .all("aws:cloudwatch/metricAlarm:MetricAlarm")
                .filter((r) => r.name.endsWith("-backlog"))
                .map((r) => r.name),
        ).to.deep.equal(["platform-dev-worker-backlog"]);
        expect(both.one("kubernetes:keda.sh/v1alpha1:ScaledObject", "-eks-worker-scaler")).to.exist;
    });

    describe("configuration", () => {
        const problemsOf = (values: Record<string, unknown>) => {
            return configProblems(() => resolvePlatformConfig({ project: "platform", stack: "dev", values, region: "eu-west-1" }));
        };

        it("keeps replicas.min in dev when scaleToZero is false", async () => {
            const kept = await synth("dev", { ...QUEUES, apps: { worker: { ...WORKER, consumes: { ...WORKER.consumes, scaleToZero: false } } } });
            expect((kept.one("kubernetes:keda.sh/v1alpha1:ScaledObject", "-eks-worker-scaler").inputs.spec as any).minReplicaCount).to.equal(1);
        });

        it("turns the KEDA add-on on with the first worker on EKS, and refuses it turned off explicitly", () => {
            const resolved = resolvePlatformConfig({ project: "platform", stack: "dev", values: { ...QUEUES, apps: { worker: WORKER } }, region: "eu-west-1" });
            expect(resolved.eks.addons.keda.enabled).to.equal(true);
            const problems = problemsOf({ ...QUEUES, apps: { worker: WORKER }, eks: { addons: { keda: { enabled: false } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:eks.addons.keda.enabled"]);
            expect(problems[0].message).to.match(/KEDA scales the queue workers on EKS \(worker\)/);
        });

        it("refuses a worker with a load balancer, as on ECS", () => {
            const problems = problemsOf({ ...QUEUES, apps: { worker: { ...WORKER, ingress: "internal" } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:apps.worker.ingress"]);
        });

        it("refuses a Fargate profile that takes the worker's pods: they need Pod Identity (KEDA itself only talks to the API server)", () => {
            const problems = problemsOf({ ...QUEUES, apps: { worker: { ...WORKER, architecture: "x86_64" } }, eks: { fargateProfiles: { workers: { namespace: "worker" } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:eks.fargateProfiles.workers"]);
            expect(problems[0].message).to.match(/worker's server, which reach AWS through EKS Pod Identity/);
        });

        it("refuses a Fargate profile that takes KEDA's pods when a worker runs on EKS: its operator reads queues through Pod Identity", () => {
            const problems = problemsOf({ ...QUEUES, apps: { worker: WORKER }, eks: { fargateProfiles: { controllers: { namespace: "keda" } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:eks.fargateProfiles.controllers"]);
            expect(problems[0].message).to.match(/KEDA/);
            expect(() =>
                resolvePlatformConfig({
                    project: "platform",
                    stack: "dev",
                    values: { ...QUEUES, apps: { worker: { ...WORKER, runtimes: ["ecs"] } }, eks: { fargateProfiles: { controllers: { namespace: "keda" } } } },
                    region: "eu-west-1",
                }),
            ).to.not.throw();
        });
    });
});
