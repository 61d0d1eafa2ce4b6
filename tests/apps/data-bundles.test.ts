import Module, { createRequire } from "node:module";
import * as vm from "node:vm";
import * as path from "node:path";
import { expect } from "chai";
import { bundleCode, bundleHandler, REPO_ROOT } from "../../platform/serverless/bundle";

/**
 * The code Lambda runs: each data app handler as esbuild bundles it (the AWS SDK left to the
 * runtime), loaded like the runtime loads `index.js` and called with input it must refuse
 * before any AWS call. Catches a bundle that does not load (an ESM/CJS mix, a missing export).
 */
function load(entry: string): { handler: (event: unknown, context?: unknown) => Promise<unknown> } {
    const code = bundleCode(entry);
    const module = { exports: {} as any };
    // Node's own CommonJS wrapper, as the Lambda runtime's loader uses it.
    const run = vm.runInThisContext(Module.wrap(code), { filename: "index.js" }) as (...args: unknown[]) => void;
    run(module.exports, createRequire(path.join(REPO_ROOT, "index.js")), module, path.join(REPO_ROOT, "index.js"), REPO_ROOT);
    return module.exports;
}

const context = {
    functionName: "f",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f",
    memoryLimitInMB: "256",
    awsRequestId: "r-1",
    logGroupName: "/aws/lambda/f",
    logStreamName: "s",
    getRemainingTimeInMillis: () => 10_000,
};

describe("data app bundles (uploads, ingest, batch) as Lambda loads them", function () {
    this.timeout(30_000);
    const environment = { ...process.env };
    let stdout: typeof process.stdout.write;
    let stderr: typeof process.stderr.write;

    before(() => {
        Object.assign(process.env, {
            AWS_REGION: "eu-west-1",
            MAX_OBJECT_BYTES: "1024",
            MIN_CONFIDENCE: "80",
            MAX_LABELS: "5",
            EVENTS_TABLE_NAME: "events",
            POWERTOOLS_METRICS_NAMESPACE: "platform",
            POWERTOOLS_LOG_LEVEL: "SILENT",
        });
        // The handlers log and emit metrics as JSON on stdout, as in Lambda; keep the test output clean.
        stdout = process.stdout.write.bind(process.stdout);
        process.stdout.write = () => true;
        stderr = process.stderr.write.bind(process.stderr);
        process.stderr.write = () => true;
    });
    after(() => {
        process.stdout.write = stdout;
        process.stderr.write = stderr;
        process.env = environment;
    });

    for (const entry of ["apps/uploads/src/validate.ts", "apps/uploads/src/detect-labels.ts", "apps/batch/src/process-item.ts"]) {
        it(`${entry}: loads and refuses a malformed input as InvalidInputError (not retried by the workflow)`, async () => {
            const error = await load(entry)
                .handler({ nonsense: true }, context)
                .catch((failure: Error) => failure);
            expect(error).to.be.instanceOf(Error);
            expect((error as Error).name).to.equal("InvalidInputError");
        });
    }

    it("keeps every bundle small (cold starts): under 256 KiB each, zod/mini and Powertools included", () => {
        // Importing full zod (not zod/mini) in a handler adds about 430 KiB.
        for (const entry of ["apps/uploads/src/validate.ts", "apps/uploads/src/detect-labels.ts", "apps/batch/src/process-item.ts", "apps/ingest/src/consumer.ts"]) {
            expect(bundleHandler(entry).codeBytes, entry).to.be.below(256 * 1024);
        }
    });

    it("apps/ingest/src/consumer.ts: loads and fails a batch of poison records whole (Lambda retries it, then the failure queue)", async () => {
        const record = {
            kinesis: { partitionKey: Buffer.from("k").toString("base64"), sequenceNumber: "1", data: Buffer.from("{oops").toString("base64"), approximateArrivalTimestamp: 1, kinesisSchemaVersion: "1.0" },
            eventSource: "aws:kinesis",
            eventID: "shardId-0:1",
            eventName: "aws:kinesis:record",
            eventVersion: "1.0",
            invokeIdentityArn: "r",
            awsRegion: "eu-west-1",
            eventSourceARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
        };
        const error = await load("apps/ingest/src/consumer.ts")
            .handler({ Records: [record] }, context)
            .catch((failure: Error) => failure);
        expect((error as Error).name).to.equal("FullBatchFailureError");
    });
});
