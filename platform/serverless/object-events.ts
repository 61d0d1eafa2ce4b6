import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RoleGrants } from "../grants";
import { serviceTrustPolicy } from "../iam";
import type { ServiceKeyUsers } from "../kms";
import { deadLetterAlarm, deadLetterQueue, senderQueuePolicy } from "./common";
import type { StateMachine } from "./state-machine";
import { withTransforms, type Transformable } from "../transform";

export interface ObjectCreatedWorkflowArgs extends Transformable {
    /** Physical rule name (the role's trust and the DLQ's policy refer to it). */
    ruleName: string;
    /** The bucket whose object events (sent to EventBridge, see Bucket's `eventBridgeNotifications`) start the workflow. */
    bucketName: pulumi.Input<string>;
    /** Only keys under this prefix start it. */
    prefix: string;
    workflow: StateMachine;
    /** Encrypts the dead-letter queue. */
    kmsKeyArn: pulumi.Input<string>;
    /** That key's policy: events.amazonaws.com is admitted to it, since EventBridge writes the dead letters. */
    keyUsers: ServiceKeyUsers;
    region: string;
    accountId: pulumi.Input<string>;
    /**
     * How long EventBridge keeps retrying a start that fails (throttling, the workflow deleted)
     * before the event goes to the dead-letter queue.
     * @default 86400 (a day, 185 attempts at most)
     */
    maxEventAgeSeconds?: number;
    /** Alarm when an event lands in the dead-letter queue. @default none */
    alarmTopicArn?: pulumi.Input<string>;
}

/**
 * Starts a Step Functions execution for each object created under a prefix: an EventBridge rule
 * on the default bus matches S3's `Object Created` events for the bucket and prefix and targets
 * the state machine through a role that may start that workflow only. An event EventBridge
 * cannot deliver (after its retries) goes to an encrypted dead-letter queue, which alarms.
 */
export class ObjectCreatedWorkflow extends pulumi.ComponentResource {
    readonly rule: aws.cloudwatch.EventRule;
    readonly deadLetterQueue: aws.sqs.Queue;

    constructor(name: string, args: ObjectCreatedWorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:ObjectCreatedWorkflow", name, {}, withTransforms(opts, args.transform));
        const ruleArn = pulumi.interpolate`arn:aws:events:${args.region}:${args.accountId}:rule/${args.ruleName}`;
        this.rule = new aws.cloudwatch.EventRule(
            name,
            {
                name: args.ruleName,
                description: pulumi.interpolate`Objects created under s3://${args.bucketName}/${args.prefix} start ${args.workflow.stateMachine.name}`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.s3"],
                    "detail-type": ["Object Created"],
                    detail: { bucket: { name: [args.bucketName] }, object: { key: [{ prefix: args.prefix }] } },
                }),
            },
            { parent: this },
        );

        const role = new aws.iam.Role(name, { assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", args.accountId, ruleArn) }, { parent: this });
        const grants = new RoleGrants(name, role, this);
        // The target waits for this policy: an event delivered before IAM has it would be refused.
        const startPolicy = grants.addGrant(args.workflow.startGrant());

        // The platform's dead-letter queue (data key, 14 days) and a policy admitting only this rule, over TLS.
        this.deadLetterQueue = deadLetterQueue(`${name}-dlq`, { dataKeyArn: args.kmsKeyArn }, this);
        senderQueuePolicy(`${name}-dlq`, this.deadLetterQueue, [{ sid: "ThisRuleDeadLetters", service: "events.amazonaws.com", sourceArn: ruleArn }], args.keyUsers, this);

        new aws.cloudwatch.EventTarget(
            name,
            {
                rule: this.rule.name,
                arn: args.workflow.arn,
                roleArn: role.arn,
                deadLetterConfig: { arn: this.deadLetterQueue.arn },
                retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: args.maxEventAgeSeconds ?? 86_400 },
            },
            { parent: this, dependsOn: [role, startPolicy] },
        );

        if (args.alarmTopicArn) {
            deadLetterAlarm(
                `${name}-dlq`,
                this.deadLetterQueue,
                { alarmTopicArn: args.alarmTopicArn },
                this,
                "Object Created events could not start their workflow after EventBridge's retries; they wait in the dead-letter queue. Fix the cause, then start executions for them.",
            );
        }
        this.registerOutputs({ ruleArn: this.rule.arn, deadLetterQueueUrl: this.deadLetterQueue.url });
    }
}
