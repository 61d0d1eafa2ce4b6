/**
 * The queue worker's loop: long-poll the queue, process each message once, delete what is done.
 * - Idempotency: SQS delivers at least once; a message whose id was already processed is deleted
 *   without processing it again (`IdempotencyStore`, a conditional write keyed by message id).
 * - Failures: a message that fails is left on the queue and made visible again after a backoff;
 *   after the queue's maxReceiveCount receives SQS moves it to the dead-letter queue (which alarms).
 * - Shutdown: on abort the loop stops receiving and finishes the messages it holds.
 */
import type { QueueClient, QueueMessage } from "./sqs";

export interface IdempotencyStore {
    /** True when the message was already processed (then it must not be processed again). */
    done(messageId: string): Promise<boolean>;
    /** Records the message as processed. */
    record(messageId: string): Promise<void>;
}

export interface WorkerLogger {
    info(fields: Record<string, unknown>, message: string): void;
    error(fields: Record<string, unknown>, message: string): void;
}

export interface WorkerOptions {
    queue: QueueClient;
    /** Processes one message body; throws to have it retried. */
    handle(body: string, message: QueueMessage): Promise<void>;
    idempotency: IdempotencyStore;
    logger: WorkerLogger;
    /** Stops the loop (SIGTERM). */
    signal: AbortSignal;
    /** @default 10 (SQS's largest batch) */
    maxMessages?: number;
    /** Long polling; @default 20 (SQS's longest) */
    waitSeconds?: number;
    /** Seconds before a failed message is visible again, times its receive count; @default 10 */
    retryBackoffSeconds?: number;
    /** Called after each successful receive (a readiness signal: the queue answers). */
    onReceive?: () => void;
}

export interface WorkerStats {
    processed: number;
    duplicates: number;
    failed: number;
}

export async function runWorker(options: WorkerOptions): Promise<WorkerStats> {
    const stats: WorkerStats = { processed: 0, duplicates: 0, failed: 0 };
    while (!options.signal.aborted) {
        let messages: QueueMessage[];
        try {
            messages = await options.queue.receive({ maxMessages: options.maxMessages ?? 10, waitSeconds: options.waitSeconds ?? 20 }, options.signal);
            options.onReceive?.();
        } catch (error) {
            if (options.signal.aborted) break;
            options.logger.error({ error: String(error) }, "receive failed; retrying");
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            continue;
        }
        // Messages of a batch are independent: one failing does not hold back the others.
        await Promise.all(messages.map((message) => processOne(options, message, stats)));
    }
    return stats;
}

async function processOne(options: WorkerOptions, message: QueueMessage, stats: WorkerStats): Promise<void> {
    const fields = { messageId: message.messageId, receiveCount: message.receiveCount };
    try {
        if (await options.idempotency.done(message.messageId)) {
            stats.duplicates += 1;
            options.logger.info(fields, "already processed; deleting the duplicate");
        } else {
            await options.handle(message.body, message);
            await options.idempotency.record(message.messageId);
            stats.processed += 1;
        }
        await options.queue.delete(message.receiptHandle);
    } catch (error) {
        stats.failed += 1;
        options.logger.error({ ...fields, error: String(error) }, "processing failed; the message returns to the queue (the dead-letter queue after maxReceiveCount)");
        const backoff = (options.retryBackoffSeconds ?? 10) * message.receiveCount;
        await options.queue.changeVisibility(message.receiptHandle, Math.min(backoff, 43_200)).catch(() => undefined);
    }
}
