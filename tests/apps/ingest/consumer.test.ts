import { Logger } from "@aws-lambda-powertools/logger";
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { KinesisStreamEvent } from "aws-lambda";
import { expect } from "chai";
import { createConsumer } from "../../../apps/ingest/src/consumer";
import { LocalPeer, LOCAL_CLIENT, startDynalite, startKinesalite } from "../local-peers";

const STREAM = "platform-dev-ingest";
const TABLE = "platform-dev-ingest-events";

describe("ingest consumer (kinesalite and dynalite on loopback)", function () {
    this.timeout(20_000);
    let kinesisPeer: LocalPeer;
    let dynamoPeer: LocalPeer;
    let kinesis: KinesisClient;
    let dynamodb: DynamoDBClient;
    let consume: ReturnType<typeof createConsumer>;
    let event: KinesisStreamEvent;
    const sequenceOf: Record<string, string> = {};

    /** What a webhook call becomes on the stream: the raw body, keyed by its idempotency key. */
    async function put(partitionKey: string, body: string, label: string) {
        // The webhook's request template base64-encodes the key (apps/ingest/integration.ts).
        const answer = await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: Buffer.from(partitionKey).toString("base64"), Data: Buffer.from(body) }));
        sequenceOf[label] = answer.SequenceNumber!;
    }

    async function storedItems() {
        const answer = await dynamodb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
        return (answer.Items ?? []).map((item) => unmarshall(item));
    }

    before(async () => {
        [kinesisPeer, dynamoPeer] = await Promise.all([startKinesalite(), startDynalite()]);
        // kinesalite speaks HTTP/1.1 only; the SDK's Kinesis client defaults to HTTP/2.
        kinesis = new KinesisClient({ ...LOCAL_CLIENT, endpoint: kinesisPeer.endpoint, requestHandler: new NodeHttpHandler() });
        dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: dynamoPeer.endpoint });
        await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
        await dynamodb.send(new CreateTableCommand({ TableName: TABLE, BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "eventId", AttributeType: "S" }], KeySchema: [{ AttributeName: "eventId", KeyType: "HASH" }] }));
        consume = createConsumer({ documents: DynamoDBDocumentClient.from(dynamodb), tableName: TABLE, logger: new Logger({ logLevel: "SILENT" }) });

        await put("order-1", JSON.stringify({ type: "order.created", orderId: 1 }), "first");
        await put("order-2", JSON.stringify({ type: "order.created", orderId: 2 }), "second");
        await put("req-poison", "{not json", "poison");
        await put("order-3", JSON.stringify({ type: "order.paid", orderId: 3 }), "third");
        // The sender resent order-1 (same idempotency key): a second record on the stream.
        await put("order-1", JSON.stringify({ type: "order.created", orderId: 1 }), "resent");
        await put("req-array", "[1,2]", "array");

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
        expect(event.Records.map((record) => record.kinesis.sequenceNumber)).to.deep.equal(["first", "second", "poison", "third", "resent", "array"].map((label) => sequenceOf[label]));
    });

    it("reports the records that are not JSON objects as batch item failures, by sequence number", async () => {
        const response = await consume(event);
        expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: sequenceOf.poison }, { itemIdentifier: sequenceOf.array }]);
    });

    it("writes every other event exactly once, keyed by its idempotency key, the first delivery winning", async () => {
        const items = await storedItems();
        expect(items.map((item) => item.eventId).sort()).to.deep.equal(["order-1", "order-2", "order-3"]);
        const first = items.find((item) => item.eventId === "order-1")!;
        expect(first.sequenceNumber).to.equal(sequenceOf.first);
        expect(first.payload).to.deep.equal({ type: "order.created", orderId: 1 });
        expect(first.shardRecordId).to.equal(`shardId-000000000000:${sequenceOf.first}`);
        expect(Date.parse(first.receivedAt)).to.be.closeTo(Date.now(), 60_000);
    });

    it("is a no-op when Lambda redelivers the same batch (a retry after the partial failure)", async () => {
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
