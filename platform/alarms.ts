import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";
import type { ServiceKeyUsers } from "./kms";
import { withTransforms, type Transformable } from "./transform";

/** The service principals that publish to the alarm topic; the topic's KMS key must admit them too. */
export const ALARM_PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] as const;

export interface AlarmTopicArgs extends Transformable {
    /**
     * KMS key that encrypts the topic (SNS.1) and its delivery dead-letter queue. Its key policy
     * must let the publishers (ALARM_PUBLISHERS) and, with email subscriptions, SNS use it:
     * CloudWatch cannot publish to a topic encrypted with the AWS-managed `aws/sns` key.
     */
    kmsKeyArn: pulumi.Input<string>;
    /** That key's policy: the topic admits the publishers (and SNS, for the delivery dead-letter queue) there. */
    keyUsers: ServiceKeyUsers;
    /** The stack's region and account: publishers are limited to this account's alarms and rules. */
    region: string;
    accountId: pulumi.Input<string>;
    /**
     * Addresses subscribed by email. Each receives a confirmation mail and gets nothing until it
     * confirms. Undeliverable notifications go to a dead-letter queue instead of being dropped.
     * @default []
     */
    emails?: string[];
    /**
     * Let AWS Budgets (budgets.amazonaws.com) publish: set when the stack has a budget. The KMS
     * key must then admit Budgets too (BUDGETS_PRINCIPAL in platform/budget.ts).
     * @default false
     */
    allowBudgets?: boolean;
}

/**
 * The platform's one alarm topic: every alarm and failure notification goes here, so on-call
 * subscribes once (email here; chat or paging tools by subscribing to the topic themselves).
 */
export class AlarmTopic extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    readonly arn: pulumi.Output<string>;
    /** Where notifications that could not be delivered to a subscriber land; only with subscriptions. */
    readonly deliveryDeadLetterQueue?: aws.sqs.Queue;

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlarmTopic", name, {}, withTransforms(opts, args.transform));
        this.topic = new aws.sns.Topic(name, { displayName: name, kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        for (const publisher of ALARM_PUBLISHERS) args.keyUsers.allowService(publisher);
        // AWS Budgets publishes to this encrypted topic: its key must let Budgets use it.
        if (args.allowBudgets) args.keyUsers.allowService("budgets.amazonaws.com");
        this.arn = this.topic.arn;

        new aws.sns.TopicPolicy(
            name,
            {
                arn: this.topic.arn,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "CloudWatchAlarmsOfThisAccountPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: this.topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": args.accountId },
                                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${args.region}:${args.accountId}:alarm:*` },
                            },
                        },
                        {
                            Sid: "EventBridgeRulesOfThisAccountPublish",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: this.topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": args.accountId },
                                ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:events:${args.region}:${args.accountId}:rule/*` },
                            },
                        },
                        ...(args.allowBudgets
                            ? [
                                  {
                                      Sid: "BudgetsOfThisAccountPublish",
                                      Effect: "Allow" as const,
                                      Principal: { Service: "budgets.amazonaws.com" },
                                      Action: "sns:Publish",
                                      Resource: this.topic.arn,
                                      Condition: {
                                          StringEquals: { "aws:SourceAccount": args.accountId },
                                          // Budget ARNs have no region: arn:aws:budgets::<account>:budget/<name>.
                                          ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:budgets::${args.accountId}:*` },
                                      },
                                  },
                              ]
                            : []),
                    ],
                }),
            },
            { parent: this },
        );

        const emails = args.emails ?? [];
        if (emails.length > 0) {
            const dlq = new aws.sqs.Queue(`${name}-delivery-dlq`, { kmsMasterKeyId: args.kmsKeyArn, messageRetentionSeconds: 14 * 24 * 3600 }, { parent: this });
            args.keyUsers.allowService("sns.amazonaws.com");
            this.deliveryDeadLetterQueue = dlq;
            new aws.sqs.QueuePolicy(
                `${name}-delivery-dlq`,
                {
                    queueUrl: dlq.url,
                    policy: policyJson({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "OnlyThisTopicDeadLetters",
                                Effect: "Allow",
                                Principal: { Service: "sns.amazonaws.com" },
                                Action: "sqs:SendMessage",
                                Resource: dlq.arn,
                                Condition: { ArnEquals: { "aws:SourceArn": this.topic.arn } },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
            emails.forEach((email, index) => {
                new aws.sns.TopicSubscription(
                    `${name}-email-${index}`,
                    { topic: this.topic.arn, protocol: "email", endpoint: email, redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn }) },
                    { parent: this },
                );
            });
        }
        this.registerOutputs({ arn: this.arn });
    }
}

/** How an alarm reads a period without data; there is no default here, each alarm says why. */
export type MissingData = "missing" | "ignore" | "breaching" | "notBreaching";

export type NotifyingAlarmArgs = Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "actionsEnabled" | "treatMissingData" | "alarmDescription"> & {
    /** What is wrong when it fires and what to look at first: the text on-call receives. */
    alarmDescription: string;
    treatMissingData: MissingData;
};

/** A CloudWatch alarm that notifies the topic when it fires and when it recovers. */
export function notifyingAlarm(name: string, topicArn: pulumi.Input<string>, args: NotifyingAlarmArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(name, { ...args, actionsEnabled: true, alarmActions: [topicArn], okActions: [topicArn] }, opts);
}

export interface AnyOccurrenceAlarmArgs {
    alarmDescription: string;
    namespace: string;
    metricName: string;
    dimensions: NotifyingAlarmArgs["dimensions"];
}

/**
 * An alarm on any occurrence of a count metric in five minutes (errors, throttles, 5xx, failed
 * executions): one is already worth a look. No datapoints means nothing happened, so healthy.
 */
export function anyOccurrenceAlarm(name: string, topicArn: pulumi.Input<string>, args: AnyOccurrenceAlarmArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    return notifyingAlarm(name, topicArn, { ...args, statistic: "Sum", period: 300, evaluationPeriods: 1, threshold: 0, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" }, opts);
}
