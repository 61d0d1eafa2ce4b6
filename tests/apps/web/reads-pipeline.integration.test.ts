import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { expect } from "chai";
import type { Job } from "../../../apps/translate/src/jobs";
import { TranslationStore as PipelineStore } from "../../../apps/translate/src/store";
import { createSubmitHandler } from "../../../apps/translate/src/submit";
import { createWorker } from "../../../apps/translate/src/worker";
import { loadConfig } from "../../../apps/web/src/config";
import { DynamoDbTranslationStore } from "../../../apps/web/src/dynamodb-store";
import { IDEMPOTENCY_TABLE_KEY, TRANSLATIONS_TABLE_KEY } from "../../../platform/apps/translate";
import { apiEvent, createTable, lambdaContext, quietObservability, sqsEvent, sqsRecord } from "../lambda-helpers";
import { LOCAL_CLIENT, type LocalPeer, startDynalite } from "../local-peers";
import { get, startApp, stopAll } from "./helpers";

/**
 * The binding the shipped stacks declare (`tables.TRANSLATIONS_TABLE: { ref: translate.requests }`)
 * end to end: the translate pipeline's submit and worker write a request into a dynalite table
 * created with the program's key schema, and the web app, configured only from the variables the
 * binding gives it, serves that translation over HTTP.
 */
describe("apps/web reads what the translate pipeline wrote (dynalite)", function () {
    this.timeout(30_000);
    let local: LocalPeer;
    let client: DynamoDBClient;
    const saved: Record<string, string | undefined> = {};
    before(async () => {
        local = await startDynalite();
        client = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: local.endpoint, maxAttempts: 1 });
        // The web app resolves credentials as in AWS (the SDK's default chain); locally from the environment.
        for (const [name, value] of Object.entries({ AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" })) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
    });
    after(async () => {
        await stopAll();
        client.destroy();
        await local.close();
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    });

    it("serves GET /translations/<id> with the cultures the worker translated", async () => {
        await createTable(client, "platform-dev-translate-requests", TRANSLATIONS_TABLE_KEY);
        await createTable(client, "platform-dev-translate-idempotency", IDEMPOTENCY_TABLE_KEY);
        const documents = DynamoDBDocumentClient.from(client);
        const pipelineStore = new PipelineStore(documents, "platform-dev-translate-requests", 30);
        const jobs: Job[] = [];
        const submit = createSubmitHandler({
            ...quietObservability(),
            store: pipelineStore,
            publisher: { publish: (batch: Job[]) => (jobs.push(...batch), Promise.resolve([])) },
            limits: { maxCultures: 10, maxTextBytes: 10_000 },
        });
        const worker = createWorker({
            ...quietObservability(),
            store: pipelineStore,
            translator: { translate: (text: string, _source: string, target: string) => Promise.resolve(`[${target}] ${text}`) },
            persistenceStore: new DynamoDBPersistenceLayer({ tableName: "platform-dev-translate-idempotency", awsSdkV3Client: client }),
        });
        const accepted = await submit(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "de-DE"] }) }), lambdaContext());
        expect(accepted.statusCode).to.equal(202);
        const id = JSON.parse(accepted.body).id as string;
        const result = await worker(sqsEvent(...jobs.map((job, index) => sqsRecord(`msg-${index}`, JSON.stringify(job)))), lambdaContext());
        expect(result.batchItemFailures).to.deep.equal([]);

        // What the task definition / pod spec hands the web app: the bound table's name and the region.
        const config = loadConfig({ TRANSLATIONS_TABLE: "platform-dev-translate-requests", AWS_REGION: "eu-west-1", DYNAMODB_ENDPOINT: local.endpoint });
        expect(config.store).to.deep.include({ kind: "dynamodb", table: "platform-dev-translate-requests" });
        if (config.store.kind !== "dynamodb") throw new Error("unreachable");
        const store = new DynamoDbTranslationStore({ tableName: config.store.table, region: config.store.region, endpoint: config.store.endpoint, maxAttempts: 1 });
        const { port } = await startApp(store);

        const response = await get(port, `/translations/${id}`);
        expect(response.status).to.equal(200);
        expect(response.json).to.deep.include({ id, status: "COMPLETE", translations: { "fr-FR": "[fr] Hello", "de-DE": "[de] Hello" } });
        expect((await get(port, "/translations/00000000-0000-4000-8000-00000000abcd")).status).to.equal(404);
    });
});
