import { expect } from "chai";
import type { RecordedResource } from "../../../platform/offline/mock-cloud";
import { only, synthPlatform } from "../../helpers";
import { expectConfigError, grantsOf, within } from "../program-helpers";

const STREAM = "aws:kinesis/stream:Stream";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

describe("ingest app in the program (dev and prod)", function () {
    this.timeout(30_000);
    const stacks: Record<string, RecordedResource[]> = {};
    const outputs: Record<string, any> = {};

    before(async () => {
        for (const [stack, values] of [
            ["dev", { ingest: {} }],
            ["prod", { ingest: {} }],
            ["staging", { ingest: { streamMode: "provisioned", shardCount: 3, batchSize: 500, throttle: { rateLimit: 30, burstLimit: 60 } } }],
        ] as const) {
            const result = await synthPlatform(stack, values);
            stacks[stack] = within(result.cloud.resources, `platform-${stack}-ingest`);
            outputs[stack] = result.outputs;
        }
    });

    it("keeps records KMS-encrypted for the profile's retention (a week in prod), one provisioned shard in dev (cheaper idle than on-demand)", () => {
        expect(only(stacks.dev, STREAM).inputs).to.deep.include({ retentionPeriod: 24, encryptionType: "KMS", shardCount: 1, streamModeDetails: { streamMode: "PROVISIONED" } });
        expect(only(stacks.prod, STREAM).inputs).to.deep.include({ retentionPeriod: 168, encryptionType: "KMS" });
        expect(only(stacks.prod, STREAM).protect).to.be.true;
        expect(only(stacks.staging, STREAM).inputs).to.deep.include({ shardCount: 3, streamModeDetails: { streamMode: "PROVISIONED" } });
    });

    it("maps the consumer with the configured batching, bisect, bounded retries and age, partial failures and an on-failure queue", () => {
        const mapping = only(stacks.prod, MAPPING);
        expect(mapping.inputs).to.deep.include({
            eventSourceArn: only(stacks.prod, STREAM).state.arn,
            functionName: only(stacks.prod, "aws:lambda/function:Function", "ingest-consumer").state.arn,
            batchSize: 100,
            maximumBatchingWindowInSeconds: 1,
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 5,
            maximumRecordAgeInSeconds: 86_400,
            parallelizationFactor: 2,
            functionResponseTypes: ["ReportBatchItemFailures"],
        });
        expect((mapping.inputs.destinationConfig as any).onFailure.destinationArn).to.equal(only(stacks.prod, "aws:sqs/queue:Queue", "ingest-consumer-failures").state.arn);
        expect(only(stacks.staging, MAPPING).inputs.batchSize).to.equal(500);
    });

    it("sends POST /events straight to Kinesis PutRecord with the integration role, no function in the path", () => {
        const integration = only(stacks.prod, "aws:apigateway/integration:Integration");
        expect(integration.inputs).to.deep.include({ type: "AWS", uri: "arn:aws:apigateway:eu-west-1:kinesis:action/PutRecord", passthroughBehavior: "NEVER" });
        expect(integration.inputs.requestParameters).to.deep.equal({ "integration.request.header.Content-Type": "'application/x-amz-json-1.1'" });
        const template = (integration.inputs.requestTemplates as any)["application/json"] as string;
        expect(template).to.contain('"StreamName": "platform-prod-ingest"');
        expect(template).to.contain("$util.base64Encode($input.body)");
        expect(integration.inputs.credentials).to.equal(only(stacks.prod, "aws:iam/role:Role", "ingest-api-integration").state.arn);
        expect(stacks.prod.filter((r) => r.type === "aws:lambda/permission:Permission")).to.be.empty;
    });

    it("answers Kinesis' throttling 400s with 503 and Retry-After: a 503 method response and an override in the 400 template", () => {
        const clientError = stacks.prod.find((r) => r.type === "aws:apigateway/integrationResponse:IntegrationResponse" && r.name.endsWith("ingest-api-post-events-400"))!;
        const template = (clientError.inputs.responseTemplates as any)["application/json"] as string;
        expect(template).to.contain("#set($context.responseOverride.status = 503)");
        expect(template).to.contain("#set($context.responseOverride.header.Retry-After = ");
        for (const type of ["ProvisionedThroughputExceededException", "KMSThrottlingException", "LimitExceededException"]) expect(template).to.contain(`'${type}'`);
        const unavailable = only(stacks.prod, "aws:apigateway/methodResponse:MethodResponse", "ingest-api-post-events-503");
        expect(unavailable.inputs).to.deep.include({ statusCode: "503", httpMethod: "POST", responseParameters: { "method.response.header.Retry-After": false } });
        // The deployment snapshots the 503 response too.
        expect(only(stacks.prod, "aws:apigateway/deployment:Deployment").dependsOn).to.include(unavailable.urn);
    });

    it("fingerprints the request template into the deployment, so a template change redeploys the stage", () => {
        // The templates differ only by stream name; an Output template would be fingerprinted as a placeholder, the same for every stack.
        const routesFingerprint = (stack: string) => (only(stacks[stack], "aws:apigateway/deployment:Deployment").inputs.triggers as any).routes;
        expect(routesFingerprint("dev")).to.be.a("string").and.not.equal(routesFingerprint("prod"));
    });

    it("limits the integration role to PutRecord(s) on this stream and the data key through Kinesis", () => {
        const grants = grantsOf(stacks.prod, "platform-prod-ingest-api-integration");
        expect(Object.keys(grants).sort()).to.deep.equal(["PutWebhookRecords", "PutWebhookRecordsKey"]);
        expect(grants.PutWebhookRecords).to.deep.include({ Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: [only(stacks.prod, STREAM).state.arn] });
        expect(grants.PutWebhookRecordsKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "kinesis.eu-west-1.amazonaws.com" } });
    });

    it("requires IAM authorization and a JSON object body, throttles per the profile and logs access", () => {
        const method = only(stacks.prod, "aws:apigateway/method:Method");
        expect(method.inputs).to.deep.include({ httpMethod: "POST", authorization: "AWS_IAM" });
        expect(JSON.parse(only(stacks.prod, "aws:apigateway/model:Model").inputs.schema as string)).to.deep.include({ type: "object" });
        expect(only(stacks.prod, "aws:apigateway/methodSettings:MethodSettings").inputs.settings).to.deep.include({ throttlingRateLimit: 500, throttlingBurstLimit: 1000 });
        expect(only(stacks.staging, "aws:apigateway/methodSettings:MethodSettings").inputs.settings).to.deep.include({ throttlingRateLimit: 30, throttlingBurstLimit: 60 });
        expect(only(stacks.prod, "aws:apigateway/stage:Stage").inputs.accessLogSettings).to.not.be.undefined;
    });

    it("lets the consumer write its table and read the stream, nothing else, and tells it the table", () => {
        const consumer = only(stacks.prod, "aws:lambda/function:Function", "ingest-consumer");
        expect((consumer.inputs.environment as any).variables.EVENTS_TABLE_NAME).to.equal(only(stacks.prod, "aws:dynamodb/table:Table").state.name);
        const grants = grantsOf(stacks.prod, "platform-prod-ingest-consumer");
        expect(grants.ReadStream.Resource).to.deep.equal([only(stacks.prod, STREAM).state.arn]);
        expect(
            Object.values(grants)
                .flatMap((statement: any) => statement.Action)
                .filter((action: string) => action.startsWith("kinesis:Put")),
        ).to.be.empty;
    });

    it("puts a WAF web ACL in front of the stage in prod, not in dev or staging", () => {
        const association = only(stacks.prod, "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(association.inputs.resourceArn).to.equal(only(stacks.prod, "aws:apigateway/stage:Stage").state.arn);
        const rules = only(stacks.prod, "aws:wafv2/webAcl:WebAcl").inputs.rules as any[];
        expect(rules[0].statement.rateBasedStatement.limit).to.equal(2000);
        // Webhook bodies may exceed the common set's 8 KB: counted, not blocked.
        expect(rules[1].statement.managedRuleGroupStatement.ruleActionOverrides).to.deep.equal([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
        expect(stacks.dev.filter((r) => r.type.startsWith("aws:wafv2/"))).to.be.empty;
        expect(stacks.staging.filter((r) => r.type.startsWith("aws:wafv2/"))).to.be.empty;
    });

    it("outputs the webhook URL and the stream name", () => {
        expect(outputs.prod.dataApps.ingest.url).to.match(/^https:\/\/.+\.execute-api\.eu-west-1\.amazonaws\.com\/v1\/events$/);
        expect(outputs.prod.dataApps.ingest.streamName).to.equal("platform-prod-ingest");
    });

    it("refuses a record age beyond the stream's retention, naming both", async () => {
        await expectConfigError({ ingest: { retentionHours: 24, maxRecordAgeSeconds: 172_800 } }, "platform:ingest.maxRecordAgeSeconds", /at most the stream's retention \(24 hours = 86400 s\), got 172800/);
    });

    it("refuses less than a week of retention in prod and a shard count on an on-demand stream, before creating anything", async () => {
        await expectConfigError({ ingest: { retentionHours: 48 } }, "platform:ingest.retentionHours", /at least 168 hours/, "prod");
        await expectConfigError({ ingest: { streamMode: "on-demand", shardCount: 2 } }, "platform:ingest.shardCount", /no shardCount with streamMode on-demand/);
    });
});
