import { Logger } from "@aws-lambda-powertools/logger";
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { KinesisStreamEvent } from "aws-lambda";
import { expect } from "chai";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { gunzipSync } from "node:zlib";
import { createConsumer, MAX_INLINE_PAYLOAD_BYTES } from "../../../apps/ingest/src/consumer";
import { LocalPeer, LOCAL_CLIENT, startDynalite, startKinesalite } from "../local-peers";

const STREAM = "platform-dev-ingest";

describe("ingest consumer (kinesalite and dynalite on loopback)", function () {
    this.timeout(20_000);
    let kinesisPeer: LocalPeer;
    let dynamoPeer: LocalPeer;
    let kinesis: KinesisClient;
    let dynamodb: DynamoDBClient;
    let event: KinesisStreamEvent;
    let tables = 0;
    const sequenceOf: Record<string, string> = {};
    // A 64-bit id, beyond Number.MAX_SAFE_INTEGER: must be stored with every digit.
    const BIG_ID_BODY = '{"type":"order.created","orderId":18446744073709551615}';
    // Over one item's worth, but compressible (as JSON is).
    const LARGE_BODY = JSON.stringify({ type: "report", rows: Array.from({ length: 14_000 }, (_, i) => ({ row: i, status: "ok" })) });

    /** What a webhook call becomes on the stream: the raw body, keyed by `<account>/<idempotency key>`. */
    async function put(partitionKey: string, body: string, label: string) {
        // The webhook's request template base64-encodes the key (apps/ingest/integration.ts).
        const answer = await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: Buffer.from(partitionKey).toString("base64"), Data: Buffer.from(body) }));
        sequenceOf[label] = answer.SequenceNumber!;
    }

    /** Each test gets its own empty table and consumer: none relies on another having run. */
    async function freshConsumer(metricNames: string[] = []) {
        const tableName = `platform-dev-ingest-events-${++tables}`;
        await dynamodb.send(
            new CreateTableCommand({
                TableName: tableName,
                BillingMode: "PAY_PER_REQUEST",
                AttributeDefinitions: [{ AttributeName: "eventId", AttributeType: "S" }],
                KeySchema: [{ AttributeName: "eventId", KeyType: "HASH" }],
            }),
        );
        const metrics = { addMetric: (name: string) => metricNames.push(name) } as unknown as Metrics;
        const consume = createConsumer({ documents: DynamoDBDocumentClient.from(dynamodb), tableName, logger: new Logger({ logLevel: "SILENT" }), metrics });
        const storedItems = async () => ((await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? []).map((item) => unmarshall(item));
        return { consume, storedItems };
    }

    before(async () => {
        [kinesisPeer, dynamoPeer] = await Promise.all([startKinesalite(), startDynalite()]);
        // kinesalite speaks HTTP/1.1 only; the SDK's Kinesis client defaults to HTTP/2.
        kinesis = new KinesisClient({ ...LOCAL_CLIENT, endpoint: kinesisPeer.endpoint, requestHandler: new NodeHttpHandler() });
        dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: dynamoPeer.endpoint });
        await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));

        await put("111122223333/order-1", JSON.stringify({ type: "order.created", orderId: 1 }), "first");
        await put("111122223333/order-2", JSON.stringify({ type: "order.created", orderId: 2 }), "second");
        await put("111122223333/req-poison", "{not json", "poison");
        await put("111122223333/order-3", BIG_ID_BODY, "third");
        // The sender resent order-1 (same idempotency key): a second record on the stream.
        await put("111122223333/order-1", JSON.stringify({ type: "order.created", orderId: 1 }), "resent");
        await put("111122223333/req-array", "[1,2]", "array");
        // Another tenant uses the same key: another event.
        await put("444455556666/order-1", JSON.stringify({ type: "order.created", orderId: 9001 }), "otherTenant");
        // The first tenant reuses order-2 for a different body: kept out, but counted.
        await put("111122223333/order-2", JSON.stringify({ type: "order.cancelled", orderId: 2 }), "conflicting");
        await put("111122223333/report-1", LARGE_BODY, "large");

        // Read the shard as Lambda's poller does and build the event it would deliver.
        const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: STREAM }));
        const shardId = Shards![0].ShardId!;
        const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
        const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 100 }));
        const streamArn = `arn:aws:kinesis:eu-west-1:123456789012:stream/${STREAM}`;
        event = {
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
                eventID: `${shardId}:${record.SequenceNumber!}`,
                eventName: "aws:kinesis:record",
                invokeIdentityArn: "arn:aws:iam::123456789012:role/ingest-consumer",
                awsRegion: "eu-west-1",
                eventSourceARN: streamArn,
            })),
        };
    });
    after(async () => {
        kinesis.destroy();
        dynamodb.destroy();
        await Promise.all([kinesisPeer.close(), dynamoPeer.close()]);
    });

    it("reads back every record put on the stream, in order", () => {
        expect(event.Records.map((record) => record.kinesis.sequenceNumber)).to.deep.equal(
            ["first", "second", "poison", "third", "resent", "array", "otherTenant", "conflicting", "large"].map((label) => sequenceOf[label]),
        );
    });

    it("reports the records that are not JSON objects as batch item failures, by sequence number", async () => {
        const { consume } = await freshConsumer();
        const response = await consume(event);
        expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: sequenceOf.poison }, { itemIdentifier: sequenceOf.array }]);
    });

    it("writes every other event exactly once, keyed by account and idempotency key, the first delivery winning", async () => {
        const { consume, storedItems } = await freshConsumer();
        await consume(event);
        const items = await storedItems();
        expect(items.map((item) => item.eventId).sort()).to.deep.equal(["111122223333/order-1", "111122223333/order-2", "111122223333/order-3", "111122223333/report-1", "444455556666/order-1"]);
        const first = items.find((item) => item.eventId === "111122223333/order-1")!;
        expect(first.sequenceNumber).to.equal(sequenceOf.first);
        expect(first.payload).to.equal(JSON.stringify({ type: "order.created", orderId: 1 }));
        expect(first.shardRecordId).to.equal(`shardId-000000000000:${sequenceOf.first}`);
        expect(Date.parse(first.receivedAt)).to.be.closeTo(Date.now(), 60_000);
        expect(items.find((item) => item.eventId === "444455556666/order-1")!.payload).to.equal(JSON.stringify({ type: "order.created", orderId: 9001 }));
    });

    it("stores the body verbatim: a 64-bit integer keeps every digit", async () => {
        const { consume, storedItems } = await freshConsumer();
        await consume(event);
        const stored = (await storedItems()).find((item) => item.eventId === "111122223333/order-3")!;
        expect(stored.payload).to.equal(BIG_ID_BODY);
    });

    it("stores a body too big for one item gzip-compressed, byte for byte", async () => {
        expect(Buffer.byteLength(LARGE_BODY)).to.be.greaterThan(MAX_INLINE_PAYLOAD_BYTES);
        const { consume, storedItems } = await freshConsumer();
        await consume(event);
        const stored = (await storedItems()).find((item) => item.eventId === "111122223333/report-1")!;
        expect(stored).to.not.have.property("payload");
        expect(gunzipSync(stored.payloadGzip).toString("utf8")).to.equal(LARGE_BODY);
    });

    it("reports a body too big even compressed as a batch item failure, naming its size", async () => {
        const { consume } = await freshConsumer();
        // Random bytes do not compress: base64 of them inside a JSON string.
        const incompressible = JSON.stringify({ blob: Buffer.from(Array.from({ length: 400_000 }, () => Math.floor(Math.random() * 256))).toString("base64") });
        const record = { ...event.Records[0], kinesis: { ...event.Records[0].kinesis, sequenceNumber: "too-big", data: Buffer.from(incompressible).toString("base64") } };
        const response = await consume({ Records: [event.Records[0], record] });
        expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: "too-big" }]);
    });

    it("counts a key reused for a different body as ConflictingDuplicate, a plain resend as DuplicateEvents, and keeps the first body", async () => {
        const metricNames: string[] = [];
        const { consume, storedItems } = await freshConsumer(metricNames);
        await consume(event);
        expect(metricNames.filter((name) => name === "ConflictingDuplicate")).to.have.length(1);
        expect(metricNames.filter((name) => name === "DuplicateEvents")).to.have.length(1);
        expect((await storedItems()).find((item) => item.eventId === "111122223333/order-2")!.payload).to.equal(JSON.stringify({ type: "order.created", orderId: 2 }));
    });

    it("is a no-op when Lambda redelivers the same batch (a retry after the partial failure)", async () => {
        const { consume, storedItems } = await freshConsumer();
        await consume(event);
        const before = await storedItems();
        const response = await consume(event);
        expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).to.deep.equal([sequenceOf.poison, sequenceOf.array]);
        expect(await storedItems()).to.have.deep.members(before);
    });

    it("fails the whole invocation when no record can be written (table unreachable), so Lambda retries the batch instead of dropping it", async () => {
        const broken = createConsumer({ documents: DynamoDBDocumentClient.from(dynamodb), tableName: "no-such-table", logger: new Logger({ logLevel: "SILENT" }) });
        const good = { Records: [event.Records[1]] };
        const response = await broken(good).catch((error: Error) => error);
        // Every record failed: Powertools throws so that Lambda retries the whole batch.
        expect(response).to.be.instanceOf(Error);
        expect((response as Error).name).to.equal("FullBatchFailureError");
    });
});
