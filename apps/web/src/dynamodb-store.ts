/**
 * TranslationStore on the DynamoDB table the translation pipeline writes (AWS SDK v3 DocumentClient).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput } from "@aws-sdk/lib-dynamodb";
import { StoreError, toTranslationRecord, type TranslationRecord, type TranslationStore } from "./store";

export interface DynamoDbTranslationStoreOptions {
    tableName: string;
    /** An existing DocumentClient (tests inject a mocked one); otherwise one is built from region/endpoint. */
    client?: DynamoDBDocumentClient;
    region?: string;
    endpoint?: string;
    /**
     * Strongly consistent reads (default true). Clients poll this API right after the pipeline
     * reports progress, and an eventually consistent read could still answer PENDING for a
     * request that has completed; one 4 KB strongly consistent read costs 1 RCU instead of 0.5.
     */
    consistentRead?: boolean;
    /** SDK attempts per call, retries included (default 3). */
    maxAttempts?: number;
    /** Per-attempt limits (defaults 1 s to connect, 3 s per request). */
    connectionTimeoutMs?: number;
    requestTimeoutMs?: number;
}

/** Attributes the API returns; `sourceText` (possibly large) is deliberately not read. */
const PROJECTED_ATTRIBUTES = ["id", "status", "createdAt", "cultures", "translations", "errors"] as const;

/** Error names DynamoDB and the SDK use for conditions worth retrying later (the API answers 503). */
const RETRYABLE_ERROR_NAMES = new Set([
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
]);
const RETRYABLE_NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ENETUNREACH", "EHOSTUNREACH"]);

/**
 * True when a failed call is worth retrying later: throttling, service-side (5xx) errors,
 * timeouts and network errors. Access denied, a missing table, a validation error or missing
 * credentials are configuration problems (false).
 */
export function isRetryableAwsError(error: unknown): boolean {
    if (typeof error !== "object" || error === null) return false;
    const e = error as { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: unknown } };
    if (e.$retryable !== undefined && e.$retryable !== null) return true;
    if (typeof e.name === "string" && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
    if (typeof e.code === "string" && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
    const status = e.$metadata?.httpStatusCode;
    return typeof status === "number" && status >= 500;
}

export class DynamoDbTranslationStore implements TranslationStore {
    readonly tableName: string;
    private readonly doc: DynamoDBDocumentClient;
    /** The low-level client this store built (and so closes); undefined when one was injected. */
    private readonly ownClient: DynamoDBClient | undefined;
    private readonly consistentRead: boolean;

    constructor(options: DynamoDbTranslationStoreOptions) {
        this.tableName = options.tableName;
        this.consistentRead = options.consistentRead ?? true;
        if (options.client !== undefined) {
            this.doc = options.client;
            this.ownClient = undefined;
        } else {
            const client = new DynamoDBClient({
                ...(options.region === undefined ? {} : { region: options.region }),
                ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
                maxAttempts: options.maxAttempts ?? 3,
                requestHandler: {
                    connectionTimeout: options.connectionTimeoutMs ?? 1_000,
                    requestTimeout: options.requestTimeoutMs ?? 3_000,
                    throwOnRequestTimeout: true,
                },
            });
            this.doc = DynamoDBDocumentClient.from(client);
            this.ownClient = client;
        }
    }

    /** The exact GetCommand input for an id (exported for tests and for reading). */
    getCommandInput(id: string): GetCommandInput {
        const names: Record<string, string> = {};
        for (const attribute of PROJECTED_ATTRIBUTES) names[`#${attribute}`] = attribute;
        return {
            TableName: this.tableName,
            Key: { id },
            ConsistentRead: this.consistentRead,
            // Every name goes through a placeholder: `status` is a DynamoDB reserved word.
            ProjectionExpression: Object.keys(names).join(", "),
            ExpressionAttributeNames: names,
        };
    }

    async get(id: string): Promise<TranslationRecord | undefined> {
        let item: Record<string, unknown> | undefined;
        try {
            const output = await this.doc.send(new GetCommand(this.getCommandInput(id)));
            item = output.Item;
        } catch (error) {
            const name = error instanceof Error ? error.name : "Error";
            throw new StoreError(`DynamoDB GetItem on ${this.tableName} failed: ${name}`, { retryable: isRetryableAwsError(error), cause: error });
        }
        return item === undefined ? undefined : toTranslationRecord(item);
    }

    /**
     * Resolves credentials once at startup, so a task role / IRSA / Pod Identity problem shows
     * as a failed start (and a clear log line) instead of a 500 on the first request.
     */
    async init(): Promise<void> {
        try {
            await this.doc.config.credentials();
        } catch (error) {
            throw new StoreError(`could not resolve AWS credentials: ${error instanceof Error ? error.message : String(error)}`, { retryable: false, cause: error });
        }
    }

    /** Closes the HTTP agent's sockets (DocumentClient.destroy() is a no-op, so the base client's). */
    close(): void {
        this.ownClient?.destroy();
    }
}
