import { Logger } from "@aws-lambda-powertools/logger";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { expect } from "chai";
import { render } from "velocityjs";
import { ACCEPTED_RESPONSE_TEMPLATE, KINESIS_THROTTLING_ERROR_TYPES, putRecordRequestTemplate } from "../../../apps/ingest/integration";
import { serviceClientErrorTemplate, THROTTLED_RETRY_AFTER_SECONDS } from "../../../platform/serverless/api";
import { createConsumer } from "../../../apps/ingest/src/consumer";
import { LocalPeer, LOCAL_CLIENT, startDynalite, startKinesalite } from "../local-peers";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** API Gateway's template variables, as far as the templates use them. */
function gateway(request: { headers?: Record<string, string>; body: string; requestId?: string; accountId?: string }, integrationResponse = "{}") {
    return {
        input: {
            params: (name: string) => request.headers?.[name] ?? "",
            body: request.body,
            path: (path: string) => (path === "$.SequenceNumber" ? JSON.parse(integrationResponse).SequenceNumber : undefined),
        },
        util: {
            base64Encode: (value: string) => Buffer.from(value, "utf8").toString("base64"),
        },
        context: { requestId: request.requestId ?? "c0ffee00-0000-4000-8000-000000000001", identity: { accountId: request.accountId ?? "111122223333" } },
    };
}

describe("ingest webhook: the API Gateway -> Kinesis mapping templates", () => {
    const template = putRecordRequestTemplate("platform-dev-ingest");

    it("writes the body as it came to the named stream, partitioned by the caller's account and Idempotency-Key", () => {
        const body = JSON.stringify({ type: "order.created", orderId: 7, note: 'ünïcode "quoted"' });
        const request = JSON.parse(render(template, gateway({ headers: { "Idempotency-Key": "order-7" }, body })));
        expect(request).to.deep.equal({ StreamName: "platform-dev-ingest", PartitionKey: b64("111122223333/order-7"), Data: Buffer.from(body).toString("base64") });
        expect(Buffer.from(request.Data, "base64").toString("utf8")).to.equal(body);
    });

    it("falls back to API Gateway's request id as the key without the header", () => {
        const request = JSON.parse(render(template, gateway({ body: "{}", requestId: "req-123" })));
        expect(request.PartitionKey).to.equal(b64("111122223333/req-123"));
    });

    it("scopes the key to the calling account: two tenants' same key are two events", () => {
        const keys = ["111122223333", "444455556666"].map((accountId) => JSON.parse(render(template, gateway({ headers: { "Idempotency-Key": "order-1" }, body: "{}", accountId }))).PartitionKey);
        expect(keys).to.deep.equal([b64("111122223333/order-1"), b64("444455556666/order-1")]);
    });

    it("keeps the request valid JSON whatever the key holds (quotes, backslashes)", () => {
        const key = `it's "a\\b"`;
        const request = JSON.parse(render(template, gateway({ headers: { "Idempotency-Key": key }, body: "{}" })));
        expect(Buffer.from(request.PartitionKey, "base64").toString("utf8")).to.equal(`111122223333/${key}`);
    });

    it("refuses a stream name that could break out of the template", () => {
        expect(() => putRecordRequestTemplate('x", "Evil": "')).to.throw("not a Kinesis stream name");
    });

    it("answers 200 with the sequence number as a receipt, without the shard or stream", () => {
        const accepted = JSON.parse(render(ACCEPTED_RESPONSE_TEMPLATE, gateway({ body: "{}", requestId: "req-9" }, JSON.stringify({ SequenceNumber: "4959", ShardId: "shardId-000000000003" }))));
        expect(accepted).to.deep.equal({ accepted: true, sequenceNumber: "4959", requestId: "req-9" });
        expect(ACCEPTED_RESPONSE_TEMPLATE).to.not.match(/shard|stream/i);
    });

    describe("Kinesis' 400 answers: throttling becomes 503 + Retry-After, anything else stays 400", () => {
        const clientError = serviceClientErrorTemplate(KINESIS_THROTTLING_ERROR_TYPES);
        /** Renders the 400 integration response for Kinesis' error body; returns what the caller gets. */
        const answer = (kinesisBody: Record<string, unknown>) => {
            const responseOverride: { status?: number; header: Record<string, string> } = { header: {} };
            const body = render(clientError, {
                input: { path: (path: string) => (path === "$.__type" ? kinesisBody.__type : undefined) },
                context: { requestId: "req-7", responseOverride },
            });
            return { status: responseOverride.status ?? 400, headers: responseOverride.header, body: JSON.parse(body) };
        };

        for (const type of ["ProvisionedThroughputExceededException", "KMSThrottlingException", "LimitExceededException", "com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException"]) {
            it(`${type}: 503, Retry-After ${THROTTLED_RETRY_AFTER_SECONDS} s`, () => {
                const got = answer({ __type: type, message: "Rate exceeded for shard shardId-000000000001 in stream platform-prod-ingest" });
                expect(got.status).to.equal(503);
                expect(got.headers).to.deep.equal({ "Retry-After": String(THROTTLED_RETRY_AFTER_SECONDS) });
                expect(got.body).to.deep.equal({ message: `the service is busy: retry after ${THROTTLED_RETRY_AFTER_SECONDS} s`, requestId: "req-7" });
            });
        }

        for (const kinesisBody of [{ __type: "ValidationException", message: "1 validation error detected" }, { __type: "ResourceNotFoundException" }, { __type: "NotProvisionedThroughputExceededException" }, {}]) {
            it(`${kinesisBody.__type ?? "no __type"}: stays 400, no Retry-After, the service's message not echoed`, () => {
                const got = answer(kinesisBody);
                expect(got.status).to.equal(400);
                expect(got.headers).to.deep.equal({});
                expect(got.body).to.deep.equal({ message: "rejected by the service", requestId: "req-7" });
            });
        }
    });

    describe("end to end on loopback: rendered request -> kinesalite -> consumer -> dynalite", function () {
        this.timeout(20_000);
        let kinesisPeer: LocalPeer;
        let dynamoPeer: LocalPeer;
        let kinesis: KinesisClient;
        let dynamodb: DynamoDBClient;

        before(async () => {
            [kinesisPeer, dynamoPeer] = await Promise.all([startKinesalite(), startDynalite()]);
            kinesis = new KinesisClient({ ...LOCAL_CLIENT, endpoint: kinesisPeer.endpoint, requestHandler: new NodeHttpHandler() });
            dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: dynamoPeer.endpoint });
            await kinesis.send(new CreateStreamCommand({ StreamName: "platform-dev-ingest", ShardCount: 1 }));
            await dynamodb.send(
                new CreateTableCommand({
                    TableName: "events",
                    BillingMode: "PAY_PER_REQUEST",
                    AttributeDefinitions: [{ AttributeName: "eventId", AttributeType: "S" }],
                    KeySchema: [{ AttributeName: "eventId", KeyType: "HASH" }],
                }),
            );
        });
        after(async () => {
            kinesis.destroy();
            dynamodb.destroy();
            await Promise.all([kinesisPeer.close(), dynamoPeer.close()]);
        });

        it("stores a webhook sent twice with the same key once", async () => {
            const body = JSON.stringify({ type: "invoice.paid", invoice: "in_1" });
            for (let attempt = 0; attempt < 2; attempt++) {
                const request = JSON.parse(render(template, gateway({ headers: { "Idempotency-Key": "evt_42" }, body, requestId: `req-${attempt}` })));
                await kinesis.send(new PutRecordCommand({ StreamName: request.StreamName, PartitionKey: request.PartitionKey, Data: Buffer.from(request.Data, "base64") }));
            }
            const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: "platform-dev-ingest", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
            const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
            expect(Records).to.have.length(2);
            const consume = createConsumer({ documents: DynamoDBDocumentClient.from(dynamodb), tableName: "events", logger: new Logger({ logLevel: "SILENT" }) });
            const response = await consume({
                Records: Records!.map((record) => ({
                    kinesis: {
                        kinesisSchemaVersion: "1.0",
                        partitionKey: record.PartitionKey!,
                        sequenceNumber: record.SequenceNumber!,
                        data: Buffer.from(record.Data!).toString("base64"),
                        approximateArrivalTimestamp: record.ApproximateArrivalTimestamp!.getTime() / 1000,
                    },
                    eventSource: "aws:kinesis",
                    eventVersion: "1.0",
                    eventID: `shardId-000000000000:${record.SequenceNumber!}`,
                    eventName: "aws:kinesis:record",
                    invokeIdentityArn: "arn:aws:iam::123456789012:role/consumer",
                    awsRegion: "eu-west-1",
                    eventSourceARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/platform-dev-ingest",
                })),
            });
            expect(response.batchItemFailures).to.be.empty;
            const { Item } = await dynamodb.send(new GetItemCommand({ TableName: "events", Key: { eventId: { S: "111122223333/evt_42" } } }));
            expect(unmarshall(Item!)).to.deep.include({ eventId: "111122223333/evt_42", payload: body, sequenceNumber: Records![0].SequenceNumber });
        });
    });
});
