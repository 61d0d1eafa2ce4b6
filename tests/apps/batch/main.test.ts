import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Logger } from "@aws-lambda-powertools/logger";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { run } from "../../../apps/batch/src/main";
import { batchWorkflow, type BatchWorkflowTargets } from "../../../apps/batch/workflow";
import { validateDefinition } from "../workflow-harness";

/** A logger whose lines are kept, to read what the container logged. */
function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const logger = new Logger({ serviceName: "batch-process-item" });
    for (const level of ["info", "error"] as const) {
        logger[level] = ((message: string, extra?: Record<string, unknown>) => void lines.push({ level, message, ...extra })) as never;
    }
    return { logger, lines };
}

describe("batch ECS processor entry point (apps/batch/src/main.ts)", () => {
    let s3: AwsClientStub<S3Client>;
    before(() => (s3 = mockClient(S3Client)));
    afterEach(() => s3.reset());
    after(() => s3.restore());

    it("processes the object item in BATCH_ITEM with the Lambda processor's code and exits 0", async () => {
        s3.on(GetObjectCommand, { Bucket: "platform-dev-batch", Key: "input/a.txt" }).resolves({ Body: Readable.from([Buffer.from("one\ntwo\n")]) as never });
        const { logger, lines } = recordingLogger();
        const code = await run({ s3: new S3Client({}), logger, env: { BATCH_ITEM: JSON.stringify({ bucket: "platform-dev-batch", key: "input/a.txt", size: 8 }), BATCH_BUCKET: "platform-dev-batch" }, argv: [] });
        expect(code).to.equal(0);
        expect(lines).to.deep.equal([{ level: "info", message: "item processed", summary: { key: "input/a.txt", bytes: 8, lines: 2, sha256: createHash("sha256").update("one\ntwo\n").digest("hex") } }]);
    });

    it("takes the item from the first argument when run by hand", async () => {
        const { logger } = recordingLogger();
        expect(await run({ s3: new S3Client({}), logger, env: {}, argv: [JSON.stringify({ index: 3, record: { id: "x" } })] })).to.equal(0);
    });

    it("exits 1 without an item, with an item that is not JSON, with an item of another bucket, and with an item the processor refuses", async () => {
        const attempt = async (env: Record<string, string>) => {
            const { logger, lines } = recordingLogger();
            return { code: await run({ s3: new S3Client({}), logger, env, argv: [] }), message: String(lines[0]?.message) };
        };
        expect(await attempt({})).to.deep.equal({ code: 1, message: "no item: expected its JSON in BATCH_ITEM or as the first argument" });
        expect((await attempt({ BATCH_ITEM: "{nope" })).message).to.match(/^the item is not JSON/);
        expect(await attempt({ BATCH_ITEM: JSON.stringify({ bucket: "someone-else", key: "k", size: 1 }), BATCH_BUCKET: "platform-dev-batch" })).to.deep.equal({
            code: 1,
            message: "the item names bucket someone-else; this processor reads platform-dev-batch only",
        });
        expect(await attempt({ BATCH_ITEM: JSON.stringify({ index: 1, record: { name: "no id" } }) })).to.deep.equal({ code: 1, message: "item failed" });
        expect(s3.commandCalls(GetObjectCommand)).to.have.length(0);
    });
});

describe("batch workflow with the ECS processor (definition)", () => {
    const targets: BatchWorkflowTargets = {
        ecsProcessor: {
            clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/platform-dev-batch-item",
            taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/platform-dev-batch-item:1",
            containerName: "batch",
            subnetIds: ["subnet-1", "subnet-2"],
            securityGroupIds: ["sg-1"],
        },
        bucketName: "platform-dev-batch",
        prefix: "input/",
        resultPrefix: "results/",
        itemReader: "objects",
        maxConcurrency: 10,
        toleratedFailurePercentage: 10,
        childExecutionType: "STANDARD",
        itemTimeoutSeconds: 600,
    };

    it("is a valid state machine definition (asl-validator) that waits the item timeout plus Fargate's start margin", () => {
        const definition = batchWorkflow(targets);
        const verdict = validateDefinition(definition);
        expect(verdict.errorsText).to.equal("");
        const map = definition.States.ProcessItems;
        if (map.Type !== "Map") throw new Error("ProcessItems is not a Map");
        expect(map.ItemProcessor.States.ProcessItem).to.deep.include({ Resource: "arn:aws:states:::ecs:runTask.sync", TimeoutSeconds: 900, ResultPath: null });
    });

    it("refuses EXPRESS children, both processors, or none", () => {
        expect(() => batchWorkflow({ ...targets, childExecutionType: "EXPRESS" })).to.throw("an ECS item processor needs STANDARD child workflows");
        expect(() => batchWorkflow({ ...targets, processorFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f" })).to.throw("expected one item processor");
        expect(() => batchWorkflow({ ...targets, ecsProcessor: undefined })).to.throw("expected an item processor");
    });
});
