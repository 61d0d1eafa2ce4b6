import { expect } from "chai";
import { ALL_POLICIES, blockingViolations } from "../../policy/harness";
import { runPolicyGate } from "../../platform/offline/policy-gate";
import { Api, bundleHandler, bundleRecords, Bus, LambdaFunction, Queue, Table, Topic } from "../../platform/serverless";
import { parseJson } from "../helpers";
import { ACCOUNT, ALARM_TOPIC, DATA_KEY, LOGS_KEY, Recorded, REGION, synthConstructs, testContext } from "./fixtures";

const FN = "aws:lambda/function:Function";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const PERMISSION = "aws:lambda/permission:Permission";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ENTRY = "apps/fanout/src/auditor.ts";
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/**
 * Every construct once, wired as an app would wire them: a worker consuming a queue fed by a
 * topic and a bus rule, an async function behind a rule, a table, and an API with a function
 * route and a direct service route.
 */
function program() {
    const ctx = testContext();
    const worker = new LambdaFunction("t-worker", { ctx, entry: ENTRY, description: "worker", timeoutSeconds: 20 });
    const notifier = new LambdaFunction("t-notifier", { ctx, entry: ENTRY, description: "notifier", asyncInvocation: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 900 } });
    const front = new LambdaFunction("t-front", { ctx, entry: ENTRY, description: "front", behindApi: true, timeoutSeconds: 29, memoryMb: 512, reservedConcurrency: 7 });
    const topic = new Topic("t-topic", { ctx });
    const bus = new Bus("t-bus", { ctx, archiveRetentionDays: 30 });
    const rule = bus.addRule("t-rule", { eventPattern: { source: ["orders"] }, description: "orders" });
    const alerts = new Topic("t-alerts", { ctx, senders: [rule.asSender()] });
    const queue = new Queue("t-queue", { ctx, consumer: { function: worker, batchSize: 20, maximumBatchingWindowSeconds: 5 }, maxReceiveCount: 4, senders: [topic.asSender(), rule.asSender()] });
    topic.subscribeQueue("t-sub", queue, { filterPolicy: { kind: ["work"] } });
    rule.targetQueue("queue", queue);
    rule.targetFunction("notifier", notifier, { maximumRetryAttempts: 3, maximumEventAgeSeconds: 600 });
    rule.targetTopic("alerts", alerts, { inputTransformer: { inputPaths: { id: "$.id" }, inputTemplate: '"order <id>"' } });
    const table = new Table("t-table", { ctx: testContext({ deletionProtection: true, protect: true }), partitionKey: { name: "id", type: "S" }, ttlAttribute: "expiresAt", stream: "NEW_IMAGE" });
    table.grantReadWrite(worker);
    const indexed = new Table("t-indexed", {
        ctx,
        partitionKey: { name: "pk", type: "S" },
        sortKey: { name: "sk", type: "N" },
        globalIndexes: [{ name: "byStatus", partitionKey: { name: "status", type: "S" }, sortKey: { name: "sk", type: "N" } }],
    });
    indexed.grantReadData(notifier);
    table.grantStreamRead(notifier);
    topic.subscribeFunction("t-fn-sub", notifier, { filterPolicy: { kind: ["notify"] } });
    queue.grantSend(front);
    topic.grantPublish(front);
    const api = new Api("t-api", {
        ctx,
        description: "test",
        authorization: { type: "AWS_IAM" },
        throttle: { rateLimit: 10, burstLimit: 20 },
        routes: [
            { method: "GET", path: "/items/{id}", integration: { kind: "function", function: front } },
            { method: "POST", path: "/events", requestSchema: { type: "object", required: ["detail"] }, integration: { kind: "aws", service: "events", action: "PutEvents", requestTemplate: "{}" } },
        ],
    });
    bus.grantPutEvents(api.integrationRole!);
    return { url: api.url };
}

describe("serverless constructs (under mocks)", () => {
    let r: Recorded;
    let outputs: Record<string, unknown>;
    before(async () => {
        const synth = await synthConstructs(program, "dev");
        r = new Recorded(synth.cloud.resources);
        outputs = synth.outputs;
    });

    describe("Function", () => {
        it("runs the bundled handler on arm64 and a supported Node runtime, with explicit memory, timeout and reserved concurrency", () => {
            const fn = r.named(FN, "t-front").inputs;
            expect(fn).to.include({ name: "t-front", runtime: "nodejs22.x", handler: "index.handler", memorySize: 512, timeout: 29, reservedConcurrentExecutions: 7 });
            expect(fn.architectures).to.deep.equal(["arm64"]);
            const worker = r.named(FN, "t-worker").inputs;
            expect(worker).to.include({ memorySize: 256, timeout: 20, reservedConcurrentExecutions: 5 });
        });

        it("logs JSON to its own KMS-encrypted log group with retention, traces actively, encrypts its environment with the data key", () => {
            const group = r.named(LOG_GROUP, "t-worker").inputs;
            expect(group).to.include({ name: "/aws/lambda/t-worker", retentionInDays: 14, kmsKeyId: LOGS_KEY });
            const fn: any = r.named(FN, "t-worker").inputs;
            expect(fn.loggingConfig).to.deep.include({ logFormat: "JSON", logGroup: "/aws/lambda/t-worker" });
            expect(fn.tracingConfig).to.deep.equal({ mode: "Active" });
            expect(fn.kmsKeyArn).to.equal(DATA_KEY);
            expect(fn.environment.variables.NODE_OPTIONS).to.equal("--enable-source-maps");
        });

        it("lets the role write only its own log streams, decrypt only its own environment, and carry exactly the grants declared on it", () => {
            const grants = r.grantsOf("t-worker");
            expect(grants.WriteOwnLogs).to.deep.include({ Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/t-worker:log-stream:*`] });
            // Lambda encrypts the environment with the function's ARN as encryption context (aws:lambda:FunctionArn).
            expect(grants.DecryptOwnEnvironment.Condition).to.deep.equal({ StringEquals: { "kms:EncryptionContext:aws:lambda:FunctionArn": `arn:aws:lambda:${REGION}:${ACCOUNT}:function:t-worker` } });
            expect(Object.keys(grants).sort()).to.deep.equal(["ConsumeTQueue", "DecryptFromTQueue", "DecryptOwnEnvironment", "ReadWriteTTable", "UseKeyForTTable", "WriteOwnLogs", "WriteTraces"]);
            const trust = parseJson(r.named("aws:iam/role:Role", "t-worker").inputs.assumeRolePolicy).Statement;
            expect(trust).to.deep.equal([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        });

        it("bounds asynchronous retries and event age and keeps failed events in its own encrypted queue, with an alarm", () => {
            const config: any = r.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").inputs;
            expect(config).to.deep.include({ functionName: "t-notifier", maximumRetryAttempts: 1, maximumEventAgeInSeconds: 900 });
            expect(config.destinationConfig.onFailure.destination).to.equal(r.named(QUEUE, "t-notifier-failed").state.arn);
            const send = r.named("aws:iam/rolePolicy:RolePolicy", "t-notifier-send-failed-invocations");
            expect(r.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").dependsOn).to.include(send.urn);
            expect(r.named(QUEUE, "t-notifier-failed").inputs).to.include({ kmsMasterKeyId: DATA_KEY, messageRetentionSeconds: 1209600 });
            expect(r.grantsOf("t-notifier").SendFailedInvocations).to.deep.include({ Action: ["sqs:SendMessage"], Resource: [r.named(QUEUE, "t-notifier-failed").state.arn] });
            const alarm = r.named("aws:cloudwatch/metricAlarm:MetricAlarm", "t-notifier-failed").inputs;
            expect(alarm.alarmActions).to.deep.equal([ALARM_TOPIC]);
            expect(alarm.dimensions).to.deep.equal({ QueueName: r.named(QUEUE, "t-notifier-failed").state.name });
        });

        it("alarms on the alarm topic when it errors or is throttled", () => {
            for (const metric of ["errors", "throttles"]) {
                const alarm: any = r.named("aws:cloudwatch/metricAlarm:MetricAlarm", `t-worker-${metric}`).inputs;
                expect(alarm).to.include({ namespace: "AWS/Lambda", threshold: 0, comparisonOperator: "GreaterThanThreshold" });
                expect(alarm.dimensions).to.deep.equal({ FunctionName: "t-worker" });
                expect(alarm.alarmActions).to.deep.equal([ALARM_TOPIC]);
            }
        });

        it("records each bundle with its size, and bundles deterministically", () => {
            const record = bundleRecords().find((b) => b.functionName === "t-worker");
            expect(record?.entry).to.equal(ENTRY);
            expect(record?.codeBytes).to.be.greaterThan(1000);
            expect((r.named(FN, "t-worker").inputs.tags as Record<string, string>)["bundle-sha256"]).to.equal(record?.sha256);
            expect(bundleHandler(ENTRY).sha256).to.equal(record?.sha256);
            expect(() => bundleHandler("platform/index.ts")).to.throw(/apps\/<app>\/src/);
            expect(() => bundleHandler("apps/fanout/src/missing.ts")).to.throw('handler entry "apps/fanout/src/missing.ts" does not exist');
        });
    });

    describe("Queue", () => {
        it("derives the visibility timeout from its consumer: 6 × 20 s + the 5 s batching window", () => {
            expect(r.named(QUEUE, "t-queue").inputs.visibilityTimeoutSeconds).to.equal(6 * 20 + 5);
        });

        it("encrypts with the data key and redrives to a DLQ that keeps messages longer, with an alarm", () => {
            const queue: any = r.named(QUEUE, "t-queue").inputs;
            const dlq = r.named(QUEUE, "t-queue-dlq");
            expect(queue.kmsMasterKeyId).to.equal(DATA_KEY);
            expect(parseJson(queue.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 4 });
            expect(dlq.inputs.messageRetentionSeconds).to.be.greaterThan(queue.messageRetentionSeconds);
            expect(dlq.inputs.kmsMasterKeyId).to.equal(DATA_KEY);
            expect(r.named("aws:cloudwatch/metricAlarm:MetricAlarm", "t-queue-dlq").inputs.alarmActions).to.deep.equal([ALARM_TOPIC]);
        });

        it("admits only its declared senders (each by source ARN) and refuses plain HTTP", () => {
            const statements = parseJson(r.named(QUEUE_POLICY, "t-queue").inputs.policy).Statement;
            expect(statements[0]).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            const allows = statements.filter((s: any) => s.Effect === "Allow");
            expect(allows.map((s: any) => [s.Principal.Service, s.Condition.ArnEquals["aws:SourceArn"]])).to.deep.equal([
                ["sns.amazonaws.com", r.named("aws:sns/topic:Topic", "t-topic").state.arn],
                ["events.amazonaws.com", r.named("aws:cloudwatch/eventRule:EventRule", "t-rule").state.arn],
            ]);
        });

        it("feeds its consumer with partial batch failure reporting, and grants it consume on this queue only", () => {
            const mapping = r.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
            expect(mapping).to.deep.include({
                eventSourceArn: queueArn(r.named(QUEUE, "t-queue").state.name as string),
                functionName: "t-worker",
                batchSize: 20,
                maximumBatchingWindowInSeconds: 5,
                functionResponseTypes: ["ReportBatchItemFailures"],
            });
            const grants = r.grantsOf("t-worker");
            expect(grants.ConsumeTQueue.Resource).to.deep.equal([r.named(QUEUE, "t-queue").state.arn]);
            // Lambda checks the role when the mapping is created: the consume policy must exist first.
            const consume = r.named("aws:iam/rolePolicy:RolePolicy", "t-worker-consume-tqueue");
            expect(r.one("aws:lambda/eventSourceMapping:EventSourceMapping").dependsOn).to.include(consume.urn);
            expect(grants.DecryptFromTQueue).to.deep.include({ Action: ["kms:Decrypt"], Resource: [DATA_KEY], Condition: { StringEquals: { "kms:ViaService": `sqs.${REGION}.amazonaws.com` } } });
        });

        it("refuses to guess a visibility timeout: a consumer or its timeout is required", () => {
            expect(() => new Queue("nope", { ctx: testContext() })).to.throw(/exactly one of consumer .* or consumerTimeoutSeconds/);
        });
    });

    describe("Topic", () => {
        it("encrypts with the data key; each subscription has a filter policy and its own DLQ that only this topic may write", () => {
            expect(r.named("aws:sns/topic:Topic", "t-topic").inputs.kmsMasterKeyId).to.equal(DATA_KEY);
            const sub = r.named("aws:sns/topicSubscription:TopicSubscription", "t-sub").inputs;
            expect(sub).to.include({ protocol: "sqs", rawMessageDelivery: true, filterPolicyScope: "MessageAttributes" });
            expect(parseJson(sub.filterPolicy)).to.deep.equal({ kind: ["work"] });
            const dlq = r.named(QUEUE, "t-sub-dlq");
            expect(parseJson(sub.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: dlq.state.arn });
            const allow = parseJson(r.named(QUEUE_POLICY, "t-sub-dlq").inputs.policy).Statement.find((s: any) => s.Effect === "Allow");
            expect(allow.Condition.ArnEquals["aws:SourceArn"]).to.equal(r.named("aws:sns/topic:Topic", "t-topic").state.arn);
        });

        it("grants publish on this topic only, with the data key through SNS", () => {
            const grants = r.grantsOf("t-front");
            expect(grants.PublishToTTopic).to.deep.include({ Action: ["sns:Publish"], Resource: [r.named("aws:sns/topic:Topic", "t-topic").state.arn] });
            expect(grants.EncryptForTTopic.Condition.StringEquals["kms:ViaService"]).to.equal(`sns.${REGION}.amazonaws.com`);
        });
    });

    describe("Bus", () => {
        it("admits PutEvents from this account only and archives every event for the configured days", () => {
            const policy = parseJson(r.one("aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy).Statement;
            expect(policy).to.have.length(1);
            expect(policy[0].Principal).to.deep.equal({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
            const archive = r.one("aws:cloudwatch/eventArchive:EventArchive").inputs;
            expect(archive).to.include({ retentionDays: 30, eventSourceArn: r.one("aws:cloudwatch/eventBus:EventBus").state.arn });
        });

        it("gives every target the rule's DLQ and a retry policy; transformers pass through", () => {
            const dlq = r.named(QUEUE, "t-rule-dlq").state.arn;
            const targets = r.all(TARGET);
            expect(targets.map((t) => t.inputs.targetId).sort()).to.deep.equal(["alerts", "notifier", "queue"]);
            for (const target of targets) {
                expect(target.inputs.deadLetterConfig, target.name).to.deep.equal({ arn: dlq });
                expect(target.inputs.retryPolicy, target.name).to.have.keys(["maximumRetryAttempts", "maximumEventAgeInSeconds"]);
            }
            expect(r.named(TARGET, "t-rule-notifier").inputs.retryPolicy).to.deep.equal({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600 });
            expect(r.named(TARGET, "t-rule-alerts").inputs.inputTransformer).to.deep.equal({ inputPaths: { id: "$.id" }, inputTemplate: '"order <id>"' });
        });

        it("lets EventBridge invoke the function only from this rule, and only an async-configured function", () => {
            const permission = r.named(PERMISSION, "t-rule-notifier").inputs;
            expect(permission).to.include({ principal: "events.amazonaws.com", sourceArn: r.named("aws:cloudwatch/eventRule:EventRule", "t-rule").state.arn });
        });

        it("sets no sourceAccount on the EventBridge permission (EventBridge sends none, so AWS would refuse every invocation)", () => {
            expect(r.named(PERMISSION, "t-rule-notifier").inputs).to.not.have.property("sourceAccount");
        });
    });

    describe("Table", () => {
        it("is on demand with PITR, SSE under the data key, deletion protection and protect when the stack asks, TTL and a stream", () => {
            const table = r.named("aws:dynamodb/table:Table", "t-table");
            expect(table.inputs).to.deep.include({ billingMode: "PAY_PER_REQUEST", hashKey: "id", deletionProtectionEnabled: true, streamEnabled: true, streamViewType: "NEW_IMAGE" });
            expect(table.inputs.pointInTimeRecovery).to.deep.include({ enabled: true });
            expect(table.inputs.serverSideEncryption).to.deep.equal({ enabled: true, kmsKeyArn: DATA_KEY });
            expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
            expect(table.protect).to.equal(true);
        });

        it("grants read-write on this table's ARN only (no index wildcard without indexes)", () => {
            expect(r.grantsOf("t-worker").ReadWriteTTable.Resource).to.deep.equal([r.named("aws:dynamodb/table:Table", "t-table").state.arn]);
        });
    });

    describe("more grants and subscriptions", () => {
        it("reads a table with indexes on the table and its indexes only, with no write action", () => {
            const arn = r.named("aws:dynamodb/table:Table", "t-indexed").state.arn;
            const read = r.grantsOf("t-notifier").ReadTIndexed;
            expect(read.Resource).to.deep.equal([arn, `${String(arn)}/index/*`]);
            expect(read.Action.filter((action: string) => /Put|Update|Delete|Write/.test(action))).to.deep.equal([]);
            expect(r.named("aws:dynamodb/table:Table", "t-indexed").inputs.attributes).to.have.deep.members([
                { name: "pk", type: "S" },
                { name: "sk", type: "N" },
                { name: "status", type: "S" },
            ]);
        });

        it("reads a table's stream by its stream ARN, and sends to a queue with the data key through SQS only", () => {
            const table = r.named("aws:dynamodb/table:Table", "t-table").state;
            expect(r.grantsOf("t-notifier").ReadStreamOfTTable.Resource).to.deep.equal([table.streamArn]);
            const front = r.grantsOf("t-front");
            expect(front.SendToTQueue).to.deep.include({ Action: ["sqs:SendMessage", "sqs:GetQueueUrl"], Resource: [r.named(QUEUE, "t-queue").state.arn] });
            expect(front.EncryptForTQueue.Condition.StringEquals["kms:ViaService"]).to.equal(`sqs.${REGION}.amazonaws.com`);
        });

        it("subscribes a function to a topic with a filter, a DLQ and a permission limited to that topic", () => {
            const sub = r.named("aws:sns/topicSubscription:TopicSubscription", "t-fn-sub").inputs;
            expect(sub).to.include({ protocol: "lambda", endpoint: r.named(FN, "t-notifier").state.arn });
            expect(parseJson(sub.redrivePolicy).deadLetterTargetArn).to.equal(r.named(QUEUE, "t-fn-sub-dlq").state.arn);
            expect(r.named(PERMISSION, "t-fn-sub").inputs).to.include({ principal: "sns.amazonaws.com", sourceArn: r.named("aws:sns/topic:Topic", "t-topic").state.arn });
        });
    });

    describe("Api", () => {
        it("authorizes every method, validates bodies, and lets API Gateway invoke the function from that route only", () => {
            const methods = r.all("aws:apigateway/method:Method");
            expect(methods.map((m) => [m.inputs.httpMethod, m.inputs.authorization])).to.have.deep.members([
                ["GET", "AWS_IAM"],
                ["POST", "AWS_IAM"],
            ]);
            const post = methods.find((m) => m.inputs.httpMethod === "POST")!;
            expect(post.inputs.requestValidatorId).to.be.a("string");
            const badBody: any = r.one("aws:apigateway/response:Response").inputs;
            expect(badBody).to.include({ responseType: "BAD_REQUEST_BODY", statusCode: "400" });
            expect(badBody.responseTemplates["application/json"]).to.contain("$context.error.messageString");
            const permission = r.named(PERMISSION, "t-api-get-items-id").inputs;
            const restApi = r.one("aws:apigateway/restApi:RestApi").state;
            expect(permission).to.include({ principal: "apigateway.amazonaws.com", sourceArn: `${String(restApi.executionArn)}/*/GET/items/*` });
        });

        it("calls services with its own role, which holds exactly the grants declared on it", () => {
            const integration = r.named("aws:apigateway/integration:Integration", "t-api-post-events").inputs;
            expect(integration).to.include({ type: "AWS", uri: `arn:aws:apigateway:${REGION}:events:action/PutEvents`, credentials: r.named("aws:iam/role:Role", "t-api-integration").state.arn });
            const grants = r.grantsOf("t-api-integration");
            expect(Object.keys(grants)).to.deep.equal(["PutEventsOnTBus"]);
            expect(grants.PutEventsOnTBus.Resource).to.deep.equal([r.one("aws:cloudwatch/eventBus:EventBus").state.arn]);
        });

        it("alarms when the stage answers 5xx", () => {
            const alarm: any = r.named("aws:cloudwatch/metricAlarm:MetricAlarm", "t-api-5xx").inputs;
            expect(alarm).to.include({ namespace: "AWS/ApiGateway", metricName: "5XXError" });
            expect(alarm.dimensions).to.deep.equal({ ApiName: r.one("aws:apigateway/restApi:RestApi").state.name, Stage: "v1" });
            expect(alarm.dimensions.ApiName).to.match(/^t-api-/);
        });

        it("has access logs to an encrypted group with retention, X-Ray, execution logs at ERROR and stage throttling", () => {
            const stage: any = r.one("aws:apigateway/stage:Stage").inputs;
            const group = r.named(LOG_GROUP, "t-api-access");
            expect(stage.xrayTracingEnabled).to.equal(true);
            expect(stage.accessLogSettings.destinationArn).to.equal(group.state.arn);
            expect(group.inputs).to.include({ retentionInDays: 14, kmsKeyId: LOGS_KEY });
            const settings = r.one("aws:apigateway/methodSettings:MethodSettings").inputs;
            expect(settings.methodPath).to.equal("*/*");
            expect(settings.settings).to.include({ loggingLevel: "ERROR", throttlingRateLimit: 10, throttlingBurstLimit: 20, dataTraceEnabled: false });
            expect(outputs.url).to.match(/^https:\/\/[0-9a-f]{10}\.execute-api\.eu-west-1\.amazonaws\.com\/v1$/);
        });
    });

    it("are compliant with the whole policy pack as built (only the advisory WAF finding: a web ACL is a per-app decision)", async () => {
        const gate = await runPolicyGate(r.resources, {});
        expect(gate.indeterminate).to.equal(0);
        expect(ALL_POLICIES.length).to.be.greaterThan(100);
        expect(gate.violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.name}`)).to.deep.equal(["advisory apigateway-waf t-api"]);
        expect(blockingViolations(gate.violations)).to.deep.equal([]);
    });
});

describe("serverless constructs: refused before anything is created", () => {
    const attempt = async (build: () => void) => {
        try {
            await synthConstructs(build, "bad");
        } catch (err) {
            return (err as Error).message;
        }
        return "no error";
    };

    it("a memory size outside 128-10240 MB, naming the key", async () => {
        const message = await attempt(() => new LambdaFunction("bad-memory", { ctx: testContext(), entry: ENTRY, description: "x", memoryMb: 64, configKey: "platform:translate.functions.worker" }));
        expect(message).to.contain("platform:translate.functions.worker.memoryMb").and.contain("128 to 10240");
    });

    it("a timeout above 900 s, naming the key", async () => {
        const message = await attempt(() => new LambdaFunction("bad-timeout", { ctx: testContext(), entry: ENTRY, description: "x", timeoutSeconds: 901 }));
        expect(message).to.contain("platform:functions.timeoutSeconds").and.contain("1 to 900");
    });

    it("a function behind API Gateway with a timeout above 29 s", async () => {
        const message = await attempt(() => new LambdaFunction("bad-api", { ctx: testContext(), entry: ENTRY, description: "x", timeoutSeconds: 30, behindApi: true, configKey: "platform:translate.functions.submit" }));
        expect(message).to.contain("platform:translate.functions.submit.timeoutSeconds").and.contain("at most 29 s");
    });

    it("an API route to a function that may outlive the integration", async () => {
        const message = await attempt(() => {
            const ctx = testContext();
            const slow = new LambdaFunction("slow", { ctx, entry: ENTRY, description: "x", timeoutSeconds: 60 });
            new Api("slow-api", {
                ctx,
                description: "x",
                authorization: { type: "AWS_IAM" },
                throttle: { rateLimit: 1, burstLimit: 1 },
                routes: [{ method: "GET", path: "/x", integration: { kind: "function", function: slow } }],
            });
        });
        expect(message).to.contain("platform:functions.timeoutSeconds").and.contain("GET /x");
    });

    it("an EventBridge or SNS target function without asynchronous failure handling", async () => {
        const message = await attempt(() => {
            const ctx = testContext();
            const fn = new LambdaFunction("sync-only", { ctx, entry: ENTRY, description: "x" });
            new Bus("b", { ctx }).addRule("r", { eventPattern: { source: ["x"] }, description: "x" }).targetFunction("fn", fn);
        });
        expect(message).to.contain("build it with asyncInvocation");
    });
});

const POOL = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbCdEf123`;

describe("serverless constructs: options", () => {
    let r: Recorded;
    before(async () => {
        const synth = await synthConstructs(() => {
            const ctx = testContext();
            new LambdaFunction("o-vpc", { ctx, entry: ENTRY, description: "in the VPC", vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] } });
            new LambdaFunction("o-untraced", { ctx: testContext({ functions: { ...ctx.functions, tracing: false } }), entry: ENTRY, description: "no tracing" });
            const unreserved = new LambdaFunction("o-unreserved", { ctx: testContext({ functions: { ...ctx.functions, reservedConcurrency: undefined } }), entry: ENTRY, description: "unreserved", timeoutSeconds: 5 });
            new Queue("o-queue", { ctx, consumer: { function: unreserved } });
            new Bus("o-bus", { ctx, organizationId: "o-abc123def4" });
            const front = new LambdaFunction("o-front", { ctx, entry: ENTRY, description: "front", behindApi: true });
            new Api("o-api", {
                ctx,
                description: "cognito",
                authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL], scopes: ["orders/write"] },
                throttle: { rateLimit: 5, burstLimit: 10 },
                routes: [
                    { method: "POST", path: "/orders", integration: { kind: "function", function: front } },
                    { method: "GET", path: "/health", authorization: { type: "NONE", reason: "load balancer probe, answers a constant" }, integration: { kind: "function", function: front } },
                ],
            });
        }, "options");
        r = new Recorded(synth.cloud.resources);
    });

    it("places a function in the given subnets, with the ENI permissions VPC placement needs", () => {
        expect(r.named(FN, "o-vpc").inputs.vpcConfig).to.deep.equal({ subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"] });
        expect(r.grantsOf("o-vpc").ManageVpcInterfaces.Action).to.include("ec2:CreateNetworkInterface");
        expect(r.grantsOf("o-untraced")).to.not.have.property("ManageVpcInterfaces");
    });

    it("leaves a function unreserved when the context reserves nothing, and its queue mapping at SQS's default concurrency", () => {
        expect(r.named(FN, "o-unreserved").inputs).to.not.have.property("reservedConcurrentExecutions");
        expect(r.named(FN, "o-vpc").inputs.reservedConcurrentExecutions).to.equal(5);
        const mapping: any = r.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
        expect(mapping.scalingConfig?.maximumConcurrency).to.equal(undefined);
    });

    it("without tracing, passes traces through and grants no X-Ray permission", () => {
        expect(r.named(FN, "o-untraced").inputs.tracingConfig).to.deep.equal({ mode: "PassThrough" });
        expect(r.grantsOf("o-untraced")).to.not.have.property("WriteTraces");
    });

    it("authorizes with a Cognito user pool and scopes, and leaves a route public only when it says why", () => {
        const authorizer = r.one("aws:apigateway/authorizer:Authorizer");
        expect(authorizer.inputs).to.deep.include({ type: "COGNITO_USER_POOLS", providerArns: [POOL], identitySource: "method.request.header.Authorization" });
        const orders = r.named("aws:apigateway/method:Method", "o-api-post-orders").inputs;
        expect(orders).to.deep.include({ authorization: "COGNITO_USER_POOLS", authorizerId: authorizer.id, authorizationScopes: ["orders/write"] });
        expect(r.named("aws:apigateway/method:Method", "o-api-get-health").inputs.authorization).to.equal("NONE");
        expect(
            () =>
                new Api("x", {
                    ctx: testContext(),
                    description: "x",
                    authorization: { type: "NONE", reason: " " },
                    throttle: { rateLimit: 1, burstLimit: 1 },
                    routes: [{ method: "GET", path: "/x", authorization: { type: "NONE", reason: "" }, integration: { kind: "aws", service: "events", action: "PutEvents", requestTemplate: "{}" } }],
                }),
        ).to.throw("route GET /x has authorization NONE without a reason");
        expect(
            () =>
                new Api("y", {
                    ctx: testContext(),
                    description: "y",
                    authorization: { type: "NONE", reason: " " },
                    throttle: { rateLimit: 1, burstLimit: 1 },
                    routes: [{ method: "GET", path: "/y", integration: { kind: "aws", service: "events", action: "PutEvents", requestTemplate: "{}" } }],
                }),
        ).to.throw("authorization NONE needs a reason");
    });

    it("admits the organization's accounts to the bus only through aws:PrincipalOrgID", () => {
        const statements = parseJson(r.one("aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy).Statement;
        expect(statements[1]).to.deep.include({ Principal: "*", Action: "events:PutEvents", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } } });
    });
});
