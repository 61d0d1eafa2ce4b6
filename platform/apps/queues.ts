import type * as pulumi from "@pulumi/pulumi";
import type { StackQueueConfig } from "../config";
import { Queue, type ServerlessContext } from "../serverless";

/**
 * The stack's standalone work queues (`platform:queues`): each an SQS queue encrypted with the
 * data key, with a dead-letter queue after `maxReceiveCount` receives and an alarm on it, and a
 * visibility timeout of six times the consumer's processing time. Apps send to them and consume
 * them through bindings (`queues.<VAR>: { ref: queues.<name> }`, `consumes.queue`).
 */
export function buildStackQueues(name: string, queues: Record<string, StackQueueConfig>, ctx: ServerlessContext, opts: pulumi.ComponentResourceOptions): Record<string, Queue> {
    return Object.fromEntries(
        Object.entries(queues).map(([queue, config]) => [queue, new Queue(`${name}-queue-${queue}`, { ctx, consumerTimeoutSeconds: config.processingTimeoutSeconds, maxReceiveCount: config.maxReceiveCount }, opts)]),
    );
}
