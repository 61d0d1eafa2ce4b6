import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { traced } from "../../shared/src/tracing";
import { parseEvent } from "./events";

export interface AuditorDeps {
    logger: Logger;
    metrics: Metrics;
}

/**
 * The queue subscriber of the fan-out bus: every event, in batches, written as one structured
 * audit line each. A record that is not an event is reported as a batch item failure (the rest
 * of the batch is deleted), retried by SQS and, after the redrive count, kept in the DLQ.
 */
export function createAuditor({ logger, metrics }: AuditorDeps) {
    const processor = new BatchProcessor(EventType.SQS);
    const audit = (record: SQSRecord): Promise<void> => {
        const event = parseEvent(JSON.parse(record.body));
        logger.info("event audited", { eventId: event.id, source: event.source, detailType: event["detail-type"], eventTime: event.time, messageId: record.messageId });
        metrics.addMetric("EventsAudited", MetricUnit.Count, 1);
        return Promise.resolve();
    };
    return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
        logger.addContext(context);
        metrics.addMetric("EventsReceived", MetricUnit.Count, event.Records.length);
        try {
            const response = await processPartialResponse(event, audit, processor, { context });
            if (response.batchItemFailures.length > 0) {
                logger.error("records not audited", { failed: response.batchItemFailures.map((failure) => failure.itemIdentifier), errors: processor.errors.map((error) => error.message) });
                metrics.addMetric("EventsRejected", MetricUnit.Count, response.batchItemFailures.length);
            }
            return response;
        } finally {
            metrics.publishStoredMetrics();
        }
    };
}

let tracer: Tracer | undefined;
let instance: ReturnType<typeof createAuditor> | undefined;

/** The Lambda entry point; dependencies are built once per container. */
export const handler = (event: SQSEvent, context: Context) => {
    if (!instance) {
        tracer = new Tracer();
        instance = createAuditor({ logger: new Logger(), metrics: new Metrics() });
    }
    const run = instance;
    return traced(tracer, "auditor", () => run(event, context));
};
