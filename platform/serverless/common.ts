import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import { policyJson } from "../iam";
import type { FunctionDefaults } from "../config";
import type { Grant, Grantee } from "../grants";
import type { ServiceKeyUsers } from "../kms";

/**
 * What every serverless construct needs from the platform: where it runs, the keys that encrypt
 * its data and logs, where alarms go, and how much protection the stack wants.
 */
export interface ServerlessContext {
    region: string;
    accountId: pulumi.Input<string>;
    /** The platform's data key (queues, topics, tables, function environments). */
    dataKeyArn: pulumi.Input<string>;
    /** The same key's policy: a construct that lets a service write to an encrypted queue or topic admits that service here. */
    dataKeyUsers: ServiceKeyUsers;
    /** The platform's logs key (function and API access log groups). */
    logsKeyArn: pulumi.Input<string>;
    /** The platform's alarm topic: dead-letter queues with messages alarm here. */
    alarmTopicArn: pulumi.Input<string>;
    /** Function defaults from `platform:functions` (and `logs.retentionDays`). */
    functions: FunctionDefaults;
    /** CloudWatch Logs retention for API access logs and other groups. */
    logRetentionDays: number;
    /** Services' own deletion protection (DynamoDB). */
    deletionProtection: boolean;
    /** Pulumi `protect` on stateful resources (tables). */
    protect: boolean;
}

/**
 * A service allowed to deliver to a queue or topic through its resource policy, limited to one
 * source (an SNS topic, an EventBridge rule). SQS and SNS hold one policy each, so senders are
 * declared when the queue or topic is built, not added later.
 */
export interface ServiceSender {
    /** Statement id, letters and digits, e.g. `FromTranslationTopic`. */
    sid: string;
    /** e.g. `sns.amazonaws.com`, `events.amazonaws.com`. */
    service: string;
    /** The exact source resource (`aws:SourceArn`). */
    sourceArn: pulumi.Input<string>;
}

/** A construct name as an IAM statement id fragment: `platform-dev-translate-work` -> `PlatformDevTranslateWork`. */
export function sidOf(name: string): string {
    return name
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((part) => part[0].toUpperCase() + part.slice(1))
        .join("")
        .slice(0, 80);
}

/**
 * Use of the data key through one service only (`kms:ViaService`), for the principal that reads
 * or writes an encrypted queue, topic or table: the role cannot call KMS with it directly.
 */
export function keyGrant(sid: string, ctx: Pick<ServerlessContext, "dataKeyArn" | "region">, service: string, actions: string[]): Grant {
    return { sid, actions, resources: [ctx.dataKeyArn], conditions: { StringEquals: { "kms:ViaService": `${service}.${ctx.region}.amazonaws.com` } } };
}

/** Adds each grant to the grantee (sids carry the construct name, so two grants never collide). */
export function grantAll(grantee: Grantee, grants: Grant[]): void {
    for (const grant of grants) grantee.addGrant(grant);
}

/** A TLS-only statement for a resource policy (SQS.x / SNS.x: deny requests over plain HTTP). */
export function denyInsecureTransport(action: string, resource: pulumi.Input<string>) {
    return { Sid: "DenyInsecureTransport", Effect: "Deny" as const, Principal: "*", Action: action, Resource: resource, Condition: { Bool: { "aws:SecureTransport": "false" } } };
}

/**
 * Alarms as soon as a dead-letter or on-failure queue holds a message: something was not
 * delivered or not processed, and only a person can decide what to do with it.
 */
export function deadLetterAlarm(name: string, queue: aws.sqs.Queue, ctx: Pick<ServerlessContext, "alarmTopicArn">, parent: pulumi.Resource, description: string): aws.cloudwatch.MetricAlarm {
    return notifyingAlarm(
        name,
        ctx.alarmTopicArn,
        {
            alarmDescription: description,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: queue.name },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            // An empty queue stops reporting: that is the healthy state.
            treatMissingData: "notBreaching",
        },
        { parent },
    );
}

/** A dead-letter queue: encrypted with the data key, keeping messages 14 days (the SQS maximum). */
export function deadLetterQueue(name: string, ctx: Pick<ServerlessContext, "dataKeyArn">, parent: pulumi.Resource): aws.sqs.Queue {
    return new aws.sqs.Queue(name, { kmsMasterKeyId: ctx.dataKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 14 * 24 * 3600 }, { parent });
}

/**
 * The queue policy that lets the given services deliver to a queue (and refuses plain HTTP). The
 * queue is encrypted with the data key, so each sender's service is admitted to the key policy too.
 */
export function senderQueuePolicy(name: string, queue: aws.sqs.Queue, senders: ServiceSender[], keyUsers: ServiceKeyUsers, parent: pulumi.Resource): aws.sqs.QueuePolicy {
    for (const sender of senders) keyUsers.allowService(sender.service);
    return new aws.sqs.QueuePolicy(
        name,
        {
            queueUrl: queue.url,
            policy: policyJson({
                Version: "2012-10-17",
                Statement: [
                    denyInsecureTransport("sqs:*", queue.arn),
                    ...senders.map((sender) => ({
                        Sid: sender.sid,
                        Effect: "Allow" as const,
                        Principal: { Service: sender.service },
                        Action: "sqs:SendMessage",
                        Resource: queue.arn,
                        Condition: { ArnEquals: { "aws:SourceArn": sender.sourceArn } },
                    })),
                ],
            }),
        },
        { parent },
    );
}

/** The context every construct of a platform's stack gets: its keys, alarm topic, function defaults and protection. */
export function serverlessContext(platform: {
    config: { region: string; functions: ServerlessContext["functions"]; logs: { retentionDays: number }; protection: { deletionProtection: boolean; protectStatefulResources: boolean } };
    accountId: pulumi.Input<string>;
    keys: { data: { arn: pulumi.Input<string> } & ServiceKeyUsers; logs: { arn: pulumi.Input<string> } };
    alarms: { arn: pulumi.Input<string> };
}): ServerlessContext {
    const { config } = platform;
    return {
        region: config.region,
        accountId: platform.accountId,
        dataKeyArn: platform.keys.data.arn,
        dataKeyUsers: platform.keys.data,
        logsKeyArn: platform.keys.logs.arn,
        alarmTopicArn: platform.alarms.arn,
        functions: config.functions,
        logRetentionDays: config.logs.retentionDays,
        deletionProtection: config.protection.deletionProtection,
        protect: config.protection.protectStatefulResources,
    };
}
