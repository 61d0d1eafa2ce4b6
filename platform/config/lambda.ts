import { z } from "zod";
import type { ConfigProblem } from "./load";
import { wholeNumber } from "./fields";

/**
 * `apps.<app>.lambda`: how an app whose runtimes include `lambda` runs as a container-image
 * function. The image, environment, bindings, secrets and architecture come from the app spec;
 * these keys say what only Lambda has (an endpoint, its authorization, memory and timeout in
 * Lambda's units, the SQS batch of a queue worker).
 */

/** `httpApi`: an API Gateway HTTP API in front; `functionUrl`: the function's own URL (AWS_IAM auth). */
export const LAMBDA_ENDPOINTS = ["httpApi", "functionUrl"] as const;
export type LambdaEndpoint = (typeof LAMBDA_ENDPOINTS)[number];
/** `iam`: SigV4-signed callers with execute-api:Invoke (or lambda:InvokeFunctionUrl); `jwt`: a JWT authorizer (HTTP API only). */
export const LAMBDA_AUTH = ["iam", "jwt"] as const;
export type LambdaAuth = (typeof LAMBDA_AUTH)[number];

/**
 * Lambda's limits: memory 128-10240 MB, timeout up to 900 s, /tmp 512-10240 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). An HTTP API's
 * integration times out at 30 s at most and cannot be raised
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). An SQS event
 * source takes batches of 1-10000 messages (above 10 only with a batching window of at least 1 s),
 * windows of 0-300 s and a maximum concurrency of 2-1000
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 */
export const LAMBDA_LIMITS = {
    memoryMb: { min: 128, max: 10240 },
    timeoutSeconds: { min: 1, max: 900 },
    ephemeralStorageMb: { min: 512, max: 10240 },
    httpApiIntegrationTimeoutSeconds: 30,
    batchSize: { min: 1, max: 10000, withoutWindow: 10 },
    batchWindowSeconds: { min: 0, max: 300 },
    maximumConcurrency: { min: 2, max: 1000 },
} as const;

/** The Lambda runtime API listens on 127.0.0.1:9001 inside the execution environment: the app cannot take it. */
export const LAMBDA_RESERVED_PORTS = [9001];

/**
 * Variables Lambda sets itself and refuses in a function's configuration
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and the one the platform passes an app's secret ARNs in.
 */
export const LAMBDA_RESERVED_VARIABLES = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "PLATFORM_SECRETS",
];

const JWT_ISSUER_PATTERN = /^https:\/\/[^\s/]+(?:\/[^\s]*)?$/;

export const LambdaAppInputSchema = z.strictObject({
    /** What fronts an HTTP app: an API Gateway HTTP API (access logs, throttling, IAM or JWT auth) or a function URL (IAM auth, no access log). */
    endpoint: z.enum(LAMBDA_ENDPOINTS, { error: `expected an endpoint, one of ${LAMBDA_ENDPOINTS.join(", ")}` }).optional(),
    /** Who may call it: `iam` (signed requests) or `jwt` (an HTTP API JWT authorizer; needs lambda.jwt). */
    auth: z.enum(LAMBDA_AUTH, { error: `expected an authorization, one of ${LAMBDA_AUTH.join(", ")}` }).optional(),
    jwt: z
        .strictObject({
            issuer: z.string({ error: "expected a JWT issuer URL such as https://cognito-idp.eu-west-1.amazonaws.com/<pool id>" }).regex(JWT_ISSUER_PATTERN, {
                error: "expected a JWT issuer URL such as https://cognito-idp.eu-west-1.amazonaws.com/<pool id> (https)",
            }),
            audience: z
                .array(z.string({ error: "expected an audience (a client id)" }).min(1, { error: "expected a non-empty audience" }), { error: "expected a list of audiences (client ids)" })
                .min(1, { error: "expected at least one audience" }),
        })
        .optional(),
    /** Function memory in MB; default: the app's memory. */
    memoryMb: wholeNumber("function memory in MB (Lambda: 128 to 10240)", LAMBDA_LIMITS.memoryMb.min, LAMBDA_LIMITS.memoryMb.max).optional(),
    /** Function timeout; default 29 s behind an endpoint, the queue's processingTimeoutSeconds (or 60) for a worker. */
    timeoutSeconds: wholeNumber("a function timeout in seconds (Lambda: 1 to 900; behind an HTTP API at most 30)", LAMBDA_LIMITS.timeoutSeconds.min, LAMBDA_LIMITS.timeoutSeconds.max).optional(),
    /** Size of /tmp, the only writable path on Lambda; default 512. */
    ephemeralStorageMb: wholeNumber("the size of /tmp in MB (Lambda: 512 to 10240)", LAMBDA_LIMITS.ephemeralStorageMb.min, LAMBDA_LIMITS.ephemeralStorageMb.max).optional(),
    /** Concurrent executions reserved for (and capping) an HTTP app's function; default the profile's platform:functions.reservedConcurrency (dev 5, staging 10, prod 50). */
    reservedConcurrency: wholeNumber("reserved concurrent executions", 1, 1000).optional(),
    /** HTTP API stage throttling: steady requests per second and burst; default 50 and 100. */
    throttle: z
        .strictObject({
            rateLimit: wholeNumber("requests per second", 1, 10000).optional(),
            burstLimit: wholeNumber("a burst of requests", 1, 5000).optional(),
        })
        .optional(),
    /** A queue worker's batch: messages per invocation (default 10) and the seconds Lambda waits to fill it (default 0). */
    batchSize: wholeNumber("messages per invocation (SQS: 1 to 10000; above 10 needs batchWindowSeconds of 1 or more)", LAMBDA_LIMITS.batchSize.min, LAMBDA_LIMITS.batchSize.max).optional(),
    batchWindowSeconds: wholeNumber("seconds to gather a batch (0 to 300)", LAMBDA_LIMITS.batchWindowSeconds.min, LAMBDA_LIMITS.batchWindowSeconds.max).optional(),
});

export type LambdaAppInput = z.infer<typeof LambdaAppInputSchema>;

/** `apps.<app>.lambda` resolved: what the stack file set; defaults that depend on the app's kind are applied by `lambdaSettings`. */
export type LambdaAppConfig = LambdaAppInput;

export const LAMBDA_DEFAULTS = {
    endpoint: "httpApi" as LambdaEndpoint,
    auth: "iam" as LambdaAuth,
    // Under the HTTP API's 30 s integration timeout: the caller gets the function's own error.
    httpTimeoutSeconds: 29,
    workerTimeoutSeconds: 60,
    ephemeralStorageMb: 512,
    throttle: { rateLimit: 50, burstLimit: 100 },
    batchSize: 10,
    batchWindowSeconds: 0,
} as const;

/** Every Lambda setting of an app, with the defaults for its kind (an HTTP app or a queue worker). */
export interface LambdaSettings {
    endpoint: LambdaEndpoint;
    auth: LambdaAuth;
    jwt?: { issuer: string; audience: string[] };
    memoryMb: number;
    timeoutSeconds: number;
    ephemeralStorageMb: number;
    reservedConcurrency?: number;
    throttle: { rateLimit: number; burstLimit: number };
    batchSize: number;
    batchWindowSeconds: number;
    /** A queue worker's maximum concurrent invocations: the app's replicas.max. */
    maximumConcurrency: number;
}

/** The fields of an app spec the Lambda settings depend on. */
export interface LambdaAppSpec {
    memory: number;
    replicas: { max: number };
    consumes?: { queue: string };
    lambda: LambdaAppConfig;
}

/**
 * The settings an app runs with on Lambda. `queueProcessingTimeoutSeconds`: the consumed stack
 * queue's `processingTimeoutSeconds`, a worker's default timeout (its visibility timeout is six
 * times that, so a batch is never visible again while the function still holds it).
 */
export function lambdaSettings(spec: LambdaAppSpec, queueProcessingTimeoutSeconds?: number, profile: { reservedConcurrency?: number } = {}): LambdaSettings {
    const input = spec.lambda;
    const worker = spec.consumes !== undefined;
    return {
        endpoint: input.endpoint ?? LAMBDA_DEFAULTS.endpoint,
        auth: input.auth ?? LAMBDA_DEFAULTS.auth,
        jwt: input.jwt,
        memoryMb: input.memoryMb ?? spec.memory,
        timeoutSeconds: input.timeoutSeconds ?? (worker ? Math.min(queueProcessingTimeoutSeconds ?? LAMBDA_DEFAULTS.workerTimeoutSeconds, LAMBDA_LIMITS.timeoutSeconds.max) : LAMBDA_DEFAULTS.httpTimeoutSeconds),
        ephemeralStorageMb: input.ephemeralStorageMb ?? LAMBDA_DEFAULTS.ephemeralStorageMb,
        // A worker reserves exactly what its event source may use at once (AWS: reserved at least the maximum
        // concurrency, or batches are throttled); an HTTP app the profile's function reservation, a cap sized for dev or prod.
        reservedConcurrency: input.reservedConcurrency ?? (worker ? spec.replicas.max : profile.reservedConcurrency),
        throttle: { ...LAMBDA_DEFAULTS.throttle, ...input.throttle },
        batchSize: input.batchSize ?? LAMBDA_DEFAULTS.batchSize,
        batchWindowSeconds: input.batchWindowSeconds ?? LAMBDA_DEFAULTS.batchWindowSeconds,
        maximumConcurrency: spec.replicas.max,
    };
}

/** The app spec fields the Lambda checks read. */
export interface LambdaCheckedApp extends LambdaAppSpec {
    runtimes: string[];
    port: number;
    ingress: string;
    writablePaths: string[];
    jobs: Record<string, unknown>;
    environment: Record<string, string>;
    secrets: Record<string, string>;
}

/**
 * What Lambda cannot do, each reported at the key to change: sizes outside Lambda's limits, a
 * timeout its endpoint or queue cannot wait for, writable paths other than /tmp, a port the
 * runtime API holds, jobs with no runtime to schedule them, an internal app (HTTP APIs and
 * function URLs are public endpoints), and settings that do not apply to the app's kind.
 */
export function lambdaProblems(name: string, app: LambdaCheckedApp, queueProcessingTimeoutSeconds: number | undefined, key: (path: string[]) => string): ConfigProblem[] {
    const at = (...path: string[]) => key(["apps", name, ...path]);
    const input = app.lambda;
    if (!app.runtimes.includes("lambda")) {
        const set = Object.keys(input);
        return set.length > 0 ? [{ key: at("lambda", set[0]), message: "applies to the lambda runtime only: add lambda to runtimes, or remove apps." + name + ".lambda" }] : [];
    }
    const problems: ConfigProblem[] = [];
    const settings = lambdaSettings(app, queueProcessingTimeoutSeconds);
    const worker = app.consumes !== undefined;
    if (input.memoryMb === undefined && settings.memoryMb > LAMBDA_LIMITS.memoryMb.max) {
        problems.push({ key: at("memory"), message: `${settings.memoryMb} MiB is above Lambda's ${LAMBDA_LIMITS.memoryMb.max} MB: set apps.${name}.lambda.memoryMb (128 to 10240) for the function` });
    }
    const paths = app.writablePaths.filter((path) => path !== "/tmp");
    if (paths.length > 0) {
        problems.push({ key: at("writablePaths"), message: `expected only /tmp on Lambda (its file system is read-only but /tmp), got ${paths.join(", ")}` });
    }
    for (const [section, variables] of [
        ["environment", Object.keys(app.environment)],
        ["secrets", Object.keys(app.secrets)],
    ] as const) {
        for (const variable of variables.filter((name) => LAMBDA_RESERVED_VARIABLES.includes(name))) {
            problems.push({ key: at(section, variable), message: `${variable} is reserved on Lambda (the service${variable === "PLATFORM_SECRETS" ? " or the platform" : ""} sets it); use another name` });
        }
    }
    if (LAMBDA_RESERVED_PORTS.includes(app.port)) {
        problems.push({ key: at("port"), message: `expected another port: ${app.port} is the Lambda runtime API's inside the function (the Web Adapter forwards to the app's port on 127.0.0.1)` });
    }
    if (Object.keys(app.jobs).length > 0 && !app.runtimes.some((runtime) => runtime === "ecs" || runtime === "eks")) {
        problems.push({ key: at("jobs"), message: "expected ecs or eks in runtimes as well: jobs run as ECS scheduled tasks or Kubernetes CronJobs, not on Lambda" });
    }
    if (worker) {
        if (app.runtimes.length > 1) {
            problems.push({
                key: at("runtimes"),
                message: `expected [lambda] alone on a queue worker: an event source mapping and ${app.runtimes.filter((r) => r !== "lambda").join(" and ")} workers would split ${app.consumes?.queue}'s messages and scale on the same backlog against each other`,
            });
        }
        for (const setting of ["endpoint", "auth", "jwt", "throttle", "reservedConcurrency"] as const) {
            if (input[setting] !== undefined) {
                problems.push({
                    key: at("lambda", setting),
                    message:
                        setting === "reservedConcurrency"
                            ? "expected unset on a queue worker: it reserves its event source's maximum concurrency, apps." + name + ".replicas.max"
                            : "expected unset on a queue worker (consumes): it has no endpoint",
                });
            }
        }
        if (queueProcessingTimeoutSeconds !== undefined && settings.timeoutSeconds > queueProcessingTimeoutSeconds) {
            problems.push({
                key: at("lambda", "timeoutSeconds"),
                message: `expected at most the queue's processingTimeoutSeconds (${queueProcessingTimeoutSeconds}): the queue's visibility timeout is sized from it and Lambda refuses a function that outlives it; got ${settings.timeoutSeconds}`,
            });
        }
        if (settings.batchSize > LAMBDA_LIMITS.batchSize.withoutWindow && settings.batchWindowSeconds < 1) {
            problems.push({
                key: at("lambda", "batchWindowSeconds"),
                message: `expected at least 1 with a batchSize above ${LAMBDA_LIMITS.batchSize.withoutWindow} (SQS event sources require a batching window for larger batches)`,
            });
        }
        if (settings.maximumConcurrency < LAMBDA_LIMITS.maximumConcurrency.min) {
            problems.push({
                key: at("replicas", "max"),
                message: `expected at least ${LAMBDA_LIMITS.maximumConcurrency.min} on Lambda: it is the SQS event source's maximum concurrency (${LAMBDA_LIMITS.maximumConcurrency.min} to ${LAMBDA_LIMITS.maximumConcurrency.max})`,
            });
        }
        return problems;
    }
    for (const setting of ["batchSize", "batchWindowSeconds"] as const) {
        if (input[setting] !== undefined) problems.push({ key: at("lambda", setting), message: "expected unset on an app that serves HTTP: it applies to a queue worker (consumes)" });
    }
    if (app.ingress === "internal") {
        problems.push({
            key: at("ingress"),
            message: "expected public on Lambda: HTTP APIs and function URLs are public endpoints (authorized by lambda.auth); run an internal app on ecs or eks",
        });
    }
    if (settings.endpoint === "httpApi" && settings.timeoutSeconds > LAMBDA_LIMITS.httpApiIntegrationTimeoutSeconds) {
        problems.push({
            key: at("lambda", "timeoutSeconds"),
            message: `expected at most ${LAMBDA_LIMITS.httpApiIntegrationTimeoutSeconds} behind an HTTP API (its integration times out at ${LAMBDA_LIMITS.httpApiIntegrationTimeoutSeconds} s), or lambda.endpoint: functionUrl; got ${settings.timeoutSeconds}`,
        });
    }
    if (settings.auth === "jwt" && settings.endpoint === "functionUrl") {
        problems.push({ key: at("lambda", "auth"), message: "expected iam with a function URL (function URLs authorize with AWS_IAM only); use endpoint: httpApi for JWT" });
    } else if (settings.auth === "jwt" && !input.jwt) {
        problems.push({ key: at("lambda", "jwt"), message: "expected { issuer, audience } with auth: jwt" });
    } else if (settings.auth !== "jwt" && input.jwt) {
        problems.push({ key: at("lambda", "jwt"), message: "expected unset unless auth: jwt" });
    }
    if (settings.endpoint === "functionUrl" && input.throttle) {
        problems.push({ key: at("lambda", "throttle"), message: "expected unset with a function URL (it has no stage to throttle): cap it with lambda.reservedConcurrency" });
    }
    return problems;
}

/** The `processingTimeoutSeconds` of a consumed stack queue (`queues.<name>`); undefined for any other reference. */
export function queueProcessingTimeout(config: { queues: Record<string, { processingTimeoutSeconds: number }> }, ref: string | undefined): number | undefined {
    if (!ref?.startsWith("queues.")) return undefined;
    return config.queues[ref.slice("queues.".length)]?.processingTimeoutSeconds;
}
