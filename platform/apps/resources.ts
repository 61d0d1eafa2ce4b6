import * as pulumi from "@pulumi/pulumi";
import { type BindableResource, emptyStackResources, type StackResources } from "../bindings";
import type { Queue } from "../serverless";
import type { ServerlessApps } from "./index";
import type { DataApps } from "./data";

/**
 * What app bindings can reference, from what the stack built: the same references as
 * `referenceCatalog` (platform/config/references.ts) lists from configuration, so a reference
 * config validation accepted always resolves here. Every one of these resources is encrypted
 * with the stack's data key except the event buses (EventBridge's AWS-owned key).
 */
export function stackResources(args: { serverless: ServerlessApps; dataApps: DataApps; queues: Record<string, Queue>; dataKeyArn: pulumi.Input<string> }): StackResources {
    const resources = emptyStackResources();
    const key = args.dataKeyArn;
    const add = (kind: keyof StackResources, ref: string, resource: BindableResource) => {
        resources[kind][ref] = resource;
    };
    const { translate, fanout } = args.serverless;
    if (translate) {
        add("tables", "translate.requests", { arn: translate.table.arn, value: translate.table.name, kmsKeyArn: key });
        add("tables", "translate.idempotency", { arn: translate.idempotencyTable.arn, value: translate.idempotencyTable.name, kmsKeyArn: key });
        add("topics", "translate.jobs", { arn: translate.jobsTopic.arn, value: translate.jobsTopic.arn, kmsKeyArn: key });
        add("queues", "translate.jobs", { arn: translate.jobsQueue.arn, value: translate.jobsQueue.url, kmsKeyArn: key });
    }
    if (fanout) {
        add("buses", "fanout.bus", { arn: fanout.bus.arn, value: fanout.bus.name });
        add("topics", "fanout.alerts", { arn: fanout.alertsTopic.arn, value: fanout.alertsTopic.arn, kmsKeyArn: key });
        add("queues", "fanout.audit", { arn: fanout.auditQueue.arn, value: fanout.auditQueue.url, kmsKeyArn: key });
    }
    const { uploads, ingest, batch } = args.dataApps;
    if (uploads) {
        add("buckets", "uploads.bucket", { arn: uploads.bucket.arn, value: uploads.bucket.name, kmsKeyArn: key });
        add("tables", "uploads.results", { arn: uploads.table.arn, value: uploads.table.name, kmsKeyArn: key });
        add("buses", "uploads.events", { arn: uploads.bus.arn, value: uploads.bus.name });
    }
    if (ingest) {
        add("streams", "ingest.stream", { arn: ingest.stream.arn, value: ingest.stream.streamName, kmsKeyArn: key });
        add("tables", "ingest.events", { arn: ingest.table.arn, value: ingest.table.name, kmsKeyArn: key });
    }
    if (batch) add("buckets", "batch.bucket", { arn: batch.bucket.arn, value: batch.bucket.name, kmsKeyArn: key });
    for (const [name, queue] of Object.entries(args.queues)) add("queues", `queues.${name}`, { arn: queue.arn, value: queue.url, kmsKeyArn: key });
    return resources;
}
