import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

/** Powertools for one handler: JSON logs with the request context, EMF metrics, X-Ray. */
export interface Observability {
    logger: Logger;
    metrics: Metrics;
    tracer?: Tracer;
}

/** Configured from the environment the platform sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE). */
export function defaultObservability(): Observability {
    return { logger: new Logger(), metrics: new Metrics(), tracer: new Tracer() };
}

/** The environment variable `name`, or a clear startup failure naming it. */
export function requiredEnv(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`environment variable ${name} is not set; the platform sets it (platform/apps/translate.ts)`);
    return value;
}

/** A whole-number environment variable. */
export function intEnv(name: string): number {
    const value = Number(requiredEnv(name));
    if (!Number.isInteger(value) || value < 1) throw new Error(`environment variable ${name} must be a positive whole number, got ${process.env[name]}`);
    return value;
}

export { traced } from "../../shared/src/tracing";
