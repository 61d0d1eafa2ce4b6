import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { TranslateClient, TranslateTextCommand, UnsupportedLanguagePairException } from "@aws-sdk/client-translate";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { Logger } from "@aws-lambda-powertools/logger";
import { expect } from "chai";
import { createStatusHandler } from "../../../apps/translate/src/status";
import { createSubmitHandler, SnsJobPublisher } from "../../../apps/translate/src/submit";
import { createSyncHandler } from "../../../apps/translate/src/sync";
import { TranslationStore } from "../../../apps/translate/src/store";
import { AmazonTranslator } from "../../../apps/translate/src/translator";
import { apiEvent, lambdaContext, quietObservability } from "../lambda-helpers";

const limits = { maxCultures: 20, maxTextBytes: 10_000 };
const ID = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:jobs";
const body = (response: { body: string }) => JSON.parse(response.body);

describe("translate handlers (AWS SDK clients mocked)", () => {
    // mockClient patches every instance of the class: patch only while these tests run (a describe
    // body runs when mocha loads the files, before any test) and give the real clients back after.
    let translate: AwsClientStub<TranslateClient>;
    let documents: AwsClientStub<DynamoDBDocumentClient>;
    let sns: AwsClientStub<SNSClient>;
    before(() => {
        translate = mockClient(TranslateClient);
        documents = mockClient(DynamoDBDocumentClient);
        sns = mockClient(SNSClient);
    });
    after(() => {
        translate.restore();
        documents.restore();
        sns.restore();
    });
    beforeEach(() => {
        translate.reset();
        documents.reset();
        sns.reset();
    });
    const store = () => new TranslationStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" })), "requests", 30, () => new Date("2026-01-01T00:00:00Z"));

    describe("POST /translate (synchronous)", () => {
        const handler = () => createSyncHandler({ ...quietObservability(), limits, translator: new AmazonTranslator(new TranslateClient({ region: "eu-west-1" })) });

        it("answers 200 with one translation per culture, calling Translate with each culture's language", async () => {
            translate.on(TranslateTextCommand, { TargetLanguageCode: "fr" }).resolves({ TranslatedText: "Bonjour" });
            translate.on(TranslateTextCommand, { TargetLanguageCode: "tr" }).resolves({ TranslatedText: "Merhaba" });
            const response = await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "tr-TR"] }) }), lambdaContext());
            expect(response.statusCode).to.equal(200);
            expect(body(response)).to.deep.equal({ translations: { "fr-FR": "Bonjour", "tr-TR": "Merhaba" } });
            expect(translate.commandCalls(TranslateTextCommand).map((call) => call.args[0].input)).to.have.deep.members([
                { Text: "Hello", SourceLanguageCode: "auto", TargetLanguageCode: "fr" },
                { Text: "Hello", SourceLanguageCode: "auto", TargetLanguageCode: "tr" },
            ]);
        });

        it("reports a culture Translate refuses next to the ones it translated, and 502 when none worked", async () => {
            translate.on(TranslateTextCommand, { TargetLanguageCode: "fr" }).resolves({ TranslatedText: "Bonjour" });
            translate.on(TranslateTextCommand, { TargetLanguageCode: "cy" }).rejects(new UnsupportedLanguagePairException({ message: "no pair", $metadata: {} }));
            const partial = await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "cy-GB"] }) }), lambdaContext());
            expect(partial.statusCode).to.equal(200);
            expect(body(partial).errors["cy-GB"]).to.match(/^UnsupportedLanguagePairException/);
            translate.reset();
            translate.on(TranslateTextCommand).rejects(Object.assign(new Error("slow down"), { name: "ThrottlingException" }));
            const none = await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR"] }) }), lambdaContext("r-502"));
            expect(none.statusCode).to.equal(502);
            expect(body(none)).to.deep.equal({ message: "no culture could be translated", errors: { "fr-FR": "translation service unavailable, try again" }, requestId: "r-502" });
        });

        it("answers within the function's time: a culture still pending a second before the timeout is reported, the rest returned", async () => {
            const slow = {
                translate: (text: string, _source: string, target: string, signal?: AbortSignal) =>
                    target === "fr" ? Promise.resolve(`[fr] ${text}`) : new Promise<string>((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))),
            };
            const context = { ...lambdaContext("r-slow"), getRemainingTimeInMillis: () => 1150 };
            const started = Date.now();
            const response = await createSyncHandler({ ...quietObservability(), limits, translator: slow })(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "de-DE"] }) }), context);
            expect(Date.now() - started).to.be.lessThan(1000);
            expect(response.statusCode).to.equal(200);
            expect(body(response)).to.deep.equal({ translations: { "fr-FR": "[fr] Hello" }, errors: { "de-DE": "translation service unavailable, try again" } });
        });

        it("answers 400 with every problem and calls nothing", async () => {
            const response = await handler()(apiEvent({ body: JSON.stringify({ data: "", culture: ["xx-YY"] }) }), lambdaContext("r-400"));
            expect(response.statusCode).to.equal(400);
            expect(body(response)).to.deep.equal({
                message: "invalid request",
                errors: ['"data" is empty; expected the text to translate', 'culture "xx-YY" has no language Amazon Translate supports'],
                requestId: "r-400",
            });
            expect(translate.calls()).to.have.length(0);
        });
    });

    describe("POST /translations (asynchronous, storage first)", () => {
        const handler = () => createSubmitHandler({ ...quietObservability(), limits, store: store(), publisher: new SnsJobPublisher(new SNSClient({ region: "eu-west-1" }), TOPIC), newId: () => ID });

        it("stores the request PENDING before publishing one job per culture, and answers 202 with the id", async () => {
            documents.on(PutCommand).resolves({});
            sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
            const response = await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "tr-TR"] }) }), lambdaContext());
            expect(response.statusCode).to.equal(202);
            expect(body(response)).to.deep.equal({ id: ID, status: "PENDING", statusUrl: `/translations/${ID}` });
            expect(response.headers?.location).to.equal(`/translations/${ID}`);
            const put = documents.commandCalls(PutCommand)[0].args[0].input;
            expect(put.ConditionExpression).to.equal("attribute_not_exists(id)");
            expect(put.Item).to.deep.include({ id: ID, status: "PENDING", sourceText: "Hello", cultures: ["fr-FR", "tr-TR"], translations: {}, errors: {}, remaining: 2, createdAt: "2026-01-01T00:00:00.000Z" });
            expect(put.Item?.expiresAt).to.equal(Date.parse("2026-01-31T00:00:00Z") / 1000);
            const published = sns.commandCalls(PublishBatchCommand)[0].args[0].input;
            expect(published.TopicArn).to.equal(TOPIC);
            expect(published.PublishBatchRequestEntries?.map((entry) => [JSON.parse(entry.Message!), entry.MessageAttributes?.kind.StringValue])).to.deep.equal([
                [{ requestId: ID, culture: "fr-FR", language: "fr" }, "translation-job"],
                [{ requestId: ID, culture: "tr-TR", language: "tr" }, "translation-job"],
            ]);
            // Stored first: the item exists before any worker can look for it.
            expect(documents.commandCalls(PutCommand)[0].calledBefore(sns.commandCalls(PublishBatchCommand)[0] as any)).to.equal(true);
            // Behind the v1 stage, the status URL is relative to the host: it carries the stage.
            const staged = await handler()({ ...apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR"] }) }), requestContext: { stage: "v1" } as any }, lambdaContext());
            expect(body(staged).statusUrl).to.equal(`/v1/translations/${ID}`);
            expect(staged.headers?.location).to.equal(`/v1/translations/${ID}`);
        });

        it("does not carry one request's translationId into the next warm invocation's logs", async () => {
            documents.on(PutCommand).resolves({});
            sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
            const logger = new Logger({ serviceName: "test", logLevel: "INFO" });
            const submit = createSubmitHandler({ ...quietObservability(), logger, limits, store: store(), publisher: new SnsJobPublisher(new SNSClient({ region: "eu-west-1" }), TOPIC), newId: () => ID });
            const lines: string[] = [];
            const write = process.stdout.write.bind(process.stdout);
            process.stdout.write = (chunk: string | Uint8Array) => (lines.push(String(chunk)), true);
            try {
                await submit(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR"] }) }), lambdaContext());
                const accepted = lines.splice(0).map((line) => JSON.parse(line));
                await submit(apiEvent({ body: JSON.stringify({ data: "", culture: ["fr-FR"] }) }), lambdaContext("req-2"));
                const rejected = lines.map((line) => JSON.parse(line));
                expect(accepted.some((entry) => entry.translationId === ID)).to.equal(true);
                expect(rejected.map((entry) => entry.message)).to.include("request rejected");
                expect(rejected.filter((entry) => "translationId" in entry)).to.deep.equal([]);
            } finally {
                process.stdout.write = write;
            }
        });

        it("publishes in batches of 10 (SNS's PublishBatch limit)", async () => {
            documents.on(PutCommand).resolves({});
            sns.on(PublishBatchCommand).resolves({ Failed: [] });
            const cultures = ["fr-FR", "de-DE", "it-IT", "es-ES", "pt-PT", "nl-NL", "sv-SE", "da-DK", "fi-FI", "pl-PL", "cs-CZ", "tr-TR"];
            await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: cultures }) }), lambdaContext());
            expect(sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input.PublishBatchRequestEntries?.length)).to.deep.equal([10, 2]);
        });

        it("records a culture whose job SNS did not accept as failed, so the request still reaches a final status", async () => {
            documents.on(PutCommand).resolves({});
            sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }] });
            documents.on(UpdateCommand).resolves({ Attributes: { id: ID, status: "PENDING", remaining: 1, translations: {}, errors: { "tr-TR": "x" } } });
            const response = await handler()(apiEvent({ body: JSON.stringify({ data: "Hello", culture: ["fr-FR", "tr-TR"] }) }), lambdaContext());
            expect(response.statusCode).to.equal(202);
            const update = documents.commandCalls(UpdateCommand)[0].args[0].input;
            expect(update.ExpressionAttributeNames).to.deep.include({ "#target": "errors", "#culture": "tr-TR" });
            expect(update.ConditionExpression).to.contain("attribute_not_exists(#translations.#culture) AND attribute_not_exists(#errors.#culture)");
        });

        it("answers 400 without storing or publishing anything", async () => {
            const response = await handler()(apiEvent({ body: JSON.stringify({ data: "x".repeat(10_001), culture: ["fr-FR"] }) }), lambdaContext());
            expect(response.statusCode).to.equal(400);
            expect(documents.calls()).to.have.length(0);
            expect(sns.calls()).to.have.length(0);
        });
    });

    describe("GET /translations/{id}", () => {
        const handler = () => createStatusHandler({ ...quietObservability(), store: store() });

        it("answers the status and results with a consistent read, never the source text", async () => {
            documents.on(GetCommand).resolves({
                Item: {
                    id: ID,
                    status: "PARTIAL",
                    createdAt: "2026-01-01T00:00:00.000Z",
                    sourceText: "secret",
                    cultures: ["fr-FR", "cy-GB"],
                    translations: { "fr-FR": "Bonjour" },
                    errors: { "cy-GB": "no pair" },
                    remaining: 0,
                },
            });
            const response = await handler()(apiEvent({ pathParameters: { id: ID } }), lambdaContext());
            expect(response.statusCode).to.equal(200);
            expect(body(response)).to.deep.equal({ id: ID, status: "PARTIAL", createdAt: "2026-01-01T00:00:00.000Z", cultures: ["fr-FR", "cy-GB"], translations: { "fr-FR": "Bonjour" }, errors: { "cy-GB": "no pair" } });
            expect(documents.commandCalls(GetCommand)[0].args[0].input).to.deep.equal({ TableName: "requests", Key: { id: ID }, ConsistentRead: true });
        });

        it("answers 404 for an unknown id and 400 for something that is not an id", async () => {
            documents.on(GetCommand).resolves({});
            expect((await handler()(apiEvent({ pathParameters: { id: ID } }), lambdaContext())).statusCode).to.equal(404);
            const bad = await handler()(apiEvent({ pathParameters: { id: "../etc" } }), lambdaContext());
            expect(bad.statusCode).to.equal(400);
            expect(documents.commandCalls(GetCommand)).to.have.length(1);
        });
    });

    describe("the store's status transitions", () => {
        it("sets the final status only when the last culture lands, and treats a second outcome for a culture as a duplicate", async () => {
            documents
                .on(UpdateCommand, { UpdateExpression: "SET #target.#culture = :value, updatedAt = :now ADD remaining :minusOne" })
                .resolvesOnce({ Attributes: { id: ID, status: "PENDING", remaining: 0, translations: { "fr-FR": "Bonjour" }, errors: {} } });
            documents.on(UpdateCommand, { UpdateExpression: "SET #status = :final, updatedAt = :now" }).resolves({});
            expect(await store().record(ID, "fr-FR", { translation: "Bonjour" })).to.equal("recorded");
            const final = documents
                .commandCalls(UpdateCommand)
                .map((call) => call.args[0].input)
                .find((input) => input.UpdateExpression?.startsWith("SET #status"));
            expect(final?.ExpressionAttributeValues).to.deep.include({ ":final": "COMPLETE" });
            documents.reset();
            documents.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
            documents.on(GetCommand).resolves({ Item: { id: ID, status: "COMPLETE", remaining: 0, translations: { "fr-FR": "Bonjour" }, errors: {} } });
            expect(await store().record(ID, "fr-FR", { translation: "Bonjour again" })).to.equal("duplicate");
            expect(documents.commandCalls(UpdateCommand)).to.have.length(1);
        });
    });
});
