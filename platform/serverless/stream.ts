import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { notifyingAlarm } from "../alarms";
import { deadLetterAlarm, deadLetterQueue } from "./common";
import { withTransforms, type Transformable } from "../transform";

export interface StreamArgs extends Transformable {
    /** Physical stream name. */
    streamName: string;
    /** `on-demand` scales shards by itself (billed per GB); `provisioned` is billed per shard-hour. */
    mode: "on-demand" | "provisioned";
    /** Shards of a provisioned stream. Required with `provisioned`, refused with `on-demand`. */
    shardCount?: number;
    /** Hours records stay readable (24 to 8760); replays and consumer outages are bounded by it. */
    retentionHours: number;
    /** KMS key the records are encrypted with (the platform's data key). */
    kmsKeyArn: pulumi.Input<string>;
    region: string;
    /**
     * A stateful stream: Pulumi `protect` (deleting a stream deletes its unread records).
     * @default false
     */
    protect?: boolean;
}

/** A function reading the stream: its ARN, the role grants go to, and the resource that holds them. */
export interface StreamConsumerFunction {
    functionArn: pulumi.Input<string>;
    /** The function's name, for its CloudWatch metrics. */
    functionName: pulumi.Input<string>;
    grantee: Grantee;
    /** Created before the mapping, with the grants the mapping needs (Lambda checks them on creation). */
    resource: pulumi.Resource;
}

export interface StreamSubscriptionArgs {
    /** Most records per invocation (1 to 10,000). */
    batchSize: number;
    /** Seconds to gather records before invoking (0 to 300). */
    batchWindowSeconds: number;
    /** Retries of a failing batch (after bisecting it) before its location goes to the failure queue. */
    maxRetries: number;
    /** Records older than this are not retried any more and go to the failure queue (60 to 604,800). */
    maxRecordAgeSeconds: number;
    /** Concurrent batches per shard (1 to 10); order is kept per partition key. */
    parallelizationFactor: number;
    /** Alarms (failure queue not empty, consumer falling behind) publish here. @default none */
    alarmTopicArn?: pulumi.Input<string>;
}

const STREAM_MODES = { "on-demand": "ON_DEMAND", provisioned: "PROVISIONED" } as const;

/**
 * A Kinesis data stream, KMS-encrypted with the platform's data key, with grants for writers
 * and readers and a Lambda consumer helper whose failures can never be lost.
 */
export class Stream extends pulumi.ComponentResource {
    readonly stream: aws.kinesis.Stream;
    readonly arn: pulumi.Output<string>;
    readonly streamName: pulumi.Output<string>;
    private readonly args: StreamArgs;
    private readonly componentName: string;

    constructor(name: string, args: StreamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Stream", name, {}, withTransforms(opts, args.transform));
        if (args.mode === "provisioned" && !args.shardCount) throw new Error(`${name}: a provisioned stream needs shardCount (1 or more)`);
        if (args.mode === "on-demand" && args.shardCount !== undefined) throw new Error(`${name}: an on-demand stream sets its own shards; drop shardCount or use mode provisioned`);
        this.args = args;
        this.componentName = name;
        this.stream = new aws.kinesis.Stream(
            name,
            {
                name: args.streamName,
                retentionPeriod: args.retentionHours,
                encryptionType: "KMS",
                kmsKeyId: args.kmsKeyArn,
                streamModeDetails: { streamMode: STREAM_MODES[args.mode] },
                shardCount: args.mode === "provisioned" ? args.shardCount : undefined,
                // Per-shard metrics show a hot partition key before it throttles writers.
                shardLevelMetrics: ["IncomingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"],
            },
            { parent: this, protect: args.protect },
        );
        this.arn = this.stream.arn;
        this.streamName = this.stream.name;
        this.registerOutputs({ arn: this.arn, streamName: this.streamName });
    }

    /** PutRecord(s) on this stream only, and the data key only through Kinesis. `as` names the grant, e.g. `WriteIngestStream`. */
    grantWrite(grantee: Grantee, as: string): void {
        grantee.addGrant({ sid: as, actions: ["kinesis:PutRecord", "kinesis:PutRecords"], resources: [this.arn] });
        grantee.addGrant({ sid: `${as}Key`, actions: ["kms:GenerateDataKey"], resources: [this.args.kmsKeyArn], conditions: this.viaKinesis() });
    }

    /** What a Lambda event source mapping (or any shard reader) needs: describe, list shards, read. */
    grantRead(grantee: Grantee, as: string): void {
        grantee.addGrant({
            sid: as,
            actions: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
            resources: [this.arn],
        });
        grantee.addGrant({ sid: `${as}Key`, actions: ["kms:Decrypt"], resources: [this.args.kmsKeyArn], conditions: this.viaKinesis() });
    }

    /**
     * Has `consumer` read the stream from its oldest record (nothing written before the mapping
     * exists is skipped). A failing batch is split in two until the bad record is isolated
     * (bisect), retried up to `maxRetries` times or until its records are older than
     * `maxRecordAgeSeconds`; the function reports partial failures (ReportBatchItemFailures) so
     * good records before the bad one are not replayed. What still fails goes, as a pointer to
     * the shard and sequence numbers (readable for the stream's retention), to an encrypted
     * failure queue that alarms as soon as it is not empty.
     */
    subscribe(consumer: StreamConsumerFunction, args: StreamSubscriptionArgs): { mapping: aws.lambda.EventSourceMapping; failureQueue: aws.sqs.Queue } {
        const name = `${this.componentName}-consumer`;
        // The platform's on-failure queue (data key, 14 days); only the function's role sends to it.
        const failureQueue = deadLetterQueue(`${name}-failures`, { dataKeyArn: this.args.kmsKeyArn }, this);
        this.grantRead(consumer.grantee, "ReadStream");
        // Lambda sends the failure record with the function's role.
        consumer.grantee.addGrant({ sid: "SendStreamFailures", actions: ["sqs:SendMessage"], resources: [failureQueue.arn] });
        consumer.grantee.addGrant({
            sid: "SendStreamFailuresKey",
            actions: ["kms:GenerateDataKey", "kms:Decrypt"],
            resources: [this.args.kmsKeyArn],
            conditions: { StringEquals: { "kms:ViaService": `sqs.${this.args.region}.amazonaws.com` } },
        });

        const mapping = new aws.lambda.EventSourceMapping(
            name,
            {
                eventSourceArn: this.arn,
                functionName: consumer.functionArn,
                startingPosition: "TRIM_HORIZON",
                batchSize: args.batchSize,
                maximumBatchingWindowInSeconds: args.batchWindowSeconds,
                parallelizationFactor: args.parallelizationFactor,
                bisectBatchOnFunctionError: true,
                maximumRetryAttempts: args.maxRetries,
                maximumRecordAgeInSeconds: args.maxRecordAgeSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                destinationConfig: { onFailure: { destinationArn: failureQueue.arn } },
            },
            { parent: this, dependsOn: [consumer.resource] },
        );

        if (args.alarmTopicArn) {
            deadLetterAlarm(
                `${name}-failures`,
                failureQueue,
                { alarmTopicArn: args.alarmTopicArn },
                this,
                "Stream records failed processing after all retries; each message in the failure queue points at them (shard and sequence numbers), readable while the stream retains them.",
            );
            notifyingAlarm(
                `${name}-behind`,
                args.alarmTopicArn,
                {
                    alarmDescription: `The consumer of stream ${this.args.streamName} is falling behind: its oldest unprocessed record is half the maximum record age old; past that age records skip to the failure queue. Look at the function's errors and duration, then its concurrency (parallelizationFactor, shards).`,
                    namespace: "AWS/Lambda",
                    metricName: "IteratorAge",
                    dimensions: { FunctionName: consumer.functionName },
                    statistic: "Maximum",
                    period: 60,
                    evaluationPeriods: 5,
                    threshold: (args.maxRecordAgeSeconds * 1000) / 2,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                },
                { parent: this },
            );
        }
        return { mapping, failureQueue };
    }

    private viaKinesis() {
        return { StringEquals: { "kms:ViaService": `kinesis.${this.args.region}.amazonaws.com` } };
    }
}
