import { expect } from "chai";
import { parseJson, synthPlatform } from "../../helpers";
import { Recorded, stackFile } from "../../serverless/fixtures";

const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const PARTNER = "aws.partner/salesforce.com/00D000000000001/orders";

describe("fan-out app in the real stacks", () => {
    let dev: Recorded;
    let partner: Recorded;
    before(async () => {
        dev = new Recorded((await stackFile("dev")).cloud.resources);
        partner = new Recorded((await synthPlatform("dev", { fanout: { enabled: true, partnerEventSource: PARTNER } })).cloud.resources);
    });

    it("puts events on the bus straight from API Gateway (no function), IAM-authorized, with the body validated first", () => {
        const method = dev.named("aws:apigateway/method:Method", "platform-dev-fanout-api-post-events").inputs;
        expect(method.authorization).to.equal("AWS_IAM");
        expect(method.requestValidatorId).to.be.a("string");
        const integration: any = dev.named("aws:apigateway/integration:Integration", "platform-dev-fanout-api-post-events").inputs;
        expect(integration).to.include({ type: "AWS", uri: "arn:aws:apigateway:eu-west-1:events:action/PutEvents" });
        const bus = dev.named("aws:cloudwatch/eventBus:EventBus", "platform-dev-fanout-bus").state.name;
        const template = integration.requestTemplates["application/json"] as string;
        expect(template)
            .to.contain(`"EventBusName":"${String(bus)}"`)
            .and.contain('"Source":"platform.fanout.api"');
        // escapeJavaScript turns ' into \' (not JSON); the VTL's Java regex must match a backslash then a quote.
        expect(template).to.contain(String.raw`"DetailType":"$util.escapeJavaScript($input.path('$.detailType')).replaceAll("\\'","'")"`);
        expect(template).to.contain(String.raw`"Detail":"$util.escapeJavaScript($input.json('$.detail')).replaceAll("\\'","'")"`);
        // PutEvents answers 200 with FailedEntryCount > 0 when it rejects an entry: the caller must see a failure.
        const ok = dev.named("aws:apigateway/integrationResponse:IntegrationResponse", "platform-dev-fanout-api-post-events-200").inputs as any;
        expect(ok.responseTemplates["application/json"]).to.match(/#if\(\$r\.FailedEntryCount > 0\)\n#set\(\$context\.responseOverride\.status = 502\)/);
        expect(dev.named("aws:apigateway/integrationResponse:IntegrationResponse", "platform-dev-fanout-api-post-events-502").inputs.selectionPattern).to.equal("5\\d{2}|403");
        const role = dev.grantsOf("platform-dev-fanout-api-integration");
        expect(role).to.have.keys(["PutEventsOnPlatformDevFanoutBus"]);
        expect(role.PutEventsOnPlatformDevFanoutBus.Resource).to.deep.equal([dev.named("aws:cloudwatch/eventBus:EventBus", "platform-dev-fanout-bus").state.arn]);
    });

    it("routes to three kinds of subscriber: a queue with a consumer, a function and a topic, each with a DLQ and a retry policy", () => {
        const targets = dev.all(TARGET).filter((t) => t.name.startsWith("platform-dev-fanout"));
        const byName = Object.fromEntries(targets.map((t) => [t.name, t.inputs]));
        expect(Object.keys(byName).sort()).to.deep.equal(["platform-dev-fanout-all-audit", "platform-dev-fanout-orders-notifier", "platform-dev-fanout-priority-alerts"]);
        expect(byName["platform-dev-fanout-all-audit"].arn).to.equal(dev.named("aws:sqs/queue:Queue", "platform-dev-fanout-audit").state.arn);
        expect(byName["platform-dev-fanout-orders-notifier"].arn).to.equal(dev.named("aws:lambda/function:Function", "platform-dev-fanout-notifier").state.arn);
        expect(byName["platform-dev-fanout-priority-alerts"].arn).to.equal(dev.named("aws:sns/topic:Topic", "platform-dev-fanout-alerts").state.arn);
        for (const [name, target] of Object.entries(byName)) {
            expect((target as any).deadLetterConfig.arn, name).to.match(/^arn:aws:sqs:/);
            expect((target as any).retryPolicy, name).to.have.keys(["maximumRetryAttempts", "maximumEventAgeInSeconds"]);
        }
        expect(dev.one("aws:lambda/eventSourceMapping:EventSourceMapping", "platform-dev-fanout-audit").inputs.functionName).to.equal("platform-dev-fanout-auditor");
        expect(parseJson(dev.named("aws:cloudwatch/eventRule:EventRule", "platform-dev-fanout-orders").inputs.eventPattern)).to.deep.equal({ source: ["platform.fanout.api"], "detail-type": ["OrderPlaced"] });
    });

    it("without a partner source, creates one bus; with one, the partner's bus too, whose events reach the audit queue", () => {
        // The fan-out app's buses (other apps of the stack, such as uploads, have their own).
        expect(
            dev
                .all("aws:cloudwatch/eventBus:EventBus")
                .map((b) => b.inputs.name)
                .filter((name) => String(name).startsWith("platform-dev-fanout")),
        ).to.deep.equal(["platform-dev-fanout-bus"]);
        const partnerBus = partner.named("aws:cloudwatch/eventBus:EventBus", "platform-dev-fanout-partner").inputs;
        expect(partnerBus).to.include({ name: PARTNER, eventSourceName: PARTNER });
        expect(partner.all("aws:cloudwatch/eventBusPolicy:EventBusPolicy")).to.have.length(1);
        const target = partner.named(TARGET, "platform-dev-fanout-partner-all-audit").inputs;
        expect(target.arn).to.equal(partner.named("aws:sqs/queue:Queue", "platform-dev-fanout-audit").state.arn);
        const allows = parseJson(partner.named("aws:sqs/queuePolicy:QueuePolicy", "platform-dev-fanout-audit").inputs.policy).Statement.filter((s: any) => s.Effect === "Allow");
        expect(allows.map((s: any) => s.Condition.ArnEquals["aws:SourceArn"])).to.deep.equal([
            partner.named("aws:cloudwatch/eventRule:EventRule", "platform-dev-fanout-all").state.arn,
            partner.named("aws:cloudwatch/eventRule:EventRule", "platform-dev-fanout-partner-all").state.arn,
        ]);
    });
});
