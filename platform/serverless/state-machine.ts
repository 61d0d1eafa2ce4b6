import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyOccurrenceAlarm } from "../alarms";
import { Grant, grantStatement, Grantee, RoleGrants } from "../grants";
import { policyJson, serviceTrustPolicy } from "../iam";
import type { StateMachineDefinition } from "./asl";
import { withTransforms, type Transformable } from "../transform";

export interface StateMachineArgs extends Transformable {
    /** Physical name; the role's trust and the distributed map's self-grants refer to it. */
    stateMachineName: string;
    /** The workflow, as built by its builder with the ARNs it needs resolved (see asl.ts). */
    definition: pulumi.Input<StateMachineDefinition>;
    /** ALL in dev (every state's input and output), ERROR in prod. */
    logLevel: "ALL" | "ERROR" | "FATAL" | "OFF";
    /** Log state input and output (may hold customer data: dev only by default). */
    includeExecutionData: boolean;
    logRetentionDays: number;
    /** KMS key for the execution log group (the platform's logs key). */
    logsKmsKeyArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    /**
     * The workflow runs a Distributed Map: it may start, describe and stop its own child
     * executions (and nothing else's).
     * @default false
     */
    distributedMap?: boolean;
    /**
     * Grants the tasks' permissions (`fn.grantInvoke(machine)`, `table.grantWriteData(machine)`),
     * called before the state machine is created: it waits for these policies, so the first
     * executions never run into AccessDenied while IAM catches up. Grants added later work too,
     * without that ordering.
     * @default none
     */
    taskGrants?: (machine: StateMachine) => void;
    /** Alarm on failed, timed-out and aborted executions. @default none */
    alarmTopicArn?: pulumi.Input<string>;
    /** Pulumi `protect` on the execution log group. @default false */
    protect?: boolean;
}

/**
 * A Step Functions STANDARD workflow: its own role built from declared grants (the tasks'
 * permissions are granted by the constructs it calls: `fn.grantInvoke(machine)`,
 * `bucket.grantRead(machine, ...)`), execution logs to a KMS-encrypted log group, X-Ray tracing
 * on, and an alarm on executions that fail, time out or are aborted.
 */
export class StateMachine extends pulumi.ComponentResource implements Grantee {
    readonly stateMachine: aws.sfn.StateMachine;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly arn: pulumi.Output<string>;
    /** Known before the state machine exists (built from its name), for grants that would otherwise be circular. */
    readonly expectedArn: pulumi.Output<string>;
    private readonly grants: RoleGrants;
    /** The grants made before the state machine exists: it depends on them. */
    private readonly grantsBeforeCreation: aws.iam.RolePolicy[] = [];

    constructor(name: string, args: StateMachineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:StateMachine", name, {}, withTransforms(opts, args.transform));
        this.expectedArn = pulumi.interpolate`arn:aws:states:${args.region}:${args.accountId}:stateMachine:${args.stateMachineName}`;
        this.role = new aws.iam.Role(name, { assumeRolePolicy: serviceTrustPolicy("states.amazonaws.com", args.accountId, this.expectedArn) }, { parent: this });
        this.grants = new RoleGrants(name, this.role, this);

        // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy under its size limit as workflows multiply.
        this.logGroup = new aws.cloudwatch.LogGroup(
            name,
            { name: `/aws/vendedlogs/states/${args.stateMachineName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn },
            { parent: this, protect: args.protect },
        );

        // Step Functions checks at creation that the role can deliver logs, so this policy exists
        // first. AWS documents these log-delivery and X-Ray actions on "*" only (they take no resource).
        const delivery: Grant[] = [
            {
                sid: "DeliverExecutionLogs",
                actions: [
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                resources: ["*"],
            },
            { sid: "SendTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], resources: ["*"] },
        ];
        const deliveryPolicy = new aws.iam.RolePolicy(`${name}-delivery`, { role: this.role.name, policy: policyJson({ Version: "2012-10-17", Statement: delivery.map(grantStatement) }) }, { parent: this });

        if (args.distributedMap) {
            // Child executions of the map are executions of this same state machine.
            this.addGrant({ sid: "StartChildExecutions", actions: ["states:StartExecution"], resources: [this.expectedArn] });
            // AWS's least-privilege policy for Distributed Map (aws-cdk#35390): the map run
            // describes and stops both the parent execution (`<name>:<id>`) and its children
            // (`<name>/<map run>:<id>`), and redrives children (`<name>/*:*`).
            const executions = `arn:aws:states:${args.region}`;
            this.addGrant({
                sid: "ManageChildExecutions",
                actions: ["states:DescribeExecution", "states:StopExecution"],
                resources: [pulumi.interpolate`${executions}:${args.accountId}:execution:${args.stateMachineName}:*`, pulumi.interpolate`${executions}:${args.accountId}:execution:${args.stateMachineName}/*`],
            });
            this.addGrant({
                sid: "RedriveChildExecutions",
                actions: ["states:RedriveExecution"],
                resources: [pulumi.interpolate`${executions}:${args.accountId}:execution:${args.stateMachineName}/*:*`],
            });
        }

        args.taskGrants?.(this);

        this.stateMachine = new aws.sfn.StateMachine(
            name,
            {
                name: args.stateMachineName,
                type: "STANDARD",
                roleArn: this.role.arn,
                definition: pulumi.jsonStringify(args.definition),
                loggingConfiguration: { level: args.logLevel, includeExecutionData: args.includeExecutionData, logDestination: pulumi.interpolate`${this.logGroup.arn}:*` },
                tracingConfiguration: { enabled: true },
            },
            { parent: this, dependsOn: [deliveryPolicy, ...this.grantsBeforeCreation] },
        );
        this.arn = this.stateMachine.arn;

        if (args.alarmTopicArn) {
            for (const [metric, what] of [
                ["ExecutionsFailed", "failed"],
                ["ExecutionsTimedOut", "timed out"],
                ["ExecutionsAborted", "were aborted"],
            ] as const) {
                anyOccurrenceAlarm(
                    `${name}-${metric.replace("Executions", "").toLowerCase()}`,
                    args.alarmTopicArn,
                    {
                        alarmDescription: `Executions of ${args.stateMachineName} ${what}; the execution history and the log group /aws/vendedlogs/states/${args.stateMachineName} say why.`,
                        namespace: "AWS/States",
                        metricName: metric,
                        dimensions: { StateMachineArn: this.stateMachine.arn },
                    },
                    { parent: this },
                );
            }
        }
        this.registerOutputs({ arn: this.arn, roleArn: this.role.arn, logGroupName: this.logGroup.name });
    }

    get roleName(): pulumi.Output<string> {
        return this.grants.roleName;
    }

    get roleArn(): pulumi.Output<string> {
        return this.grants.roleArn;
    }

    addGrant(grant: Grant): aws.iam.RolePolicy {
        const policy = this.grants.addGrant(grant);
        // Still in the constructor (the distributed map's own grants, taskGrants): the state machine will wait for it.
        if (!this.stateMachine) this.grantsBeforeCreation.push(policy);
        return policy;
    }

    /** The grant to start executions of this state machine. */
    startGrant(as = "StartWorkflow"): Grant {
        return { sid: as, actions: ["states:StartExecution"], resources: [this.expectedArn] };
    }

    /** Lets `grantee` (an EventBridge rule's role, a function, a CI role) start executions. */
    grantStart(grantee: Grantee, as = "StartWorkflow"): void {
        grantee.addGrant(this.startGrant(as));
    }
}
