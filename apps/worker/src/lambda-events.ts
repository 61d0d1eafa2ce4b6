/**
 * The worker on Lambda (platform:apps.<name>.runtimes: [lambda]): an SQS event source mapping
 * invokes the function with a batch, and the AWS Lambda Web Adapter in the image POSTs the raw
 * event to AWS_LWA_PASS_THROUGH_PATH on AWS_LWA_PORT; the response body is the invocation's
 * result (https://awslabs.github.io/aws-lambda-web-adapter/features/non-http-events.html).
 * The answer is a partial batch response: the ids of the messages that failed, which alone return
 * to the queue (and, after maxReceiveCount, to its dead-letter queue); Lambda deletes the rest
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 * Idempotency is the same as on ECS: a message id already processed is skipped, not redone.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { QueueMessage } from "./sqs";
import type { IdempotencyStore, WorkerLogger } from "./worker";

/** The fields of an SQS record the worker reads (the event Lambda's SQS event source sends). */
export interface SqsRecord {
    messageId: string;
    receiptHandle: string;
    body: string;
    attributes?: { ApproximateReceiveCount?: string };
}

export interface SqsBatchResponse {
    batchItemFailures: { itemIdentifier: string }[];
}

export interface EventHandlerOptions {
    /** Processes one message body; throws to have it retried. */
    handle(body: string, message: QueueMessage): Promise<void>;
    idempotency: IdempotencyStore;
    logger: WorkerLogger;
}

/** Not an SQS event: the adapter forwarded something else to the pass-through path. */
export class NotAnSqsEvent extends Error {}

/** Processes every record of the batch independently; returns the ones that failed. */
export async function handleSqsEvent(event: unknown, options: EventHandlerOptions): Promise<SqsBatchResponse> {
    const records = sqsRecords(event);
    const failures = await Promise.all(
        records.map(async (record): Promise<string | undefined> => {
            const message: QueueMessage = { messageId: record.messageId, receiptHandle: record.receiptHandle, body: record.body, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? "1") };
            const fields = { messageId: message.messageId, receiveCount: message.receiveCount };
            try {
                if (await options.idempotency.done(message.messageId)) {
                    options.logger.info(fields, "already processed; acknowledging the duplicate");
                    return undefined;
                }
                await options.handle(message.body, message);
                await options.idempotency.record(message.messageId);
                return undefined;
            } catch (error) {
                options.logger.error({ ...fields, error: String(error) }, "processing failed; the message returns to the queue (the dead-letter queue after maxReceiveCount)");
                return message.messageId;
            }
        }),
    );
    return { batchItemFailures: failures.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}

function sqsRecords(event: unknown): SqsRecord[] {
    const records = (event as { Records?: unknown } | null)?.Records;
    if (!Array.isArray(records)) throw new NotAnSqsEvent("expected an SQS event: an object with Records");
    for (const record of records as Partial<SqsRecord>[]) {
        if (typeof record?.messageId !== "string" || record.messageId === "" || typeof record.body !== "string") throw new NotAnSqsEvent("expected SQS records with a messageId and a body");
    }
    return records as SqsRecord[];
}

export interface EventServerOptions extends EventHandlerOptions {
    /** AWS_LWA_PORT. */
    port: number;
    /** AWS_LWA_PASS_THROUGH_PATH. */
    passThroughPath: string;
    /** AWS_LWA_READINESS_CHECK_PATH (and the liveness path): answered 200 once listening. */
    healthPaths: string[];
    /** @default "127.0.0.1" (the adapter runs in the same sandbox) */
    host?: string;
}

/**
 * The HTTP server the adapter talks to: health paths for its readiness check, the pass-through
 * path for events. A body that is not an SQS event, or a failure outside any one message, is a
 * 500, which the platform's AWS_LWA_ERROR_STATUS_CODES turns into a failed invocation: the whole
 * batch is retried.
 */
export function startEventServer(options: EventServerOptions): Promise<Server> {
    const server = createServer((request, response) => void route(request, response, options));
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host ?? "127.0.0.1", () => resolve(server));
    });
}

async function route(request: IncomingMessage, response: ServerResponse, options: EventServerOptions): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && options.healthPaths.includes(path)) return answer(response, 200, { status: "ok" });
    if (request.method !== "POST" || path !== options.passThroughPath) return answer(response, 404, { message: "not found" });
    try {
        const event: unknown = JSON.parse(await readBody(request));
        answer(response, 200, await handleSqsEvent(event, options));
    } catch (error) {
        options.logger.error({ error: String(error) }, "the event could not be handled; failing the invocation so the whole batch is retried");
        answer(response, 500, { message: error instanceof NotAnSqsEvent || error instanceof SyntaxError ? "not an SQS event" : "the batch failed" });
    }
}

async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

function answer(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
