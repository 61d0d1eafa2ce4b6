import { expect } from "chai";
import type { RecordedResource } from "../../../platform/offline/mock-cloud";
import { only, parseJson, statementsOf, synthPlatform } from "../../helpers";
import { validateDefinition } from "../workflow-harness";
import { expectConfigError, grantsOf, within } from "../program-helpers";

const SFN = "aws:sfn/stateMachine:StateMachine";
const FN = "aws:lambda/function:Function";

describe("uploads app in the program (dev and prod)", function () {
    this.timeout(30_000);
    const stacks: Record<string, RecordedResource[]> = {};

    before(async () => {
        for (const stack of ["dev", "prod"]) stacks[stack] = within((await synthPlatform(stack, { uploads: {} })).cloud.resources, `platform-${stack}-uploads`);
    });

    it("logs every step with its data in dev and errors only in prod, with tracing on", () => {
        expect(only(stacks.dev, SFN).inputs.loggingConfiguration).to.deep.include({ level: "ALL", includeExecutionData: true });
        expect(only(stacks.prod, SFN).inputs.loggingConfiguration).to.deep.include({ level: "ERROR", includeExecutionData: false });
        for (const stack of ["dev", "prod"]) expect(only(stacks[stack], SFN).inputs).to.deep.include({ type: "STANDARD", tracingConfiguration: { enabled: true } });
    });

    it("serialises the workflow with the real function ARNs, table and bus, and it is valid ASL", () => {
        const resources = stacks.prod;
        const definition = parseJson(only(resources, SFN).inputs.definition);
        expect(validateDefinition(definition).errorsText).to.equal("");
        expect(definition.States.Validate.Parameters.FunctionName).to.equal(only(resources, FN, "uploads-validate").state.arn);
        expect(definition.States.DetectLabels.Parameters.FunctionName).to.equal(only(resources, FN, "uploads-detect-labels").state.arn);
        expect(definition.States.StoreResult.Parameters.TableName).to.equal(only(resources, "aws:dynamodb/table:Table").state.name);
        expect(definition.States.PublishProcessed.Parameters.Entries[0].EventBusName).to.equal(only(resources, "aws:cloudwatch/eventBus:EventBus").state.name);
    });

    it("lets the workflow invoke its two functions, write its table and put events on its bus, and nothing else", () => {
        const resources = stacks.prod;
        const grants = grantsOf(resources, "platform-prod-uploads-workflow");
        const actions = Object.values(grants).flatMap((statement: any) => statement.Action);
        expect(actions.filter((action: string) => action.includes("*"))).to.deep.equal([]);
        const invoked = Object.values(grants)
            .filter((statement: any) => statement.Action.includes("lambda:InvokeFunction"))
            .flatMap((statement: any) => statement.Resource);
        expect(invoked).to.have.members([only(resources, FN, "uploads-validate").state.arn, only(resources, FN, "uploads-detect-labels").state.arn]);
        const tableArn = only(resources, "aws:dynamodb/table:Table").state.arn;
        expect(Object.values(grants).some((statement: any) => statement.Action.includes("dynamodb:PutItem") && statement.Resource.includes(tableArn))).to.be.true;
        expect(Object.values(grants).some((statement: any) => statement.Action.includes("events:PutEvents"))).to.be.true;
        expect(Object.keys(grants)).to.not.include.members(["StartChildExecutions"]);
        // Created after every task grant: the first uploads must not fail with AccessDenied.
        const taskPolicies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("platform-prod-uploads-workflow-") && r.name !== "platform-prod-uploads-workflow-delivery");
        expect(taskPolicies).to.have.length(Object.keys(grants).length - 2);
        expect(only(resources, SFN).dependsOn).to.include.members(taskPolicies.map((policy) => policy.urn));
    });

    it("stores uploads in a protected (prod), versioned, KMS-encrypted, private bucket whose object events go to EventBridge", () => {
        expect(only(stacks.prod, "aws:s3/bucket:Bucket").protect).to.be.true;
        expect(only(stacks.dev, "aws:s3/bucket:Bucket").protect).to.be.false;
        expect((only(stacks.prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as any)[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("aws:kms");
        expect(only(stacks.prod, "aws:s3/bucketNotification:BucketNotification").inputs.eventbridge).to.be.true;
        const noncurrent = (stack: string) => (only(stacks[stack], "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[])[0].noncurrentVersionExpiration.noncurrentDays;
        expect([noncurrent("dev"), noncurrent("prod")]).to.deep.equal([7, 90]);
        expect(only(stacks.prod, "aws:s3/bucketLogging:BucketLogging").inputs.targetPrefix).to.equal("platform-prod-uploads/");
    });

    it("starts the workflow for objects created under incoming/ of this bucket, with retries and a dead-letter queue", () => {
        const resources = stacks.prod;
        const pattern = parseJson(only(resources, "aws:cloudwatch/eventRule:EventRule", "uploads-created").inputs.eventPattern);
        expect(pattern.detail).to.deep.equal({ bucket: { name: [only(resources, "aws:s3/bucket:Bucket").state.bucket] }, object: { key: [{ prefix: "incoming/" }] } });
        const target = only(resources, "aws:cloudwatch/eventTarget:EventTarget", "uploads-created");
        expect(target.inputs.arn).to.equal(only(resources, SFN).state.arn);
        expect((target.inputs.deadLetterConfig as any).arn).to.equal(only(resources, "aws:sqs/queue:Queue", "uploads-created-dlq").state.arn);
    });

    it("gives the functions their settings and only the access they need, and times them out before the workflow's task timeouts", () => {
        const resources = stacks.prod;
        const validate = only(resources, FN, "uploads-validate");
        const detect = only(resources, FN, "uploads-detect-labels");
        expect((validate.inputs.environment as any).variables.MAX_OBJECT_BYTES).to.equal(String(15 * 1024 * 1024));
        expect((detect.inputs.environment as any).variables).to.include({ MIN_CONFIDENCE: "80", MAX_LABELS: "20" });
        const definition = parseJson(only(resources, SFN).inputs.definition);
        expect(validate.inputs.timeout).to.be.below(definition.States.Validate.TimeoutSeconds);
        expect(detect.inputs.timeout).to.be.below(definition.States.DetectLabels.TimeoutSeconds);
        const bucketArn = only(resources, "aws:s3/bucket:Bucket").state.arn as string;
        const detectGrants = grantsOf(resources, "platform-prod-uploads-detect-labels");
        expect(detectGrants.ReadUploads.Resource).to.deep.equal([`${bucketArn}/incoming/*`]);
        expect(detectGrants.DetectLabels.Action).to.deep.equal(["rekognition:DetectLabels"]);
        expect(grantsOf(resources, "platform-prod-uploads-validate")).to.not.have.property("DetectLabels");
    });

    it("alarms on failed, timed-out and aborted executions", () => {
        const alarms = stacks.prod.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.namespace === "AWS/States");
        expect(alarms.map((alarm) => alarm.inputs.metricName).sort()).to.deep.equal(["ExecutionsAborted", "ExecutionsFailed", "ExecutionsTimedOut"]);
        const [trust] = statementsOf(only(stacks.prod, "aws:iam/role:Role", "uploads-workflow"), "assumeRolePolicy");
        expect(trust.Principal.Service).to.equal("states.amazonaws.com");
    });

    it("refuses an image limit Rekognition cannot read, naming the key, before creating anything", async () => {
        await expectConfigError({ uploads: { maxObjectSizeMb: 50 } }, "platform:uploads.maxObjectSizeMb", /a whole number from 1 to 15/);
    });
});
