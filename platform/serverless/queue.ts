import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { deadLetterAlarm, deadLetterQueue, grantAll, keyGrant, senderQueuePolicy, ServerlessContext, ServiceSender, sidOf } from "./common";
import type { LambdaFunction } from "./function";
import { withTransforms, type Transformable } from "../transform";

/** AWS's guidance: a queue's visibility timeout is at least six times its Lambda consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** SQS's largest visibility timeout (12 hours). */
const MAX_VISIBILITY_TIMEOUT = 43200;

export interface QueueConsumerArgs {
    /** The function that processes the queue; it reports partial batch failures. */
    function: LambdaFunction;
    /**
     * Messages per invocation, 1-10000 (above 10 needs a batching window).
     * @default 10
     */
    batchSize?: number;
    /**
     * Seconds to wait to fill a batch, 0-300.
     * @default 0
     */
    maximumBatchingWindowSeconds?: number;
    /**
     * Most concurrent invocations this queue drives, 2-1000: leaves the rest of the function's
     * reserved concurrency for other sources and avoids throttling-induced retries.
     * @default the function's reserved concurrency, at least 2
     */
    maximumConcurrency?: number;
}

export interface QueueArgs extends Transformable {
    ctx: ServerlessContext;
    /**
     * The Lambda consumer: creates the event source mapping (partial batch failure reporting)
     * and the consume grant, and sets the visibility timeout to 6 × its timeout + the batching
     * window. Give this or `consumerTimeoutSeconds`, never a visibility timeout by hand.
     */
    consumer?: QueueConsumerArgs;
    /** For a consumer that is not a function here (an ECS worker): its processing timeout, in seconds. */
    consumerTimeoutSeconds?: number;
    /**
     * Receives before a message moves to the dead-letter queue, 1-20.
     * @default 5
     */
    maxReceiveCount?: number;
    /**
     * How long an unprocessed message is kept, 60-1209600 s (the DLQ keeps 14 days, longer).
     * @default 345600 (4 days)
     */
    messageRetentionSeconds?: number;
    /** Services that deliver here (an SNS topic, an EventBridge rule), each limited to its source ARN. @default [] */
    senders?: ServiceSender[];
}

/**
 * An SQS queue with a dead-letter queue after `maxReceiveCount` receives, SSE-KMS with the data
 * key, a TLS-only policy, long polling, an alarm when anything dead-letters, and its visibility
 * timeout derived from its consumer.
 *
 * Cost: $0.40 per million requests (64 KB chunks) after the first million a month; KMS calls are
 * cut by reusing data keys for 5 minutes.
 */
export class Queue extends pulumi.ComponentResource {
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly arn: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly visibilityTimeoutSeconds: number;
    readonly eventSourceMapping?: aws.lambda.EventSourceMapping;
    private readonly label: string;
    private readonly ctx: ServerlessContext;

    constructor(name: string, args: QueueArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Queue", name, {}, withTransforms(opts, args.transform));
        const { ctx, consumer } = args;
        this.ctx = ctx;
        this.label = sidOf(name);
        if ((consumer === undefined) === (args.consumerTimeoutSeconds === undefined)) {
            throw new Error(`queue ${name}: give exactly one of consumer (a function here) or consumerTimeoutSeconds (a consumer elsewhere); the visibility timeout is derived from it`);
        }
        const batchingWindow = consumer?.maximumBatchingWindowSeconds ?? 0;
        const batchSize = consumer?.batchSize ?? 10;
        if (batchSize > 10 && batchingWindow < 1) throw new Error(`queue ${name}: a batch size above 10 needs maximumBatchingWindowSeconds of at least 1`);
        const consumerTimeout = consumer ? consumer.function.timeoutSeconds : (args.consumerTimeoutSeconds as number);
        // The batching window counts too: the first message of a batch waits that long before processing starts.
        this.visibilityTimeoutSeconds = visibilityTimeoutFor(consumerTimeout, batchingWindow);
        if (this.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT) throw new Error(`queue ${name}: 6 × the consumer timeout (${consumerTimeout} s) exceeds SQS's 12-hour visibility timeout`);
        const maxReceiveCount = args.maxReceiveCount ?? 5;
        if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 20) throw new Error(`queue ${name}: maxReceiveCount must be 1-20, got ${maxReceiveCount}`);

        this.deadLetterQueue = deadLetterQueue(`${name}-dlq`, ctx, this);
        this.queue = new aws.sqs.Queue(
            name,
            {
                kmsMasterKeyId: ctx.dataKeyArn,
                kmsDataKeyReusePeriodSeconds: 300,
                visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
                messageRetentionSeconds: args.messageRetentionSeconds ?? 4 * 24 * 3600,
                receiveWaitTimeSeconds: 20,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount }),
            },
            { parent: this },
        );
        this.arn = this.queue.arn;
        this.url = this.queue.url;
        senderQueuePolicy(name, this.queue, args.senders ?? [], args.ctx.dataKeyUsers, this);
        senderQueuePolicy(`${name}-dlq`, this.deadLetterQueue, [], args.ctx.dataKeyUsers, this);
        deadLetterAlarm(
            `${name}-dlq`,
            this.deadLetterQueue,
            ctx,
            this,
            `Messages of queue ${name} failed ${maxReceiveCount} times and are in ${name}-dlq. Inspect them, fix the consumer, then redrive (SQS StartMessageMoveTask).`,
        );

        if (consumer) {
            this.grantConsume(consumer.function);
            this.eventSourceMapping = new aws.lambda.EventSourceMapping(
                name,
                {
                    eventSourceArn: this.queue.arn,
                    functionName: consumer.function.function.name,
                    batchSize,
                    maximumBatchingWindowInSeconds: batchingWindow,
                    functionResponseTypes: ["ReportBatchItemFailures"],
                    scalingConfig: {
                        maximumConcurrency: consumer.maximumConcurrency ?? maximumConcurrencyFor(consumer.function.reservedConcurrency),
                    },
                },
                // CreateEventSourceMapping checks that the function's role may receive from the queue.
                { parent: this, dependsOn: consumer.function.grantPolicies },
            );
        }
        this.registerOutputs({ arn: this.arn, url: this.url, deadLetterQueueArn: this.deadLetterQueue.arn, visibilityTimeoutSeconds: this.visibilityTimeoutSeconds });
    }

    /** Send (and batch send) to this queue, with the data key through SQS only. */
    grantSend(grantee: Grantee): void {
        grantAll(grantee, [
            { sid: `SendTo${this.label}`, actions: ["sqs:SendMessage", "sqs:GetQueueUrl"], resources: [this.arn] },
            keyGrant(`EncryptFor${this.label}`, this.ctx, "sqs", ["kms:GenerateDataKey", "kms:Decrypt"]),
        ]);
    }

    /** Receive, delete and extend visibility on this queue, and decrypt its messages. */
    grantConsume(grantee: Grantee): void {
        grantAll(grantee, [
            { sid: `Consume${this.label}`, actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], resources: [this.arn] },
            keyGrant(`DecryptFrom${this.label}`, this.ctx, "sqs", ["kms:Decrypt"]),
        ]);
    }
}

/** The visibility timeout a queue needs for a consumer with this timeout and batching window. */
export function visibilityTimeoutFor(consumerTimeoutSeconds: number, batchingWindowSeconds = 0): number {
    return VISIBILITY_TIMEOUT_FACTOR * consumerTimeoutSeconds + batchingWindowSeconds;
}

/** The mapping's concurrency follows the function's reservation (2-1000, SQS's bounds); unreserved functions get the default (1000). */
function maximumConcurrencyFor(reserved: number | undefined): number | undefined {
    return reserved === undefined ? undefined : Math.min(1000, Math.max(2, reserved));
}
