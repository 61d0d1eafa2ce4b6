import { z } from "zod";
import { bool, wholeNumber } from "./fields";
import { FARGATE_CPU, FARGATE_MEMORY, type FargateCpu, IMAGE_TAG_PATTERN, type Profile } from "./schema";
import { EXPRESS_CHILD_MAX_SECONDS, maxExpressItemTimeoutSeconds, worstCaseItemSeconds } from "../../apps/batch/workflow";

/**
 * Configuration of the data-processing apps: `platform:uploads`, `platform:ingest` and
 * `platform:batch`. Each app is deployed only when its key is present (`{}` deploys it with the
 * profile's defaults; `enabled: false` keeps the settings with the app off), so a stack that does
 * not need one pays nothing for it.
 * See platform/serverless/README.md and apps/<name>/README.md for what each setting does.
 */

// An S3 key prefix the apps filter on: no leading slash, ends with "/" so that "in/" does not also match "inbox/".
const PREFIX_PATTERN = /^(?:[A-Za-z0-9!_.*'()-]+\/)+$/;
const prefix = (what: string) =>
    z.string({ error: `expected ${what}: an S3 key prefix such as "incoming/"` }).regex(PREFIX_PATTERN, {
        error: `expected ${what}: an S3 key prefix of safe characters (letters, digits, ! _ . * ' ( ) -) ending with "/", no leading "/", such as "incoming/"`,
    });

/** Step Functions log levels (LoggingConfiguration.level). */
export const WORKFLOW_LOG_LEVELS = ["ALL", "ERROR", "FATAL", "OFF"] as const;
export type WorkflowLogLevel = (typeof WORKFLOW_LOG_LEVELS)[number];
const workflowLogLevel = z.enum(WORKFLOW_LOG_LEVELS, { error: `expected a Step Functions log level, one of ${WORKFLOW_LOG_LEVELS.join(", ")}` });

export const STREAM_MODES = ["on-demand", "provisioned"] as const;
export type StreamMode = (typeof STREAM_MODES)[number];
export const ITEM_READERS = ["objects", "json", "csv"] as const;
export type ItemReaderKind = (typeof ITEM_READERS)[number];
export const CHILD_EXECUTION_TYPES = ["EXPRESS", "STANDARD"] as const;
/** What processes each item of the batch map: a Lambda function, or an ECS Fargate task per item. */
export const BATCH_PROCESSORS = ["lambda", "ecs"] as const;
export type BatchProcessor = (typeof BATCH_PROCESSORS)[number];

/** Rekognition reads images of up to 15 MB from S3 (DetectLabels limits). */
export const REKOGNITION_MAX_OBJECT_MB = 15;
/** The Distributed Map's ceiling for parallel child executions. */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;
/** Staging and prod streams keep at least a week of records, so a consumer outage over a long weekend loses nothing. */
export const MIN_RETENTION_HOURS = 168;

export const UploadsInputSchema = z.strictObject({
    enabled: bool("whether the uploads app is deployed (it is when platform:uploads is set, unless this is false)").optional(),
    prefix: prefix("the key prefix whose new objects start the workflow").optional(),
    maxObjectSizeMb: wholeNumber("the largest image accepted, in MB (Rekognition reads up to 15 MB from S3)", 1, REKOGNITION_MAX_OBJECT_MB).optional(),
    minConfidence: wholeNumber("the lowest label confidence kept, in percent", 0, 100).optional(),
    maxLabels: wholeNumber("the most labels kept per image", 1, 1000).optional(),
    noncurrentVersionExpiryDays: wholeNumber("days an overwritten or deleted object version is kept", 1, 3650).optional(),
    workflowLogLevel: workflowLogLevel.optional(),
    includeExecutionData: bool("whether workflow logs include state input and output").optional(),
});

export const IngestInputSchema = z.strictObject({
    enabled: bool("whether the ingest app is deployed (it is when platform:ingest is set, unless this is false)").optional(),
    streamMode: z.enum(STREAM_MODES, { error: `expected a stream capacity mode, one of ${STREAM_MODES.join(", ")}` }).optional(),
    shardCount: wholeNumber("the shard count of a provisioned stream", 1, 500).optional(),
    retentionHours: wholeNumber("hours the stream keeps records (24 to 8760; staging and prod need 168 or more)", 24, 8760).optional(),
    batchSize: wholeNumber("the most records per consumer invocation", 1, 10_000).optional(),
    batchWindowSeconds: wholeNumber("seconds the consumer waits to fill a batch", 0, 300).optional(),
    maxRetries: wholeNumber("retries of a failing batch before it goes to the failure queue", 0, 10_000).optional(),
    maxRecordAgeSeconds: wholeNumber("the oldest record the consumer still processes, in seconds", 60, 604_800).optional(),
    parallelizationFactor: wholeNumber("concurrent batches per shard", 1, 10).optional(),
    throttle: z
        .strictObject({
            rateLimit: wholeNumber("steady requests per second the webhook accepts", 1, 10_000).optional(),
            burstLimit: wholeNumber("requests the webhook accepts in a burst", 1, 5_000).optional(),
        })
        .optional(),
    waf: bool("whether an AWS WAF web ACL protects the webhook").optional(),
    wafRateLimitPerIp: wholeNumber("requests one IP may send in 5 minutes before WAF blocks it", 100, 2_000_000_000).optional(),
});

export const BatchInputSchema = z
    .strictObject({
        enabled: bool("whether the batch app is deployed (it is when platform:batch is set, unless this is false)").optional(),
        itemReader: z.enum(ITEM_READERS, { error: `expected an item reader, one of ${ITEM_READERS.join(", ")} (objects: every object under the prefix; json/csv: the items of one file)` }).optional(),
        prefix: prefix("the input prefix").optional(),
        resultPrefix: prefix("the prefix results are written under").optional(),
        maxConcurrency: wholeNumber("the most child workflows at once", 1, DISTRIBUTED_MAP_MAX_CONCURRENCY).optional(),
        // Independent of maxConcurrency: a reservation the account cannot hold (it must keep 100 unreserved) fails the deploy.
        reservedConcurrency: wholeNumber("the Lambda concurrency reserved for the item processor", 1, DISTRIBUTED_MAP_MAX_CONCURRENCY).optional(),
        toleratedFailurePercentage: z
            .number({ error: "expected the tolerated failure percentage: a number from 0 to 100" })
            .min(0, { error: "expected the tolerated failure percentage: a number from 0 to 100" })
            .max(100, { error: "expected the tolerated failure percentage: a number from 0 to 100" })
            .optional(),
        childExecutionType: z.enum(CHILD_EXECUTION_TYPES, { error: `expected a child execution type, one of ${CHILD_EXECUTION_TYPES.join(", ")}` }).optional(),
        itemTimeoutSeconds: wholeNumber("seconds the item processor may run per attempt", 1, 900).optional(),
        noncurrentVersionExpiryDays: wholeNumber("days an overwritten or deleted object version is kept", 1, 3650).optional(),
        workflowLogLevel: workflowLogLevel.optional(),
        includeExecutionData: bool("whether workflow logs include state input and output").optional(),
        processor: z.enum(BATCH_PROCESSORS, { error: `expected the item processor, one of ${BATCH_PROCESSORS.join(", ")} (lambda: a function per item; ecs: an ECS Fargate task per item)` }).optional(),
        task: z
            .strictObject({
                // Fargate's CPU values and the tag pattern are read when a value is parsed: schema.ts imports this module.
                cpu: z
                    .number({ error: "expected the ECS processor task's CPU units, a Fargate value: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU; 256 when unset)" })
                    .refine((cpu) => (FARGATE_CPU as readonly number[]).includes(cpu), {
                        error: () => `expected task CPU units Fargate offers, one of ${FARGATE_CPU.join(", ")} (1024 = 1 vCPU)`,
                    }),
                memory: wholeNumber("the ECS processor task's memory in MiB, a Fargate size for its CPU (512 when unset)", 512, 122880),
                imageTag: z
                    .string({ error: "expected the release tag of the batch image (apps/batch/Dockerfile, pushed to the stack's <namespace>/batch repository); until it is set each item's task fails saying so" })
                    .refine((tag) => IMAGE_TAG_PATTERN.test(tag), { error: "expected an image tag: letters, digits, _ . - (up to 128 characters, not starting with . or -)" })
                    .refine((tag) => tag.toLowerCase() !== "latest", { error: 'expected a release tag such as a git sha or 1.4.2, not "latest": tags are immutable here' }),
            })
            .partial()
            .optional(),
    })
    .superRefine((batch, ctx) => {
        // The ECS processor has no function: a Lambda setting would be silently ignored.
        if (batch.processor === "ecs" && batch.reservedConcurrency !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["reservedConcurrency"],
                message: "expected no reservedConcurrency with processor ecs (it reserves Lambda concurrency for the function processor); maxConcurrency bounds the tasks running at once",
            });
        }
    });

/** The keys PlatformInputSchema spreads in. */
export const DATA_APPS_INPUT_SHAPE = {
    uploads: UploadsInputSchema.optional(),
    ingest: IngestInputSchema.optional(),
    batch: BatchInputSchema.optional(),
};

export interface WorkflowLogging {
    level: WorkflowLogLevel;
    includeExecutionData: boolean;
}

export interface UploadsConfig extends WorkflowLogging {
    prefix: string;
    maxObjectSizeMb: number;
    minConfidence: number;
    maxLabels: number;
    noncurrentVersionExpiryDays: number;
}

export interface IngestConfig {
    streamMode: StreamMode;
    /** Set only for a provisioned stream. */
    shardCount?: number;
    retentionHours: number;
    batchSize: number;
    batchWindowSeconds: number;
    maxRetries: number;
    maxRecordAgeSeconds: number;
    parallelizationFactor: number;
    throttle: { rateLimit: number; burstLimit: number };
    waf: boolean;
    wafRateLimitPerIp: number;
}

export interface BatchConfig extends WorkflowLogging {
    itemReader: ItemReaderKind;
    prefix: string;
    resultPrefix: string;
    maxConcurrency: number;
    /** Reserved for the item processor: items beyond it at once are throttled and retried. */
    reservedConcurrency: number;
    toleratedFailurePercentage: number;
    childExecutionType: (typeof CHILD_EXECUTION_TYPES)[number];
    /** The processor's timeout per attempt; with EXPRESS children every attempt and wait must fit 300 s. */
    itemTimeoutSeconds: number;
    noncurrentVersionExpiryDays: number;
    /** `lambda`: the item processor function; `ecs`: one Fargate task per item (`task`). */
    processor: BatchProcessor;
    /** The ECS processor's task: size and release (the batch image in the stack's registry); set with processor ecs only. */
    task?: BatchTaskConfig;
}

export interface BatchTaskConfig {
    cpu: FargateCpu;
    memory: number;
    /** The batch image's release tag; unset before the first release. */
    imageTag?: string;
}

/** The ECS processor's task size when `task.cpu` / `task.memory` are unset: the smallest Fargate size. */
export const BATCH_TASK_DEFAULTS = { cpu: 256 as FargateCpu, memory: 512 };

/** Resolved: an app is present only when its key was set. */
export interface DataAppsConfig {
    uploads?: UploadsConfig;
    ingest?: IngestConfig;
    batch?: BatchConfig;
}

interface DataAppsDefaults {
    uploads: UploadsConfig;
    ingest: Omit<IngestConfig, "shardCount">;
    batch: Omit<BatchConfig, "processor" | "task">;
}

/**
 * dev logs every workflow step with its data (debugging) and keeps little; only prod puts a WAF
 * web ACL ($8/month+) in front of the webhook, like the other APIs; staging and prod log
 * errors only (execution data may hold customer content) and keep a week of stream records (the
 * policy pack's kinesis-retention asks 168 hours there); prod keeps old object versions for 90
 * days and runs the batch map wide. dev's stream is provisioned with one shard: idle, a shard-hour
 * costs about a third of an on-demand stream-hour (platform/offline/cost/prices.ts).
 */
export const DATA_APPS_DEFAULTS: Record<Profile, DataAppsDefaults> = {
    dev: {
        uploads: { prefix: "incoming/", maxObjectSizeMb: 5, minConfidence: 80, maxLabels: 20, noncurrentVersionExpiryDays: 7, level: "ALL", includeExecutionData: true },
        ingest: {
            streamMode: "provisioned",
            retentionHours: 24,
            batchSize: 100,
            batchWindowSeconds: 1,
            maxRetries: 2,
            maxRecordAgeSeconds: 3600,
            parallelizationFactor: 1,
            throttle: { rateLimit: 20, burstLimit: 40 },
            waf: false,
            wafRateLimitPerIp: 500,
        },
        batch: {
            itemReader: "objects",
            prefix: "input/",
            resultPrefix: "results/",
            maxConcurrency: 10,
            reservedConcurrency: 10,
            toleratedFailurePercentage: 10,
            childExecutionType: "EXPRESS",
            itemTimeoutSeconds: 45,
            noncurrentVersionExpiryDays: 7,
            level: "ALL",
            includeExecutionData: true,
        },
    },
    staging: {
        uploads: { prefix: "incoming/", maxObjectSizeMb: 15, minConfidence: 80, maxLabels: 20, noncurrentVersionExpiryDays: 30, level: "ERROR", includeExecutionData: false },
        ingest: {
            streamMode: "on-demand",
            retentionHours: 168,
            batchSize: 100,
            batchWindowSeconds: 1,
            maxRetries: 3,
            maxRecordAgeSeconds: 21_600,
            parallelizationFactor: 1,
            throttle: { rateLimit: 100, burstLimit: 200 },
            waf: false,
            wafRateLimitPerIp: 1000,
        },
        batch: {
            itemReader: "objects",
            prefix: "input/",
            resultPrefix: "results/",
            maxConcurrency: 50,
            reservedConcurrency: 50,
            toleratedFailurePercentage: 5,
            childExecutionType: "EXPRESS",
            itemTimeoutSeconds: 45,
            noncurrentVersionExpiryDays: 30,
            level: "ERROR",
            includeExecutionData: false,
        },
    },
    prod: {
        uploads: { prefix: "incoming/", maxObjectSizeMb: 15, minConfidence: 80, maxLabels: 20, noncurrentVersionExpiryDays: 90, level: "ERROR", includeExecutionData: false },
        ingest: {
            streamMode: "on-demand",
            retentionHours: 168,
            batchSize: 100,
            batchWindowSeconds: 1,
            maxRetries: 5,
            maxRecordAgeSeconds: 86_400,
            parallelizationFactor: 2,
            throttle: { rateLimit: 500, burstLimit: 1000 },
            waf: true,
            wafRateLimitPerIp: 2000,
        },
        batch: {
            itemReader: "objects",
            prefix: "input/",
            resultPrefix: "results/",
            maxConcurrency: 200,
            reservedConcurrency: 200,
            toleratedFailurePercentage: 1,
            childExecutionType: "EXPRESS",
            itemTimeoutSeconds: 45,
            noncurrentVersionExpiryDays: 90,
            level: "ERROR",
            includeExecutionData: false,
        },
    },
};

type DataAppsInput = { [K in keyof typeof DATA_APPS_INPUT_SHAPE]?: z.infer<(typeof DATA_APPS_INPUT_SHAPE)[K]> };

/** Fills each present app's settings from the profile. */
export function resolveDataApps(input: DataAppsInput, profile: Profile): DataAppsConfig {
    const defaults = DATA_APPS_DEFAULTS[profile];
    // One switch for every optional app: present means deployed, unless `enabled: false`.
    const on = <T extends { enabled?: boolean }>(app: T | undefined): T | undefined => (app && app.enabled !== false ? app : undefined);
    const [uploads, ingest, batch] = [on(input.uploads), on(input.ingest), on(input.batch)];
    return {
        uploads: uploads && {
            prefix: uploads.prefix ?? defaults.uploads.prefix,
            maxObjectSizeMb: uploads.maxObjectSizeMb ?? defaults.uploads.maxObjectSizeMb,
            minConfidence: uploads.minConfidence ?? defaults.uploads.minConfidence,
            maxLabels: uploads.maxLabels ?? defaults.uploads.maxLabels,
            noncurrentVersionExpiryDays: uploads.noncurrentVersionExpiryDays ?? defaults.uploads.noncurrentVersionExpiryDays,
            level: uploads.workflowLogLevel ?? defaults.uploads.level,
            includeExecutionData: uploads.includeExecutionData ?? defaults.uploads.includeExecutionData,
        },
        ingest: ingest && {
            streamMode: ingest.streamMode ?? defaults.ingest.streamMode,
            shardCount: (ingest.streamMode ?? defaults.ingest.streamMode) === "provisioned" ? (ingest.shardCount ?? 1) : ingest.shardCount,
            retentionHours: ingest.retentionHours ?? defaults.ingest.retentionHours,
            batchSize: ingest.batchSize ?? defaults.ingest.batchSize,
            batchWindowSeconds: ingest.batchWindowSeconds ?? defaults.ingest.batchWindowSeconds,
            maxRetries: ingest.maxRetries ?? defaults.ingest.maxRetries,
            maxRecordAgeSeconds: ingest.maxRecordAgeSeconds ?? defaults.ingest.maxRecordAgeSeconds,
            parallelizationFactor: ingest.parallelizationFactor ?? defaults.ingest.parallelizationFactor,
            throttle: {
                rateLimit: ingest.throttle?.rateLimit ?? defaults.ingest.throttle.rateLimit,
                burstLimit: ingest.throttle?.burstLimit ?? defaults.ingest.throttle.burstLimit,
            },
            waf: ingest.waf ?? defaults.ingest.waf,
            wafRateLimitPerIp: ingest.wafRateLimitPerIp ?? defaults.ingest.wafRateLimitPerIp,
        },
        batch: batch && {
            itemReader: batch.itemReader ?? defaults.batch.itemReader,
            prefix: batch.prefix ?? defaults.batch.prefix,
            resultPrefix: batch.resultPrefix ?? defaults.batch.resultPrefix,
            maxConcurrency: batch.maxConcurrency ?? defaults.batch.maxConcurrency,
            // Never more than the map can use; never grown with it (a large reservation must be asked for).
            reservedConcurrency: batch.reservedConcurrency ?? Math.min(defaults.batch.reservedConcurrency, batch.maxConcurrency ?? defaults.batch.maxConcurrency),
            toleratedFailurePercentage: batch.toleratedFailurePercentage ?? defaults.batch.toleratedFailurePercentage,
            // An ECS task is awaited with .sync, which EXPRESS workflows do not support: STANDARD children then.
            childExecutionType: batch.childExecutionType ?? (batch.processor === "ecs" ? "STANDARD" : defaults.batch.childExecutionType),
            itemTimeoutSeconds: batch.itemTimeoutSeconds ?? defaults.batch.itemTimeoutSeconds,
            processor: batch.processor ?? "lambda",
            ...(batch.processor === "ecs" || batch.task
                ? {
                      task: {
                          cpu: (batch.task?.cpu as FargateCpu | undefined) ?? BATCH_TASK_DEFAULTS.cpu,
                          memory: batch.task?.memory ?? BATCH_TASK_DEFAULTS.memory,
                          ...(batch.task?.imageTag ? { imageTag: batch.task.imageTag } : {}),
                      },
                  }
                : {}),
            noncurrentVersionExpiryDays: batch.noncurrentVersionExpiryDays ?? defaults.batch.noncurrentVersionExpiryDays,
            level: batch.workflowLogLevel ?? defaults.batch.level,
            includeExecutionData: batch.includeExecutionData ?? defaults.batch.includeExecutionData,
        },
    };
}

/** Rules that span keys or depend on the profile. */
export function checkDataApps(config: DataAppsConfig & { profile: Profile; apps?: Record<string, unknown> }, key: (path: string[]) => string): { key: string; message: string }[] {
    const problems: { key: string; message: string }[] = [];
    const { ingest, batch } = config;
    if (ingest) {
        if (ingest.streamMode === "on-demand" && ingest.shardCount !== undefined) {
            problems.push({ key: key(["ingest", "shardCount"]), message: "expected no shardCount with streamMode on-demand (the stream scales its own shards); set streamMode: provisioned to fix the count" });
        }
        if (config.profile !== "dev" && ingest.retentionHours < MIN_RETENTION_HOURS) {
            problems.push({
                key: key(["ingest", "retentionHours"]),
                message: `expected at least ${MIN_RETENTION_HOURS} hours (7 days) in ${config.profile}, so records outlive a consumer outage, got ${ingest.retentionHours}`,
            });
        }
        if (ingest.maxRecordAgeSeconds > ingest.retentionHours * 3600) {
            problems.push({
                key: key(["ingest", "maxRecordAgeSeconds"]),
                message: `expected at most the stream's retention (${ingest.retentionHours} hours = ${ingest.retentionHours * 3600} s), got ${ingest.maxRecordAgeSeconds}: records expire from the stream before the consumer gives up on them, and their failure-queue pointers lead nowhere`,
            });
        }
        if (ingest.throttle.burstLimit < ingest.throttle.rateLimit) {
            problems.push({ key: key(["ingest", "throttle", "burstLimit"]), message: `expected a burst limit of at least the rate limit (${ingest.throttle.rateLimit}), got ${ingest.throttle.burstLimit}` });
        }
    }
    if (batch && (batch.resultPrefix.startsWith(batch.prefix) || batch.prefix.startsWith(batch.resultPrefix))) {
        problems.push({
            key: key(["batch", "resultPrefix"]),
            message: `expected a result prefix outside the input prefix "${batch.prefix}" (and not holding it), or the next run would read its own results; got "${batch.resultPrefix}"`,
        });
    }
    if (batch?.processor === "lambda" && batch.task) {
        problems.push({ key: key(["batch", "task"]), message: "expected no task with processor lambda (the item processor is a function); set processor: ecs to run each item as an ECS Fargate task" });
    }
    if (batch?.processor === "ecs") {
        if (config.apps && "batch" in config.apps) {
            problems.push({
                key: key(["batch", "processor"]),
                message: "expected no app named \"batch\" with processor ecs: the batch image's repository is <namespace>/batch, which that app's repository already is; rename the app",
            });
        }
        if (batch.childExecutionType === "EXPRESS") {
            problems.push({
                key: key(["batch", "childExecutionType"]),
                message: "expected STANDARD (or no childExecutionType) with processor ecs: an EXPRESS workflow cannot wait for an ECS task to finish (.sync integrations are Standard-only)",
            });
        }
        if (batch.task && !FARGATE_MEMORY[batch.task.cpu].includes(batch.task.memory)) {
            const allowed = FARGATE_MEMORY[batch.task.cpu];
            problems.push({
                key: key(["batch", "task", "memory"]),
                message: `expected a Fargate memory size for cpu ${batch.task.cpu}: ${allowed.length > 4 ? `${allowed[0]} to ${allowed[allowed.length - 1]} MiB in steps of ${allowed[1] - allowed[0]}` : `one of ${allowed.join(", ")} MiB`}, got ${batch.task.memory}`,
            });
        }
    }
    if (batch?.childExecutionType === "EXPRESS" && worstCaseItemSeconds(batch.itemTimeoutSeconds) >= EXPRESS_CHILD_MAX_SECONDS) {
        problems.push({
            key: key(["batch", "itemTimeoutSeconds"]),
            message: `expected at most ${maxExpressItemTimeoutSeconds()} seconds with EXPRESS child workflows (every attempt and retry wait of an item must fit in an EXPRESS execution's ${EXPRESS_CHILD_MAX_SECONDS} s), got ${batch.itemTimeoutSeconds}; set childExecutionType: STANDARD for longer items`,
        });
    }
    return problems;
}
