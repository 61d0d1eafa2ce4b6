import { expect } from "chai";
import { parseJson, statementsOf } from "../helpers";
import { devStack, prodStack, Synthesized } from "./fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const POLICY = "aws:appautoscaling/policy:Policy";

describe("ECS autoscaling and alarms", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    before(async () => {
        dev = await devStack();
        prod = await prodStack();
    });

    describe("autoscaling", () => {
        for (const [stack, min, max] of [
            ["dev", 1, 2],
            ["prod", 2, 10],
        ] as const) {
            it(`scales the ${stack} service between ${min} and ${max} tasks`, () => {
                const target = (stack === "dev" ? dev : prod).one("aws:appautoscaling/target:Target").inputs;
                expect(target).to.deep.equal({ serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: `service/platform-${stack}/web`, minCapacity: min, maxCapacity: max });
            });
        }

        it("tracks average CPU (60%) and ALB requests per task (500), scaling out fast and in slowly", () => {
            for (const [s, stack] of [
                [dev, "dev"],
                [prod, "prod"],
            ] as const) {
                const policies: Record<string, any> = Object.fromEntries(s.all(POLICY).map((policy) => [policy.name.split("-").pop(), policy.inputs]));
                expect(Object.keys(policies)).to.have.members(["cpu", "requests"]);
                for (const policy of Object.values(policies)) {
                    expect(policy).to.include({ policyType: "TargetTrackingScaling", serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: `service/platform-${stack}/web` });
                    expect(policy.targetTrackingScalingPolicyConfiguration).to.include({ scaleOutCooldown: 60, scaleInCooldown: 300, targetValue: policy === policies.cpu ? 60 : 500 });
                }
                expect(policies.cpu.targetTrackingScalingPolicyConfiguration).to.deep.include({ predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } });
            }
            // dev rolls on one target group: ELB's own requests-per-target metric (prod's blue/green pair: tests/ecs/release.test.ts).
            const lb = dev.one("aws:lb/loadBalancer:LoadBalancer").state;
            const targetGroup = dev.one("aws:lb/targetGroup:TargetGroup").state;
            expect(lb.arnSuffix).to.match(/^app\/platform-dev-web-[0-9a-f]{7}\/[0-9a-f]{16}$/);
            expect(dev.one(POLICY, "-requests").inputs.targetTrackingScalingPolicyConfiguration).to.deep.include({
                predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: `${String(lb.arnSuffix)}/${String(targetGroup.arnSuffix)}` },
            });
        });
    });

    describe("alarm topic", () => {
        it("is encrypted with the platform data key, which lets CloudWatch and EventBridge (and SNS, for email redelivery) use it", () => {
            const dataKey = prod.one("aws:kms/key:Key", "-data");
            expect(prod.one("aws:sns/topic:Topic").inputs.kmsMasterKeyId).to.equal(dataKey.state.arn);
            const services = statementsOf(dataKey).flatMap((statement) => (statement.Principal?.Service ? [statement.Principal.Service] : []));
            expect(services).to.have.members(["cloudwatch.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]);
            const devServices = statementsOf(dev.one("aws:kms/key:Key", "-data")).flatMap((statement) => (statement.Principal?.Service ? [statement.Principal.Service] : []));
            expect(devServices).to.have.members(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
        });

        it("accepts only this account's alarms and rules as publishers", () => {
            const statements = statementsOf(prod.one("aws:sns/topicPolicy:TopicPolicy"));
            expect(statements.map((statement) => statement.Principal)).to.deep.equal([{ Service: "cloudwatch.amazonaws.com" }, { Service: "events.amazonaws.com" }]);
            for (const statement of statements) {
                expect(statement.Action).to.equal("sns:Publish");
                expect(statement.Condition.StringEquals).to.deep.equal({ "aws:SourceAccount": "123456789012" });
            }
            expect(statements[0].Condition.ArnLike["aws:SourceArn"]).to.equal("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*");
        });

        it("subscribes the configured emails, with undeliverable notifications kept in an encrypted dead-letter queue", () => {
            const subscription = prod.one("aws:sns/topicSubscription:TopicSubscription");
            const dlq = prod.one("aws:sqs/queue:Queue", "-alarms-delivery-dlq");
            expect(subscription.inputs).to.include({ protocol: "email", endpoint: "oncall@example.com", topic: prod.one("aws:sns/topic:Topic").state.arn });
            expect(parseJson(subscription.inputs.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: dlq.state.arn });
            expect(dlq.inputs.kmsMasterKeyId).to.equal(prod.one("aws:kms/key:Key", "-data").state.arn);
            const [statement] = statementsOf(prod.one("aws:sqs/queuePolicy:QueuePolicy", "-alarms-delivery-dlq"));
            expect(statement).to.deep.include({ Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": prod.one("aws:sns/topic:Topic").state.arn } } });
            expect(dev.all("aws:sns/topicSubscription:TopicSubscription")).to.deep.equal([]);
        });
    });

    describe("alarms", () => {
        it("notifies the platform topic when each alarm fires and recovers, with a deliberate missing-data treatment", () => {
            const topic = prod.one("aws:sns/topic:Topic").state.arn;
            const alarms = prod.all(ALARM);
            expect(alarms.map((alarm) => alarm.name.replace("platform-prod-web-", ""))).to.have.members(["5xx", "latency", "unhealthy", "no-healthy-tasks", "cpu", "purge-expired-dead-letters"]);
            for (const alarm of alarms) {
                expect(alarm.inputs, alarm.name).to.deep.include({ actionsEnabled: true, alarmActions: [topic], okActions: [topic] });
                expect(alarm.inputs.treatMissingData, alarm.name).to.be.oneOf(["notBreaching", "breaching"]);
                expect(alarm.inputs.alarmDescription, alarm.name).to.be.a("string").and.not.equal("");
            }
        });

        it("alarms on the target 5xx rate of this load balancer and target group (over 5% at 20+ requests a minute)", () => {
            // dev rolls on one target group; prod's blue/green alarms sum both groups (tests/ecs/release.test.ts).
            const alarm = dev.one(ALARM, "-5xx").inputs;
            const dimensions = { LoadBalancer: dev.one("aws:lb/loadBalancer:LoadBalancer").state.arnSuffix, TargetGroup: dev.one("aws:lb/targetGroup:TargetGroup").state.arnSuffix };
            const queries = Object.fromEntries((alarm.metricQueries as any[]).map((query) => [query.id, query]));
            expect(queries.errors.metric).to.deep.include({ namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", stat: "Sum", dimensions });
            expect(queries.requests.metric).to.deep.include({ metricName: "RequestCount", dimensions });
            expect(queries.rate).to.include({ expression: "IF(FILL(requests, 0) >= 20, 100 * FILL(errors, 0) / requests, 0)", returnData: true });
            expect(alarm).to.include({ comparisonOperator: "GreaterThanThreshold", threshold: 5, treatMissingData: "notBreaching" });
        });

        it("alarms on any unhealthy target, on no healthy target at all, and on sustained high CPU", () => {
            expect(dev.one(ALARM, "-unhealthy").inputs).to.include({ namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", comparisonOperator: "GreaterThanThreshold", threshold: 0 });
            expect(dev.one(ALARM, "-no-healthy-tasks").inputs).to.include({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
            // prod's (blue/green): the worst of the two groups, and the sum of healthy tasks over both.
            expect((prod.one(ALARM, "-unhealthy").inputs.metricQueries as any[]).map((q) => q.expression ?? q.metric.metricName)).to.deep.equal([
                "UnHealthyHostCount",
                "UnHealthyHostCount",
                "MAX([FILL(unhealthy0, 0), FILL(unhealthy1, 0)])",
            ]);
            expect((prod.one(ALARM, "-no-healthy-tasks").inputs.metricQueries as any[]).map((q) => q.expression ?? q.metric.metricName)).to.deep.equal([
                "HealthyHostCount",
                "HealthyHostCount",
                "FILL(healthy0, 0) + FILL(healthy1, 0)",
            ]);
            expect(prod.one(ALARM, "-no-healthy-tasks").inputs).to.include({ threshold: 1, treatMissingData: "breaching" });
            const cpu = prod.one(ALARM, "-web-cpu").inputs;
            expect(cpu).to.include({ namespace: "AWS/ECS", metricName: "CPUUtilization", threshold: 85, evaluationPeriods: 5 });
            expect(cpu.dimensions).to.deep.equal({ ClusterName: "platform-prod", ServiceName: "web" });
        });
    });
});
