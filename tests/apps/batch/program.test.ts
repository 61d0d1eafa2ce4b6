import { expect } from "chai";
import type { RecordedResource } from "../../../platform/offline/mock-cloud";
import { only, parseJson, synthPlatform } from "../../helpers";
import { validateDefinition } from "../workflow-harness";
import { expectConfigError, grantsOf, within } from "../program-helpers";

const SFN = "aws:sfn/stateMachine:StateMachine";

describe("batch app in the program (dev and prod)", function () {
    this.timeout(30_000);
    const stacks: Record<string, RecordedResource[]> = {};

    before(async () => {
        for (const [stack, values] of [
            ["dev", { batch: {} }],
            ["prod", { batch: {} }],
            ["staging", { batch: { itemReader: "csv", maxConcurrency: 10_000, toleratedFailurePercentage: 2, childExecutionType: "STANDARD" } }],
        ] as const) {
            stacks[stack] = within((await synthPlatform(stack, values)).cloud.resources, `platform-${stack}-batch`);
        }
    });

    it("runs a valid Distributed Map over the bucket's input prefix with the profile's concurrency and tolerance, results to S3", () => {
        const definition = parseJson(only(stacks.prod, SFN).inputs.definition);
        expect(validateDefinition(definition).errorsText).to.equal("");
        const map = definition.States.ProcessItems;
        const bucketName = only(stacks.prod, "aws:s3/bucket:Bucket").state.bucket;
        expect(map.ItemReader).to.deep.equal({ Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: { Bucket: bucketName, Prefix: "input/" } });
        expect(map).to.deep.include({ MaxConcurrency: 200, ToleratedFailurePercentage: 1 });
        expect(map.ResultWriter.Parameters).to.deep.equal({ Bucket: bucketName, Prefix: "results/" });
        expect(map.ItemProcessor.States.ProcessItem.Parameters.FunctionName).to.equal(only(stacks.prod, "aws:lambda/function:Function").state.arn);
        expect(parseJson(only(stacks.dev, SFN).inputs.definition).States.ProcessItems.MaxConcurrency).to.equal(10);
    });

    it("takes the reader, concurrency (up to 10,000), tolerance and child type from config", () => {
        const map = parseJson(only(stacks.staging, SFN).inputs.definition).States.ProcessItems;
        expect(map.ItemReader.ReaderConfig).to.deep.equal({ InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" });
        expect(map).to.deep.include({ MaxConcurrency: 10_000, ToleratedFailurePercentage: 2 });
        expect(map.ItemProcessor.ProcessorConfig).to.deep.equal({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    });

    it("reserves the profile's (or configured) concurrency for the item processor, never the map's 10,000", async () => {
        expect(only(stacks.prod, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(200);
        expect(only(stacks.dev, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(10);
        // The map runs 10,000 children wide; the reservation stays the profile's.
        expect(only(stacks.staging, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(50);
        const small = within((await synthPlatform("prod", { batch: { maxConcurrency: 20 } })).cloud.resources, "platform-prod-batch");
        expect(only(small, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(20);
        const configured = within((await synthPlatform("prod", { batch: { maxConcurrency: 5000, reservedConcurrency: 800 } })).cloud.resources, "platform-prod-batch");
        expect(only(configured, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(800);
        expect(parseJson(only(configured, SFN).inputs.definition).States.ProcessItems.MaxConcurrency).to.equal(5000);
    });

    it("lets the workflow list only the input prefix, write only under the result prefix, invoke its processor and manage its own children", () => {
        const resources = stacks.prod;
        const bucketArn = only(resources, "aws:s3/bucket:Bucket").state.arn as string;
        const grants = grantsOf(resources, "platform-prod-batch-workflow");
        expect(grants.ListBatchInput).to.deep.include({ Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": ["input/", "input/*"] } } });
        expect(grants.WriteBatchResults).to.deep.include({ Action: ["s3:PutObject"], Resource: [`${bucketArn}/results/*`] });
        expect(grants.ManageBatchResultUploads.Resource).to.deep.equal([`${bucketArn}/results/*`]);
        expect(grants.StartChildExecutions.Resource).to.deep.equal([only(resources, SFN).state.arn]);
        expect(grants).to.not.have.property("ReadBatchInput");
        // With a file reader, the workflow reads the input prefix instead of listing it.
        expect(grantsOf(stacks.staging, "platform-staging-batch-workflow").ReadBatchInput.Action).to.deep.equal(["s3:GetObject", "s3:GetObjectVersion"]);
        // Created after all of them: the first run must not fail with AccessDenied.
        const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("platform-prod-batch-workflow-"));
        expect(policies.length).to.be.greaterThan(6);
        expect(only(resources, SFN).dependsOn).to.include.members(policies.map((policy) => policy.urn));
    });

    it("logs ALL with execution data in dev and ERROR in prod", () => {
        expect(only(stacks.dev, SFN).inputs.loggingConfiguration).to.deep.include({ level: "ALL", includeExecutionData: true });
        expect(only(stacks.prod, SFN).inputs.loggingConfiguration).to.deep.include({ level: "ERROR", includeExecutionData: false });
    });

    it("gives the processor the configured timeout and its task a few seconds more, every attempt and wait fitting an EXPRESS child's 300 s", () => {
        const definition = parseJson(only(stacks.prod, SFN).inputs.definition);
        const task = definition.States.ProcessItems.ItemProcessor.States.ProcessItem;
        const fn = only(stacks.prod, "aws:lambda/function:Function").inputs;
        expect(fn.timeout).to.equal(45);
        expect(task.TimeoutSeconds).to.equal(50);
        // 5 attempts of up to 50 s, plus the retry waits (2 + 4 + 8 + 16, each at most, with full jitter).
        const [retrier] = task.Retry;
        let waits = 0;
        for (let retry = 0; retry < retrier.MaxAttempts; retry++) waits += Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** retry, retrier.MaxDelaySeconds);
        expect((1 + retrier.MaxAttempts) * task.TimeoutSeconds + waits).to.be.below(300);
    });

    it("refuses an item timeout that cannot fit an EXPRESS child workflow, naming the longest that fits; allows it with STANDARD children", async () => {
        await expectConfigError({ batch: { itemTimeoutSeconds: 240 } }, "platform:batch.itemTimeoutSeconds", /at most 48 seconds with EXPRESS child workflows.*got 240.*STANDARD/);
        const standard = within((await synthPlatform("prod", { batch: { itemTimeoutSeconds: 240, childExecutionType: "STANDARD" } })).cloud.resources, "platform-prod-batch");
        expect(only(standard, "aws:lambda/function:Function").inputs.timeout).to.equal(240);
        expect(parseJson(only(standard, SFN).inputs.definition).States.ProcessItems.ItemProcessor.States.ProcessItem.TimeoutSeconds).to.equal(245);
    });

    it("refuses a concurrency above the service's 10,000 and results inside the input prefix, before creating anything", async () => {
        await expectConfigError({ batch: { maxConcurrency: 10_001 } }, "platform:batch.maxConcurrency", /from 1 to 10000/);
        await expectConfigError({ batch: { prefix: "data/", resultPrefix: "data/out/" } }, "platform:batch.resultPrefix", /outside the input prefix/);
    });
});
