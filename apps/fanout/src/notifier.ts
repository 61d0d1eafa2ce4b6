import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context } from "aws-lambda";
import { traced } from "../../shared/src/tracing";
import { parseEvent } from "./events";

export interface NotifierDeps {
    logger: Logger;
    metrics: Metrics;
}

/**
 * The function subscriber of the fan-out bus (orders): EventBridge invokes it asynchronously
 * with one event. A bad event throws: Lambda retries, then keeps it in the function's
 * on-failure queue, with an alarm.
 */
export function createNotifier({ logger, metrics }: NotifierDeps) {
    return (event: unknown, context: Context): Promise<{ notified: string }> => {
        logger.addContext(context);
        metrics.addMetric("EventsReceived", MetricUnit.Count, 1);
        try {
            const parsed = parseEvent(event);
            logger.info("order notification sent", { eventId: parsed.id, detailType: parsed["detail-type"], orderId: parsed.detail.orderId });
            metrics.addMetric("OrdersNotified", MetricUnit.Count, 1);
            return Promise.resolve({ notified: parsed.id });
        } finally {
            metrics.publishStoredMetrics();
        }
    };
}

let tracer: Tracer | undefined;
let instance: ReturnType<typeof createNotifier> | undefined;

/** The Lambda entry point; dependencies are built once per container. */
export const handler = (event: unknown, context: Context) => {
    if (!instance) {
        tracer = new Tracer();
        instance = createNotifier({ logger: new Logger(), metrics: new Metrics() });
    }
    const run = instance;
    return traced(tracer, "notifier", () => run(event, context));
};
