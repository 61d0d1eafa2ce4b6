import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";

export interface PrivateBucketArgs {
    /** Default encryption: SSE-S3 where a delivering service refuses KMS, else SSE-KMS with a key. */
    encryption: { sseAlgorithm: "AES256" } | { sseAlgorithm: "aws:kms"; kmsKeyArn: pulumi.Input<string> };
    /** The bucket's lifecycle rules (expiry of versions, delete markers, uploads, objects). */
    lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Allow statements the bucket policy carries besides the TLS-only deny, given the bucket's ARN. */
    allowStatements?: (bucketArn: pulumi.Output<string>) => aws.iam.PolicyStatement[];
    /** A stateful bucket: Pulumi `protect`, and `pulumi destroy` refuses it while it holds objects. @default false */
    protect?: boolean;
}

/**
 * The settings every bucket of the platform has, whatever it holds: versioned, encrypted by
 * default, ACLs disabled (BucketOwnerEnforced), all four public access blocks, lifecycle rules,
 * and a policy denying plain HTTP (S3.5). Creates the children of `parent`; returns the bucket and
 * its policy (depend on the policy before a service that test-writes, such as log delivery).
 */
export function createPrivateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const opts = { parent };
    const bucketResource = new aws.s3.Bucket(name, { forceDestroy: !args.protect }, { parent, protect: args.protect });
    const bucket = bucketResource.id;
    new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, opts);
    const encryption = args.encryption;
    new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        {
            bucket,
            rules: [
                encryption.sseAlgorithm === "aws:kms"
                    ? // A Bucket Key: one KMS call per object batch, not per object.
                      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: encryption.kmsKeyArn }, bucketKeyEnabled: true }
                    : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ],
        },
        opts,
    );
    new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(name, { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
    new aws.s3.BucketLifecycleConfiguration(name, { bucket, rules: args.lifecycleRules }, opts);
    const policy = new aws.s3.BucketPolicy(
        name,
        {
            bucket,
            policy: policyJson({
                Version: "2012-10-17",
                Statement: [
                    ...(args.allowStatements?.(bucketResource.arn) ?? []),
                    {
                        // S3.5: nobody reads or writes this bucket over plain HTTP.
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucketResource.arn, pulumi.interpolate`${bucketResource.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            }),
        },
        // S3 refuses concurrent policy and public-access-block changes on one bucket.
        { parent, dependsOn: [publicAccessBlock] },
    );
    return { bucket: bucketResource, policy };
}

export interface LogBucketArgs {
    /** Days delivered logs are kept; deleted or replaced versions go a week later. */
    retentionDays: number;
    /** A log archive: Pulumi `protect`, and `pulumi destroy` refuses a bucket that still holds logs. @default false */
    protect?: boolean;
    /** The statement that lets the delivering service write, given the bucket's ARN. */
    deliveryStatement: (bucketArn: pulumi.Output<string>) => aws.iam.PolicyStatement;
}

/**
 * A private bucket an AWS service delivers logs into (ELB access logs, S3 server access logs),
 * encrypted with SSE-S3 because neither ELB nor S3 log delivery writes to an SSE-KMS bucket.
 */
export function createLogBucket(name: string, args: LogBucketArgs, parent: pulumi.Resource): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    return createPrivateBucket(
        name,
        {
            encryption: { sseAlgorithm: "AES256" },
            protect: args.protect,
            allowStatements: (bucketArn) => [args.deliveryStatement(bucketArn)],
            lifecycleRules: [
                {
                    id: "expire-access-logs",
                    status: "Enabled",
                    filter: { prefix: "" },
                    expiration: { days: args.retentionDays },
                    // Versioning keeps what expiry or a mistake deletes for a week, then it goes too.
                    noncurrentVersionExpiration: { noncurrentDays: 7 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
                { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
            ],
        },
        parent,
    );
}
