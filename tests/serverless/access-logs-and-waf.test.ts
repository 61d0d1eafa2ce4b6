import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { S3AccessLogBucket } from "../../platform/serverless/access-log-bucket";
import { Bucket } from "../../platform/serverless/bucket";
import { RegionalWebAcl } from "../../platform/serverless/web-acl";
import { only, statementsOf } from "../helpers";
import { DATA_KEY, synthConstructs } from "./data-constructs";

const STAGE_ARN = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1";

describe("serverless S3AccessLogBucket and RegionalWebAcl", () => {
    let resources: RecordedResource[];

    before(async () => {
        resources = (
            await synthConstructs(() => {
                const logs = new S3AccessLogBucket("s3-logs", { retentionDays: 90, accountId: "123456789012", sourceBucketNamePrefix: "platform-dev-" });
                new Bucket("data", { kmsKeyArn: DATA_KEY, region: "eu-west-1", noncurrentVersionExpiryDays: 7, accessLogs: { targetBucket: logs.name, after: logs.policy } });
                new RegionalWebAcl("hook-waf", { description: "webhook", rateLimitPerIp: 1500, protects: [STAGE_ARN], allowLargeBodies: true });
            })
        ).cloud.resources;
    });

    it("delivers a bucket's access logs under its own prefix, once the log bucket admits S3 log delivery", () => {
        const logging = only(resources, "aws:s3/bucketLogging:BucketLogging");
        const logBucket = only(resources, "aws:s3/bucket:Bucket", "s3-logs");
        expect(logging.inputs).to.include({ targetBucket: logBucket.state.bucket, targetPrefix: "data/" });
        expect(logging.dependsOn).to.include(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "s3-logs").urn);
    });

    it("lets only S3 log delivery for this account write logs, over TLS, into an SSE-S3, private, expiring bucket", () => {
        const [deliver, deny] = statementsOf(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "s3-logs"));
        expect(deliver).to.deep.include({
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:s3:::platform-dev-*" } },
        });
        expect(deny).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        // Server access log delivery refuses SSE-KMS targets.
        expect((only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "s3-logs").inputs.rules as any)[0].applyServerSideEncryptionByDefault).to.deep.equal({
            sseAlgorithm: "AES256",
        });
        expect(only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "s3-logs").inputs).to.include({ blockPublicPolicy: true, restrictPublicBuckets: true });
        const rules = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "s3-logs").inputs.rules as any[];
        expect(rules[0].expiration).to.deep.equal({ days: 90 });
        expect(rules.map((rule) => rule.filter)).to.deep.equal([{ prefix: "" }, { prefix: "" }]);
    });

    it("puts a regional web ACL with a per-IP rate limit and AWS's managed rule sets in front of the stage", () => {
        const acl = only(resources, "aws:wafv2/webAcl:WebAcl");
        expect(acl.inputs).to.deep.include({ scope: "REGIONAL", defaultAction: { allow: {} } });
        const rules = acl.inputs.rules as any[];
        expect(rules[0]).to.deep.include({ name: "rate-limit-per-ip", action: { block: {} }, statement: { rateBasedStatement: { limit: 1500, aggregateKeyType: "IP" } } });
        expect(rules.slice(1).map((rule) => rule.statement.managedRuleGroupStatement.name)).to.deep.equal(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]);
        // Webhook bodies may exceed the common set's 8 KB: counted, not blocked.
        expect(rules[1].statement.managedRuleGroupStatement.ruleActionOverrides).to.deep.equal([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
        expect(only(resources, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs).to.deep.include({ resourceArn: STAGE_ARN, webAclArn: acl.state.arn });
    });

    it("refuses a per-IP rate limit WAF cannot express, naming the limit and what it got", async () => {
        let error: unknown;
        try {
            await synthConstructs(() => void new RegionalWebAcl("hook-waf", { description: "webhook", rateLimitPerIp: 5, protects: [STAGE_ARN] }));
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/hook-waf: the per-IP rate limit must be a whole number from 10 to 2000000000 .* got 5/);
    });
});
