import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { traced } from "../../shared/src/tracing";
import type { Context } from "aws-lambda";
import { classify, InvalidInputError } from "../../shared/src/workflow-errors";
import { describeIssues, UploadRef, UploadRefSchema } from "./upload";

/** Image formats Rekognition's DetectLabels reads, recognised by their first bytes (not by the declared Content-Type). */
const SIGNATURES: { contentType: string; magic: number[] }[] = [
    { contentType: "image/jpeg", magic: [0xff, 0xd8, 0xff] },
    { contentType: "image/png", magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];
const SNIFF_BYTES = 8;

export interface ValidatedObject {
    contentType: string;
    size: number;
    etag: string;
}

export interface ValidateOptions {
    s3: S3Client;
    maxBytes: number;
    logger?: Logger;
}

/**
 * First workflow step: the object must still exist (that exact version), be no larger than
 * `maxBytes` and really be a JPEG or PNG. Throws InvalidInputError when it never will be,
 * TransientError when S3 is throttling or failing.
 */
export function createValidateHandler(options: ValidateOptions) {
    const logger = options.logger ?? new Logger({ serviceName: "uploads-validate" });
    return async (event: unknown, context?: Context): Promise<ValidatedObject> => {
        if (context) logger.addContext(context);
        const parsed = UploadRefSchema.safeParse(event);
        if (!parsed.success) throw new InvalidInputError(`expected {bucket, key, versionId}: ${describeIssues(parsed.error.issues)}`);
        const ref: UploadRef = parsed.data;
        const target = { Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId };

        const head = await options.s3.send(new HeadObjectCommand(target)).catch((error: unknown) => {
            if (error instanceof Error && (error.name === "NotFound" || error.name === "NoSuchKey" || error.name === "NoSuchVersion")) {
                throw new InvalidInputError(`s3://${ref.bucket}/${ref.key} version ${ref.versionId} no longer exists`, { cause: error });
            }
            return classify(error, "HeadObject");
        });
        const size = head.ContentLength ?? 0;
        if (size === 0) throw new InvalidInputError(`s3://${ref.bucket}/${ref.key} is empty`);
        if (size > options.maxBytes) throw new InvalidInputError(`s3://${ref.bucket}/${ref.key} is ${size} bytes; the limit is ${options.maxBytes}`);

        const start = await options.s3.send(new GetObjectCommand({ ...target, Range: `bytes=0-${SNIFF_BYTES - 1}` })).catch((error: unknown) => classify(error, "GetObject"));
        const bytes = start.Body ? await start.Body.transformToByteArray() : new Uint8Array();
        const match = SIGNATURES.find(({ magic }) => magic.every((byte, i) => bytes[i] === byte));
        if (!match) throw new InvalidInputError(`s3://${ref.bucket}/${ref.key} is not a JPEG or PNG image (declared ${head.ContentType ?? "no content type"})`);

        logger.info("upload accepted", { key: ref.key, versionId: ref.versionId, size, contentType: match.contentType });
        return { contentType: match.contentType, size, etag: head.ETag ?? "" };
    };
}

let fromEnvironment: ReturnType<typeof createValidateHandler> | undefined;
const tracer = new Tracer();

/** The Lambda entry point: settings from the function's environment (platform/apps/uploads.ts). */
export const handler = (event: unknown, context: Context) => {
    fromEnvironment ??= createValidateHandler({
        s3: tracer.captureAWSv3Client(new S3Client({})),
        maxBytes: Number(process.env.MAX_OBJECT_BYTES),
    });
    const validate = fromEnvironment;
    return traced(tracer, "validate", () => validate(event, context));
};
