import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TranslateClient } from "@aws-sdk/client-translate";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { Job, parseJob } from "./jobs";
import { defaultObservability, traced, intEnv, Observability, requiredEnv } from "./observability";
import { isItemTooLarge, TranslationStore } from "./store";
import { AmazonTranslator, TranslationError, Translator } from "./translator";

export interface WorkerDeps extends Observability {
    store: TranslationStore;
    translator: Translator;
    /** Where idempotency records live (a DynamoDB table of their own in AWS). */
    persistenceStore: BasePersistenceLayer;
    /** How long a job's idempotency record is kept: longer than SQS keeps a message (4 days), so no redelivery outlives it. @default 432000 (5 days) */
    idempotencyTtlSeconds?: number;
    /**
     * The jobs queue's maxReceiveCount: on that delivery a job failing transiently is recorded as
     * the culture's error instead of being dead-lettered, so the request still finishes (PARTIAL or FAILED).
     * @default undefined (always retried, then dead-lettered)
     */
    maxReceiveCount?: number;
}

/**
 * The queue consumer: one job per record (one culture of one request). Records are processed
 * with Powertools' BatchProcessor: a failing record (a poison message, a throttled call) is
 * reported in `batchItemFailures` and only it is retried by SQS (then dead-lettered); the others
 * are deleted. Each job runs at most once (Powertools idempotency keyed by request id and culture,
 * so an SNS or SQS duplicate is answered from the record), and the store records each culture's
 * outcome conditionally, so even a replay after the idempotency record expires changes nothing.
 */
export function createWorker({ store, translator, persistenceStore, idempotencyTtlSeconds = 5 * 24 * 3600, maxReceiveCount, logger, metrics }: WorkerDeps) {
    const processor = new BatchProcessor(EventType.SQS);
    const config = new IdempotencyConfig({ eventKeyJmesPath: "powertools_json(body).[requestId, culture]", expiresAfterSeconds: idempotencyTtlSeconds, throwOnNoIdempotencyKey: true });

    const runJob = async (job: Job): Promise<string> => {
        const item = await store.get(job.requestId);
        if (!item) {
            // Expired or deleted: nothing to translate for, and nothing to retry.
            logger.warn("job for an unknown request dropped", { requestId: job.requestId, culture: job.culture });
            return "missing";
        }
        if (item.translations?.[job.culture] !== undefined || item.errors?.[job.culture] !== undefined) {
            // Recorded by an attempt that may have failed before setting the final status: finish it now.
            await store.finishIfDone(item);
            return "duplicate";
        }
        let outcome: { translation: string } | { error: string };
        try {
            outcome = { translation: await translator.translate(item.sourceText, item.sourceLanguage, job.language) };
        } catch (err) {
            // Throttling and service errors are retried by SQS; a permanent refusal is this culture's result.
            if (!(err instanceof TranslationError) || !err.permanent) throw err;
            outcome = { error: err.message };
        }
        let recorded: string;
        try {
            recorded = await store.record(job.requestId, job.culture, outcome);
        } catch (err) {
            // The request's results would pass DynamoDB's 400 KB item limit: the same write fails on every retry.
            if (!isItemTooLarge(err) || !("translation" in outcome)) throw err;
            outcome = { error: "the translation is too large to store with the request's other results (DynamoDB's 400 KB item limit)" };
            recorded = await store.record(job.requestId, job.culture, outcome);
        }
        metrics.addMetric("error" in outcome ? "CultureFailures" : "CulturesTranslated", MetricUnit.Count, 1);
        logger.info("job done", { requestId: job.requestId, culture: job.culture, outcome: "error" in outcome ? "error" : "translated", recorded });
        return recorded;
    };

    const translateJob = async (record: SQSRecord): Promise<string> => {
        const job = parseJob(record.body);
        try {
            return await runJob(job);
        } catch (err) {
            const attempt = Number(record.attributes.ApproximateReceiveCount);
            if (maxReceiveCount === undefined || !(attempt >= maxReceiveCount)) throw err;
            // The last delivery before the DLQ: record the failure so the request does not stay PENDING forever.
            const message = err instanceof Error ? err.message : String(err);
            const recorded = await store.record(job.requestId, job.culture, { error: `not translated after ${attempt} attempts: ${message}` });
            metrics.addMetric("CultureFailures", MetricUnit.Count, 1);
            logger.error("job failed on its last delivery; recorded as the culture's error", { requestId: job.requestId, culture: job.culture, attempt, error: message, recorded });
            return recorded;
        }
    };
    const processOnce = makeIdempotent(translateJob, { persistenceStore, config });

    return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
        logger.addContext(context);
        config.registerLambdaContext(context);
        metrics.addMetric("JobsReceived", MetricUnit.Count, event.Records.length);
        try {
            const response = await processPartialResponse(event, processOnce, processor, { context });
            if (response.batchItemFailures.length > 0) {
                metrics.addMetric("JobsRetried", MetricUnit.Count, response.batchItemFailures.length);
                logger.error("jobs failed and will be retried", { failed: response.batchItemFailures.map((failure) => failure.itemIdentifier), errors: processor.errors.map((error) => error.message) });
            }
            return response;
        } finally {
            metrics.publishStoredMetrics();
        }
    };
}

let tracer: Observability["tracer"];
let instance: ReturnType<typeof createWorker> | undefined;

/** The Lambda entry point; clients and Powertools are created once per container. */
export const handler = (event: SQSEvent, context: Context) => {
    if (!instance) {
        const observability = defaultObservability();
        tracer = observability.tracer;
        const capture = <T>(client: T): T => observability.tracer?.captureAWSv3Client(client) ?? client;
        const dynamodb = capture(new DynamoDBClient({}));
        instance = createWorker({
            ...observability,
            store: new TranslationStore(DynamoDBDocumentClient.from(dynamodb), requiredEnv("TRANSLATIONS_TABLE"), intEnv("RESULT_TTL_DAYS")),
            translator: new AmazonTranslator(capture(new TranslateClient({ maxAttempts: 3 }))),
            persistenceStore: new DynamoDBPersistenceLayer({ tableName: requiredEnv("IDEMPOTENCY_TABLE"), awsSdkV3Client: dynamodb }),
            maxReceiveCount: intEnv("MAX_RECEIVE_COUNT"),
        });
    }
    const run = instance;
    return traced(tracer, "worker", () => run(event, context));
};
