import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

export type Status = "PENDING" | "COMPLETE" | "PARTIAL" | "FAILED";

/**
 * One translation request (the layout apps/web reads: see apps/web/README.md). `remaining`
 * counts cultures without an outcome; the status leaves PENDING when it reaches 0.
 */
export interface TranslationItem {
    id: string;
    status: Status;
    createdAt: string;
    updatedAt: string;
    sourceText: string;
    sourceLanguage: string;
    cultures: string[];
    translations: Record<string, string>;
    errors: Record<string, string>;
    remaining: number;
    /** Epoch seconds: DynamoDB's TTL deletes the item after `platform:translate.resultTtlDays`. */
    expiresAt: number;
}

export type Outcome = { translation: string } | { error: string };

/** What happened to a recorded outcome. */
export type Recorded = "recorded" | "duplicate" | "missing";

/** The status a request ends in once every culture has an outcome. */
export function finalStatus(item: Pick<TranslationItem, "translations" | "errors">): Exclude<Status, "PENDING"> {
    const failed = Object.keys(item.errors ?? {}).length;
    const done = Object.keys(item.translations ?? {}).length;
    return failed === 0 ? "COMPLETE" : done === 0 ? "FAILED" : "PARTIAL";
}

/**
 * The translations table, read only, keyed by `id` (string), through the document client. The
 * status handler bundles only this class: its code holds no write command, which the offline
 * synth's readiness check compares with its read-only role.
 */
export class TranslationReader {
    constructor(
        protected readonly client: DynamoDBDocumentClient,
        protected readonly tableName: string,
        protected readonly now: () => Date = () => new Date(),
    ) {}

    /** The request, or undefined when it does not exist or has expired (DynamoDB's TTL deletes up to days late). */
    async get(id: string): Promise<TranslationItem | undefined> {
        const output = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
        const item = output.Item as TranslationItem | undefined;
        if (item && typeof item.expiresAt === "number" && item.expiresAt < Math.floor(this.now().getTime() / 1000)) return undefined;
        return item;
    }
}

/** The translations table, read and written (submit and worker). */
export class TranslationStore extends TranslationReader {
    constructor(
        client: DynamoDBDocumentClient,
        tableName: string,
        private readonly ttlDays: number,
        now: () => Date = () => new Date(),
    ) {
        super(client, tableName, now);
    }

    /** Stores a new PENDING request; refuses to overwrite an id (a UUID collision or a replay). */
    async create(id: string, request: { text: string; sourceLanguage: string; cultures: string[] }): Promise<TranslationItem> {
        const now = this.now();
        const item: TranslationItem = {
            id,
            status: "PENDING",
            createdAt: now.toISOString(),
            updatedAt: now.toISOString(),
            sourceText: request.text,
            sourceLanguage: request.sourceLanguage,
            cultures: request.cultures,
            translations: {},
            errors: {},
            remaining: request.cultures.length,
            expiresAt: Math.floor(now.getTime() / 1000) + this.ttlDays * 24 * 3600,
        };
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(id)" }));
        return item;
    }

    /**
     * Sets the final status when every culture has an outcome and the status is still PENDING:
     * repairs a request whose last outcome was recorded by an attempt that failed before finishing.
     */
    async finishIfDone(item: TranslationItem): Promise<void> {
        if (item.status === "PENDING" && item.remaining <= 0) await this.finish(item.id, finalStatus(item), this.now().toISOString());
    }

    /**
     * Records one culture's outcome exactly once: the update is conditional on the culture having
     * no outcome yet, so a redelivered message cannot overwrite it or count it twice. When the
     * last outcome lands (`remaining` reaches 0), the final status is set, also conditionally.
     */
    async record(id: string, culture: string, outcome: Outcome): Promise<Recorded> {
        const now = this.now().toISOString();
        const isTranslation = "translation" in outcome;
        let item: TranslationItem | undefined;
        let result: Recorded = "recorded";
        try {
            const output = await this.client.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: { id },
                    UpdateExpression: "SET #target.#culture = :value, updatedAt = :now ADD remaining :minusOne",
                    ConditionExpression: "attribute_exists(id) AND #status = :pending AND attribute_not_exists(#translations.#culture) AND attribute_not_exists(#errors.#culture)",
                    ExpressionAttributeNames: { "#target": isTranslation ? "translations" : "errors", "#translations": "translations", "#errors": "errors", "#culture": culture, "#status": "status" },
                    ExpressionAttributeValues: { ":value": isTranslation ? outcome.translation : outcome.error, ":now": now, ":minusOne": -1, ":pending": "PENDING" },
                    ReturnValues: "ALL_NEW",
                }),
            );
            item = output.Attributes as TranslationItem;
        } catch (err) {
            if (!(err instanceof ConditionalCheckFailedException)) throw err;
            // Already recorded (a redelivery), already final, or gone (expired): read to know which.
            item = await this.get(id);
            if (!item) return "missing";
            result = "duplicate";
        }
        await this.finishIfDone(item);
        return result;
    }

    private async finish(id: string, status: Exclude<Status, "PENDING">, now: string): Promise<void> {
        try {
            await this.client.send(
                new UpdateCommand({
                    TableName: this.tableName,
                    Key: { id },
                    UpdateExpression: "SET #status = :final, updatedAt = :now",
                    ConditionExpression: "#status = :pending AND remaining <= :zero",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: { ":final": status, ":now": now, ":pending": "PENDING", ":zero": 0 },
                }),
            );
        } catch (err) {
            // Another worker finished it first: same outcomes, same status.
            if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
    }
}

/** DynamoDB refused the write because the item would exceed its 400 KB limit: retrying cannot help. */
export function isItemTooLarge(err: unknown): boolean {
    return err instanceof Error && err.name === "ValidationException" && /item size/i.test(err.message);
}
