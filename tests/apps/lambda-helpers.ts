import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEvent, Context, SQSEvent, SQSRecord } from "aws-lambda";

// Metrics are read from the environment when a Metrics is built: off in tests (no EMF on stdout).
process.env.POWERTOOLS_METRICS_DISABLED = "true";

/** Powertools that write nothing: tests assert on results, not on log lines. */
export function quietObservability() {
    return { logger: new Logger({ logLevel: "SILENT", serviceName: "test" }), metrics: new Metrics({ namespace: "test", serviceName: "test" }) };
}

export function lambdaContext(requestId = "req-1"): Context {
    return {
        callbackWaitsForEmptyEventLoop: false,
        functionName: "test-fn",
        functionVersion: "$LATEST",
        invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:test-fn",
        memoryLimitInMB: "256",
        awsRequestId: requestId,
        logGroupName: "/aws/lambda/test-fn",
        logStreamName: "stream",
        getRemainingTimeInMillis: () => 10_000,
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
    };
}

export function apiEvent(init: { body?: string | null; pathParameters?: Record<string, string> }): APIGatewayProxyEvent {
    return {
        body: init.body ?? null,
        pathParameters: init.pathParameters ?? null,
        headers: {},
        multiValueHeaders: {},
        httpMethod: "POST",
        isBase64Encoded: false,
        path: "/",
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {} as any,
        resource: "/",
    };
}

export function sqsRecord(messageId: string, body: string): SQSRecord {
    return {
        messageId,
        receiptHandle: `handle-${messageId}`,
        body,
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "sender", ApproximateFirstReceiveTimestamp: "0" },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:jobs",
        awsRegion: "eu-west-1",
    };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** dynalite (a DynamoDB implementation) on a loopback port, in memory. */
export async function startDynalite(): Promise<{ client: DynamoDBClient; stop: () => Promise<void> }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dynalite = require("dynalite") as (options: Record<string, unknown>) => import("node:net").Server;
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
    return {
        client,
        stop: async () => {
            client.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

/** Creates a table with a single string partition key, as the program declares it. */
export async function createTable(client: DynamoDBClient, name: string, key: { name: string; type: "S" | "N" | "B" }): Promise<void> {
    await client.send(
        new CreateTableCommand({
            TableName: name,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: key.name, AttributeType: key.type }],
            KeySchema: [{ AttributeName: key.name, KeyType: "HASH" }],
        }),
    );
}
