import { expect } from "chai";
import { ConfigError, resolvePlatformConfig } from "../../platform/config";

const resolve = (stack: string, values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1" });

function problemsOf(stack: string, values: Record<string, unknown>): { key: string; message: string }[] {
    try {
        resolve(stack, values);
    } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

describe("serverless configuration (platform:functions, platform:translate, platform:fanout)", () => {
    it("resolves function defaults per profile; log retention follows logs.retentionDays", () => {
        const dev = resolve("dev", {});
        const prod = resolve("prod", { logs: { retentionDays: 400 } });
        expect(dev.functions).to.deep.equal({ runtime: "nodejs22.x", memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 5, tracing: true, logRetentionDays: 14 });
        expect(prod.functions).to.include({ memoryMb: 1024, reservedConcurrency: 50, logRetentionDays: 400 });
        expect(prod.translate.api).to.deep.equal({ authorization: "AWS_IAM", cognitoUserPoolArns: [], throttle: { rateLimit: 200, burstLimit: 400 }, waf: true, wafRateLimitPer5Minutes: 2000 });
        expect(dev.fanout.api.waf).to.equal(false);
        expect(dev.translate).to.include({ enabled: false, maxCultures: 10, maxTextBytes: 10000 });
        expect(dev.fanout.enabled).to.equal(false);
    });

    it("takes stack overrides, per function too", () => {
        const config = resolve("dev", {
            functions: { runtime: "nodejs24.x", memoryMb: 1769 },
            translate: { maxCultures: 3, functions: { worker: { timeoutSeconds: 60 } } },
            fanout: { partnerEventSource: "aws.partner/salesforce.com/00D000000000001/orders" },
        });
        expect(config.functions).to.include({ runtime: "nodejs24.x", memoryMb: 1769 });
        expect(config.translate.maxCultures).to.equal(3);
        expect(config.translate.functions.worker).to.deep.equal({ timeoutSeconds: 60 });
        expect(config.fanout.partnerEventSource).to.equal("aws.partner/salesforce.com/00D000000000001/orders");
    });

    it("leaves functions unreserved when platform:functions.reservedConcurrency is unreserved (accounts with a small concurrency quota)", () => {
        const config = resolve("prod", { functions: { reservedConcurrency: "unreserved" } });
        expect(config.functions).to.have.property("reservedConcurrency", undefined);
        expect(resolve("prod", { functions: { reservedConcurrency: 20 } }).functions.reservedConcurrency).to.equal(20);
    });

    const bad: [string, Record<string, unknown>, string, RegExp][] = [
        ["a reserved concurrency that is neither a number nor unreserved", { functions: { reservedConcurrency: "none" } }, "platform:functions.reservedConcurrency", /whole number from 1 to 10000\) or "unreserved"/],
        ["memory below Lambda's 128 MB", { functions: { memoryMb: 64 } }, "platform:functions.memoryMb", /memory in MB: a whole number from 128 to 10240, got 64/],
        ["memory above 10,240 MB", { translate: { functions: { worker: { memoryMb: 20000 } } } }, "platform:translate.functions.worker.memoryMb", /128 to 10240/],
        ["a timeout above 900 s", { functions: { timeoutSeconds: 901 } }, "platform:functions.timeoutSeconds", /1 to 900, got 901/],
        ["a runtime Lambda retired", { functions: { runtime: "nodejs18.x" } }, "platform:functions.runtime", /nodejs22\.x, nodejs24\.x/],
        ["an API-facing function allowed more than 29 s", { translate: { enabled: true, functions: { submit: { timeoutSeconds: 30 } } } }, "platform:translate.functions.submit.timeoutSeconds", /at most 29 s.*got 30/],
        ["a default timeout that API functions would inherit", { translate: { enabled: true }, functions: { timeoutSeconds: 60 } }, "platform:functions.timeoutSeconds", /at most 29 s/],
        ["a misspelt function name", { translate: { functions: { wroker: {} } } }, "platform:translate.functions.wroker", /did you mean "worker"/],
        ["a partner source that is not aws.partner/...", { fanout: { partnerEventSource: "salesforce" } }, "platform:fanout.partnerEventSource", /aws\.partner\/salesforce\.com/],
        ["Cognito without user pools", { fanout: { api: { authorization: "COGNITO_USER_POOLS" } } }, "platform:fanout.api.cognitoUserPoolArns", /required when api.authorization is COGNITO_USER_POOLS/],
        ["a burst below the rate", { translate: { api: { throttle: { rateLimit: 100, burstLimit: 10 } } } }, "platform:translate.api.throttle.burstLimit", /at least the rate limit/],
        ["more cultures than allowed", { translate: { maxCultures: 51 } }, "platform:translate.maxCultures", /1 to 50/],
        ["a text limit above Translate's 10,000 bytes", { translate: { maxTextBytes: 20000 } }, "platform:translate.maxTextBytes", /1 to 10000/],
    ];
    for (const [what, values, key, message] of bad) {
        it(`rejects ${what}, naming ${key}`, () => {
            const problems = problemsOf("dev", values);
            const problem = problems.find((p) => p.key === key);
            expect(problem, JSON.stringify(problems)).to.not.equal(undefined);
            expect(problem!.message).to.match(message);
        });
    }
});
