import { Readable } from "node:stream";
import { DynamoDBClient, ProvisionedThroughputExceededException, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { DynamoDbTranslationStore, isRetryableAwsError } from "../../../apps/web/src/dynamodb-store";
import { StoreError } from "../../../apps/web/src/store";
import { COMPLETE_ITEM, ID_ABSENT, ID_COMPLETE } from "./helpers";

const TABLE = "translations-test";

function mockedStore(options: { consistentRead?: boolean } = {}) {
    const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }));
    const mock = mockClient(document);
    const store = new DynamoDbTranslationStore({ tableName: TABLE, client: document, ...options });
    return { mock, store };
}

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
    try {
        await promise;
    } catch (error) {
        expect(error).to.be.instanceOf(StoreError);
        return error as StoreError;
    }
    expect.fail("expected the store to throw");
}

describe("apps/web DynamoDbTranslationStore", () => {
    it("sends one strongly consistent GetCommand for the id, projecting only the API's attributes", async () => {
        const { mock, store } = mockedStore();
        mock.on(GetCommand).resolves({ Item: COMPLETE_ITEM });
        await store.get(ID_COMPLETE);

        const calls = mock.commandCalls(GetCommand);
        expect(calls, "GetCommand calls").to.have.length(1);
        expect(calls[0].args[0].input).to.deep.equal({
            TableName: TABLE,
            Key: { id: ID_COMPLETE },
            ConsistentRead: true,
            ProjectionExpression: "#id, #status, #createdAt, #cultures, #translations, #errors",
            ExpressionAttributeNames: {
                "#id": "id",
                "#status": "status",
                "#createdAt": "createdAt",
                "#cultures": "cultures",
                "#translations": "translations",
                "#errors": "errors",
            },
        });
    });

    it("can be told to read eventually consistently", async () => {
        const { mock, store } = mockedStore({ consistentRead: false });
        mock.on(GetCommand).resolves({});
        await store.get(ID_ABSENT);
        expect(mock.commandCalls(GetCommand)[0].args[0].input.ConsistentRead).to.equal(false);
    });

    it("maps a stored item to the API record", async () => {
        const { mock, store } = mockedStore();
        mock.on(GetCommand, { TableName: TABLE, Key: { id: ID_COMPLETE } }).resolves({ Item: { ...COMPLETE_ITEM, errors: { "de-DE": "unsupported" } } });
        expect(await store.get(ID_COMPLETE)).to.deep.equal({
            id: ID_COMPLETE,
            status: "COMPLETE",
            createdAt: "2025-03-01T10:15:00.000Z",
            cultures: ["fr-FR", "es-ES"],
            translations: { "fr-FR": "Bonjour", "es-ES": "Buenos días" },
            errors: { "de-DE": "unsupported" },
        });
    });

    it("accepts cultures written as a string set and a PENDING item with no translations yet", async () => {
        const { mock, store } = mockedStore();
        const pending = { id: ID_COMPLETE, status: "PENDING", createdAt: "2025-03-01T10:15:00+01:00", cultures: new Set(["fr-FR", "it-IT"]) };
        mock.on(GetCommand).resolves({ Item: pending });
        expect(await store.get(ID_COMPLETE)).to.deep.equal({
            id: ID_COMPLETE,
            status: "PENDING",
            createdAt: "2025-03-01T10:15:00+01:00",
            cultures: ["fr-FR", "it-IT"],
            translations: {},
        });
    });

    it("returns undefined when there is no item", async () => {
        const { mock, store } = mockedStore();
        mock.on(GetCommand).resolves({});
        expect(await store.get(ID_ABSENT)).to.equal(undefined);
    });

    it("throws a non-retryable StoreError naming the bad attribute for a malformed item", async () => {
        const { mock, store } = mockedStore();
        mock.on(GetCommand).resolves({ Item: { ...COMPLETE_ITEM, status: "DONE", translations: { "fr-FR": 42 } } });
        const error = await storeError(store.get(ID_COMPLETE));
        expect(error.retryable).to.equal(false);
        expect(error.message).to.match(/^stored translation item is malformed: /);
        expect(error.message).to.contain("status:");
        expect(error.message).to.contain("translations.fr-FR:");
    });

    it("wraps throttling as a retryable StoreError, keeping the SDK error as the cause", async () => {
        const { mock, store } = mockedStore();
        const throttled = new ProvisionedThroughputExceededException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
        mock.on(GetCommand).rejects(throttled);
        const error = await storeError(store.get(ID_COMPLETE));
        expect(error.retryable).to.equal(true);
        expect(error.message).to.equal(`DynamoDB GetItem on ${TABLE} failed: ProvisionedThroughputExceededException`);
        expect(error.cause).to.equal(throttled);
    });

    it("wraps a missing table as a non-retryable StoreError", async () => {
        const { mock, store } = mockedStore();
        mock.on(GetCommand).rejects(new ResourceNotFoundException({ message: "Requested resource not found", $metadata: { httpStatusCode: 400 } }));
        const error = await storeError(store.get(ID_COMPLETE));
        expect(error.retryable).to.equal(false);
        expect(error.message).to.equal(`DynamoDB GetItem on ${TABLE} failed: ResourceNotFoundException`);
    });

    it("classifies AWS errors: throttling, 5xx, timeouts and network errors retry; auth and validation do not", () => {
        const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
        expect(isRetryableAwsError(named("ThrottlingException")), "ThrottlingException").to.equal(true);
        expect(isRetryableAwsError(named("InternalServerError", { $metadata: { httpStatusCode: 500 } })), "InternalServerError").to.equal(true);
        expect(isRetryableAwsError(named("SomethingNew", { $metadata: { httpStatusCode: 503 } })), "any 5xx").to.equal(true);
        expect(isRetryableAwsError(named("TimeoutError")), "TimeoutError").to.equal(true);
        expect(isRetryableAwsError(named("Error", { code: "ECONNRESET" })), "ECONNRESET").to.equal(true);
        expect(isRetryableAwsError(named("AnyError", { $retryable: { throttling: true } })), "$retryable").to.equal(true);
        expect(isRetryableAwsError(named("AccessDeniedException", { $metadata: { httpStatusCode: 400 } })), "AccessDeniedException").to.equal(false);
        expect(isRetryableAwsError(named("ValidationException", { $metadata: { httpStatusCode: 400 } })), "ValidationException").to.equal(false);
        expect(isRetryableAwsError(named("CredentialsProviderError")), "CredentialsProviderError").to.equal(false);
        expect(isRetryableAwsError("a string"), "a non-object").to.equal(false);
    });

    it("init() resolves the credentials, and reports a failure as a StoreError", async () => {
        const ok = new DynamoDbTranslationStore({ tableName: TABLE, client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } })) });
        await ok.init();

        const noCredentials = new DynamoDbTranslationStore({
            tableName: TABLE,
            client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1", credentials: () => Promise.reject(new Error("no task role")) })),
        });
        const error = await storeError(noCredentials.init());
        expect(error.retryable).to.equal(false);
        expect(error.message).to.equal("could not resolve AWS credentials: no task role");
    });
});

/**
 * Below the mock: a real DynamoDBClient whose HTTP handler answers locally, so the request the SDK
 * would send (DynamoDB JSON) and the unmarshalling of a real response are both exercised.
 */
describe("apps/web DynamoDbTranslationStore on the wire (local HTTP handler)", () => {
    interface Sent {
        target: string | undefined;
        body: any;
    }

    function wireStore(status: number, responseBody: unknown, headers: Record<string, string> = {}) {
        const sent: Sent[] = [];
        const requestHandler = {
            handle: (request: { headers: Record<string, string>; body?: unknown }) => {
                const raw = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body);
                sent.push({ target: request.headers["x-amz-target"], body: JSON.parse(raw) });
                const body = Readable.from([Buffer.from(JSON.stringify(responseBody))]);
                return Promise.resolve({ response: { statusCode: status, headers: { "content-type": "application/x-amz-json-1.0", ...headers }, body } });
            },
        };
        const client = new DynamoDBClient({
            region: "eu-west-1",
            endpoint: "http://127.0.0.1:1",
            credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
            maxAttempts: 1,
            requestHandler,
        });
        const store = new DynamoDbTranslationStore({ tableName: TABLE, client: DynamoDBDocumentClient.from(client) });
        return { store, sent };
    }

    it("sends a GetItem with the key as a DynamoDB string and unmarshals lists, string sets and maps", async () => {
        const item = {
            id: { S: ID_COMPLETE },
            status: { S: "PARTIAL" },
            createdAt: { S: "2025-03-01T10:15:00.000Z" },
            cultures: { SS: ["fr-FR", "ja-JP"] },
            translations: { M: { "fr-FR": { S: "Bonjour" } } },
            errors: { M: { "ja-JP": { S: "timed out" } } },
        };
        const { store, sent } = wireStore(200, { Item: item });
        expect(await store.get(ID_COMPLETE)).to.deep.equal({
            id: ID_COMPLETE,
            status: "PARTIAL",
            createdAt: "2025-03-01T10:15:00.000Z",
            cultures: ["fr-FR", "ja-JP"],
            translations: { "fr-FR": "Bonjour" },
            errors: { "ja-JP": "timed out" },
        });
        expect(sent).to.have.length(1);
        expect(sent[0].target).to.equal("DynamoDB_20120810.GetItem");
        expect(sent[0].body).to.deep.include({ TableName: TABLE, Key: { id: { S: ID_COMPLETE } }, ConsistentRead: true });
        expect(sent[0].body.ExpressionAttributeNames["#status"]).to.equal("status");
    });

    it("turns a throttling answer into a retryable StoreError", async () => {
        const { store } = wireStore(400, { __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", message: "Rate exceeded" });
        const error = await storeError(store.get(ID_COMPLETE));
        expect(error.retryable).to.equal(true);
        expect((error.cause as Error).name).to.equal("ProvisionedThroughputExceededException");
    });

    it("turns an access-denied answer into a non-retryable StoreError", async () => {
        const { store } = wireStore(400, { __type: "com.amazon.coral.service#AccessDeniedException", message: "not authorized to perform: dynamodb:GetItem" });
        const error = await storeError(store.get(ID_COMPLETE));
        expect(error.retryable).to.equal(false);
        expect(error.message).to.equal(`DynamoDB GetItem on ${TABLE} failed: AccessDeniedException`);
    });
});
