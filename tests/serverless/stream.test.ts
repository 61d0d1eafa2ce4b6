import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { Stream } from "../../platform/serverless/stream";
import { only } from "../helpers";
import { DATA_KEY, grantsOf, synthConstructs, TestGrantee } from "./data-constructs";

const CONSUMER_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:ingest-consumer";
const ALARMS = "arn:aws:sns:eu-west-1:123456789012:alarms";

describe("serverless Stream", () => {
    let resources: RecordedResource[];

    before(async () => {
        const result = await synthConstructs(() => {
            const onDemand = new Stream("ingest", { streamName: "platform-dev-ingest", mode: "on-demand", retentionHours: 168, kmsKeyArn: DATA_KEY, region: "eu-west-1", protect: true });
            new Stream("fixed", { streamName: "platform-dev-fixed", mode: "provisioned", shardCount: 4, retentionHours: 24, kmsKeyArn: DATA_KEY, region: "eu-west-1" });
            const writer = new TestGrantee("writer");
            onDemand.grantWrite(writer.grants, "WriteIngest");
            const consumer = new TestGrantee("consumer");
            onDemand.subscribe(
                { functionArn: CONSUMER_ARN, functionName: "ingest-consumer", grantee: consumer.grants, resource: consumer },
                { batchSize: 250, batchWindowSeconds: 5, maxRetries: 3, maxRecordAgeSeconds: 3600, parallelizationFactor: 2, alarmTopicArn: pulumi.output(ALARMS) },
            );
        });
        resources = result.cloud.resources;
    });

    it("encrypts records with the data key, keeps them for the retention asked for, and is protected when stateful", () => {
        const stream = only(resources, "aws:kinesis/stream:Stream", "ingest");
        expect(stream.inputs).to.deep.include({ name: "platform-dev-ingest", encryptionType: "KMS", kmsKeyId: DATA_KEY, retentionPeriod: 168, streamModeDetails: { streamMode: "ON_DEMAND" } });
        expect(stream.inputs).to.not.have.property("shardCount");
        expect(stream.protect).to.be.true;
    });

    it("sets the shard count only on a provisioned stream", () => {
        const fixed = only(resources, "aws:kinesis/stream:Stream", "fixed");
        expect(fixed.inputs).to.deep.include({ shardCount: 4, streamModeDetails: { streamMode: "PROVISIONED" } });
        expect(fixed.protect).to.be.false;
    });

    it("refuses a shard count on an on-demand stream and a provisioned stream without one", async () => {
        for (const [args, message] of [
            [{ mode: "on-demand", shardCount: 2 }, "an on-demand stream sets its own shards"],
            [{ mode: "provisioned" }, "a provisioned stream needs shardCount"],
        ] as const) {
            const error = await synthConstructs(() => new Stream("bad", { streamName: "bad", retentionHours: 24, kmsKeyArn: DATA_KEY, region: "eu-west-1", ...args })).catch((failure: Error) => failure);
            expect((error as Error).message).to.contain(message);
        }
    });

    it("lets writers PutRecord(s) on this stream only, with the data key only through Kinesis", () => {
        const grants = grantsOf(resources, "writer");
        const streamArn = only(resources, "aws:kinesis/stream:Stream", "ingest").state.arn;
        expect(grants.WriteIngest).to.deep.include({ Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: [streamArn] });
        expect(grants.WriteIngestKey).to.deep.include({ Action: ["kms:GenerateDataKey"], Resource: [DATA_KEY], Condition: { StringEquals: { "kms:ViaService": "kinesis.eu-west-1.amazonaws.com" } } });
    });

    it("maps the consumer from the oldest record with bisect, bounded retries and record age, partial batch responses and an on-failure queue", () => {
        const mapping = only(resources, "aws:lambda/eventSourceMapping:EventSourceMapping");
        const queue = only(resources, "aws:sqs/queue:Queue", "consumer-failures");
        expect(mapping.inputs).to.deep.include({
            functionName: CONSUMER_ARN,
            startingPosition: "TRIM_HORIZON",
            batchSize: 250,
            maximumBatchingWindowInSeconds: 5,
            parallelizationFactor: 2,
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 3,
            maximumRecordAgeInSeconds: 3600,
            functionResponseTypes: ["ReportBatchItemFailures"],
            destinationConfig: { onFailure: { destinationArn: queue.state.arn } },
        });
        // Lambda checks the role's stream permissions when the mapping is created.
        expect(mapping.dependsOn).to.include.members([only(resources, "aws:iam/rolePolicy:RolePolicy", "consumer-read-stream").urn, only(resources, "aws:iam/rolePolicy:RolePolicy", "consumer-read-stream-key").urn]);
        expect(queue.inputs).to.include({ kmsMasterKeyId: DATA_KEY, messageRetentionSeconds: 14 * 86_400 });
    });

    it("grants the consumer's role reading the stream and sending to the failure queue, nothing more", () => {
        const grants = grantsOf(resources, "consumer");
        expect(Object.keys(grants).sort()).to.deep.equal(["ReadStream", "ReadStreamKey", "SendStreamFailures", "SendStreamFailuresKey"]);
        expect(grants.ReadStream.Action).to.deep.equal(["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"]);
        expect(grants.SendStreamFailures).to.deep.include({ Action: ["sqs:SendMessage"], Resource: [only(resources, "aws:sqs/queue:Queue", "consumer-failures").state.arn] });
        expect(grants.SendStreamFailuresKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } });
    });

    it("alarms when a record lands in the failure queue and when the consumer falls behind half the record age", () => {
        const failures = only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "consumer-failures");
        expect(failures.inputs).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [ALARMS] });
        const behind = only(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "consumer-behind");
        expect(behind.inputs).to.deep.include({ namespace: "AWS/Lambda", metricName: "IteratorAge", threshold: 1_800_000, dimensions: { FunctionName: "ingest-consumer" } });
    });
});
