/**
 * Runtime configuration, read once from environment variables and validated with zod at startup.
 * Every problem is reported with the name of the variable that caused it, all at once, so a bad
 * task definition or pod spec fails on the first start with one readable message.
 */
import { z } from "zod";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type StoreConfig =
    | { kind: "memory" }
    | {
          kind: "dynamodb";
          /** DynamoDB table written by the translation pipeline. */
          table: string;
          region: string;
          /** Only for DynamoDB Local or a VPC endpoint URL override; unset in AWS. */
          endpoint?: string;
      };

export interface Config {
    /** 0 asks the OS for an ephemeral port (tests). */
    port: number;
    host: string;
    logLevel: LogLevel;
    store: StoreConfig;
    /** Whole budget from SIGTERM to exit, drain delay included. Keep it below the orchestrator's stop timeout. */
    shutdownTimeoutMs: number;
    /** How long readiness reports 503 before the server stops accepting connections. */
    drainDelayMs: number;
    /** Idle keep-alive timeout; must exceed the load balancer's idle timeout (ALB default 60 s). */
    keepAliveTimeoutMs: number;
}

export const DEFAULTS = {
    PORT: 8080,
    HOST: "0.0.0.0",
    LOG_LEVEL: "info",
    STORE: "dynamodb",
    SHUTDOWN_TIMEOUT_MS: 25_000,
    DRAIN_DELAY_MS: 5_000,
    KEEP_ALIVE_TIMEOUT_MS: 65_000,
} as const;

/** One problem with one variable. */
export interface ConfigIssue {
    variable: string;
    message: string;
}

export class ConfigError extends Error {
    constructor(readonly issues: ConfigIssue[]) {
        super(`Invalid configuration: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join("; ")}`);
        this.name = "ConfigError";
    }
}

/** A whole number of the environment, as a string, within bounds, with a default when unset. */
function integer(defaultValue: number, min: number, max: number) {
    return z
        .string()
        .optional()
        .transform((value, ctx) => {
            if (value === undefined) return defaultValue;
            if (!/^\d+$/.test(value)) {
                ctx.addIssue({ code: "custom", message: `must be a whole number, got ${JSON.stringify(value)}` });
                return z.NEVER;
            }
            const parsed = Number(value);
            if (parsed < min || parsed > max) {
                ctx.addIssue({ code: "custom", message: `must be between ${min} and ${max}, got ${value}` });
                return z.NEVER;
            }
            return parsed;
        });
}

const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const envSchema = z.object({
    PORT: integer(DEFAULTS.PORT, 0, 65_535),
    HOST: z.string().min(1).default(DEFAULTS.HOST),
    LOG_LEVEL: z
        .string()
        .default(DEFAULTS.LOG_LEVEL)
        .transform((value) => value.toLowerCase())
        .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })),
    STORE: z.enum(["dynamodb", "memory"], { error: "must be dynamodb or memory" }).default(DEFAULTS.STORE),
    TRANSLATIONS_TABLE: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: "must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)" })
        .optional(),
    AWS_REGION: z.string().regex(AWS_REGION_PATTERN, { error: "must be an AWS region such as eu-west-1" }).optional(),
    AWS_DEFAULT_REGION: z.string().regex(AWS_REGION_PATTERN, { error: "must be an AWS region such as eu-west-1" }).optional(),
    DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    SHUTDOWN_TIMEOUT_MS: integer(DEFAULTS.SHUTDOWN_TIMEOUT_MS, 1, 600_000),
    DRAIN_DELAY_MS: integer(DEFAULTS.DRAIN_DELAY_MS, 0, 600_000),
    KEEP_ALIVE_TIMEOUT_MS: integer(DEFAULTS.KEEP_ALIVE_TIMEOUT_MS, 1_000, 600_000),
});

/**
 * Rules between variables. They read the raw values (and parse single fields again) rather than
 * refining the parsed object, because zod skips object refinements once any field has failed, and
 * every problem should be reported in one go.
 */
function crossVariableIssues(env: Record<string, string>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if ((env.STORE ?? DEFAULTS.STORE) === "dynamodb") {
        if (env.TRANSLATIONS_TABLE === undefined) issues.push({ variable: "TRANSLATIONS_TABLE", message: "is required unless STORE=memory" });
        if (env.AWS_REGION === undefined && env.AWS_DEFAULT_REGION === undefined) {
            issues.push({ variable: "AWS_REGION", message: "is required unless STORE=memory (or set AWS_DEFAULT_REGION)" });
        }
    }
    const timeout = envSchema.shape.SHUTDOWN_TIMEOUT_MS.safeParse(env.SHUTDOWN_TIMEOUT_MS);
    const drain = envSchema.shape.DRAIN_DELAY_MS.safeParse(env.DRAIN_DELAY_MS);
    if (timeout.success && drain.success && drain.data >= timeout.data) {
        issues.push({ variable: "DRAIN_DELAY_MS", message: `must be less than SHUTDOWN_TIMEOUT_MS (${timeout.data}), got ${drain.data}` });
    }
    return issues;
}

const VARIABLES = Object.keys(envSchema.shape);

/**
 * Reads the configuration from an environment (process.env in main). Empty strings count as
 * unset, the way a blank `KEY=` line in an env file is meant. Throws ConfigError naming every
 * offending variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
    const relevant: Record<string, string> = {};
    for (const name of VARIABLES) {
        const value = env[name];
        if (value !== undefined && value.trim() !== "") relevant[name] = value.trim();
    }
    const result = envSchema.safeParse(relevant);
    const issues: ConfigIssue[] = result.success
        ? []
        : result.error.issues.map((issue) => ({
              variable: typeof issue.path[0] === "string" ? issue.path[0] : "(environment)",
              message: issue.message,
          }));
    issues.push(...crossVariableIssues(relevant));
    if (!result.success || issues.length > 0) throw new ConfigError(issues);
    const parsed = result.data;
    const store: StoreConfig =
        parsed.STORE === "memory"
            ? { kind: "memory" }
            : {
                  kind: "dynamodb",
                  // Both present: crossVariableIssues reported an issue otherwise.
                  table: parsed.TRANSLATIONS_TABLE ?? "",
                  region: parsed.AWS_REGION ?? parsed.AWS_DEFAULT_REGION ?? "",
                  ...(parsed.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: parsed.DYNAMODB_ENDPOINT }),
              };
    return {
        port: parsed.PORT,
        host: parsed.HOST,
        logLevel: parsed.LOG_LEVEL,
        store,
        shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
        drainDelayMs: parsed.DRAIN_DELAY_MS,
        keepAliveTimeoutMs: parsed.KEEP_ALIVE_TIMEOUT_MS,
    };
}
