import { expect } from "chai";
import { parseJson, statementsOf } from "../helpers";
import { devStack, prodStack, Synthesized, unreleasedStack } from "./fixtures";

const SCHEDULE = "aws:scheduler/schedule:Schedule";

describe("ECS scheduled jobs", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    before(async () => {
        dev = await devStack();
        prod = await prodStack();
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`runs the nightly ${stack} job with EventBridge Scheduler: its own task definition, private subnets, no public IP, the cluster's capacity mix`, () => {
            const s = stack === "dev" ? dev : prod;
            const schedule = s.one(SCHEDULE).inputs;
            expect(schedule).to.include({ scheduleExpression: "cron(0 3 * * ? *)", scheduleExpressionTimezone: "UTC", state: "ENABLED", groupName: `platform-${stack}` });
            expect(schedule.flexibleTimeWindow).to.deep.equal({ mode: "OFF" });
            const target = schedule.target as any;
            expect(target.arn).to.equal(s.one("aws:ecs/cluster:Cluster").state.arn);
            expect(target.roleArn).to.equal(s.one("aws:iam/role:Role", "-purge-expired-scheduler").state.arn);
            expect(target.ecsParameters).to.deep.include({
                taskDefinitionArn: s.one("aws:ecs/taskDefinition:TaskDefinition", "-purge-expired").state.arn,
                taskCount: 1,
                // The job is arm64: the cluster's mix without FARGATE_SPOT, which runs no ARM64 tasks.
                capacityProviderStrategies: (s.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies as any[]).filter(
                    (share) => share.capacityProvider !== "FARGATE_SPOT",
                ),
                enableEcsManagedTags: true,
                propagateTags: "TASK_DEFINITION",
            });
            expect(target.ecsParameters.networkConfiguration).to.deep.equal({
                subnets: s.one("awsx:ec2:Vpc").state.privateSubnetIds,
                securityGroups: [s.one("aws:ec2/securityGroup:SecurityGroup", "-web-jobs").state.id],
                assignPublicIp: false,
            });
        });
    }

    it("retries a failed start for an hour, then dead-letters it to an encrypted queue that alarms", () => {
        const target = prod.one(SCHEDULE).inputs.target as any;
        const dlq = prod.one("aws:sqs/queue:Queue", "-purge-expired-dlq");
        expect(target.retryPolicy).to.deep.equal({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
        expect(target.deadLetterConfig).to.deep.equal({ arn: dlq.state.arn });
        expect(dlq.inputs).to.include({ kmsMasterKeyId: prod.one("aws:kms/key:Key", "-data").state.arn, messageRetentionSeconds: 1209600 });
        const alarm = prod.one("aws:cloudwatch/metricAlarm:MetricAlarm", "-purge-expired-dead-letters").inputs;
        expect(alarm).to.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching" });
        expect(alarm.dimensions).to.deep.equal({ QueueName: dlq.state.name });
    });

    it("lets only the job's Scheduler role and its failure rule write to its dead-letter queue", () => {
        const statements = statementsOf(prod.one("aws:sqs/queuePolicy:QueuePolicy", "-purge-expired-dlq"));
        expect(statements.map((statement) => statement.Principal)).to.deep.equal([{ AWS: prod.one("aws:iam/role:Role", "-purge-expired-scheduler").state.arn }, { Service: "events.amazonaws.com" }]);
        expect(statements[1].Condition).to.deep.equal({ ArnEquals: { "aws:SourceArn": prod.one("aws:cloudwatch/eventRule:EventRule", "-purge-expired-failed").state.arn } });
        for (const statement of statements) expect(statement).to.deep.include({ Effect: "Allow", Action: "sqs:SendMessage", Resource: prod.one("aws:sqs/queue:Queue", "-purge-expired-dlq").state.arn });
    });

    it("announces a run that exits non-zero or fails to start on the alarm topic", () => {
        const rule = prod.one("aws:cloudwatch/eventRule:EventRule", "-purge-expired-failed");
        expect(parseJson(rule.inputs.eventPattern)).to.deep.equal({
            source: ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            detail: {
                clusterArn: [prod.one("aws:ecs/cluster:Cluster").state.arn],
                lastStatus: ["STOPPED"],
                taskDefinitionArn: [{ prefix: "arn:aws:ecs:eu-west-1:123456789012:task-definition/platform-prod-web-purge-expired:" }],
                $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
            },
        });
        const target = prod.one("aws:cloudwatch/eventTarget:EventTarget").inputs as any;
        expect(target.arn).to.equal(prod.one("aws:sns/topic:Topic").state.arn);
        expect(target.retryPolicy).to.deep.equal({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
        expect(target.deadLetterConfig).to.deep.equal({ arn: prod.one("aws:sqs/queue:Queue", "-purge-expired-dlq").state.arn });
        expect(JSON.parse(target.inputTransformer.inputTemplate)).to.equal(
            "Scheduled job web/purge-expired failed: task <task> stopped (<stopCode>: <reason>). Its logs are in /platform-prod/ecs/web under purge-expired/.",
        );
    });

    it("runs the job command in the app's image, with the app's roles and log group, and no port", () => {
        const job = prod.one("aws:ecs/taskDefinition:TaskDefinition", "-purge-expired");
        const service = prod.one("aws:ecs/taskDefinition:TaskDefinition", "-web");
        const [container] = parseJson(job.inputs.containerDefinitions);
        const [serviceContainer] = parseJson(service.inputs.containerDefinitions);
        expect(job.inputs).to.include({ family: "platform-prod-web-purge-expired", taskRoleArn: service.inputs.taskRoleArn, executionRoleArn: service.inputs.executionRoleArn });
        expect(container.command).to.deep.equal(["node", "main.js", "purge-expired"]);
        expect(container.image).to.equal(serviceContainer.image);
        expect(container.portMappings).to.deep.equal([]);
        expect(container.logConfiguration.options).to.include({ "awslogs-group": "/platform-prod/ecs/web", "awslogs-stream-prefix": "purge-expired" });
        expect(container).to.include({ readonlyRootFilesystem: true, privileged: false, user: "1000" });
    });

    it("pauses the schedule until the app's first release", async () => {
        expect((await unreleasedStack()).one(SCHEDULE).inputs.state).to.equal("DISABLED");
    });
});
