import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { StateMachine } from "aws-local-stepfunctions";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createItemProcessor } from "../../../apps/batch/src/process-item";
import { batchWorkflow, BatchWorkflowTargets } from "../../../apps/batch/workflow";
import { LOCAL_CLIENT } from "../local-peers";
import { execute, lambdaInvoke, validateDefinition } from "../workflow-harness";

const TARGETS: BatchWorkflowTargets = {
    processorFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:batch-process-item",
    bucketName: "platform-dev-batch",
    prefix: "input/",
    resultPrefix: "results/",
    itemReader: "objects",
    maxConcurrency: 1000,
    toleratedFailurePercentage: 5,
    childExecutionType: "EXPRESS",
    itemTimeoutSeconds: 45,
};

const mapOf = (definition: ReturnType<typeof batchWorkflow>) => {
    const state = definition.States.ProcessItems;
    if (state.Type !== "Map") throw new Error("ProcessItems is not a Map");
    return state;
};

describe("batch workflow: a Distributed Map over S3", () => {
    describe("definition", () => {
        for (const itemReader of ["objects", "json", "csv"] as const) {
            it(`is a valid state machine definition with the ${itemReader} reader (asl-validator)`, () => {
                const verdict = validateDefinition(batchWorkflow({ ...TARGETS, itemReader }));
                expect(verdict.errorsText).to.equal("");
                expect(verdict.isValid).to.be.true;
            });
        }

        it("lists the objects under the prefix and hands each one to the processor as {bucket, key, size}", () => {
            const map = mapOf(batchWorkflow(TARGETS));
            expect(map.ItemReader).to.deep.equal({ Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: { Bucket: "platform-dev-batch", Prefix: "input/" } });
            expect(map.ItemSelector).to.deep.equal({ bucket: "platform-dev-batch", "key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size" });
        });

        it("reads the rows of a CSV file (header in the first row) or the elements of a JSON array, named by the execution input", () => {
            const csv = mapOf(batchWorkflow({ ...TARGETS, itemReader: "csv" }));
            expect(csv.ItemReader).to.deep.equal({
                Resource: "arn:aws:states:::s3:getObject",
                ReaderConfig: { InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" },
                Parameters: { Bucket: "platform-dev-batch", "Key.$": "$.key" },
            });
            const json = mapOf(batchWorkflow({ ...TARGETS, itemReader: "json" }));
            expect(json.ItemReader.ReaderConfig).to.deep.equal({ InputType: "JSON" });
            expect(json.ItemSelector).to.deep.equal({ "index.$": "$$.Map.Item.Index", "record.$": "$$.Map.Item.Value" });
        });

        it("runs distributed child workflows of the configured type, with the configured concurrency and failure tolerance, writing results to S3", () => {
            const map = mapOf(batchWorkflow({ ...TARGETS, maxConcurrency: 10_000, toleratedFailurePercentage: 2.5, childExecutionType: "STANDARD" }));
            expect(map.ItemProcessor.ProcessorConfig).to.deep.equal({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
            expect(map.MaxConcurrency).to.equal(10_000);
            expect(map.ToleratedFailurePercentage).to.equal(2.5);
            expect(map.ResultWriter).to.deep.equal({ Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: "platform-dev-batch", Prefix: "results/" } });
            expect(map.Retry?.flatMap((retrier) => retrier.ErrorEquals)).to.deep.equal(["States.ItemReaderFailed"]);
        });
    });

    describe("item processor", function () {
        this.timeout(10_000);
        // Patched only while these tests run (a describe body runs when mocha loads the files).
        let s3: AwsClientStub<S3Client>;
        before(() => (s3 = mockClient(S3Client)));
        const process = createItemProcessor({ s3: new S3Client(LOCAL_CLIENT), logger: new Logger({ logLevel: "SILENT" }) });
        const content = "a,b\n1,2\n3,4\n";
        const body = () => Readable.from([Buffer.from(content.slice(0, 5)), Buffer.from(content.slice(5))]) as any;

        after(() => s3.restore());
        beforeEach(() => s3.reset());

        it("summarises a listed object: size, line count and SHA-256 of its streamed content", async () => {
            s3.on(GetObjectCommand, { Bucket: "platform-dev-batch", Key: "input/a.csv" }).resolves({ Body: body() });
            const summary = await process({ bucket: "platform-dev-batch", key: "input/a.csv", size: content.length });
            expect(summary).to.deep.equal({ key: "input/a.csv", bytes: content.length, lines: 3, sha256: createHash("sha256").update(content).digest("hex") });
        });

        it("skips a folder marker without reading it", async () => {
            expect(await process({ bucket: "platform-dev-batch", key: "input/sub/", size: 0 })).to.deep.equal({ key: "input/sub/", skipped: "folder marker" });
            expect(s3.calls()).to.be.empty;
        });

        it("summarises a CSV or JSON record and rejects one without an id", async () => {
            expect(await process({ index: 4, record: { id: "42", name: "x" } })).to.deep.equal({ index: 4, id: "42", fields: 2 });
            const error = await process({ index: 5, record: { name: "x" } }).catch((failure: Error) => failure);
            expect(error).to.include({ name: "InvalidInputError" });
            expect((error as Error).message).to.contain("item 5 has no id");
        });

        it("rejects an item of neither shape as permanent, naming what it expected", async () => {
            const error = await process({ Key: "input/a.csv" }).catch((failure: Error) => failure);
            expect(error).to.include({ name: "InvalidInputError" });
            expect((error as Error).message).to.contain("expected an object item {bucket, key, size}");
        });

        it("runs the child workflow locally: a throttled read is retried as TransientError, then the item succeeds", async () => {
            const definition = batchWorkflow(TARGETS);
            const childWorkflow = mapOf(definition).ItemProcessor;
            s3.on(GetObjectCommand)
                .rejectsOnce(Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } }))
                .resolves({ Body: body() });
            const { StartAt, States } = childWorkflow;
            const { output, error, events } = await execute(
                new StateMachine({ StartAt, States } as any),
                { bucket: "platform-dev-batch", key: "input/a.csv", size: 12 },
                {
                    overrides: { taskResourceLocalHandlers: { ProcessItem: lambdaInvoke(process) }, retryIntervalOverrides: { ProcessItem: 0 } },
                },
            );
            expect(error).to.be.undefined;
            expect(output).to.include({ key: "input/a.csv", lines: 3 });
            expect(events.filter((event) => event.type === "StateRetried").map((event) => event.state?.name)).to.deep.equal(["ProcessItem"]);
        });

        it("fails the child workflow on a deleted object without retrying it (the map counts it against the tolerance)", async () => {
            s3.on(GetObjectCommand).rejects(Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }));
            const { StartAt, States } = mapOf(batchWorkflow(TARGETS)).ItemProcessor;
            const { error, events } = await execute(
                new StateMachine({ StartAt, States } as any),
                { bucket: "platform-dev-batch", key: "input/gone.csv", size: 1 },
                {
                    overrides: { taskResourceLocalHandlers: { ProcessItem: lambdaInvoke(process) }, retryIntervalOverrides: { ProcessItem: 0 } },
                },
            );
            expect((error?.cause as Error | undefined)?.name).to.equal("InvalidInputError");
            expect(events.filter((event) => event.type === "StateRetried")).to.be.empty;
            expect(s3.commandCalls(GetObjectCommand)).to.have.length(1);
        });
    });
});
