import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { ObjectCreatedWorkflow } from "../../platform/serverless/object-events";
import { StateMachine } from "../../platform/serverless/state-machine";
import { only, parseJson, statementsOf } from "../helpers";
import { DATA_KEY, grantsOf, LOGS_KEY, synthConstructs } from "./data-constructs";
import { KeyUsersRecorder } from "./fixtures";

const RULE_ARN = "arn:aws:events:eu-west-1:123456789012:rule/platform-dev-uploads-created";
const MACHINE_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:platform-dev-uploads";

describe("serverless ObjectCreatedWorkflow", () => {
    let resources: RecordedResource[];
    const keyUsers = new KeyUsersRecorder();

    before(async () => {
        const result = await synthConstructs(() => {
            const workflow = new StateMachine("uploads", {
                stateMachineName: "platform-dev-uploads",
                definition: { StartAt: "Done", TimeoutSeconds: 60, States: { Done: { Type: "Succeed" } } },
                logLevel: "ALL",
                includeExecutionData: true,
                logRetentionDays: 14,
                logsKmsKeyArn: LOGS_KEY,
                region: "eu-west-1",
                accountId: "123456789012",
            });
            new ObjectCreatedWorkflow("uploads-created", {
                ruleName: "platform-dev-uploads-created",
                bucketName: "platform-dev-uploads-bucket",
                prefix: "incoming/",
                workflow,
                kmsKeyArn: DATA_KEY,
                keyUsers,
                region: "eu-west-1",
                accountId: "123456789012",
                alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alarms",
            });
        });
        resources = result.cloud.resources;
    });

    it("admits EventBridge, which writes its dead letters, to the dead-letter queue's key", () => {
        expect(keyUsers.services).to.deep.equal(["events.amazonaws.com"]);
    });

    it("matches Object Created events of this bucket under the prefix only", () => {
        const rule = only(resources, "aws:cloudwatch/eventRule:EventRule");
        expect(rule.inputs.eventBusName).to.be.undefined; // S3 sends to the default bus
        expect(parseJson(rule.inputs.eventPattern)).to.deep.equal({
            source: ["aws.s3"],
            "detail-type": ["Object Created"],
            detail: { bucket: { name: ["platform-dev-uploads-bucket"] }, object: { key: [{ prefix: "incoming/" }] } },
        });
    });

    it("targets the state machine through a role only this rule can assume, allowed to start that workflow only", () => {
        const target = only(resources, "aws:cloudwatch/eventTarget:EventTarget");
        const role = only(resources, "aws:iam/role:Role", "uploads-created");
        expect(target.inputs).to.deep.include({ arn: MACHINE_ARN, roleArn: role.state.arn });
        const [trust] = statementsOf(role, "assumeRolePolicy");
        expect(trust.Condition.ArnLike).to.deep.equal({ "aws:SourceArn": RULE_ARN });
        expect(grantsOf(resources, "uploads-created").StartWorkflow).to.deep.include({ Action: ["states:StartExecution"], Resource: [MACHINE_ARN] });
        // Targets created before IAM has the grant would have their first events refused.
        expect(target.dependsOn).to.include(only(resources, "aws:iam/rolePolicy:RolePolicy", "uploads-created-start-workflow").urn);
    });

    it("retries delivery for a day, then dead-letters to an encrypted queue only this rule may write to, which alarms", () => {
        const target = only(resources, "aws:cloudwatch/eventTarget:EventTarget");
        const dlq = only(resources, "aws:sqs/queue:Queue", "uploads-created-dlq");
        expect(target.inputs.deadLetterConfig).to.deep.equal({ arn: dlq.state.arn });
        expect(target.inputs.retryPolicy).to.deep.equal({ maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 });
        expect(dlq.inputs).to.include({ kmsMasterKeyId: DATA_KEY, messageRetentionSeconds: 14 * 86_400 });
        const [denyPlainHttp, allow] = statementsOf(only(resources, "aws:sqs/queuePolicy:QueuePolicy"));
        expect(denyPlainHttp).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        expect(allow).to.deep.include({ Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: dlq.state.arn, Condition: { ArnEquals: { "aws:SourceArn": RULE_ARN } } });
        const alarm = only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "uploads-created-dlq");
        expect(alarm.inputs).to.deep.include({ metricName: "ApproximateNumberOfMessagesVisible", threshold: 0 });
    });
});
