import { expect } from "chai";
import { PlatformKey } from "../platform/kms";
import { synthesize } from "../platform/offline/synth";
import { Bus, LambdaFunction, Queue, Topic } from "../platform/serverless";
import { only, parseJson, synthPlatform } from "./helpers";
import { KeyUsersRecorder, testContext } from "./serverless/fixtures";

const KEY = "aws:kms/key:Key";
const servicesOf = (policy: unknown) => (parseJson(policy).Statement as { Principal?: { Service?: string } }[]).flatMap((s) => (s.Principal?.Service ? [s.Principal.Service] : []));

describe("the data key's policy: each construct admits the services it delivers with", function () {
    // Four whole-platform synths in one case.
    this.timeout(120_000);

    it("an open key takes the services declared before seal(), once each, and refuses a new one declared after", async () => {
        let late: unknown;
        const result = await synthesize({
            project: "platform",
            stack: "test",
            config: { "aws:region": "eu-west-1" },
            program: () => {
                const key = new PlatformKey("k", { description: "test", alias: "test/k", region: "eu-west-1", accountId: "123456789012", openToServices: true });
                key.allowService("sns.amazonaws.com");
                key.allowService("events.amazonaws.com");
                key.allowService("sns.amazonaws.com");
                key.seal();
                // One already admitted changes nothing, so it is accepted after seal().
                key.allowService("events.amazonaws.com");
                try {
                    key.allowService("s3.amazonaws.com");
                } catch (err) {
                    late = err;
                }
            },
        });
        expect(servicesOf(only(result.cloud.resources, KEY).inputs.policy)).to.deep.equal(["sns.amazonaws.com", "events.amazonaws.com"]);
        expect(String(late)).to.match(/k: the key policy is already final, so s3\.amazonaws\.com cannot be added/);
    });

    it("queues, topics and rules declare their senders' services: SNS for a topic's queue and dead letters, EventBridge for a rule's topic, queue and dead letters", async () => {
        const ctx = testContext();
        await synthesize({
            project: "platform",
            stack: "test",
            config: { "aws:region": "eu-west-1" },
            program: () => {
                const worker = new LambdaFunction("t-worker", { ctx, entry: "apps/fanout/src/auditor.ts", description: "worker" });
                const rule = new Bus("t-bus", { ctx }).addRule("t-rule", { eventPattern: { source: ["x"] }, description: "x" });
                const topic = new Topic("t-topic", { ctx, senders: [rule.asSender()] });
                const queue = new Queue("t-queue", { ctx, consumer: { function: worker, batchSize: 10 }, senders: [topic.asSender()] });
                topic.subscribeQueue("t-sub", queue);
            },
        });
        expect([...new Set((ctx.dataKeyUsers as KeyUsersRecorder).services)].sort()).to.deep.equal(["events.amazonaws.com", "sns.amazonaws.com"]);
    });

    it("follows what is built, not which apps are on: fanout alone gives SNS nothing to deliver, so SNS is not admitted; translate's topic-to-queue delivery admits it", async () => {
        const services = async (values: Record<string, unknown>) => servicesOf(only((await synthPlatform("prod", { profile: "prod", ...values })).cloud.resources, KEY, "-data").inputs.policy).sort();
        expect(await services({})).to.deep.equal(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
        // Fanout's topic has no subscription and its queues are fed by EventBridge only.
        expect(await services({ fanout: { enabled: true } })).to.deep.equal(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
        expect(await services({ translate: { enabled: true } })).to.deep.equal(["cloudwatch.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]);
        // Alarm emails: SNS writes undeliverable notifications to the encrypted delivery dead-letter queue.
        expect(await services({ alarms: { emails: ["oncall@example.com"] } })).to.deep.equal(["cloudwatch.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]);
    });

    it("is final before the container apps are built: a service's jobs, built after sealing, declare EventBridge again, which the key already admits", async () => {
        const job = { "purge-expired": { schedule: "cron(0 3 * * ? *)", command: ["node", "main.js", "purge-expired"] } };
        const result = await synthPlatform("dev", { apps: { web: { runtimes: ["ecs"], jobs: job } }, eks: { enabled: false } });
        expect(servicesOf(only(result.cloud.resources, KEY, "-data").inputs.policy)).to.include("events.amazonaws.com");
        expect(result.cloud.resources.filter((r) => r.type === "aws:sqs/queue:Queue" && r.name.endsWith("purge-expired-dlq"))).to.have.length(1);
    });
});
