import { expect } from "chai";
import { ConfigError } from "../../../platform/config";
import { SynthError } from "../../../platform/offline/synth";
import { parseJson, synthPlatform } from "../../helpers";
import { Recorded, stackFile } from "../../serverless/fixtures";

const FN = "aws:lambda/function:Function";
const QUEUE = "aws:sqs/queue:Queue";

describe("translate app in the dev and prod fixture stacks", () => {
    let dev: Recorded;
    let prod: Recorded;
    before(async () => {
        dev = new Recorded((await stackFile("dev")).cloud.resources);
        prod = new Recorded((await stackFile("prod")).cloud.resources);
    });

    it("serves POST /translate, POST /translations and GET /translations/{id}, each IAM-authorized and each from its own function", () => {
        const methods = dev.all("aws:apigateway/method:Method").filter((m) => m.name.startsWith("platform-dev-translate-api"));
        expect(methods.map((m) => [m.name, m.inputs.authorization])).to.have.deep.members([
            ["platform-dev-translate-api-post-translate", "AWS_IAM"],
            ["platform-dev-translate-api-post-translations", "AWS_IAM"],
            ["platform-dev-translate-api-get-translations-id", "AWS_IAM"],
        ]);
        const integrations = dev.all("aws:apigateway/integration:Integration").filter((i) => i.name.startsWith("platform-dev-translate-api"));
        const target = (route: string) => integrations.find((i) => i.name === `platform-dev-translate-api-${route}`)!.inputs.uri;
        expect(target("post-translate")).to.contain("function:platform-dev-translate-sync/");
        expect(target("post-translations")).to.contain("function:platform-dev-translate-submit/");
        expect(target("get-translations-id")).to.contain("function:platform-dev-translate-status/");
    });

    it("keeps every API function within API Gateway's 29 s and sizes functions from the profile", () => {
        for (const fn of ["sync", "submit", "status"]) expect(dev.named(FN, `platform-dev-translate-${fn}`).inputs.timeout, fn).to.be.at.most(29);
        expect(dev.named(FN, "platform-dev-translate-worker").inputs).to.include({ memorySize: 256, reservedConcurrentExecutions: 5 });
        expect(prod.named(FN, "platform-prod-translate-worker").inputs).to.include({ memorySize: 1024, reservedConcurrentExecutions: 50 });
    });

    it("keeps function logs for the stack's retention (dev 14 days, prod 365 and protected), encrypted with the logs key", () => {
        const devGroup = dev.named("aws:cloudwatch/logGroup:LogGroup", "platform-dev-translate-worker");
        const prodGroup = prod.named("aws:cloudwatch/logGroup:LogGroup", "platform-prod-translate-worker");
        expect(devGroup.inputs).to.include({ name: "/aws/lambda/platform-dev-translate-worker", retentionInDays: 14 });
        expect(prodGroup.inputs).to.include({ retentionInDays: 365 });
        expect(prodGroup.protect).to.equal(true);
        expect(devGroup.inputs.kmsKeyId).to.equal(dev.named("aws:kms/key:Key", "platform-dev-logs").state.arn);
    });

    it("fans out through SNS → SQS with a filter on the job kind, and the jobs queue outlasts 6 × the worker's timeout", () => {
        const subscription = dev.named("aws:sns/topicSubscription:TopicSubscription", "platform-dev-translate-jobs-sub").inputs;
        expect(parseJson(subscription.filterPolicy)).to.deep.equal({ kind: ["translation-job"] });
        const queue = dev.named(QUEUE, "platform-dev-translate-jobs").inputs;
        const worker = dev.named(FN, "platform-dev-translate-worker").inputs;
        expect(queue.visibilityTimeoutSeconds).to.be.at.least(6 * (worker.timeout as number));
        expect(parseJson(queue.redrivePolicy).deadLetterTargetArn).to.equal(dev.named(QUEUE, "platform-dev-translate-jobs-dlq").state.arn);
        // The worker knows the last delivery before the DLQ, to record the culture as failed then.
        expect((worker.environment as any).variables.MAX_RECEIVE_COUNT).to.equal(String(parseJson(queue.redrivePolicy).maxReceiveCount));
    });

    it("grants each function only what its route needs, on the exact table, topic and queue ARNs", () => {
        const table = dev.named("aws:dynamodb/table:Table", "platform-dev-translate-requests").state.arn;
        const topic = dev.named("aws:sns/topic:Topic", "platform-dev-translate-jobs").state.arn;
        const status = dev.grantsOf("platform-dev-translate-status");
        expect(Object.keys(status).filter((sid) => !["WriteOwnLogs", "WriteTraces", "DecryptOwnEnvironment"].includes(sid))).to.have.members([
            "ReadPlatformDevTranslateRequests",
            "DecryptForPlatformDevTranslateRequests",
        ]);
        expect(status.ReadPlatformDevTranslateRequests.Resource).to.deep.equal([table]);
        expect(status.ReadPlatformDevTranslateRequests.Action).to.not.include("dynamodb:PutItem");
        const submit = dev.grantsOf("platform-dev-translate-submit");
        expect(submit.PublishToPlatformDevTranslateJobs.Resource).to.deep.equal([topic]);
        expect(submit).to.not.have.property("TranslateText");
        const worker = dev.grantsOf("platform-dev-translate-worker");
        expect(worker.ConsumePlatformDevTranslateJobs.Resource).to.deep.equal([dev.named(QUEUE, "platform-dev-translate-jobs").state.arn]);
        expect(worker.ReadWritePlatformDevTranslateIdempotency.Resource).to.deep.equal([dev.named("aws:dynamodb/table:Table", "platform-dev-translate-idempotency").state.arn]);
        expect(worker.TranslateText.Action).to.deep.equal(["translate:TranslateText", "comprehend:DetectDominantLanguage"]);
    });

    it("sets the account's API Gateway logging role in the account owner's stack (prod) only, and its stages' execution logging waits for it", () => {
        const account = prod.one("aws:apigateway/account:Account");
        expect(account.inputs.cloudwatchRoleArn).to.equal(prod.named("aws:iam/role:Role", "platform-prod-apigateway-logging").state.arn);
        expect(account.dependsOn).to.include(prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "platform-prod-apigateway-logging").urn);
        const settings = prod.all("aws:apigateway/methodSettings:MethodSettings");
        // Every API of the stack (the ingest webhook's too) shares the one account setting.
        expect(settings.map((stageSettings) => stageSettings.name)).to.include.members(["platform-prod-translate-api", "platform-prod-fanout-api"]);
        for (const stageSettings of settings) expect(stageSettings.dependsOn, stageSettings.name).to.include(account.urn);
        // dev shares the account and region: it logs through prod's setting and creates none of its own.
        expect(dev.all("aws:apigateway/account:Account")).to.deep.equal([]);
        expect(dev.all("aws:iam/role:Role").map((role) => role.name)).to.not.include("platform-dev-apigateway-logging");
    });

    it("tells each function its table, topic and limits", () => {
        const submit: any = dev.named(FN, "platform-dev-translate-submit").inputs;
        expect(submit.environment.variables).to.deep.include({
            TRANSLATIONS_TABLE: dev.named("aws:dynamodb/table:Table", "platform-dev-translate-requests").state.name,
            JOBS_TOPIC_ARN: dev.named("aws:sns/topic:Topic", "platform-dev-translate-jobs").state.arn,
            MAX_CULTURES: "10",
            MAX_TEXT_BYTES: "10000",
            RESULT_TTL_DAYS: "30",
        });
    });

    it("protects the requests table in prod (deletion protection, protect, PITR) and puts a WAF web ACL on the prod API only", () => {
        const table = prod.named("aws:dynamodb/table:Table", "platform-prod-translate-requests");
        expect(table.protect).to.equal(true);
        expect(table.inputs).to.deep.include({ deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
        expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
        expect(dev.named("aws:dynamodb/table:Table", "platform-dev-translate-requests").protect).to.equal(false);
        const association = prod.named("aws:wafv2/webAclAssociation:WebAclAssociation", "platform-prod-translate-api-waf-0").inputs;
        expect(association.resourceArn).to.equal(prod.named("aws:apigateway/stage:Stage", "platform-prod-translate-api").state.arn);
        // A JSON API keeps the common rule set's 8 KB body limit enforced (only webhooks relax it).
        const common = (prod.named("aws:wafv2/webAcl:WebAcl", "platform-prod-translate-api-waf").inputs.rules as any[])[1].statement.managedRuleGroupStatement;
        expect(common).to.deep.equal({ vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" });
        expect(dev.all("aws:wafv2/webAcl:WebAcl")).to.have.length(0);
    });

    it("rejects a 30 s timeout on an API function, naming the key, before any resource exists", async () => {
        let error: unknown;
        try {
            await synthPlatform("dev", { translate: { enabled: true, functions: { submit: { timeoutSeconds: 30 } } } });
        } catch (err) {
            error = err;
        }
        expect(error).to.be.instanceOf(SynthError);
        const cause = (error as SynthError).cause as ConfigError;
        expect(cause).to.be.instanceOf(ConfigError);
        expect(cause.problems.map((p) => p.key)).to.deep.equal(["platform:translate.functions.submit.timeoutSeconds"]);
        expect((error as SynthError).cloud.resources.filter((r) => r.custom)).to.deep.equal([]);
    });
});
