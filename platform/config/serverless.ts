import { z } from "zod";
import { bool, wholeNumber } from "./fields";
import type { Profile } from "./schema";

/**
 * Configuration of the Lambda runtime and the serverless apps: `platform:functions` (defaults
 * every function inherits), `platform:translate` and `platform:fanout`. Kept in its own file and
 * hooked into schema.ts / load.ts with one line each. No runtime import of schema.ts: it imports
 * this module (a cycle would see its constants half-initialised).
 */

/** Node.js runtimes in standard support on Amazon Linux 2023. */
export const FUNCTION_RUNTIMES = ["nodejs22.x", "nodejs24.x"] as const;
export type FunctionRuntime = (typeof FUNCTION_RUNTIMES)[number];

/** Lambda's limits (CreateFunction): memory 128-10,240 MB, timeout 1-900 s. */
export const FUNCTION_MEMORY_MB = { min: 128, max: 10240 } as const;
export const FUNCTION_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
/** API Gateway's default integration timeout: a function behind it must finish first. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 29;

/** Amazon Translate's TranslateText limit on the source text, in UTF-8 bytes. */
export const TRANSLATE_MAX_TEXT_BYTES = 10_000;

/** How an API's routes authenticate callers (never NONE from config). */
export const API_AUTHORIZATIONS = ["AWS_IAM", "COGNITO_USER_POOLS"] as const;
export type ApiAuthorizationMode = (typeof API_AUTHORIZATIONS)[number];

/** EventBridge partner event sources are named `aws.partner/<partner domain>/<...>`. */
export const PARTNER_EVENT_SOURCE_PATTERN = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;
const COGNITO_USER_POOL_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+$/;

const memoryMb = wholeNumber("memory in MB", FUNCTION_MEMORY_MB.min, FUNCTION_MEMORY_MB.max);
const timeoutSeconds = wholeNumber("a timeout in seconds", FUNCTION_TIMEOUT_SECONDS.min, FUNCTION_TIMEOUT_SECONDS.max);
/** `platform:functions.reservedConcurrency: unreserved` leaves functions on the account's unreserved pool. */
export const UNRESERVED = "unreserved";
const reservedConcurrency = wholeNumber("a reserved concurrency (concurrent executions)", 1, 10000);

/** Settings one function may override. */
export const FunctionOverrideSchema = z.strictObject({
    memoryMb: memoryMb.optional(),
    timeoutSeconds: timeoutSeconds.optional(),
    reservedConcurrency: reservedConcurrency.optional(),
});

export const FunctionsInputSchema = z.strictObject({
    runtime: z.enum(FUNCTION_RUNTIMES, { error: `expected a Lambda runtime, one of ${FUNCTION_RUNTIMES.join(", ")}` }).optional(),
    memoryMb: memoryMb.optional(),
    timeoutSeconds: timeoutSeconds.optional(),
    // "unreserved": no reservation, for accounts whose concurrency quota cannot spare one (new accounts often have 10; 100 must stay unreserved).
    reservedConcurrency: z.union([reservedConcurrency, z.literal(UNRESERVED)], { error: `expected a reserved concurrency (a whole number from 1 to 10000) or "${UNRESERVED}"` }).optional(),
    tracing: bool("whether X-Ray active tracing is on").optional(),
});

const throttle = z.strictObject({
    rateLimit: wholeNumber("a steady request rate per second", 1, 10000).optional(),
    burstLimit: wholeNumber("a burst of requests", 1, 5000).optional(),
});

const apiInput = z.strictObject({
    authorization: z.enum(API_AUTHORIZATIONS, { error: `expected an authorization type, one of ${API_AUTHORIZATIONS.join(", ")}` }).optional(),
    cognitoUserPoolArns: z.array(z.string().regex(COGNITO_USER_POOL_ARN_PATTERN, { error: "expected a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123" })).optional(),
    throttle: throttle.optional(),
    waf: bool("whether an AWS WAF web ACL protects the API").optional(),
    wafRateLimitPer5Minutes: wholeNumber("requests one IP may make in 5 minutes before WAF blocks it", 100, 2000000000).optional(),
});

export const TRANSLATE_FUNCTIONS = ["submit", "translateSync", "status", "worker"] as const;
export type TranslateFunction = (typeof TRANSLATE_FUNCTIONS)[number];

export const TranslateInputSchema = z.strictObject({
    enabled: bool("whether the translation app is deployed (it is when platform:translate is set, unless this is false)").optional(),
    maxCultures: wholeNumber("the most target cultures per request", 1, 50).optional(),
    maxTextBytes: wholeNumber("the largest source text in UTF-8 bytes (Amazon Translate accepts 10000)", 1, TRANSLATE_MAX_TEXT_BYTES).optional(),
    resultTtlDays: wholeNumber("how many days a translation request is kept", 1, 3650).optional(),
    functions: z.strictObject(Object.fromEntries(TRANSLATE_FUNCTIONS.map((fn) => [fn, FunctionOverrideSchema.optional()])) as Record<TranslateFunction, z.ZodOptional<typeof FunctionOverrideSchema>>).optional(),
    api: apiInput.optional(),
});

export const FANOUT_FUNCTIONS = ["auditor", "notifier"] as const;
export type FanoutFunction = (typeof FANOUT_FUNCTIONS)[number];

export const FanoutInputSchema = z.strictObject({
    enabled: bool("whether the fan-out app is deployed (it is when platform:fanout is set, unless this is false)").optional(),
    archiveRetentionDays: wholeNumber("days the bus archive keeps events for replay (0 keeps them forever)", 0, 3650).optional(),
    partnerEventSource: z.string().regex(PARTNER_EVENT_SOURCE_PATTERN, { error: "expected a partner event source name such as aws.partner/salesforce.com/00Dxx0000001gEH/orders" }).optional(),
    functions: z.strictObject(Object.fromEntries(FANOUT_FUNCTIONS.map((fn) => [fn, FunctionOverrideSchema.optional()])) as Record<FanoutFunction, z.ZodOptional<typeof FunctionOverrideSchema>>).optional(),
    api: apiInput.optional(),
});

/** The keys this module adds to the platform schema (spread into PlatformInputSchema). */
export const SERVERLESS_INPUT_SHAPE = {
    functions: FunctionsInputSchema.optional(),
    translate: TranslateInputSchema.optional(),
    fanout: FanoutInputSchema.optional(),
};

/** Defaults every function gets unless it (or `platform:functions`) says otherwise. */
export interface FunctionDefaults {
    runtime: FunctionRuntime;
    memoryMb: number;
    timeoutSeconds: number;
    /** @default undefined: unreserved (`platform:functions.reservedConcurrency: unreserved`) */
    reservedConcurrency?: number;
    tracing: boolean;
    /** CloudWatch Logs retention: `logs.retentionDays`. */
    logRetentionDays: number;
}

export interface FunctionOverride {
    memoryMb?: number;
    timeoutSeconds?: number;
    reservedConcurrency?: number;
}

export interface ApiSettings {
    authorization: ApiAuthorizationMode;
    cognitoUserPoolArns: string[];
    throttle: { rateLimit: number; burstLimit: number };
    /** A WAF web ACL (managed rule sets + per-IP rate limit) on the stage. */
    waf: boolean;
    wafRateLimitPer5Minutes: number;
}

export interface TranslateConfig {
    enabled: boolean;
    maxCultures: number;
    maxTextBytes: number;
    resultTtlDays: number;
    functions: Partial<Record<TranslateFunction, FunctionOverride>>;
    api: ApiSettings;
}

export interface FanoutConfig {
    enabled: boolean;
    archiveRetentionDays: number;
    partnerEventSource?: string;
    functions: Partial<Record<FanoutFunction, FunctionOverride>>;
    api: ApiSettings;
}

/** The part of PlatformConfig this module resolves. */
export interface ServerlessConfig {
    functions: FunctionDefaults;
    translate: TranslateConfig;
    fanout: FanoutConfig;
}

/**
 * dev: small functions, little concurrency (a runaway loop costs little), apps on to try them.
 * prod: more memory (Lambda's CPU scales with it, so latency drops), more concurrency, longer
 * archives, and a WAF web ACL on the APIs (about $8/month each). Reserved concurrency is always set: it caps what one function can take from the
 * account's pool and what it can push at a downstream (Translate's TPS quota, DynamoDB).
 */
export const SERVERLESS_PROFILE_DEFAULTS: Record<Profile, { functions: Omit<FunctionDefaults, "logRetentionDays">; apiThrottle: { rateLimit: number; burstLimit: number }; waf: boolean; archiveRetentionDays: number }> = {
    dev: { functions: { runtime: "nodejs22.x", memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 5, tracing: true }, apiThrottle: { rateLimit: 10, burstLimit: 20 }, waf: false, archiveRetentionDays: 7 },
    staging: { functions: { runtime: "nodejs22.x", memoryMb: 512, timeoutSeconds: 10, reservedConcurrency: 10, tracing: true }, apiThrottle: { rateLimit: 50, burstLimit: 100 }, waf: false, archiveRetentionDays: 30 },
    prod: { functions: { runtime: "nodejs22.x", memoryMb: 1024, timeoutSeconds: 10, reservedConcurrency: 50, tracing: true }, apiThrottle: { rateLimit: 200, burstLimit: 400 }, waf: true, archiveRetentionDays: 90 },
};

/** Translate's defaults, the same in every profile. */
export const TRANSLATE_DEFAULTS = { maxCultures: 10, maxTextBytes: TRANSLATE_MAX_TEXT_BYTES, resultTtlDays: 30 } as const;

type ServerlessInput = {
    functions?: z.infer<typeof FunctionsInputSchema>;
    translate?: z.infer<typeof TranslateInputSchema>;
    fanout?: z.infer<typeof FanoutInputSchema>;
};

function resolveApi(input: z.infer<typeof apiInput> | undefined, throttleDefaults: { rateLimit: number; burstLimit: number }, waf: boolean): ApiSettings {
    return {
        waf: input?.waf ?? waf,
        wafRateLimitPer5Minutes: input?.wafRateLimitPer5Minutes ?? 2000,
        authorization: input?.authorization ?? "AWS_IAM",
        cognitoUserPoolArns: input?.cognitoUserPoolArns ?? [],
        throttle: { rateLimit: input?.throttle?.rateLimit ?? throttleDefaults.rateLimit, burstLimit: input?.throttle?.burstLimit ?? throttleDefaults.burstLimit },
    };
}

function resolveReserved(input: number | typeof UNRESERVED | undefined, profileDefault: number | undefined): number | undefined {
    return input === UNRESERVED ? undefined : (input ?? profileDefault);
}

/** Resolves the serverless keys against the profile; `logRetentionDays` is the stack's `logs.retentionDays`. */
export function resolveServerless(input: ServerlessInput, profile: Profile, logRetentionDays: number): ServerlessConfig {
    const defaults = SERVERLESS_PROFILE_DEFAULTS[profile];
    return {
        functions: { ...defaults.functions, ...input.functions, reservedConcurrency: resolveReserved(input.functions?.reservedConcurrency, defaults.functions.reservedConcurrency), logRetentionDays },
        translate: {
            // One switch for every optional app: present means deployed, unless `enabled: false`.
            enabled: input.translate !== undefined && input.translate.enabled !== false,
            maxCultures: input.translate?.maxCultures ?? TRANSLATE_DEFAULTS.maxCultures,
            maxTextBytes: input.translate?.maxTextBytes ?? TRANSLATE_DEFAULTS.maxTextBytes,
            resultTtlDays: input.translate?.resultTtlDays ?? TRANSLATE_DEFAULTS.resultTtlDays,
            functions: { ...input.translate?.functions },
            api: resolveApi(input.translate?.api, defaults.apiThrottle, defaults.waf),
        },
        fanout: {
            enabled: input.fanout !== undefined && input.fanout.enabled !== false,
            archiveRetentionDays: input.fanout?.archiveRetentionDays ?? defaults.archiveRetentionDays,
            partnerEventSource: input.fanout?.partnerEventSource,
            functions: { ...input.fanout?.functions },
            api: resolveApi(input.fanout?.api, defaults.apiThrottle, defaults.waf),
        },
    };
}

/** Which functions of each app sit behind API Gateway (their timeout is bounded by 29 s). */
export const API_FUNCTIONS: { translate: TranslateFunction[]; fanout: FanoutFunction[] } = { translate: ["submit", "translateSync", "status"], fanout: [] };

/** Cross-field rules: API-facing timeouts, Cognito pools when Cognito is chosen, burst >= rate. */
export function checkServerless(config: ServerlessConfig, key: (path: (string | number)[]) => string): { key: string; message: string }[] {
    const problems: { key: string; message: string }[] = [];
    for (const fn of API_FUNCTIONS.translate) {
        const override = config.translate.functions[fn]?.timeoutSeconds;
        const timeout = override ?? config.functions.timeoutSeconds;
        if (config.translate.enabled && timeout > API_INTEGRATION_TIMEOUT_SECONDS) {
            problems.push({
                key: key(override !== undefined ? ["translate", "functions", fn, "timeoutSeconds"] : ["functions", "timeoutSeconds"]),
                message: `expected at most ${API_INTEGRATION_TIMEOUT_SECONDS} s: translate's ${fn} function serves API Gateway, whose integration times out at ${API_INTEGRATION_TIMEOUT_SECONDS} s; got ${timeout}`,
            });
        }
    }
    for (const app of ["translate", "fanout"] as const) {
        const api = config[app].api;
        if (api.authorization === "COGNITO_USER_POOLS" && api.cognitoUserPoolArns.length === 0) {
            problems.push({ key: key([app, "api", "cognitoUserPoolArns"]), message: "required when api.authorization is COGNITO_USER_POOLS: the user pools whose tokens are accepted" });
        }
        if (api.throttle.burstLimit < api.throttle.rateLimit) {
            problems.push({ key: key([app, "api", "throttle", "burstLimit"]), message: `expected a burst of at least the rate limit (${api.throttle.rateLimit}), got ${api.throttle.burstLimit}` });
        }
    }
    return problems;
}
