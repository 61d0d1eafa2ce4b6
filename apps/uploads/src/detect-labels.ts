import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DetectLabelsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { traced } from "../../shared/src/tracing";
import type { Context } from "aws-lambda";
import { classify, InvalidInputError } from "../../shared/src/workflow-errors";
import { describeIssues, UploadRefSchema } from "./upload";

export interface Label {
    name: string;
    /** Percent, two decimals. */
    confidence: number;
    parents: string[];
}

export interface DetectedLabels {
    labels: Label[];
    modelVersion: string;
}

export interface DetectLabelsOptions {
    rekognition: RekognitionClient;
    minConfidence: number;
    maxLabels: number;
    logger?: Logger;
    metrics?: Metrics;
}

// Rekognition's answers for an image it can never read: retrying cannot help.
const UNREADABLE = new Set(["InvalidImageFormatException", "ImageTooLargeException", "InvalidS3ObjectException", "InvalidParameterException"]);

/**
 * Second workflow step: Rekognition DetectLabels on the exact object version, read by
 * Rekognition from S3 (the image never passes through the function).
 */
export function createDetectLabelsHandler(options: DetectLabelsOptions) {
    const logger = options.logger ?? new Logger({ serviceName: "uploads-detect-labels" });
    return async (event: unknown, context?: Context): Promise<DetectedLabels> => {
        if (context) logger.addContext(context);
        const parsed = UploadRefSchema.safeParse(event);
        if (!parsed.success) throw new InvalidInputError(`expected {bucket, key, versionId}: ${describeIssues(parsed.error.issues)}`);
        const { bucket, key, versionId } = parsed.data;
        const answer = await options.rekognition
            .send(new DetectLabelsCommand({ Image: { S3Object: { Bucket: bucket, Name: key, Version: versionId } }, MaxLabels: options.maxLabels, MinConfidence: options.minConfidence }))
            .catch((error: unknown) => {
                if (error instanceof Error && UNREADABLE.has(error.name)) throw new InvalidInputError(`Rekognition cannot read s3://${bucket}/${key}: ${error.name}: ${error.message}`, { cause: error });
                return classify(error, "DetectLabels");
            });
        const labels = (answer.Labels ?? [])
            .filter((label) => label.Name !== undefined)
            .map((label) => ({ name: label.Name!, confidence: Math.round((label.Confidence ?? 0) * 100) / 100, parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])) }));
        options.metrics?.addMetric("LabelsDetected", MetricUnit.Count, labels.length);
        logger.info("labels detected", { key, count: labels.length });
        return { labels, modelVersion: answer.LabelModelVersion ?? "unknown" };
    };
}

let fromEnvironment: ReturnType<typeof createDetectLabelsHandler> | undefined;
const metrics = new Metrics({ serviceName: "uploads" });
const tracer = new Tracer();

/** The Lambda entry point: settings from the function's environment (platform/apps/uploads.ts). */
export const handler = async (event: unknown, context: Context) => {
    fromEnvironment ??= createDetectLabelsHandler({
        rekognition: tracer.captureAWSv3Client(new RekognitionClient({})),
        minConfidence: Number(process.env.MIN_CONFIDENCE),
        maxLabels: Number(process.env.MAX_LABELS),
        metrics,
    });
    try {
        const detect = fromEnvironment;
        return await traced(tracer, "detect-labels", () => detect(event, context));
    } finally {
        metrics.publishStoredMetrics();
    }
};
