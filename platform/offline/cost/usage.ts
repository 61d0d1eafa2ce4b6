import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigError } from "../../config";

/**
 * Usage assumptions: what the estimate cannot read from the program (requests, GB, messages per
 * month). Each stack may override them in `cost/usage.<stack>.yaml`, in the spirit of Infracost's
 * usage file; what the file leaves out keeps these defaults, and the report prints which applied.
 * The file is validated like stack config: a misspelt key or a negative figure is an error that
 * names the key.
 */
export const DEFAULT_USAGE = {
    /** GB per month through each NAT gateway or NAT instance (image pulls not served by endpoints, egress). */
    natGbPerMonth: 20,
    /** Average load balancer capacity units per hour, per load balancer. */
    lcuPerHour: 0.2,
    /** Requests per month to each Lambda function. */
    lambdaRequestsPerFunction: 100_000,
    /** Average Lambda duration in milliseconds. */
    lambdaAverageMs: 300,
    /** Requests per month to each REST API stage. */
    apiRequestsPerApi: 100_000,
    /** Requests per month (send, receive, delete) per SQS queue. */
    sqsRequestsPerQueue: 300_000,
    /** Publishes per month per SNS topic. */
    snsPublishesPerTopic: 10_000,
    /** Per on-demand DynamoDB table: write and read request units per month, and GB stored. */
    dynamodbWritesPerTable: 100_000,
    dynamodbReadsPerTable: 300_000,
    dynamodbGbPerTable: 1,
    /** GB stored per S3 bucket. */
    s3GbPerBucket: 5,
    /** GB of logs ingested per month per log group, and GB kept. */
    logsIngestGbPerGroup: 0.5,
    logsStoredGbPerGroup: 1,
    /** State transitions per month per Standard state machine; requests per Express one. */
    sfnTransitionsPerStandardMachine: 50_000,
    sfnRequestsPerExpressMachine: 100_000,
    /** Custom events published per month per event bus. */
    eventsPerBus: 100_000,
    /** GB of data in per month per Kinesis stream. */
    kinesisGbInPerStream: 1,
    /** GB of images stored per ECR repository. */
    ecrGbPerRepository: 2,
    /** Task-hours per month per scheduled ECS job. */
    jobTaskHoursPerJob: 3,
    /** Requests per month inspected per WAF web ACL. */
    wafRequestsPerAcl: 100_000,
    /** KMS requests per month per key (most services cache data keys). */
    kmsRequestsPerKey: 20_000,
} as const;

export type Usage = { -readonly [K in keyof typeof DEFAULT_USAGE]: number };

const UsageOverridesSchema = z.strictObject(
    Object.fromEntries(
        Object.keys(DEFAULT_USAGE).map((key) => [key, z.number({ error: `expected a number (${key})` }).nonnegative({ error: `expected zero or more (${key})` }).optional()]),
    ) as Record<keyof Usage, z.ZodOptional<z.ZodNumber>>,
);

export const UsageFileSchema = z.strictObject({
    /** Format version of the file. */
    version: z.literal(1, { error: "expected version: 1" }),
    usage: UsageOverridesSchema.optional(),
});

export interface LoadedUsage {
    usage: Usage;
    /** The file the overrides came from, relative to the project, or undefined when defaults apply. */
    file?: string;
    /** The keys the file set. */
    overridden: (keyof Usage)[];
}

export function usageFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, "cost", `usage.${stack}.yaml`);
}

/** Reads `cost/usage.<stack>.yaml` when it exists; throws ConfigError naming the key on bad content. */
export function loadUsage(projectDir: string, stack: string): LoadedUsage {
    const file = usageFilePath(projectDir, stack);
    if (!existsSync(file)) return { usage: { ...DEFAULT_USAGE }, overridden: [] };
    const relative = path.relative(projectDir, file);
    let raw: unknown;
    try {
        raw = parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new ConfigError(stack, [{ key: relative, message: `not readable YAML: ${(err as Error).message}` }]);
    }
    return { ...resolveUsage(raw, stack, relative), file: relative };
}

/** Validates a parsed usage file and applies it over the defaults. */
export function resolveUsage(raw: unknown, stack: string, label = "usage file"): Omit<LoadedUsage, "file"> {
    const parsed = UsageFileSchema.safeParse(raw ?? {});
    if (!parsed.success) {
        throw new ConfigError(
            stack,
            parsed.error.issues.map((issue) => ({
                key: `${label}: ${issue.path.map(String).join(".") || "(top level)"}`,
                // zod names unknown keys in the message; say what is accepted instead of leaving a guess.
                message: issue.code === "unrecognized_keys" ? `${issue.message}; accepted keys: ${issue.path.length === 0 ? "version, usage" : Object.keys(DEFAULT_USAGE).join(", ")}` : issue.message,
            })),
        );
    }
    const overrides = Object.fromEntries(Object.entries(parsed.data.usage ?? {}).filter(([, v]) => v !== undefined)) as Partial<Usage>;
    return { usage: { ...DEFAULT_USAGE, ...overrides }, overridden: Object.keys(overrides) as (keyof Usage)[] };
}
