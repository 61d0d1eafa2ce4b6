import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { traced } from "../../shared/src/tracing";
import type { Context, KinesisStreamEvent, KinesisStreamRecord, KinesisStreamBatchResponse } from "aws-lambda";
import { InvalidInputError } from "../../shared/src/workflow-errors";

/**
 * The stream's consumer. The webhook API writes each request body to the stream as it came,
 * with the caller's `Idempotency-Key` header (or API Gateway's request id), base64-encoded, as
 * the partition key (apps/ingest/integration.ts). Here each record becomes one item keyed by that id, written
 * with a condition so that a redelivered record or a resent webhook is a no-op: every event is
 * stored exactly once, however often Kinesis, Lambda's retries or the sender repeat it.
 *
 * A record that can never be stored (not a JSON object) is reported as a batch item failure;
 * Lambda then bisects and retries the batch from it, and after the mapping's retries sends
 * its location to the on-failure queue, while the rest of the shard moves on.
 */
export interface ConsumerOptions {
    documents: DynamoDBDocumentClient;
    tableName: string;
    logger?: Logger;
    metrics?: Metrics;
}

/** The item a webhook event becomes. */
export interface StoredEvent {
    eventId: string;
    payload: Record<string, unknown>;
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
        let payload: unknown;
        try {
            payload = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
        } catch (error) {
            throw new InvalidInputError(`record ${sequenceNumber} (key ${partitionKey}) is not JSON`, { cause: error });
        }
        if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw new InvalidInputError(`record ${sequenceNumber} (key ${partitionKey}) is not a JSON object`);

        const item: StoredEvent = {
            eventId: partitionKey,
            payload: payload as Record<string, unknown>,
            receivedAt: new Date(approximateArrivalTimestamp * 1000).toISOString(),
            sequenceNumber,
            shardRecordId: record.eventID,
        };
        try {
            await options.documents.send(new PutCommand({ TableName: options.tableName, Item: item, ConditionExpression: "attribute_not_exists(eventId)" }));
            options.metrics?.addMetric("EventsStored", MetricUnit.Count, 1);
        } catch (error) {
            if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
                logger.info("duplicate event ignored", { eventId: partitionKey, sequenceNumber });
                options.metrics?.addMetric("DuplicateEvents", MetricUnit.Count, 1);
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
