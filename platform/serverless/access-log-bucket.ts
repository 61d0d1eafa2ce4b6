import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam";

export interface S3AccessLogBucketArgs {
    /** Days server access logs are kept. */
    retentionDays: number;
    accountId: pulumi.Input<string>;
    /**
     * Only buckets whose names start with this may deliver logs here (`aws:SourceArn`), e.g.
     * `<project>-<stack>-`: the data buckets are auto-named after their component.
     */
    sourceBucketNamePrefix: string;
    /** A log archive: Pulumi `protect`, and not emptied on `pulumi destroy`. @default false */
    protect?: boolean;
}

/**
 * Where the data buckets' S3 server access logs go (FSBP S3.9). S3 log delivery writes with the
 * `logging.s3.amazonaws.com` principal, only for this account's buckets; the bucket is private,
 * versioned, TLS-only and expiring like the others, but encrypted with SSE-S3: server access
 * log delivery does not support SSE-KMS targets.
 */
export class S3AccessLogBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly name: pulumi.Output<string>;
    /** Depend on this before turning logging on: S3 checks it can deliver. */
    readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: S3AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:S3AccessLogBucket", name, {}, opts);
        this.bucket = new aws.s3.Bucket(name, { forceDestroy: !args.protect }, { parent: this, protect: args.protect });
        this.name = this.bucket.bucket;
        const bucket = this.bucket.id;
        new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(name, { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, { parent: this });
        new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(name, { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { parent: this });
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket,
                rules: [
                    { id: "expire-access-logs", status: "Enabled", filter: { prefix: "" }, expiration: { days: args.retentionDays }, noncurrentVersionExpiration: { noncurrentDays: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
                    { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
                ],
            },
            { parent: this },
        );
        this.policy = new aws.s3.BucketPolicy(
            name,
            {
                bucket,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "S3DeliversThisAccountsAccessLogs",
                            Effect: "Allow",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${this.bucket.arn}/*`,
                            // AWS's recommended conditions for log delivery: this account, and only the named source buckets.
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${args.sourceBucketNamePrefix}*` } },
                        },
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        this.registerOutputs({ name: this.name });
    }
}
