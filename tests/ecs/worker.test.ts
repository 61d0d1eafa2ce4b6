import { expect } from "chai";
import { resolvePlatformConfig } from "../../platform/config";
import { SCALE_FROM_ZERO_COOLDOWN_SECONDS, SCALE_FROM_ZERO_WAIT_SECONDS } from "../../platform/ecs/worker";
import { captureWarnings, configProblems, only, statementsOf, synthPlatform } from "../helpers";

const resolve = (values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack: "dev", values, region: "eu-west-1" });
const problemsOf = (values: Record<string, unknown>) => {
    return configProblems(() => resolve(values));
};
const bySid = (statements: any[]) => Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));

const STACK = { translate: { enabled: true }, queues: { work: { processingTimeoutSeconds: 30, maxReceiveCount: 4 } } };
const WORKER = { imageTag: "2.0.0", consumes: { queue: "queues.work", messagesPerTask: 20 }, replicas: { min: 1, max: 6 } };

describe("ECS queue workers (consumes)", () => {
    describe("configuration", () => {
        it("refuses an unknown queue, listing the stack's queues", () => {
            const problems = problemsOf({ ...STACK, apps: { worker: { consumes: { queue: "queues.jobs" } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:apps.worker.consumes.queue"]);
            expect(problems[0].message).to.match(/unknown SQS queue reference "queues.jobs"; this stack's queues are queues.work, translate.jobs/);
        });

        it("refuses a queue a function already consumes", () => {
            const problems = problemsOf({ ...STACK, apps: { worker: { consumes: { queue: "translate.jobs" } } } });
            expect(problems[0].message).to.match(/already consumed by translate's worker function/);
        });

        it("refuses jobs on a worker (on both runtimes, which both run workers)", () => {
            const problems = problemsOf({ ...STACK, apps: { worker: { consumes: { queue: "queues.work" }, runtimes: ["ecs", "eks"], jobs: { nightly: { schedule: "rate(1 day)", command: ["x"] } } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:apps.worker.jobs"]);
        });

        it("defaults the backlog per task, and scaling to zero (EKS) to the profile's: dev yes, prod no", () => {
            expect(resolve({ ...STACK, apps: { worker: { consumes: { queue: "queues.work" } } } }).apps.worker.consumes).to.deep.equal({ queue: "queues.work", messagesPerTask: 100, scaleToZero: true });
            const prod = resolvePlatformConfig({ project: "platform", stack: "prod", values: { ...STACK, apps: { worker: { consumes: { queue: "queues.work" } } } }, region: "eu-west-1" });
            expect(prod.apps.worker.consumes?.scaleToZero).to.equal(false);
        });
    });

    describe("a worker in dev with consumes.scaleToZero: false", function () {
        this.timeout(120_000);
        it("keeps replicas.min tasks and creates no scale-from-zero policy or alarm", async () => {
            const worker = { ...WORKER, consumes: { ...WORKER.consumes, scaleToZero: false } };
            const { result } = await captureWarnings(() => synthPlatform("dev", { ...STACK, apps: { worker } }));
            const resources = result.cloud.resources;
            expect(only(resources, "aws:appautoscaling/target:Target", "-worker").inputs).to.deep.include({ minCapacity: 1, maxCapacity: 6 });
            expect(only(resources, "aws:ecs/service:Service", "-worker").inputs.desiredCount).to.equal(1);
            expect(resources.filter((r) => r.name.endsWith("-worker-from-zero"))).to.deep.equal([]);
        });
    });

    for (const stack of ["dev", "prod"] as const) {
        describe(`a worker in ${stack}`, function () {
            this.timeout(120_000);
            let resources: Awaited<ReturnType<typeof synthPlatform>>["cloud"]["resources"];
            let outputs: Record<string, any>;
            before(async () => {
                const { result } = await captureWarnings(() => synthPlatform(stack, { ...STACK, network: { loadBalancers: "perApp" }, apps: { worker: WORKER, web: { imageTag: "1.0.0", runtimes: ["ecs", "eks"] } } }));
                resources = result.cloud.resources;
                outputs = result.outputs;
            });

            it("lists every app on every runtime in the outputs: the web's load balancer URLs, the worker as a worker", () => {
                const alb = only(resources, "aws:lb/loadBalancer:LoadBalancer", "-web");
                expect(outputs.appEndpoints.worker).to.deep.equal({ ecs: "worker" });
                expect(outputs.appEndpoints.web.ecs).to.equal(`http://${String(alb.state.dnsName)}`);
                expect(outputs.appEndpoints.web).to.have.property("eks");
                expect(outputs.queueUrls).to.deep.equal({ work: only(resources, "aws:sqs/queue:Queue", "-queue-work").state.url });
            });

            it("runs as a service without a load balancer or any inbound rule", () => {
                const service = only(resources, "aws:ecs/service:Service", "-worker");
                expect(service.inputs.loadBalancers ?? []).to.deep.equal([]);
                expect(resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").map((r) => r.name)).to.not.include.members([service.name]);
                expect(resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup" && r.name.includes("-worker"))).to.deep.equal([]);
                const group = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-worker-tasks");
                const inbound = resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.securityGroupId === group.state.id);
                expect(inbound).to.deep.equal([]);
            });

            it("places its arm64 tasks on FARGATE only: Fargate Spot runs no ARM64 task, so a spot share would never start", () => {
                const strategy = only(resources, "aws:ecs/service:Service", "-worker").inputs.capacityProviderStrategies as { capacityProvider: string }[];
                expect(strategy.map((share) => share.capacityProvider)).to.deep.equal(["FARGATE"]);
            });

            it("scales on visible messages per running task, to the configured backlog", () => {
                const queue = only(resources, "aws:sqs/queue:Queue", "-queue-work");
                const policy = only(resources, "aws:appautoscaling/policy:Policy", "-worker-backlog");
                const config = policy.inputs.targetTrackingScalingPolicyConfiguration as any;
                expect(config.targetValue).to.equal(20);
                const metrics = Object.fromEntries(config.customizedMetricSpecification.metrics.map((m: any) => [m.id, m]));
                expect(metrics.visible.metricStat.metric).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: [{ name: "QueueName", value: queue.state.name }] });
                expect(metrics.tasks.metricStat.metric).to.deep.include({ namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount" });
                expect(metrics.backlog).to.deep.include({ expression: "visible / tasks", returnData: true });
                const target = only(resources, "aws:appautoscaling/target:Target", "-worker");
                // dev's profile lets a worker scale to zero (consumes.scaleToZero); prod keeps replicas.min.
                expect(target.inputs).to.deep.include({ minCapacity: stack === "dev" ? 0 : 1, maxCapacity: 6 });
                expect(only(resources, "aws:ecs/service:Service", "-worker").inputs.desiredCount).to.equal(stack === "dev" ? 0 : 1);
            });

            if (stack === "dev") {
                it("starts from zero tasks with a step policy (+1 task, 5-minute cooldown) on an alarm on the queue's own metrics: a message waiting more than 30 s with nothing received", () => {
                    const queue = only(resources, "aws:sqs/queue:Queue", "-queue-work");
                    const target = only(resources, "aws:appautoscaling/target:Target", "-worker");
                    const policy = only(resources, "aws:appautoscaling/policy:Policy", "-worker-from-zero");
                    expect(policy.inputs).to.deep.include({ policyType: "StepScaling", resourceId: target.inputs.resourceId, scalableDimension: "ecs:service:DesiredCount" });
                    // ChangeInCapacity +1 only ever adds (ExactCapacity 1 could lower what target tracking raised); during the cooldown
                    // a repeat of the same +1 adds nothing, so the alarm staying in ALARM while the first task starts adds no second one.
                    expect(policy.inputs.stepScalingPolicyConfiguration).to.deep.include({
                        adjustmentType: "ChangeInCapacity",
                        cooldown: SCALE_FROM_ZERO_COOLDOWN_SECONDS,
                        stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
                    });
                    expect(SCALE_FROM_ZERO_COOLDOWN_SECONDS).to.be.at.least(180);
                    const alarm = only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "-worker-from-zero");
                    expect(alarm.inputs).to.deep.include({
                        comparisonOperator: "GreaterThanThreshold",
                        threshold: SCALE_FROM_ZERO_WAIT_SECONDS,
                        evaluationPeriods: 1,
                        treatMissingData: "notBreaching",
                        alarmActions: [policy.state.arn],
                    });
                    const queries = Object.fromEntries((alarm.inputs.metricQueries as any[]).map((q) => [q.id, q]));
                    expect(Object.keys(queries).sort()).to.deep.equal(["age", "received", "visible", "waiting"]);
                    expect(queries.visible.metric).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: queue.state.name } });
                    expect(queries.age.metric).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: queue.state.name } });
                    expect(queries.received.metric).to.deep.include({ namespace: "AWS/SQS", metricName: "NumberOfMessagesReceived", dimensions: { QueueName: queue.state.name }, stat: "Sum" });
                    // Only the queue's own metrics: no Container Insights task count and no in-flight count, which are not published
                    // at zero tasks, and no FILL of a series that may have no datapoint. "Nothing received" keeps the step policy out
                    // of normal operation: tasks draining a backlog receive every minute, and target tracking alone sizes the service.
                    expect(queries.waiting).to.deep.include({ expression: "IF(visible > 0 AND received == 0, age, 0)", returnData: true });
                    expect(JSON.stringify(alarm.inputs.metricQueries)).to.not.match(/ContainerInsights|NotVisible|FILL/);
                    // Target tracking keeps its scale-in: it is what takes the service back to zero.
                    const tracking = only(resources, "aws:appautoscaling/policy:Policy", "-worker-backlog").inputs.targetTrackingScalingPolicyConfiguration as any;
                    expect(tracking.disableScaleIn ?? false).to.equal(false);
                });
            } else {
                it("has no scale-from-zero policy or alarm (scaleToZero is false in prod)", () => {
                    expect(resources.filter((r) => r.name.endsWith("-worker-from-zero"))).to.deep.equal([]);
                });
            }

            it("may receive, delete and extend its queue's messages and decrypt them through SQS, and gets the queue URL", () => {
                const queue = only(resources, "aws:sqs/queue:Queue", "-queue-work");
                const statements = bySid(statementsOf(only(resources, "aws:iam/rolePolicy:RolePolicy", "-worker-task")));
                expect(statements.QueueQUEUEURL).to.deep.include({ Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"], Resource: [queue.state.arn] });
                expect(statements.QueueQUEUEURLKey).to.deep.include({ Action: ["kms:Decrypt"], Condition: { StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } } });
                const env = JSON.parse(String(only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-worker").inputs.containerDefinitions))[0].environment;
                expect(env).to.deep.include({ name: "QUEUE_URL", value: queue.state.url });
            });

            it("places its arm64 tasks on FARGATE only: Fargate Spot runs no ARM64 task", () => {
                const service = only(resources, "aws:ecs/service:Service", "-worker");
                const providers = (service.inputs.capacityProviderStrategies as { capacityProvider: string }[]).map((share) => share.capacityProvider);
                expect(providers).to.deep.equal(["FARGATE"]);
            });

            it("gives the queue a visibility timeout of six times the processing time and a dead-letter queue after maxReceiveCount", () => {
                const queue = only(resources, "aws:sqs/queue:Queue", "-queue-work");
                expect(queue.inputs.visibilityTimeoutSeconds).to.equal(180);
                expect(JSON.parse(String(queue.inputs.redrivePolicy))).to.deep.include({ maxReceiveCount: 4, deadLetterTargetArn: only(resources, "aws:sqs/queue:Queue", "-queue-work-dlq").state.arn });
            });
        });
    }
});
