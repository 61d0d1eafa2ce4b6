import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createLogBucket } from "../s3-bucket";
import { withTransforms, type Transformable } from "../transform";

export interface S3AccessLogBucketArgs extends Transformable {
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
        super("platform:serverless:S3AccessLogBucket", name, {}, withTransforms(opts, args.transform));
        const { bucket, policy } = createLogBucket(
            name,
            {
                retentionDays: args.retentionDays,
                protect: args.protect,
                deliveryStatement: (bucketArn) => ({
                    Sid: "S3DeliversThisAccountsAccessLogs",
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`${bucketArn}/*`,
                    // AWS's recommended conditions for log delivery: this account, and only the named source buckets.
                    Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${args.sourceBucketNamePrefix}*` } },
                }),
            },
            this,
        );
        this.bucket = bucket;
        this.policy = policy;
        this.name = bucket.bucket;
        this.registerOutputs({ name: this.name });
    }
}
