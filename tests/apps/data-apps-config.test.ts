import { expect } from "chai";
import { ConfigError, resolvePlatformConfig } from "../../platform/config";
import { DATA_APPS_DEFAULTS } from "../../platform/config/data-apps";

const resolve = (stack: string, values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1" });

function problemsOf(stack: string, values: Record<string, unknown>): { key: string; message: string }[] {
    try {
        resolve(stack, values);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

describe("data apps configuration (platform:uploads, platform:ingest, platform:batch)", () => {
    it("deploys an app only when its key is present", () => {
        const config = resolve("dev", {});
        expect(config.uploads).to.be.undefined;
        expect(config.ingest).to.be.undefined;
        expect(config.batch).to.be.undefined;
        expect(resolve("dev", { uploads: {} }).uploads).to.not.be.undefined;
    });

    it("dev logs every workflow step with its data; prod logs errors only, keeps a week of records and runs the map wide", () => {
        const dev = resolve("dev", { uploads: {}, ingest: {}, batch: {} });
        expect(dev.uploads).to.include({ level: "ALL", includeExecutionData: true, prefix: "incoming/" });
        expect(dev.ingest).to.include({ streamMode: "provisioned", retentionHours: 24, shardCount: 1 });
        const prod = resolve("prod", { uploads: {}, ingest: {}, batch: {} });
        expect(prod.uploads).to.include({ level: "ERROR", includeExecutionData: false, noncurrentVersionExpiryDays: 90, maxObjectSizeMb: 15 });
        expect(prod.ingest).to.include({ retentionHours: 168, maxRetries: 5, maxRecordAgeSeconds: 86_400 });
        expect(prod.batch).to.include({ maxConcurrency: 200, level: "ERROR", itemReader: "objects", childExecutionType: "EXPRESS" });
        expect(resolve("staging", { ingest: {} }).ingest!.retentionHours).to.be.at.least(168);
    });

    it("lets every default be overridden, and gives a provisioned stream one shard unless told", () => {
        const config = resolve("prod", {
            uploads: { prefix: "in/", maxObjectSizeMb: 10, minConfidence: 90, maxLabels: 5, noncurrentVersionExpiryDays: 30, workflowLogLevel: "ALL", includeExecutionData: true },
            ingest: {
                streamMode: "provisioned",
                retentionHours: 720,
                batchSize: 500,
                batchWindowSeconds: 10,
                maxRetries: 2,
                maxRecordAgeSeconds: 600,
                parallelizationFactor: 4,
                throttle: { rateLimit: 50, burstLimit: 60 },
                waf: false,
                wafRateLimitPerIp: 300,
            },
            batch: {
                itemReader: "csv",
                prefix: "csv/",
                resultPrefix: "out/",
                maxConcurrency: 10_000,
                reservedConcurrency: 900,
                toleratedFailurePercentage: 0.5,
                childExecutionType: "STANDARD",
                itemTimeoutSeconds: 600,
                noncurrentVersionExpiryDays: 3,
                workflowLogLevel: "FATAL",
                includeExecutionData: false,
            },
        });
        expect(config.uploads).to.deep.equal({ prefix: "in/", maxObjectSizeMb: 10, minConfidence: 90, maxLabels: 5, noncurrentVersionExpiryDays: 30, level: "ALL", includeExecutionData: true });
        expect(config.ingest).to.deep.equal({
            streamMode: "provisioned",
            shardCount: 1,
            retentionHours: 720,
            batchSize: 500,
            batchWindowSeconds: 10,
            maxRetries: 2,
            maxRecordAgeSeconds: 600,
            parallelizationFactor: 4,
            throttle: { rateLimit: 50, burstLimit: 60 },
            waf: false,
            wafRateLimitPerIp: 300,
        });
        expect(config.batch).to.deep.equal({
            itemReader: "csv",
            prefix: "csv/",
            resultPrefix: "out/",
            maxConcurrency: 10_000,
            reservedConcurrency: 900,
            toleratedFailurePercentage: 0.5,
            childExecutionType: "STANDARD",
            itemTimeoutSeconds: 600,
            noncurrentVersionExpiryDays: 3,
            level: "FATAL",
            includeExecutionData: false,
            processor: "lambda",
        });
        expect(resolve("dev", { ingest: { streamMode: "provisioned", shardCount: 3 } }).ingest!.shardCount).to.equal(3);
    });

    it("names the key and the expected form for every bad value, in one run", () => {
        const problems = problemsOf("dev", {
            uploads: { prefix: "/incoming", maxObjectSizeMb: 20, workflowLogLevel: "DEBUG" },
            ingest: { streamMode: "ondemand", batchSize: 0, maxRecordAgeSeconds: -1 },
            batch: { maxConcurrency: 20_000, itemReader: "parquet", toleratedFailurePercentage: 101 },
        });
        const byKey = Object.fromEntries(problems.map((problem) => [problem.key, problem.message]));
        expect(Object.keys(byKey)).to.have.members([
            "platform:uploads.prefix",
            "platform:uploads.maxObjectSizeMb",
            "platform:uploads.workflowLogLevel",
            "platform:ingest.streamMode",
            "platform:ingest.batchSize",
            "platform:ingest.maxRecordAgeSeconds",
            "platform:batch.maxConcurrency",
            "platform:batch.itemReader",
            "platform:batch.toleratedFailurePercentage",
        ]);
        expect(byKey["platform:uploads.prefix"]).to.contain('ending with "/", no leading "/"');
        expect(byKey["platform:uploads.maxObjectSizeMb"]).to.contain("a whole number from 1 to 15");
        expect(byKey["platform:ingest.streamMode"]).to.contain("one of on-demand, provisioned");
        expect(byKey["platform:batch.maxConcurrency"]).to.contain("a whole number from 1 to 10000");
        expect(byKey["platform:batch.itemReader"]).to.contain("one of objects, json, csv");
    });

    it("suggests the key a typo meant", () => {
        const [problem] = problemsOf("dev", { batch: { maxConcurency: 5 } });
        expect(problem.key).to.equal("platform:batch.maxConcurency");
        expect(problem.message).to.contain("maxConcurrency");
    });

    it("refuses a shard count on an on-demand stream", () => {
        expect(problemsOf("dev", { ingest: { streamMode: "on-demand", shardCount: 2 } })).to.deep.equal([
            { key: "platform:ingest.shardCount", message: "expected no shardCount with streamMode on-demand (the stream scales its own shards); set streamMode: provisioned to fix the count" },
        ]);
    });

    it("refuses less than 7 days of stream retention in staging and prod, but allows it in dev", () => {
        for (const stack of ["staging", "prod"]) {
            const [problem] = problemsOf(stack, { ingest: { retentionHours: 72 } });
            expect(problem.key).to.equal("platform:ingest.retentionHours");
            expect(problem.message).to.contain(`at least 168 hours (7 days) in ${stack}`);
        }
        expect(resolve("dev", { ingest: { retentionHours: 24 } }).ingest!.retentionHours).to.equal(24);
    });

    it("refuses a burst limit below the rate limit", () => {
        const [problem] = problemsOf("dev", { ingest: { throttle: { rateLimit: 100, burstLimit: 10 } } });
        expect(problem).to.deep.equal({ key: "platform:ingest.throttle.burstLimit", message: "expected a burst limit of at least the rate limit (100), got 10" });
    });

    it("refuses a result prefix inside the input prefix (the next run would read its own results)", () => {
        for (const batch of [
            { prefix: "data/", resultPrefix: "data/results/" },
            { prefix: "data/in/", resultPrefix: "data/" },
        ]) {
            const [problem] = problemsOf("dev", { batch });
            expect(problem.key).to.equal("platform:batch.resultPrefix");
        }
    });

    it("keeps every profile's defaults inside what the schema accepts", () => {
        for (const [profile, defaults] of Object.entries(DATA_APPS_DEFAULTS)) {
            const { level: uploadsLevel, ...uploads } = defaults.uploads;
            const { level: batchLevel, ...batch } = defaults.batch;
            expect(() => resolve(profile, { uploads: { ...uploads, workflowLogLevel: uploadsLevel }, ingest: defaults.ingest, batch: { ...batch, workflowLogLevel: batchLevel } }), profile).to.not.throw();
        }
    });
});
