import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createLogBucket } from "../s3-bucket";
import { withTransforms, type Transformable } from "../transform";

/**
 * Regions launched before August 2022. There, ELB writes access logs as a regional AWS account
 * (`aws.elb.getServiceAccount`); Regions launched since then only know the log delivery service
 * principal, which AWS now documents for every Region. The bucket policy names both where both
 * exist, so delivery works whichever AWS uses. The list is closed: new Regions use the principal.
 */
const REGIONS_WITH_ELB_ACCOUNT = new Set([
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-south-1",
    "eu-west-3",
    "eu-north-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
]);

export interface AccessLogBucketArgs extends Transformable {
    /** Key prefixes the load balancers write under, one per app; ELB may write there and nowhere else. */
    prefixes: string[];
    /** Days access logs are kept; deleted versions go a week later. */
    retentionDays: number;
    region: string;
    /** Logs land under `<prefix>/AWSLogs/<account>/`: only this account's load balancers' logs are accepted. */
    accountId: pulumi.Input<string>;
    /**
     * A log archive: Pulumi `protect`, and `pulumi destroy` refuses to delete a bucket that still
     * holds logs. When false, the bucket is emptied and deleted with the stack (dev).
     * @default false
     */
    protect?: boolean;
}

/**
 * The S3 bucket the load balancers write their access logs to (ELB.5): versioned, private (all
 * four public access blocks, bucket-owner-enforced ownership, no ACLs), TLS-only, encrypted and
 * expiring. Encryption is SSE-S3 (AES256) because ELB log delivery supports no other: SSE-KMS is
 * refused at delivery time.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    /** The bucket name, for `accessLogs.bucket`. */
    readonly bucketName: pulumi.Output<string>;
    /** Depend on this before enabling access logs: ELB writes a test object when they are turned on. */
    readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:AccessLogBucket", name, {}, withTransforms(opts, args.transform));
        const logDelivery = "logdelivery.elasticloadbalancing.amazonaws.com";
        const elbPrincipal: aws.iam.Principal = REGIONS_WITH_ELB_ACCOUNT.has(args.region) ? { Service: logDelivery, AWS: aws.elb.getServiceAccountOutput({}, { parent: this }).arn } : { Service: logDelivery };
        const { bucket, policy } = createLogBucket(
            name,
            {
                retentionDays: args.retentionDays,
                protect: args.protect,
                deliveryStatement: (bucketArn) => ({
                    Sid: "ElbDeliversThisAccountsAccessLogs",
                    Effect: "Allow",
                    Principal: elbPrincipal,
                    Action: "s3:PutObject",
                    Resource: args.prefixes.map((prefix) => pulumi.interpolate`${bucketArn}/${prefix}/AWSLogs/${args.accountId}/*`),
                }),
            },
            this,
        );
        this.bucket = bucket;
        this.policy = policy;
        this.bucketName = bucket.bucket;
        this.registerOutputs({ bucketName: this.bucketName });
    }
}
