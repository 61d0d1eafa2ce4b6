import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { StateMachine } from "../../platform/serverless/state-machine";
import { only, parseJson, statementsOf } from "../helpers";
import { grantsOf, LOGS_KEY, synthConstructs, TestGrantee } from "./data-constructs";

const DEFINITION = { StartAt: "Done", TimeoutSeconds: 60, States: { Done: { Type: "Succeed" as const } } };
const MACHINE_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:platform-dev-batch";

describe("serverless StateMachine", () => {
    let resources: RecordedResource[];

    before(async () => {
        const result = await synthConstructs(() => {
            const dev = new StateMachine("batch", {
                stateMachineName: "platform-dev-batch",
                definition: DEFINITION,
                logLevel: "ALL",
                includeExecutionData: true,
                logRetentionDays: 14,
                logsKmsKeyArn: LOGS_KEY,
                region: "eu-west-1",
                accountId: "123456789012",
                distributedMap: true,
                taskGrants: (machine) => machine.addGrant({ sid: "InvokeTask", actions: ["lambda:InvokeFunction"], resources: ["arn:aws:lambda:eu-west-1:123456789012:function:task"] }),
                alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alarms",
            });
            new StateMachine("quiet", {
                stateMachineName: "platform-prod-quiet",
                definition: DEFINITION,
                logLevel: "ERROR",
                includeExecutionData: false,
                logRetentionDays: 365,
                logsKmsKeyArn: LOGS_KEY,
                region: "eu-west-1",
                accountId: "123456789012",
                protect: true,
            });
            const starter = new TestGrantee("starter");
            dev.grantStart(starter.grants);
            dev.addGrant({ sid: "GrantedLater", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:later"] });
        });
        resources = result.cloud.resources;
    });

    it("is a STANDARD workflow with the definition serialised, tracing on and logs at the configured level", () => {
        const machine = only(resources, "aws:sfn/stateMachine:StateMachine", "batch");
        expect(machine.inputs).to.deep.include({ name: "platform-dev-batch", type: "STANDARD", tracingConfiguration: { enabled: true } });
        expect(parseJson(machine.inputs.definition)).to.deep.equal(DEFINITION);
        const logGroup = only(resources, "aws:cloudwatch/logGroup:LogGroup", "batch");
        expect(machine.inputs.loggingConfiguration).to.deep.equal({ level: "ALL", includeExecutionData: true, logDestination: `${logGroup.state.arn as string}:*` });
        expect(only(resources, "aws:sfn/stateMachine:StateMachine", "quiet").inputs.loggingConfiguration).to.deep.include({ level: "ERROR", includeExecutionData: false });
    });

    it("logs to a KMS-encrypted vended-logs group with retention, protected when asked", () => {
        const logGroup = only(resources, "aws:cloudwatch/logGroup:LogGroup", "batch");
        expect(logGroup.inputs).to.include({ name: "/aws/vendedlogs/states/platform-dev-batch", retentionInDays: 14, kmsKeyId: LOGS_KEY });
        expect(only(resources, "aws:cloudwatch/logGroup:LogGroup", "quiet").protect).to.be.true;
    });

    it("lets only Step Functions of this account, for this state machine, assume its role", () => {
        const [trust] = statementsOf(only(resources, "aws:iam/role:Role", "batch"), "assumeRolePolicy");
        expect(trust.Principal).to.deep.equal({ Service: "states.amazonaws.com" });
        expect(trust.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": MACHINE_ARN } });
    });

    it("creates the state machine after the role can deliver logs and traces", () => {
        const delivery = only(resources, "aws:iam/rolePolicy:RolePolicy", "batch-delivery");
        expect(statementsOf(delivery).map((statement) => statement.Sid)).to.deep.equal(["DeliverExecutionLogs", "SendTraces"]);
        expect(only(resources, "aws:sfn/stateMachine:StateMachine", "batch").dependsOn).to.include(delivery.urn);
    });

    it("a distributed map may start, describe, stop and redrive its own executions only (parent and children)", () => {
        const grants = grantsOf(resources, "batch");
        expect(grants.StartChildExecutions).to.deep.include({ Action: ["states:StartExecution"], Resource: [MACHINE_ARN] });
        expect(grants.ManageChildExecutions).to.deep.include({
            Action: ["states:DescribeExecution", "states:StopExecution"],
            Resource: ["arn:aws:states:eu-west-1:123456789012:execution:platform-dev-batch:*", "arn:aws:states:eu-west-1:123456789012:execution:platform-dev-batch/*"],
        });
        expect(grants.RedriveChildExecutions).to.deep.include({ Action: ["states:RedriveExecution"], Resource: ["arn:aws:states:eu-west-1:123456789012:execution:platform-dev-batch/*:*"] });
        expect(resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("quiet-") && r.name !== "quiet-delivery")).to.be.empty;
    });

    it("waits for its own grants and the tasks' grants before it is created, not for grants added later", () => {
        const machine = only(resources, "aws:sfn/stateMachine:StateMachine", "batch");
        const policyUrn = (name: string) => only(resources, "aws:iam/rolePolicy:RolePolicy", name).urn;
        expect(machine.dependsOn).to.include.members([policyUrn("batch-start-child-executions"), policyUrn("batch-manage-child-executions"), policyUrn("batch-redrive-child-executions"), policyUrn("batch-invoke-task")]);
        expect(machine.dependsOn).to.not.include(policyUrn("batch-granted-later"));
    });

    it("grants starting executions of this state machine", () => {
        expect(grantsOf(resources, "starter").StartWorkflow).to.deep.include({ Action: ["states:StartExecution"], Resource: [MACHINE_ARN] });
    });

    it("alarms on failed, timed-out and aborted executions", () => {
        const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.startsWith("batch-"));
        expect(alarms.map((alarm) => alarm.inputs.metricName).sort()).to.deep.equal(["ExecutionsAborted", "ExecutionsFailed", "ExecutionsTimedOut"]);
        for (const alarm of alarms) expect(alarm.inputs).to.deep.include({ namespace: "AWS/States", dimensions: { StateMachineArn: MACHINE_ARN }, threshold: 0 });
    });
});
