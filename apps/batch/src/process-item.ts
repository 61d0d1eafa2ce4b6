import { createHash } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { traced } from "../../shared/src/tracing";
import type { Context } from "aws-lambda";
import * as z from "zod/mini";
import { classify, InvalidInputError } from "../../shared/src/workflow-errors";

/**
 * The Distributed Map's item processor. An item is either an object listed under the input
 * prefix (`{bucket, key, size}`, reader "objects") or one record of a JSON/CSV file
 * (`{index, record}`, readers "json" and "csv"); see apps/batch/workflow.ts for how the map
 * shapes them. Each call handles one item and returns its summary, which the map's result
 * writer stores in S3. Errors: TransientError (retried by the child workflow), anything else
 * fails the item and counts against the tolerated failure percentage.
 */
// zod/mini: the same validation in a fraction of the bundle.
const ObjectItemSchema = z.strictObject({ bucket: z.string().check(z.minLength(3)), key: z.string().check(z.minLength(1)), size: z.int().check(z.gte(0)) });
const RecordItemSchema = z.strictObject({ index: z.int().check(z.gte(0)), record: z.record(z.string(), z.unknown()) });
const RecordFieldsSchema = z.looseObject({ id: z.union([z.string().check(z.minLength(1)), z.number()]) });

export type ObjectSummary = { key: string; bytes: number; lines: number; sha256: string } | { key: string; skipped: "folder marker" };
export type RecordSummary = { index: number; id: string; fields: number };

export interface ProcessItemOptions {
    s3: S3Client;
    logger?: Logger;
}

export function createItemProcessor(options: ProcessItemOptions) {
    const logger = options.logger ?? new Logger({ serviceName: "batch-process-item" });

    async function processObject({ bucket, key }: z.infer<typeof ObjectItemSchema>): Promise<ObjectSummary> {
        // The console's "create folder" leaves a zero-byte "dir/" object: nothing to process.
        if (key.endsWith("/")) return { key, skipped: "folder marker" };
        const object = await options.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
            if (error instanceof Error && error.name === "NoSuchKey") throw new InvalidInputError(`s3://${bucket}/${key} was deleted before it was processed`, { cause: error });
            return classify(error, "GetObject");
        });
        const hash = createHash("sha256");
        let bytes = 0;
        let lines = 0;
        // Streamed, so an object larger than the function's memory is still processed.
        for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            bytes += chunk.length;
            for (const byte of chunk) if (byte === 0x0a) lines++;
        }
        return { key, bytes, lines, sha256: hash.digest("hex") };
    }

    function processRecord({ index, record }: z.infer<typeof RecordItemSchema>): RecordSummary {
        const fields = RecordFieldsSchema.safeParse(record);
        if (!fields.success) throw new InvalidInputError(`item ${index} has no id (expected an "id" field or column)`);
        return { index, id: String(fields.data.id), fields: Object.keys(record).length };
    }

    return async (item: unknown, context?: Context): Promise<ObjectSummary | RecordSummary> => {
        if (context) logger.addContext(context);
        const asObject = ObjectItemSchema.safeParse(item);
        if (asObject.success) return processObject(asObject.data);
        const asRecord = RecordItemSchema.safeParse(item);
        if (asRecord.success) return processRecord(asRecord.data);
        throw new InvalidInputError(`expected an object item {bucket, key, size} or a record item {index, record}, got ${JSON.stringify(item).slice(0, 200)}`);
    };
}

let fromEnvironment: ReturnType<typeof createItemProcessor> | undefined;
const tracer = new Tracer();

/** The Lambda entry point. */
export const handler = (item: unknown, context: Context) => {
    fromEnvironment ??= createItemProcessor({ s3: tracer.captureAWSv3Client(new S3Client({})) });
    const processItem = fromEnvironment;
    return traced(tracer, "process-item", () => processItem(item, context));
};
