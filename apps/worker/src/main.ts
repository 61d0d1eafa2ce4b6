/**
 * The worker process as ECS and EKS run it (platform:apps.<name>.consumes): QUEUE_URL and the bound
 * IDEMPOTENCY_TABLE come from the platform (IDEMPOTENCY_TTL_ATTRIBUTE when the table's TTL
 * attribute is not `expiresAt`), credentials from the task role or the pod's Pod Identity role.
 * SIGTERM stops receiving; messages in hand are finished within the stop timeout.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startHealthServer } from "./health";
import { DynamoDbIdempotencyStore } from "./idempotency";
import { SqsJsonClient } from "./sqs";
import { runWorker } from "./worker";

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required (the platform sets it from the app's bindings)`);
    return value;
}

const logger = {
    info: (fields: Record<string, unknown>, message: string) => console.log(JSON.stringify({ level: "info", message, ...fields })),
    error: (fields: Record<string, unknown>, message: string) => console.error(JSON.stringify({ level: "error", message, ...fields })),
};

async function main(): Promise<void> {
    const region = required("AWS_REGION");
    const dynamodb = new DynamoDBClient({ region });
    const queue = new SqsJsonClient({ queueUrl: required("QUEUE_URL"), region, credentials: dynamodb.config.credentials });
    const controller = new AbortController();
    process.once("SIGTERM", () => controller.abort());
    // Probes on PORT (the app spec's port, 8080 by default): Kubernetes restarts a worker whose loop stopped answering.
    const health = { running: true, received: false };
    const server = await startHealthServer(Number(process.env.PORT ?? 8080), health);
    const stats = await runWorker({
        onReceive: () => {
            health.received = true;
        },
        queue,
        idempotency: new DynamoDbIdempotencyStore(DynamoDBDocumentClient.from(dynamodb), required("IDEMPOTENCY_TABLE"), undefined, process.env.IDEMPOTENCY_TTL_ATTRIBUTE || undefined),
        logger,
        signal: controller.signal,
        // The work itself: replace with the app's. Here each message must be a JSON object.
        handle: (body, message) => {
            const parsed: unknown = JSON.parse(body);
            if (parsed === null || typeof parsed !== "object") throw new Error("expected a JSON object");
            logger.info({ messageId: message.messageId }, "processed");
            return Promise.resolve();
        },
    });
    health.running = false;
    server.close();
    logger.info({ ...stats }, "stopped");
}

main().catch((error: unknown) => {
    logger.error({ error: String(error) }, "worker failed");
    process.exit(1);
});
