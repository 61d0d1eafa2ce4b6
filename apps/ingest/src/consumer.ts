import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { traced } from "../../shared/src/tracing";
import type { Context, KinesisStreamEvent, KinesisStreamRecord, KinesisStreamBatchResponse } from "aws-lambda";
import { InvalidInputError } from "../../shared/src/workflow-errors";

/**
 * The stream's consumer. The webhook API writes each request body to the stream as it came,
 * with `<caller's account id>/<Idempotency-Key header or API Gateway's request id>`,
 * base64-encoded, as the partition key (apps/ingest/integration.ts). Here each record becomes
 * one item keyed by that id, written with a condition so that a redelivered record or a resent
 * webhook is a no-op: every event is stored exactly once, however often Kinesis, Lambda's
 * retries or the sender repeat it. Two callers using the same key never collide (the account
 * prefix); one caller reusing a key for a different body is logged and counted
 * (`ConflictingDuplicate`), the first body kept.
 *
 * The body is stored verbatim as a string (`payload`), never re-encoded: 64-bit integer ids
 * keep every digit, and nothing a sender can put in a JSON object fails DynamoDB's marshalling.
 * A body too big for one item (DynamoDB's 400 KB) is stored gzip-compressed (`payloadGzip`).
 *
 * A record that can never be stored (not a JSON object, or too big even compressed) is
 * reported as a batch item failure; Lambda then bisects and retries the batch from it, and
 * after the mapping's retries sends its location to the on-failure queue, while the rest of
 * the shard moves on.
 */
export interface ConsumerOptions {
    documents: DynamoDBDocumentClient;
    tableName: string;
    logger?: Logger;
    metrics?: Metrics;
}

/** Bodies up to this size are stored as they came; larger ones compressed (the rest of the item stays well under 400 KB). */
export const MAX_INLINE_PAYLOAD_BYTES = 350 * 1024;

/** The item a webhook event becomes. */
export interface StoredEvent {
    /** `<caller's account id>/<idempotency key>`. */
    eventId: string;
    /** The request body, verbatim (a JSON object); absent when `payloadGzip` holds it. */
    payload?: string;
    /** The request body gzip-compressed, when it is larger than MAX_INLINE_PAYLOAD_BYTES. */
    payloadGzip?: Uint8Array;
    /** SHA-256 (hex) of the body: tells a resent event from a key reused for another body. */
    bodySha256: string;
    /** When Kinesis accepted the record (ISO 8601). */
    receivedAt: string;
    sequenceNumber: string;
    shardRecordId: string;
}

export function createConsumer(options: ConsumerOptions) {
    const logger = options.logger ?? new Logger({ serviceName: "ingest-consumer" });
    // Records are processed one after another: a shard's order is the senders' order.
    const processor = new BatchProcessor(EventType.KinesisDataStreams);

    async function store(record: KinesisStreamRecord): Promise<void> {
        const { sequenceNumber, data, approximateArrivalTimestamp } = record.kinesis;
        const partitionKey = Buffer.from(record.kinesis.partitionKey, "base64").toString("utf8");
        if (partitionKey === "") throw new InvalidInputError(`record ${sequenceNumber} has no idempotency key`);
        const body = Buffer.from(data, "base64");
        const text = body.toString("utf8");
        let parsed: unknown;
        try {
            // Only checked: the body is stored as it came.
            parsed = JSON.parse(text);
        } catch (error) {
            throw new InvalidInputError(`record ${sequenceNumber} (key ${partitionKey}) is not JSON`, { cause: error });
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidInputError(`record ${sequenceNumber} (key ${partitionKey}) is not a JSON object`);
        const bodySha256 = createHash("sha256").update(body).digest("hex");

        let stored: Pick<StoredEvent, "payload" | "payloadGzip"> = { payload: text };
        if (body.length > MAX_INLINE_PAYLOAD_BYTES) {
            const compressed = gzipSync(body);
            if (compressed.length > MAX_INLINE_PAYLOAD_BYTES)
                throw new InvalidInputError(`record ${sequenceNumber} (key ${partitionKey}) is ${body.length} bytes, ${compressed.length} compressed: more than one item holds`);
            stored = { payloadGzip: new Uint8Array(compressed) };
        }

        const item: StoredEvent = {
            eventId: partitionKey,
            ...stored,
            bodySha256,
            receivedAt: new Date(approximateArrivalTimestamp * 1000).toISOString(),
            sequenceNumber,
            shardRecordId: record.eventID,
        };
        try {
            await options.documents.send(new PutCommand({ TableName: options.tableName, Item: item, ConditionExpression: "attribute_not_exists(eventId)" }));
            options.metrics?.addMetric("EventsStored", MetricUnit.Count, 1);
        } catch (error) {
            if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
                const existing = await options.documents.send(new GetCommand({ TableName: options.tableName, Key: { eventId: partitionKey }, ProjectionExpression: "bodySha256", ConsistentRead: true }));
                if (existing.Item?.bodySha256 === bodySha256) {
                    logger.info("duplicate event ignored", { eventId: partitionKey, sequenceNumber });
                    options.metrics?.addMetric("DuplicateEvents", MetricUnit.Count, 1);
                } else {
                    // The sender reused a key for another body: the first one stays, and someone should know.
                    logger.warn("conflicting duplicate: key reused for a different body, first body kept", { eventId: partitionKey, sequenceNumber, storedSha256: existing.Item?.bodySha256, receivedSha256: bodySha256 });
                    options.metrics?.addMetric("ConflictingDuplicate", MetricUnit.Count, 1);
                }
                return;
            }
            throw error;
        }
    }

    return async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
        if (context) logger.addContext(context);
        const response = await processPartialResponse(event, store, processor, { context, processInParallel: false });
        for (const failure of response.batchItemFailures) logger.warn("record not stored", { sequenceNumber: failure.itemIdentifier });
        return response;
    };
}

let fromEnvironment: ReturnType<typeof createConsumer> | undefined;
const metrics = new Metrics({ serviceName: "ingest" });
const tracer = new Tracer();

/** The Lambda entry point: the table comes from the function's environment (platform/apps/ingest.ts). */
export const handler = async (event: KinesisStreamEvent, context: Context) => {
    fromEnvironment ??= createConsumer({
        documents: DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } }),
        tableName: process.env.EVENTS_TABLE_NAME ?? "",
        metrics,
    });
    try {
        const consume = fromEnvironment;
        return await traced(tracer, "consume", () => consume(event, context));
    } finally {
        metrics.publishStoredMetrics();
    }
};
