import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { badRequest, json } from "./http";
import { Job, JOB_KIND } from "./jobs";
import { defaultObservability, traced, intEnv, Observability, requiredEnv } from "./observability";
import { parseTranslationRequest, RequestLimits } from "./request";
import { TranslationStore } from "./store";

/** Publishes jobs; returns the cultures whose job could not be published. */
export interface JobPublisher {
    publish(jobs: Job[]): Promise<string[]>;
}

/** SNS PublishBatch (10 entries per call), each job a message with the `kind` attribute the worker's subscription filters on. */
export class SnsJobPublisher implements JobPublisher {
    constructor(
        private readonly client: SNSClient,
        private readonly topicArn: string,
    ) {}

    async publish(jobs: Job[]): Promise<string[]> {
        const failed: string[] = [];
        for (let start = 0; start < jobs.length; start += 10) {
            const batch = jobs.slice(start, start + 10);
            const output = await this.client.send(
                new PublishBatchCommand({
                    TopicArn: this.topicArn,
                    PublishBatchRequestEntries: batch.map((job, index) => ({ Id: String(start + index), Message: JSON.stringify(job), MessageAttributes: { kind: { DataType: "String", StringValue: JOB_KIND } } })),
                }),
            );
            for (const failure of output.Failed ?? []) failed.push(jobs[Number(failure.Id)].culture);
        }
        return failed;
    }
}

export interface SubmitDeps extends Observability {
    store: TranslationStore;
    publisher: JobPublisher;
    limits: RequestLimits;
    newId?: () => string;
}

/**
 * `POST /translations` (storage first): validates, stores the request PENDING, publishes one job
 * per culture, answers 202 with the id and where to poll. A culture whose job cannot be published
 * is recorded as failed right away, so the request still reaches a final status.
 */
export function createSubmitHandler({ store, publisher, limits, logger, metrics, newId = randomUUID }: SubmitDeps) {
    return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
        logger.addContext(context);
        try {
            const parsed = parseTranslationRequest(event.body, limits);
            if (!parsed.ok) {
                logger.info("request rejected", { errors: parsed.errors });
                metrics.addMetric("RequestsRejected", MetricUnit.Count, 1);
                return badRequest(parsed.errors, context.awsRequestId);
            }
            const { text, sourceLanguage, targets } = parsed.request;
            const id = newId();
            const item = await store.create(id, { text, sourceLanguage, cultures: targets.map((target) => target.culture) });
            logger.appendKeys({ translationId: id });
            let unpublished: string[];
            try {
                unpublished = await publisher.publish(targets.map((target) => ({ requestId: id, culture: target.culture, language: target.language })));
            } catch (err) {
                logger.error("publishing jobs failed", { error: err as Error });
                unpublished = targets.map((target) => target.culture);
            }
            for (const culture of unpublished) await store.record(id, culture, { error: "could not be queued for translation; submit the request again" });
            metrics.addMetric("TranslationRequestsAccepted", MetricUnit.Count, 1);
            if (unpublished.length > 0) metrics.addMetric("JobsNotPublished", MetricUnit.Count, unpublished.length);
            logger.info("translation request accepted", { cultures: item.cultures, unpublished });
            // The execute-api URL carries the stage (/v1/translations/...); "$default" stages (HTTP APIs) and tests have none.
            const stage = event.requestContext?.stage;
            const path = `${stage && stage !== "$default" ? `/${stage}` : ""}/translations/${id}`;
            return { ...json(202, { id, status: "PENDING", statusUrl: path }), headers: { "content-type": "application/json", location: path } };
        } finally {
            // appendKeys persists across warm invocations: the next request must not log under this id.
            logger.removeKeys(["translationId"]);
            metrics.publishStoredMetrics();
        }
    };
}

let tracer: Observability["tracer"];
let instance: ReturnType<typeof createSubmitHandler> | undefined;

/** The Lambda entry point; clients and Powertools are created once per container. */
export const handler = (event: APIGatewayProxyEvent, context: Context) => {
    if (!instance) {
        const observability = defaultObservability();
        tracer = observability.tracer;
        const capture = <T>(client: T): T => observability.tracer?.captureAWSv3Client(client) ?? client;
        const documents = DynamoDBDocumentClient.from(capture(new DynamoDBClient({})));
        instance = createSubmitHandler({
            ...observability,
            store: new TranslationStore(documents, requiredEnv("TRANSLATIONS_TABLE"), intEnv("RESULT_TTL_DAYS")),
            publisher: new SnsJobPublisher(capture(new SNSClient({})), requiredEnv("JOBS_TOPIC_ARN")),
            limits: { maxCultures: intEnv("MAX_CULTURES"), maxTextBytes: intEnv("MAX_TEXT_BYTES") },
        });
    }
    const run = instance;
    return traced(tracer, "submit", () => run(event, context));
};
