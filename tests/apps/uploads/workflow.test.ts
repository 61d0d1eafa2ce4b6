import { Logger } from "@aws-lambda-powertools/logger";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DetectLabelsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { StateMachine } from "aws-local-stepfunctions";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createDetectLabelsHandler } from "../../../apps/uploads/src/detect-labels";
import { createValidateHandler } from "../../../apps/uploads/src/validate";
import { UPLOAD_FAILED, UPLOAD_PROCESSED, uploadsWorkflow } from "../../../apps/uploads/workflow";
import { allStates } from "../../../platform/serverless/asl";
import { LocalPeer, LOCAL_CLIENT, startDynalite } from "../local-peers";
import { dynamoPutItem, execute, lambdaInvoke, recordPutEvents, validateDefinition } from "../workflow-harness";

const TARGETS = {
    validateFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:uploads-validate",
    detectLabelsFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:uploads-detect-labels",
    tableName: "uploads",
    eventBusName: "platform-dev-events",
    eventSource: "platform.uploads",
};
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);
const PDF = Uint8Array.from(Buffer.from("%PDF-1.7"));

/** An S3 "Object Created" event as EventBridge delivers it to the state machine. */
function objectCreated(key: string, versionId: string) {
    return {
        version: "0",
        id: `event-${key}`,
        "detail-type": "Object Created",
        source: "aws.s3",
        account: "123456789012",
        time: "2026-11-24T22:00:00Z",
        region: "eu-west-1",
        resources: ["arn:aws:s3:::platform-dev-uploads"],
        detail: { version: "0", bucket: { name: "platform-dev-uploads" }, object: { key, size: 2048, etag: "abc", "version-id": versionId, sequencer: "00" }, reason: "PutObject" },
    };
}

/** The Error of the Fail state that ended a local execution. */
const failedWith = (error: Error | undefined) => (error?.cause as Error | undefined)?.name;
const body = (bytes: Uint8Array) => ({ transformToByteArray: () => Promise.resolve(bytes) }) as any;
const throttled = () => Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });

describe("uploads workflow (asl-validator, then run locally against the real handlers and dynalite)", function () {
    this.timeout(20_000);
    const definition = uploadsWorkflow(TARGETS);
    // Patched only while these tests run (a describe body runs when mocha loads the files).
    let s3: AwsClientStub<S3Client>;
    let rekognition: AwsClientStub<RekognitionClient>;
    let dynamodb: LocalPeer;
    let ddb: DynamoDBClient;
    let events: any[];

    const silent = new Logger({ logLevel: "SILENT" });
    const validate = createValidateHandler({ s3: new S3Client(LOCAL_CLIENT), maxBytes: 1024 * 1024, logger: silent });
    const detectLabels = createDetectLabelsHandler({ rekognition: new RekognitionClient(LOCAL_CLIENT), minConfidence: 80, maxLabels: 10, logger: silent });

    function run(input: unknown, storeResult?: (input: any) => Promise<unknown>) {
        return execute(new StateMachine(definition as any), input, {
            overrides: {
                taskResourceLocalHandlers: {
                    Validate: lambdaInvoke(validate),
                    DetectLabels: lambdaInvoke(detectLabels),
                    StoreResult: (storeResult ?? dynamoPutItem(ddb)) as any,
                    RecordFailure: dynamoPutItem(ddb),
                    PublishProcessed: recordPutEvents(events),
                    PublishFailed: recordPutEvents(events),
                },
                // The retriers' real backoff is seconds: keep the run fast, keep the retry.
                retryIntervalOverrides: Object.fromEntries(Object.keys(definition.States).map((name) => [name, 0])),
            },
            context: { Execution: { Id: "arn:aws:states:eu-west-1:123456789012:execution:uploads:local-1", Name: "local-1", StartTime: "2026-11-24T22:00:01Z" } },
        });
    }

    async function item(key: string, versionId: string) {
        const answer = await ddb.send(new GetItemCommand({ TableName: TARGETS.tableName, Key: { objectKey: { S: key }, versionId: { S: versionId } }, ConsistentRead: true }));
        return answer.Item && unmarshall(answer.Item);
    }

    before(async () => {
        s3 = mockClient(S3Client);
        rekognition = mockClient(RekognitionClient);
        dynamodb = await startDynalite();
        ddb = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint: dynamodb.endpoint });
        await ddb.send(
            new CreateTableCommand({
                TableName: TARGETS.tableName,
                BillingMode: "PAY_PER_REQUEST",
                AttributeDefinitions: [
                    { AttributeName: "objectKey", AttributeType: "S" },
                    { AttributeName: "versionId", AttributeType: "S" },
                ],
                KeySchema: [
                    { AttributeName: "objectKey", KeyType: "HASH" },
                    { AttributeName: "versionId", KeyType: "RANGE" },
                ],
            }),
        );
    });
    after(async () => {
        s3.restore();
        rekognition.restore();
        ddb.destroy();
        await dynamodb.close();
    });
    beforeEach(() => {
        s3.reset();
        rekognition.reset();
        events = [];
    });

    it("is a valid state machine definition (asl-validator)", () => {
        const verdict = validateDefinition(definition);
        expect(verdict.errorsText).to.equal("");
        expect(verdict.isValid).to.be.true;
    });

    it("retries every task on transient errors with capped, jittered exponential backoff, and catches the rest into the failure path", () => {
        for (const [name, state] of allStates(definition)) {
            if (state.Type !== "Task") continue;
            expect(state.TimeoutSeconds, `${name} has a timeout`).to.be.a("number");
            const retry = state.Retry ?? [];
            expect(retry, `${name} retries`).to.have.length.greaterThan(0);
            for (const retrier of retry) {
                expect(retrier.ErrorEquals, `${name} never retries everything`).to.not.include("States.ALL");
                expect(retrier).to.include({ BackoffRate: 2, JitterStrategy: "FULL" });
                expect(retrier.MaxDelaySeconds).to.be.at.most(60);
            }
            // The failure path itself: recording, then announcing, then the Fail state, whatever fails on the way.
            const [next, resultPath] = ({ RecordFailure: ["PublishFailed", "$.recordFailure"], PublishFailed: ["RejectedOrFailed", "$.publishFailure"] } as Record<string, string[]>)[name] ?? [
                "RecordFailure",
                "$.failure",
            ];
            // Recording a failure over a COMPLETED item is refused on purpose (a duplicate delivery): that ends quietly.
            const refused = name === "RecordFailure" ? [{ ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], Next: "AlreadyCompleted", ResultPath: "$.recordFailure" }] : [];
            expect(state.Catch, `${name} is caught`).to.deep.equal([...refused, { ErrorEquals: ["States.ALL"], Next: next, ResultPath: resultPath }]);
        }
        for (const name of ["Validate", "DetectLabels"]) {
            const task = definition.States[name];
            expect(task.Type === "Task" && task.Retry?.[0].ErrorEquals).to.include.members(["TransientError", "Lambda.TooManyRequestsException", "Lambda.ServiceException", "States.Timeout"]);
        }
    });

    it("happy path: validates, labels, stores COMPLETED with the labels and publishes Upload Processed", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 2048, ContentType: "image/jpeg", ETag: '"abc"' });
        s3.on(GetObjectCommand).resolves({ Body: body(JPEG) });
        rekognition.on(DetectLabelsCommand).resolves({
            LabelModelVersion: "3.0",
            Labels: [
                { Name: "Cat", Confidence: 98.7654, Parents: [{ Name: "Animal" }] },
                { Name: "Sofa", Confidence: 85.1 },
            ],
        });

        const { output, error } = await run(objectCreated("incoming/cat.jpg", "v1"));
        expect(error).to.be.undefined;
        expect(output.analysis.labels.map((label: any) => label.name)).to.deep.equal(["Cat", "Sofa"]);

        const stored = await item("incoming/cat.jpg", "v1");
        expect(stored).to.include({ status: "COMPLETED", bucket: "platform-dev-uploads", contentType: "image/jpeg", size: 2048, labelCount: 2, labelModelVersion: "3.0" });
        expect(JSON.parse(stored!.labels)).to.deep.equal([
            { name: "Cat", confidence: 98.77, parents: ["Animal"] },
            { name: "Sofa", confidence: 85.1, parents: [] },
        ]);
        // Rekognition reads exactly the version that was uploaded, with the configured limits.
        expect(rekognition.commandCalls(DetectLabelsCommand)[0].args[0].input).to.deep.equal({
            Image: { S3Object: { Bucket: "platform-dev-uploads", Name: "incoming/cat.jpg", Version: "v1" } },
            MaxLabels: 10,
            MinConfidence: 80,
        });
        expect(events).to.have.length(1);
        expect(events[0]).to.include({ EventBusName: TARGETS.eventBusName, Source: "platform.uploads", DetailType: UPLOAD_PROCESSED });
        expect(events[0].Detail).to.include({ bucket: "platform-dev-uploads", key: "incoming/cat.jpg", versionId: "v1", status: "COMPLETED" });
    });

    it("retries a transient S3 error (SlowDown) and then completes", async () => {
        s3.on(HeadObjectCommand).rejectsOnce(throttled()).resolves({ ContentLength: 100, ContentType: "image/jpeg" });
        s3.on(GetObjectCommand).resolves({ Body: body(JPEG) });
        rekognition.on(DetectLabelsCommand).resolves({ LabelModelVersion: "3.0", Labels: [] });

        const { error, events: log } = await run(objectCreated("incoming/retry.jpg", "v7"));
        expect(error).to.be.undefined;
        expect(s3.commandCalls(HeadObjectCommand)).to.have.length(2);
        const retried = log.filter((event) => event.type === "StateRetried");
        expect(retried.map((event) => event.state?.name)).to.deep.equal(["Validate"]);
        expect(log.some((event) => event.type === "StateFailed" && event.Error === "TransientError")).to.be.true;
        expect(await item("incoming/retry.jpg", "v7")).to.include({ status: "COMPLETED", labelCount: 0 });
        expect(events.map((event) => event.DetailType)).to.deep.equal([UPLOAD_PROCESSED]);
    });

    it("retries a throttled DynamoDB write (the optimized integration's error name) and then stores the result", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 100 });
        s3.on(GetObjectCommand).resolves({ Body: body(JPEG) });
        rekognition.on(DetectLabelsCommand).resolves({ LabelModelVersion: "3.0", Labels: [{ Name: "Dog", Confidence: 91 }] });
        const put = dynamoPutItem(ddb);
        let attempts = 0;
        const throttledOnce = async (input: unknown) => {
            attempts++;
            if (attempts === 1) throw Object.assign(new Error("Throughput exceeds the current capacity"), { name: "DynamoDB.ProvisionedThroughputExceededException" });
            return put(input);
        };

        const { error, events: log } = await run(objectCreated("incoming/dog.jpg", "v8"), throttledOnce);
        expect(error).to.be.undefined;
        expect(attempts).to.equal(2);
        expect(log.filter((event) => event.type === "StateRetried").map((event) => event.state?.name)).to.deep.equal(["StoreResult"]);
        expect(await item("incoming/dog.jpg", "v8")).to.include({ status: "COMPLETED", labelCount: 1 });
    });

    it("gives up on a transient error after the retrier's attempts and ends in the failure path", async () => {
        s3.on(HeadObjectCommand).rejects(throttled());

        const { error } = await run(objectCreated("incoming/slow.jpg", "v2"));
        expect(failedWith(error)).to.equal("UploadProcessingFailed");
        // 1 attempt + MaxAttempts retries, then caught.
        const validateState = definition.States.Validate;
        expect(s3.commandCalls(HeadObjectCommand)).to.have.length(1 + (validateState.Type === "Task" ? validateState.Retry![0].MaxAttempts! : NaN));
        expect(await item("incoming/slow.jpg", "v2")).to.include({ status: "FAILED", error: "TransientError" });
    });

    it("a rejected upload (not an image) is not retried: the item is recorded FAILED with the error, Upload Failed is published, the execution succeeds (no page)", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 9000, ContentType: "image/jpeg" });
        s3.on(GetObjectCommand).resolves({ Body: body(PDF) });

        const { error, events: log } = await run(objectCreated("incoming/report.jpg", "v3"));
        expect(error).to.be.undefined;
        expect(log.some((event) => event.type === "StateEntered" && event.state?.name === "Rejected")).to.be.true;
        expect(log.filter((event) => event.type === "StateRetried")).to.be.empty;
        expect(rekognition.commandCalls(DetectLabelsCommand)).to.be.empty;

        const stored = await item("incoming/report.jpg", "v3");
        expect(stored).to.include({ status: "FAILED", error: "InvalidInputError", bucket: "platform-dev-uploads", executionId: "arn:aws:states:eu-west-1:123456789012:execution:uploads:local-1" });
        expect(Date.parse(stored!.startedAt)).to.not.be.NaN;
        expect(JSON.parse(stored!.failure).Cause).to.contain("not a JPEG or PNG");
        expect(stored).to.not.have.property("labels");
        expect(events).to.have.length(1);
        expect(events[0]).to.include({ DetailType: UPLOAD_FAILED, Source: "platform.uploads" });
        expect(events[0].Detail).to.include({ key: "incoming/report.jpg", versionId: "v3", error: "InvalidInputError", status: "FAILED" });
    });

    it("an image Rekognition cannot read fails permanently at DetectLabels, after validation passed", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 9000 });
        s3.on(GetObjectCommand).resolves({ Body: body(JPEG) });
        rekognition.on(DetectLabelsCommand).rejects(Object.assign(new Error("Request has invalid image format"), { name: "InvalidImageFormatException", $metadata: { httpStatusCode: 400 } }));

        const { error } = await run(objectCreated("incoming/broken.jpg", "v4"));
        // The user's image, not the platform: recorded and announced, no failed execution.
        expect(error).to.be.undefined;
        expect(rekognition.commandCalls(DetectLabelsCommand)).to.have.length(1);
        expect(await item("incoming/broken.jpg", "v4")).to.include({ status: "FAILED", error: "InvalidInputError" });
    });

    it("a duplicate delivery that fails after the version was processed leaves the COMPLETED item alone and ends quietly", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 100 });
        s3.on(GetObjectCommand).resolves({ Body: body(JPEG) });
        rekognition.on(DetectLabelsCommand).resolves({ LabelModelVersion: "3.0", Labels: [{ Name: "Bird", Confidence: 95 }] });
        expect((await run(objectCreated("incoming/bird.jpg", "v9"))).error).to.be.undefined;

        // S3 -> EventBridge delivered the event again; this time the read fails for good.
        s3.reset();
        s3.on(HeadObjectCommand).rejects(Object.assign(new Error("Forbidden"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
        const { error, events: log } = await run(objectCreated("incoming/bird.jpg", "v9"));
        expect(error).to.be.undefined;
        expect(log.some((event) => event.type === "StateEntered" && event.state?.name === "AlreadyCompleted")).to.be.true;
        expect(await item("incoming/bird.jpg", "v9")).to.include({ status: "COMPLETED", labelCount: 1 });
        expect(events.map((event) => event.DetailType)).to.deep.equal([UPLOAD_PROCESSED]);
    });

    it("a rejected upload whose failure cannot be recorded fails the execution: nobody could learn of it otherwise", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 9000 });
        s3.on(GetObjectCommand).resolves({ Body: body(PDF) });
        const unrecordable = () => Promise.reject(Object.assign(new Error("Requested resource not found"), { name: "DynamoDB.ResourceNotFoundException" }));
        const machine = new StateMachine(definition as any);
        const { error } = await execute(machine, objectCreated("incoming/lost.jpg", "v10"), {
            overrides: {
                taskResourceLocalHandlers: {
                    Validate: lambdaInvoke(validate),
                    DetectLabels: lambdaInvoke(detectLabels),
                    StoreResult: dynamoPutItem(ddb),
                    RecordFailure: unrecordable,
                    PublishProcessed: recordPutEvents(events),
                    PublishFailed: recordPutEvents(events),
                },
                retryIntervalOverrides: Object.fromEntries(Object.keys(definition.States).map((name) => [name, 0])),
            },
            context: { Execution: { Id: "arn:aws:states:eu-west-1:123456789012:execution:uploads:local-2", Name: "local-2", StartTime: "2026-11-24T22:00:01Z" } },
        });
        expect(failedWith(error)).to.equal("UploadProcessingFailed");
        expect(events.map((event) => event.DetailType)).to.deep.equal([UPLOAD_FAILED]);
    });

    it("rejects an object larger than the limit without reading it", async () => {
        s3.on(HeadObjectCommand).resolves({ ContentLength: 2 * 1024 * 1024 });
        const { error } = await run(objectCreated("incoming/huge.png", "v5"));
        expect(error).to.be.undefined;
        expect(s3.commandCalls(GetObjectCommand)).to.be.empty;
        const stored = await item("incoming/huge.png", "v5");
        expect(JSON.parse(stored!.failure).Cause).to.contain("the limit is 1048576");
    });
});
