import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { createItemProcessor } from "./process-item";

/**
 * The ECS item processor's entry point (`platform:batch.processor: ecs`): one Fargate task per item
 * of the Distributed Map. The workflow passes the item as JSON in the BATCH_ITEM environment
 * variable (a container override; apps/batch/workflow.ts), or it is the first argument when run by
 * hand (`node main.js '{"bucket":"b","key":"input/a.txt","size":3}'`). The item is processed by the
 * same code as the Lambda processor (process-item.ts); its summary is logged as JSON. Exit 0 when
 * the item is processed, 1 when it fails: the workflow sees the task stop with a non-zero exit code
 * and fails the item (States.TaskFailed), which counts against the tolerated failure percentage.
 */
export const ITEM_VARIABLE = "BATCH_ITEM";

export interface RunOptions {
    s3: S3Client;
    logger: Logger;
    env: NodeJS.ProcessEnv;
    argv: string[];
}

/** Processes the one item the environment or the arguments carry; resolves to the exit code. */
export async function run(options: RunOptions): Promise<number> {
    const raw = options.env[ITEM_VARIABLE] ?? options.argv[0];
    if (raw === undefined || raw === "") {
        options.logger.error(`no item: expected its JSON in ${ITEM_VARIABLE} or as the first argument`);
        return 1;
    }
    let item: unknown;
    try {
        item = JSON.parse(raw);
    } catch (error) {
        options.logger.error(`the item is not JSON: ${raw.slice(0, 200)}`, { error: error as Error });
        return 1;
    }
    // The task may read only its own bucket: an item of another one is a wiring mistake, not a retry.
    const bucket = (item as { bucket?: unknown } | null)?.bucket;
    if (options.env.BATCH_BUCKET && typeof bucket === "string" && bucket !== options.env.BATCH_BUCKET) {
        options.logger.error(`the item names bucket ${bucket}; this processor reads ${options.env.BATCH_BUCKET} only`);
        return 1;
    }
    try {
        const summary = await createItemProcessor({ s3: options.s3, logger: options.logger })(item);
        options.logger.info("item processed", { summary });
        return 0;
    } catch (error) {
        options.logger.error("item failed", { error: error as Error });
        return 1;
    }
}

if (require.main === module) {
    const logger = new Logger({ serviceName: "batch-process-item" });
    run({ s3: new S3Client({}), logger, env: process.env, argv: process.argv.slice(2) }).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            logger.error("unexpected failure", { error: error as Error });
            process.exitCode = 1;
        },
    );
}
