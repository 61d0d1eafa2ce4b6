import { TranslateClient } from "@aws-sdk/client-translate";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { badRequest, json } from "./http";
import { defaultObservability, traced, intEnv, Observability } from "./observability";
import { parseTranslationRequest, RequestLimits } from "./request";
import { AmazonTranslator, TranslationError, Translator } from "./translator";

export interface SyncDeps extends Observability {
    translator: Translator;
    limits: RequestLimits;
}

/**
 * `POST /translate`: translates into every requested culture in parallel and answers with the
 * translations (200), per-culture errors for the cultures that failed, or 502 when none worked.
 * The function's timeout stays under API Gateway's 29 s (the platform enforces it).
 */
export function createSyncHandler({ translator, limits, logger, metrics }: SyncDeps) {
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
            // Answer before Lambda's own timeout: a culture still running a second before it is reported as unavailable.
            const deadline = AbortSignal.timeout(Math.max(100, context.getRemainingTimeInMillis() - 1000));
            const settled = await Promise.allSettled(targets.map((target) => translator.translate(text, sourceLanguage, target.language, deadline)));
            const translations: Record<string, string> = {};
            const errors: Record<string, string> = {};
            settled.forEach((result, index) => {
                const culture = targets[index].culture;
                if (result.status === "fulfilled") translations[culture] = result.value;
                else errors[culture] = result.reason instanceof TranslationError && result.reason.permanent ? result.reason.message : "translation service unavailable, try again";
            });
            metrics.addMetric("CulturesTranslated", MetricUnit.Count, Object.keys(translations).length);
            if (Object.keys(errors).length > 0) {
                metrics.addMetric("CultureFailures", MetricUnit.Count, Object.keys(errors).length);
                logger.warn("some cultures failed", { errors });
            }
            if (Object.keys(translations).length === 0) return json(502, { message: "no culture could be translated", errors, requestId: context.awsRequestId });
            return json(200, { translations, ...(Object.keys(errors).length > 0 ? { errors } : {}) });
        } finally {
            metrics.publishStoredMetrics();
        }
    };
}

let tracer: Observability["tracer"];
let instance: ReturnType<typeof createSyncHandler> | undefined;

/** The Lambda entry point; clients and Powertools are created once per container. */
export const handler = (event: APIGatewayProxyEvent, context: Context) => {
    if (!instance) {
        const observability = defaultObservability();
        tracer = observability.tracer;
        // Short timeouts and few retries: the answer must come within the function's timeout (≤ 29 s).
        const client = new TranslateClient({ maxAttempts: 2, requestHandler: { requestTimeout: 3000, connectionTimeout: 1000 } });
        instance = createSyncHandler({
            ...observability,
            translator: new AmazonTranslator(observability.tracer?.captureAWSv3Client(client) ?? client),
            limits: { maxCultures: intEnv("MAX_CULTURES"), maxTextBytes: intEnv("MAX_TEXT_BYTES") },
        });
    }
    const run = instance;
    return traced(tracer, "sync", () => run(event, context));
};
