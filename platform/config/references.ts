import { z } from "zod";
import { type BindingKind, emptyCatalog, type ReferenceCatalog } from "./bindings";
import { wholeNumber } from "./fields";
import type { DataAppsConfig } from "./data-apps";
import type { ServerlessConfig } from "./serverless";

/**
 * What an app binding may reference, `<owner>.<resource>`: the resources the stack's own apps
 * build (`translate.requests`, `ingest.stream`, ...) and the stack's standalone queues
 * (`platform:queues`, referenced as `queues.<name>`). Listed from configuration alone, so an
 * unknown reference is a config error that lists what exists, before anything is built.
 */

export const QUEUE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** `platform:queues.<name>`: a work queue of the stack (SSE-KMS with the data key, a DLQ, an alarm). */
export const StackQueueInputSchema = z.strictObject({
    /**
     * Receives before a message moves to the dead-letter queue.
     * @default 5
     */
    maxReceiveCount: wholeNumber("how many receives before a message goes to the dead-letter queue", 1, 20).optional(),
    /**
     * The longest a consumer takes over one message (or batch); the visibility timeout is six
     * times it, AWS's guidance for queue consumers, so a slow message is not delivered twice.
     * @default 60
     * @example 120
     */
    processingTimeoutSeconds: wholeNumber("the longest processing time of one message in seconds (6 times it must fit SQS's 43200 s visibility timeout)", 1, 7200).optional(),
});

export const STACK_QUEUES_INPUT_SHAPE = {
    queues: z.record(z.string().regex(QUEUE_NAME_PATTERN, { error: "expected a queue name: lowercase letters, digits and hyphens, 1-40 characters" }), StackQueueInputSchema).optional(),
};

export interface StackQueueConfig {
    maxReceiveCount: number;
    processingTimeoutSeconds: number;
}

export const STACK_QUEUE_DEFAULTS: StackQueueConfig = { maxReceiveCount: 5, processingTimeoutSeconds: 60 };

export function resolveStackQueues(input: { queues?: z.infer<typeof STACK_QUEUES_INPUT_SHAPE.queues> }): Record<string, StackQueueConfig> {
    return Object.fromEntries(Object.entries(input.queues ?? {}).map(([name, queue]) => [name, { ...STACK_QUEUE_DEFAULTS, ...queue }]));
}

/** Each referenceable resource: section, reference, and who already consumes it (queues). */
const APP_RESOURCES: { owner: string; present: (config: StackResources) => boolean; resources: { kind: BindingKind; name: string; consumer?: string }[] }[] = [
    {
        owner: "translate",
        present: (config) => config.translate.enabled,
        resources: [
            { kind: "tables", name: "requests" },
            { kind: "tables", name: "idempotency" },
            { kind: "topics", name: "jobs" },
            { kind: "queues", name: "jobs", consumer: "translate's worker function" },
        ],
    },
    {
        owner: "fanout",
        present: (config) => config.fanout.enabled,
        resources: [
            { kind: "buses", name: "bus" },
            { kind: "topics", name: "alerts" },
            { kind: "queues", name: "audit", consumer: "fanout's auditor function" },
        ],
    },
    {
        owner: "uploads",
        present: (config) => config.uploads !== undefined,
        resources: [
            { kind: "buckets", name: "bucket" },
            { kind: "tables", name: "results" },
            { kind: "buses", name: "events" },
        ],
    },
    {
        owner: "ingest",
        present: (config) => config.ingest !== undefined,
        resources: [
            { kind: "streams", name: "stream" },
            { kind: "tables", name: "events" },
        ],
    },
    { owner: "batch", present: (config) => config.batch !== undefined, resources: [{ kind: "buckets", name: "bucket" }] },
];

type StackResources = Pick<ServerlessConfig, "translate" | "fanout"> & DataAppsConfig & { queues: Record<string, StackQueueConfig> };

/** The stack's referenceable resources, from its configuration. */
export function referenceCatalog(config: StackResources): ReferenceCatalog {
    const catalog = emptyCatalog();
    for (const owner of APP_RESOURCES.filter((entry) => entry.present(config))) {
        for (const resource of owner.resources) catalog[resource.kind][`${owner.owner}.${resource.name}`] = { consumer: resource.consumer };
    }
    for (const name of Object.keys(config.queues)) catalog.queues[`queues.${name}`] = {};
    return catalog;
}
