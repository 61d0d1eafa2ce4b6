import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { Bucket } from "../../platform/serverless/bucket";
import { only, statementsOf } from "../helpers";
import { DATA_KEY, grantsOf, synthConstructs, TestGrantee } from "./data-constructs";

describe("serverless Bucket", () => {
    let resources: RecordedResource[];
    let unprotected: RecordedResource[];

    before(async () => {
        const result = await synthConstructs(() => {
            const bucket = new Bucket("uploads", {
                kmsKeyArn: DATA_KEY,
                region: "eu-west-1",
                noncurrentVersionExpiryDays: 30,
                expirations: [{ prefix: "results/", days: 90 }],
                eventBridgeNotifications: true,
                protect: true,
            });
            const reader = new TestGrantee("reader");
            bucket.grantRead(reader.grants, "ReadIncoming", "incoming/");
            bucket.grantList(reader.grants, "ListIncoming", "incoming/");
            bucket.grantWrite(reader.grants, "WriteResults", "results/");
            new Bucket("scratch", { kmsKeyArn: DATA_KEY, region: "eu-west-1", noncurrentVersionExpiryDays: 1 });
        });
        resources = result.cloud.resources.filter((r) => r.name.startsWith("uploads") || r.name.startsWith("reader"));
        unprotected = result.cloud.resources.filter((r) => r.name.startsWith("scratch"));
    });

    it("protects a stateful bucket and refuses to destroy it while it holds objects; a scratch bucket is emptied with the stack", () => {
        const bucket = only(resources, "aws:s3/bucket:Bucket");
        expect(bucket.protect).to.be.true;
        expect(bucket.inputs.forceDestroy).to.be.false;
        expect(only(unprotected, "aws:s3/bucket:Bucket").inputs.forceDestroy).to.be.true;
    });

    it("is versioned, SSE-KMS with the data key and a Bucket Key, and ACLs are disabled", () => {
        expect(only(resources, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        expect(only(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: DATA_KEY }, bucketKeyEnabled: true },
        ]);
        expect(only(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
    });

    it("blocks every kind of public access and denies plain HTTP, after the block is in place", () => {
        const block = only(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        expect(block.inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const policy = only(resources, "aws:s3/bucketPolicy:BucketPolicy");
        expect(policy.dependsOn).to.include(block.urn);
        const [deny] = statementsOf(policy);
        expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        expect(deny.Resource).to.have.length(2);
    });

    it("expires old versions, delete markers, abandoned uploads and, per prefix, current objects", () => {
        const rules = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[];
        expect(rules[0]).to.deep.include({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
        expect(rules[1].expiration).to.deep.equal({ expiredObjectDeleteMarker: true });
        // The whole bucket, spelled as the provider expects it.
        expect(rules.slice(0, 2).map((rule) => rule.filter)).to.deep.equal([{ prefix: "" }, { prefix: "" }]);
        expect(rules[2]).to.deep.equal({ id: "expire-results", status: "Enabled", filter: { prefix: "results/" }, expiration: { days: 90 } });
    });

    it("sends object events to EventBridge when asked", () => {
        expect(only(resources, "aws:s3/bucketNotification:BucketNotification").inputs.eventbridge).to.be.true;
        expect(unprotected.filter((r) => r.type === "aws:s3/bucketNotification:BucketNotification")).to.be.empty;
    });

    it("grants reads, lists and writes per prefix, and the data key only through S3", () => {
        const grants = grantsOf(resources, "reader");
        const bucketArn = only(resources, "aws:s3/bucket:Bucket").state.arn as string;
        expect(grants.ReadIncoming).to.deep.include({ Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [`${bucketArn}/incoming/*`] });
        expect(grants.ReadIncomingKey).to.deep.include({ Action: ["kms:Decrypt"], Resource: [DATA_KEY], Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } });
        expect(grants.ListIncoming).to.deep.include({ Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": ["incoming/", "incoming/*"] } } });
        expect(grants.WriteResults).to.deep.include({ Action: ["s3:PutObject"], Resource: [`${bucketArn}/results/*`] });
        expect(grants.WriteResultsKey.Action).to.deep.equal(["kms:GenerateDataKey", "kms:Decrypt"]);
    });
});
