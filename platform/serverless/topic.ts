import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { policyJson } from "../iam";
import { deadLetterAlarm, deadLetterQueue, denyInsecureTransport, grantAll, keyGrant, senderQueuePolicy, ServerlessContext, ServiceSender, sidOf } from "./common";
import type { LambdaFunction } from "./function";
import type { Queue } from "./queue";
import { withTransforms, type Transformable } from "../transform";

export interface TopicArgs extends Transformable {
    ctx: ServerlessContext;
    /** Services that publish here through the topic policy (an EventBridge rule), each limited to its source ARN. @default [] */
    senders?: ServiceSender[];
}

export interface SubscriptionArgs {
    /**
     * SNS filter policy: only matching messages are delivered, e.g. `{ kind: ["translation"] }`.
     * @default undefined (every message)
     */
    filterPolicy?: Record<string, unknown>;
    /**
     * Whether the filter applies to message attributes or to the (JSON) body.
     * @default "MessageAttributes"
     */
    filterPolicyScope?: "MessageAttributes" | "MessageBody";
    /**
     * Deliver the message as published, without the SNS envelope (queues only).
     * @default true
     */
    rawMessageDelivery?: boolean;
}

/**
 * An SNS topic encrypted with the data key, a TLS-only topic policy, and subscriptions that each
 * get a filter policy and their own dead-letter queue (SNS keeps undeliverable messages there
 * instead of dropping them after its retries), with an alarm.
 *
 * Cost: $0.50 per million publishes; deliveries to SQS and Lambda are free.
 */
export class Topic extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    readonly arn: pulumi.Output<string>;
    private readonly label: string;
    private readonly ctx: ServerlessContext;
    private readonly name: string;

    constructor(name: string, args: TopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Topic", name, {}, withTransforms(opts, args.transform));
        this.ctx = args.ctx;
        this.name = name;
        this.label = sidOf(name);
        this.topic = new aws.sns.Topic(name, { kmsMasterKeyId: args.ctx.dataKeyArn }, { parent: this });
        // The topic is encrypted with the data key: each sender's service must be able to use it.
        for (const sender of args.senders ?? []) args.ctx.dataKeyUsers.allowService(sender.service);
        this.arn = this.topic.arn;
        new aws.sns.TopicPolicy(
            name,
            {
                arn: this.topic.arn,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        denyInsecureTransport("sns:Publish", this.topic.arn),
                        ...(args.senders ?? []).map((sender) => ({
                            Sid: sender.sid,
                            Effect: "Allow" as const,
                            Principal: { Service: sender.service },
                            Action: "sns:Publish",
                            Resource: this.topic.arn,
                            Condition: { ArnEquals: { "aws:SourceArn": sender.sourceArn } },
                        })),
                    ],
                }),
            },
            { parent: this },
        );
        this.registerOutputs({ arn: this.arn });
    }

    /** Where this topic delivers to a queue: the queue must list `this.asSender(...)` in its senders. */
    asSender(sid = `From${this.label}`): ServiceSender {
        return { sid, service: "sns.amazonaws.com", sourceArn: this.arn };
    }

    /** Subscribes a queue (built with this topic among its senders), with a filter and a DLQ. */
    subscribeQueue(name: string, queue: Queue, args: SubscriptionArgs = {}): aws.sns.TopicSubscription {
        return this.subscribe(name, "sqs", queue.arn, args, args.rawMessageDelivery ?? true);
    }

    /** Subscribes a function (built with `asyncInvocation`), with a filter and a DLQ. */
    subscribeFunction(name: string, fn: LambdaFunction, args: Omit<SubscriptionArgs, "rawMessageDelivery"> = {}): aws.sns.TopicSubscription {
        if (!fn.asyncInvocation) throw new Error(`${name}: function ${fn.functionName} is invoked asynchronously by SNS; build it with asyncInvocation so failed events are kept`);
        new aws.lambda.Permission(name, { action: "lambda:InvokeFunction", function: fn.function.name, principal: "sns.amazonaws.com", sourceArn: this.arn, sourceAccount: this.ctx.accountId }, { parent: this });
        return this.subscribe(name, "lambda", fn.arn, args, false);
    }

    /** Publish to this topic, with the data key through SNS only. */
    grantPublish(grantee: Grantee): void {
        grantAll(grantee, [{ sid: `PublishTo${this.label}`, actions: ["sns:Publish"], resources: [this.arn] }, keyGrant(`EncryptFor${this.label}`, this.ctx, "sns", ["kms:GenerateDataKey", "kms:Decrypt"])]);
    }

    private subscribe(name: string, protocol: "sqs" | "lambda", endpoint: pulumi.Input<string>, args: SubscriptionArgs, raw: boolean): aws.sns.TopicSubscription {
        const dlq = deadLetterQueue(`${name}-dlq`, this.ctx, this);
        senderQueuePolicy(`${name}-dlq`, dlq, [{ sid: "TopicDeadLetters", service: "sns.amazonaws.com", sourceArn: this.arn }], this.ctx.dataKeyUsers, this);
        deadLetterAlarm(`${name}-dlq`, dlq, this.ctx, this, `Topic ${this.name} could not deliver to subscription ${name} after its retries; the messages are in ${name}-dlq.`);
        return new aws.sns.TopicSubscription(
            name,
            {
                topic: this.arn,
                protocol,
                endpoint,
                rawMessageDelivery: protocol === "sqs" ? raw : undefined,
                filterPolicy: args.filterPolicy ? JSON.stringify(args.filterPolicy) : undefined,
                filterPolicyScope: args.filterPolicy ? (args.filterPolicyScope ?? "MessageAttributes") : undefined,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn }),
            },
            { parent: this },
        );
    }
}
