import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { expect } from "chai";
import type { Job } from "../../../apps/translate/src/jobs";
import { createStatusHandler } from "../../../apps/translate/src/status";
import { TranslationStore } from "../../../apps/translate/src/store";
import { createSubmitHandler, JobPublisher } from "../../../apps/translate/src/submit";
import { TranslationError, Translator } from "../../../apps/translate/src/translator";
import { createWorker } from "../../../apps/translate/src/worker";
import { IDEMPOTENCY_TABLE_KEY, TRANSLATIONS_TABLE_KEY } from "../../../platform/apps/translate";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { apiEvent, createTable, lambdaContext, quietObservability, sqsEvent, sqsRecord, startDynalite } from "../lambda-helpers";

/** A translator that counts its calls, refuses some languages for good and throttles others until told not to. */
class FakeTranslator implements Translator {
    readonly calls: string[] = [];
    throttled = new Set<string>();
    constructor(private readonly unsupported = new Set<string>()) {}

    translate(text: string, _source: string, target: string): Promise<string> {
        this.calls.push(target);
        if (this.unsupported.has(target)) return Promise.reject(new TranslationError(`UnsupportedLanguagePairException: ${target}`, true));
        if (this.throttled.has(target)) return Promise.reject(new TranslationError("ThrottlingException: slow down", false));
        return Promise.resolve(`[${target}] ${text}`);
    }
}

/** Captures jobs instead of publishing them; the test plays SNS → SQS. */
class CapturingPublisher implements JobPublisher {
    readonly jobs: Job[] = [];
    publish(jobs: Job[]): Promise<string[]> {
        this.jobs.push(...jobs);
        return Promise.resolve([]);
    }
}

/**
 * The asynchronous route end to end against dynalite on loopback (tables with the program's key
 * schemas): submit stores and publishes, the worker translates each job once, status reports.
 */
describe("translate pipeline against a local DynamoDB (dynalite)", function () {
    this.timeout(20_000);
    let local: Awaited<ReturnType<typeof startDynalite>>;
    let documents: DynamoDBDocumentClient;
    let tableIndex = 0;
    before(async () => {
        local = await startDynalite();
        documents = DynamoDBDocumentClient.from(local.client);
    });
    after(() => local.stop());

    /** Fresh tables per test, the app's handlers over them. */
    async function pipeline(translator: Translator, options: { maxReceiveCount?: number } = {}) {
        tableIndex += 1;
        const requests = `requests-${tableIndex}`;
        const idempotency = `idempotency-${tableIndex}`;
        await createTable(local.client, requests, TRANSLATIONS_TABLE_KEY);
        await createTable(local.client, idempotency, IDEMPOTENCY_TABLE_KEY);
        const store = new TranslationStore(documents, requests, 30);
        const publisher = new CapturingPublisher();
        const submit = createSubmitHandler({ ...quietObservability(), store, publisher, limits: { maxCultures: 10, maxTextBytes: 10_000 } });
        const worker = createWorker({ ...quietObservability(), store, translator, persistenceStore: new DynamoDBPersistenceLayer({ tableName: idempotency, awsSdkV3Client: local.client }), ...options });
        const status = createStatusHandler({ ...quietObservability(), store });
        const accept = async (cultures: string[]) => {
            const response = await submit(apiEvent({ body: JSON.stringify({ data: "Hello", culture: cultures }) }), lambdaContext());
            expect(response.statusCode).to.equal(202);
            return JSON.parse(response.body).id as string;
        };
        const read = async (id: string) => JSON.parse((await status(apiEvent({ pathParameters: { id } }), lambdaContext())).body);
        const records = () => publisher.jobs.map((job, index) => sqsRecord(`msg-${index}`, JSON.stringify(job)));
        return { accept, read, worker, records, store, requests };
    }

    it("reports exactly the poison record as a batch item failure; the rest are written once and the request completes", async () => {
        const translator = new FakeTranslator();
        const p = await pipeline(translator);
        const id = await p.accept(["fr-FR", "tr-TR", "de-DE"]);
        expect(await p.read(id)).to.deep.include({ status: "PENDING", translations: {} });
        const poison = sqsRecord("poison", '{"requestId": "not-a-uuid"');
        const batch = sqsEvent(...p.records().slice(0, 2), poison, p.records()[2]);
        const response = await p.worker(batch, lambdaContext());
        expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: "poison" }]);
        expect(translator.calls.sort()).to.deep.equal(["de", "fr", "tr"]);
        const done = await p.read(id);
        expect(done).to.deep.include({ status: "COMPLETE", translations: { "fr-FR": "[fr] Hello", "tr-TR": "[tr] Hello", "de-DE": "[de] Hello" } });
        expect(done).to.not.have.property("errors");
    });

    it("does not translate twice when SQS or SNS delivers the same jobs again", async () => {
        const translator = new FakeTranslator();
        const p = await pipeline(translator);
        const id = await p.accept(["fr-FR", "tr-TR"]);
        await p.worker(sqsEvent(...p.records()), lambdaContext());
        // A redelivery (same messages) and an SNS duplicate (same job, new message id).
        const again = await p.worker(sqsEvent(...p.records(), sqsRecord("dup", p.records()[0].body)), lambdaContext("req-2"));
        expect(again.batchItemFailures).to.deep.equal([]);
        expect(translator.calls.sort()).to.deep.equal(["fr", "tr"]);
        expect((await p.read(id)).status).to.equal("COMPLETE");
    });

    it("retries only the throttled culture (batch item failure), and completes when the retry succeeds", async () => {
        const translator = new FakeTranslator();
        translator.throttled.add("tr");
        const p = await pipeline(translator);
        const id = await p.accept(["fr-FR", "tr-TR"]);
        const first = await p.worker(sqsEvent(...p.records()), lambdaContext());
        expect(first.batchItemFailures).to.deep.equal([{ itemIdentifier: "msg-1" }]);
        expect(await p.read(id)).to.deep.include({ status: "PENDING", translations: { "fr-FR": "[fr] Hello" } });
        translator.throttled.clear();
        // SQS redelivers only the failed message after the visibility timeout.
        const retry = await p.worker(sqsEvent(p.records()[1]), lambdaContext("req-2"));
        expect(retry.batchItemFailures).to.deep.equal([]);
        expect(translator.calls).to.deep.equal(["fr", "tr", "tr"]);
        expect((await p.read(id)).status).to.equal("COMPLETE");
    });

    it("ends PARTIAL when Translate refuses a language for good (recorded, not retried), FAILED when it refuses all", async () => {
        const translator = new FakeTranslator(new Set(["cy", "ga"]));
        const p = await pipeline(translator);
        const partial = await p.accept(["fr-FR", "cy-GB"]);
        const response = await p.worker(sqsEvent(...p.records()), lambdaContext());
        expect(response.batchItemFailures).to.deep.equal([]);
        const read = await p.read(partial);
        expect(read.status).to.equal("PARTIAL");
        expect(read.errors["cy-GB"]).to.match(/UnsupportedLanguagePairException/);
        const failed = await p.accept(["ga-IE"]);
        await p.worker(sqsEvent(p.records()[2]), lambdaContext("req-3"));
        expect((await p.read(failed)).status).to.equal("FAILED");
    });

    it("records an outcome once even without the idempotency layer (conditional update), and never counts it twice", async () => {
        const p = await pipeline(new FakeTranslator());
        const id = await p.accept(["fr-FR", "tr-TR"]);
        expect(await p.store.record(id, "fr-FR", { translation: "un" })).to.equal("recorded");
        expect(await p.store.record(id, "fr-FR", { translation: "deux" })).to.equal("duplicate");
        const item = await p.store.get(id);
        expect(item).to.deep.include({ remaining: 1, status: "PENDING", translations: { "fr-FR": "un" } });
        expect(await p.store.record("00000000-0000-4000-8000-000000000000", "fr-FR", { translation: "x" })).to.equal("missing");
    });

    it("records a culture failing transiently on its last delivery as failed, so the request finishes instead of staying PENDING", async () => {
        const translator = new FakeTranslator();
        translator.throttled.add("tr");
        const p = await pipeline(translator, { maxReceiveCount: 3 });
        const id = await p.accept(["fr-FR", "tr-TR"]);
        const delivery = (messageId: string, receiveCount: number) => ({ ...p.records()[1], messageId, attributes: { ...p.records()[1].attributes, ApproximateReceiveCount: String(receiveCount) } });
        expect((await p.worker(sqsEvent(p.records()[0], delivery("tr-2", 2)), lambdaContext())).batchItemFailures).to.deep.equal([{ itemIdentifier: "tr-2" }]);
        expect((await p.read(id)).status).to.equal("PENDING");
        expect((await p.worker(sqsEvent(delivery("tr-3", 3)), lambdaContext("req-2"))).batchItemFailures).to.deep.equal([]);
        const read = await p.read(id);
        expect(read).to.deep.include({ status: "PARTIAL", translations: { "fr-FR": "[fr] Hello" } });
        expect(read.errors["tr-TR"]).to.match(/not translated after 3 attempts: ThrottlingException/);
    });

    it("finishes a request whose last outcome was stored by an attempt that failed before setting the status", async () => {
        const p = await pipeline(new FakeTranslator());
        const id = await p.accept(["fr-FR"]);
        // The outcome landed and remaining reached 0, but the final update never ran.
        await documents.send(
            new UpdateCommand({
                TableName: p.requests,
                Key: { id },
                UpdateExpression: "SET translations.#c = :t, remaining = :zero",
                ExpressionAttributeNames: { "#c": "fr-FR" },
                ExpressionAttributeValues: { ":t": "bonjour", ":zero": 0 },
            }),
        );
        expect((await p.read(id)).status).to.equal("PENDING");
        expect((await p.worker(sqsEvent(...p.records()), lambdaContext())).batchItemFailures).to.deep.equal([]);
        expect(await p.read(id)).to.deep.include({ status: "COMPLETE", translations: { "fr-FR": "bonjour" } });
    });

    it("records a translation that would pass DynamoDB's 400 KB item limit as that culture's error, without retrying", async () => {
        const calls: string[] = [];
        const bulky: Translator = { translate: (_text, _source, target) => (calls.push(target), Promise.resolve(`${target} ${"x".repeat(250_000)}`)) };
        const p = await pipeline(bulky);
        const id = await p.accept(["fr-FR", "tr-TR"]);
        const response = await p.worker(sqsEvent(...p.records()), lambdaContext());
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(calls).to.deep.equal(["fr", "tr"]);
        const read = await p.read(id);
        expect(read.status).to.equal("PARTIAL");
        expect(Object.keys(read.translations)).to.deep.equal(["fr-FR"]);
        expect(read.errors["tr-TR"]).to.match(/too large to store/);
    });

    it("treats an expired request as gone before DynamoDB's TTL deletes it (status 404, jobs dropped)", async () => {
        const translator = new FakeTranslator();
        const p = await pipeline(translator);
        const id = await p.accept(["fr-FR"]);
        const later = new TranslationStore(documents, p.requests, 30, () => new Date(Date.now() + 31 * 24 * 3600 * 1000));
        expect(await later.get(id)).to.equal(undefined);
        const lateStatus = createStatusHandler({ ...quietObservability(), store: later });
        expect((await lateStatus(apiEvent({ pathParameters: { id } }), lambdaContext())).statusCode).to.equal(404);
        const lateWorker = createWorker({ ...quietObservability(), store: later, translator, persistenceStore: new DynamoDBPersistenceLayer({ tableName: `idempotency-${tableIndex}`, awsSdkV3Client: local.client }) });
        expect((await lateWorker(sqsEvent(...p.records()), lambdaContext())).batchItemFailures).to.deep.equal([]);
        expect(translator.calls).to.deep.equal([]);
        expect((await p.store.get(id))?.status).to.equal("PENDING");
    });
});
