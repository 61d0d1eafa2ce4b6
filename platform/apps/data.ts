import type * as pulumi from "@pulumi/pulumi";
import type { DataAppsConfig } from "../config/data-apps";
import { S3AccessLogBucket } from "../serverless/access-log-bucket";
import type { ServerlessContext } from "../serverless/common";
import { BatchApp, type BatchAppArgs } from "./batch";
import { IngestApp } from "./ingest";
import { UploadsApp } from "./uploads";

export { BatchApp, IngestApp, UploadsApp };

export interface DataApps {
    uploads?: UploadsApp;
    ingest?: IngestApp;
    batch?: BatchApp;
}

/**
 * The data-processing apps a stack configures (`platform:uploads`, `platform:ingest`,
 * `platform:batch`), each named `<project>-<stack>-<app>`.
 */
export function buildDataApps(
    name: string,
    config: DataAppsConfig,
    ctx: ServerlessContext,
    opts: pulumi.ComponentResourceOptions,
    loggingRole: pulumi.Resource | undefined,
    /** The network, repository and ECS settings of the batch app's ECS processor (`platform:batch.processor: ecs`). */
    batchEcs?: BatchAppArgs["ecs"],
): DataApps {
    const apps: DataApps = {};
    // One log bucket for the data buckets' server access logs.
    const accessLogs =
        config.uploads || config.batch
            ? new S3AccessLogBucket(`${name}-s3-access-logs`, { retentionDays: ctx.logRetentionDays, accountId: ctx.accountId, sourceBucketNamePrefix: `${name}-`, protect: ctx.protect }, opts)
            : undefined;
    const bucketLogs = accessLogs && { targetBucket: accessLogs.name, after: accessLogs.policy };
    if (config.uploads) apps.uploads = new UploadsApp(`${name}-uploads`, { ctx, config: config.uploads, accessLogs: bucketLogs }, opts);
    if (config.ingest) {
        // API Gateway's execution logs need the account's logging role: set by the account owner's stack (platform/index.ts).
        apps.ingest = new IngestApp(`${name}-ingest`, { ctx, config: config.ingest, loggingRole }, opts);
    }
    if (config.batch) apps.batch = new BatchApp(`${name}-batch`, { ctx, config: config.batch, accessLogs: bucketLogs, ecs: batchEcs }, opts);
    return apps;
}

/** Stack outputs of the data apps: where to upload, where to send webhooks, what to start. */
export function dataAppOutputs(apps: DataApps) {
    return {
        uploads: apps.uploads && { bucketName: apps.uploads.bucket.name, prefix: apps.uploads.prefix, stateMachineArn: apps.uploads.workflow.arn, tableName: apps.uploads.table.name, eventBusName: apps.uploads.bus.name },
        ingest: apps.ingest && { url: apps.ingest.url, streamName: apps.ingest.stream.streamName, tableName: apps.ingest.table.name },
        batch: apps.batch && { bucketName: apps.batch.bucket.name, stateMachineArn: apps.batch.workflow.arn },
    };
}
