/**
 * Processed message ids in a DynamoDB table (partition key `id`, string; the table's TTL attribute,
 * `expiresAt` unless IDEMPOTENCY_TTL_ATTRIBUTE names another), bound to the worker as
 * `tables.IDEMPOTENCY_TABLE` with GetItem and PutItem.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { IdempotencyStore } from "./worker";

export class DynamoDbIdempotencyStore implements IdempotencyStore {
    constructor(
        private readonly documents: DynamoDBDocumentClient,
        private readonly tableName: string,
        /** How long an id is remembered: longer than the queue keeps a message. */
        private readonly ttlSeconds = 14 * 24 * 3600,
        /** The attribute the table's TTL reads (epoch seconds): records without it would never expire. */
        private readonly ttlAttribute = "expiresAt",
    ) {}

    async done(messageId: string): Promise<boolean> {
        const output = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { id: messageId }, ConsistentRead: true }));
        return output.Item !== undefined;
    }

    async record(messageId: string): Promise<void> {
        try {
            await this.documents.send(
                new PutCommand({ TableName: this.tableName, Item: { id: messageId, [this.ttlAttribute]: Math.floor(Date.now() / 1000) + this.ttlSeconds }, ConditionExpression: "attribute_not_exists(id)" }),
            );
        } catch (error) {
            // Another task finished the same message first: it is recorded either way.
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
    }
}
