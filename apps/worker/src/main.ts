/**
 * The worker process as ECS and EKS run it (platform:apps.<name>.consumes): QUEUE_URL and the bound
 * IDEMPOTENCY_TABLE come from the platform (IDEMPOTENCY_TTL_ATTRIBUTE when the table's TTL
 * attribute is not `expiresAt`), credentials from the task role or the pod's Pod Identity role.
 * SIGTERM stops receiving; messages in hand are finished within the stop timeout.
 * On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) the event source mapping receives instead: the
 * process serves the Web Adapter's pass-through path and answers each batch (lambda-events.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startHealthServer } from "./health";
import { DynamoDbIdempotencyStore } from "./idempotency";
import { startEventServer } from "./lambda-events";
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

// The work itself: replace with the app's. Here each message must be a JSON object.
const handle = (body: string, message: { messageId: string }): Promise<void> => {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== "object") throw new Error("expected a JSON object");
    logger.info({ messageId: message.messageId }, "processed");
    return Promise.resolve();
};

async function main(): Promise<void> {
    const region = required("AWS_REGION");
    const dynamodb = new DynamoDBClient({ region });
    const idempotency = new DynamoDbIdempotencyStore(DynamoDBDocumentClient.from(dynamodb), required("IDEMPOTENCY_TABLE"), undefined, process.env.IDEMPOTENCY_TTL_ATTRIBUTE || undefined);
    if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
        // The platform sets these from the app spec (platform/lambda/function.ts).
        const healthPaths = [required("AWS_LWA_READINESS_CHECK_PATH")];
        await startEventServer({ port: Number(required("AWS_LWA_PORT")), passThroughPath: required("AWS_LWA_PASS_THROUGH_PATH"), healthPaths, idempotency, logger, handle });
        logger.info({}, "serving the Lambda Web Adapter's events");
        return;
    }
    const queue = new SqsJsonClient({ queueUrl: required("QUEUE_URL"), region, credentials: dynamodb.config.credentials });
    const controller = new AbortController();
    process.once("SIGTERM", () => controller.abort());
    // Probes on PORT (the app spec's port, 8080 by default): Kubernetes restarts a worker whose loop stopped answering.
    const health = { running: true, received: false };
    const server = await startHealthServer(Number(process.env.PORT ?? 8080), health);
    const onReceive = () => {
        health.received = true;
    };
    const stats = await runWorker({ queue, idempotency, logger, signal: controller.signal, handle, onReceive });
    health.running = false;
    server.close();
    logger.info({ ...stats }, "stopped");
}

main().catch((error: unknown) => {
    logger.error({ error: String(error) }, "worker failed");
    process.exit(1);
});
