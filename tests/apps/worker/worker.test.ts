import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { startHealthServer } from "../../../apps/worker/src/health";
import { DynamoDbIdempotencyStore } from "../../../apps/worker/src/idempotency";
import { SqsJsonClient } from "../../../apps/worker/src/sqs";
import { runWorker } from "../../../apps/worker/src/worker";
import { createTable } from "../lambda-helpers";
import { LOCAL_CLIENT, type LocalPeer, startDynalite } from "../local-peers";
import { FakeSqs } from "./sqs-fake";

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/platform-dev-queue-work";
const quiet = { info: () => undefined, error: () => undefined };

/**
 * The queue worker against a loopback SQS (JSON protocol, signed requests, visibility timeout,
 * redrive) and dynalite for idempotency: each message is handled once, duplicates are deleted
 * unprocessed, a failing message comes back and ends in the dead-letter queue.
 */
describe("apps/worker against a local SQS and DynamoDB", function () {
    this.timeout(30_000);
    let dynamo: LocalPeer;
    let client: DynamoDBClient;
    let table = 0;
    before(async () => {
        dynamo = await startDynalite();
        client = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: dynamo.endpoint, maxAttempts: 1 });
    });
    after(async () => {
        client.destroy();
        await dynamo.close();
    });

    async function setUp(options = { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }) {
        const sqs = new FakeSqs(QUEUE_URL, options);
        const endpoint = await sqs.start();
        const tableName = `idempotency-${++table}`;
        await createTable(client, tableName, { name: "id", type: "S" });
        const queue = new SqsJsonClient({ queueUrl: QUEUE_URL, region: "eu-west-1", credentials: LOCAL_CLIENT.credentials, endpoint });
        const idempotency = new DynamoDbIdempotencyStore(DynamoDBDocumentClient.from(client), tableName);
        return { sqs, queue, idempotency, endpoint };
    }

    /** Runs the loop until the queue has nothing visible left, advancing the fake clock between polls. */
    async function drain(setup: Awaited<ReturnType<typeof setUp>>, handle: (body: string) => Promise<void>, rounds = 10) {
        const controller = new AbortController();
        let polls = 0;
        const queue = {
            receive: async (options: { maxMessages: number; waitSeconds: number }) => {
                if (++polls > rounds) controller.abort();
                setup.sqs.now += 60;
                return controller.signal.aborted ? [] : setup.queue.receive({ ...options, waitSeconds: 0 });
            },
            delete: (handle: string) => setup.queue.delete(handle),
            changeVisibility: (handle: string, seconds: number) => setup.queue.changeVisibility(handle, seconds),
        };
        return runWorker({ queue, handle, idempotency: setup.idempotency, logger: quiet, signal: controller.signal, retryBackoffSeconds: 1 });
    }

    it("handles each message once and deletes it, over signed JSON-protocol requests", async () => {
        const setup = await setUp();
        setup.sqs.send("a");
        setup.sqs.send("b");
        const handled: string[] = [];
        const stats = await drain(setup, (body) => (handled.push(body), Promise.resolve()));
        expect(handled.sort()).to.deep.equal(["a", "b"]);
        expect(stats).to.deep.include({ processed: 2, duplicates: 0, failed: 0 });
        expect(setup.sqs.messages).to.deep.equal([]);
        expect(setup.sqs.unsigned).to.deep.equal([]);
        await setup.sqs.stop();
    });

    it("answers its probes: /healthz while the loop runs, /readyz once the queue answered, 503 otherwise", async () => {
        const state = { running: true, received: false };
        const server = await startHealthServer(0, state);
        const { port } = server.address() as { port: number };
        const status = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((response) => response.status);
        try {
            expect([await status("/healthz"), await status("/readyz"), await status("/other")]).to.deep.equal([200, 503, 404]);
            state.received = true;
            expect(await status("/readyz")).to.equal(200);
            state.running = false;
            expect([await status("/healthz"), await status("/readyz")]).to.deep.equal([503, 503]);
        } finally {
            server.close();
        }
    });

    it("records a processed id with its expiry under the table's TTL attribute (expiresAt, or the one it is given)", async () => {
        const tableName = `idempotency-${++table}`;
        await createTable(client, tableName, { name: "id", type: "S" });
        const documents = DynamoDBDocumentClient.from(client);
        await new DynamoDbIdempotencyStore(documents, tableName).record("m-1");
        await new DynamoDbIdempotencyStore(documents, tableName, 60, "expiration").record("m-2");
        const now = Math.floor(Date.now() / 1000);
        const first = (await documents.send(new GetCommand({ TableName: tableName, Key: { id: "m-1" } }))).Item!;
        const second = (await documents.send(new GetCommand({ TableName: tableName, Key: { id: "m-2" } }))).Item!;
        expect(first.expiresAt).to.be.greaterThan(now + 13 * 24 * 3600);
        expect(second).to.not.have.property("expiresAt");
        expect(second.expiration).to.be.within(now + 59, now + 61);
    });

    it("deletes a redelivered message without handling it again (idempotency by message id)", async () => {
        const setup = await setUp();
        const id = setup.sqs.send("once");
        const handled: string[] = [];
        await drain(setup, (body) => (handled.push(body), Promise.resolve()), 3);
        setup.sqs.messages.push({ id, body: "once", receiveCount: 0, visibleAt: 0 });
        const stats = await drain(setup, (body) => (handled.push(body), Promise.resolve()), 3);
        expect(handled).to.deep.equal(["once"]);
        expect(stats.duplicates).to.equal(1);
        expect(setup.sqs.messages).to.deep.equal([]);
        await setup.sqs.stop();
    });

    it("leaves a failing message on the queue until the redrive moves it to the dead-letter queue; the others succeed", async () => {
        const setup = await setUp({ visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
        setup.sqs.send("poison");
        setup.sqs.send("fine");
        const attempts: string[] = [];
        const stats = await drain(setup, (body) => {
            attempts.push(body);
            return body === "poison" ? Promise.reject(new Error("cannot parse")) : Promise.resolve();
        });
        expect(attempts.filter((body) => body === "poison")).to.have.length(3);
        expect(attempts.filter((body) => body === "fine")).to.have.length(1);
        expect(stats).to.deep.include({ processed: 1, failed: 3 });
        expect(setup.sqs.deadLetters.map((m) => m.body)).to.deep.equal(["poison"]);
        expect(setup.sqs.messages).to.deep.equal([]);
        await setup.sqs.stop();
    });

    it("reports SQS errors by their type", async () => {
        const setup = await setUp();
        const wrong = new SqsJsonClient({ queueUrl: `${QUEUE_URL}-nope`, region: "eu-west-1", credentials: LOCAL_CLIENT.credentials, endpoint: setup.endpoint });
        let error: unknown;
        try {
            await wrong.receive({ maxMessages: 1, waitSeconds: 0 });
        } catch (err) {
            error = err;
        }
        expect(error).to.have.property("type", "QueueDoesNotExist");
        await setup.sqs.stop();
    });
});
