import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { createPrivateBucket } from "../s3-bucket";
import { withTransforms, type Transformable } from "../transform";

export interface BucketArgs extends Transformable {
    /** The KMS key objects are encrypted with (SSE-KMS; the platform's data key). */
    kmsKeyArn: pulumi.Input<string>;
    /** The stack's region: KMS grants are limited to use through S3 in this region. */
    region: string;
    /** Days an overwritten or deleted object version is kept before it expires. */
    noncurrentVersionExpiryDays: number;
    /**
     * Current objects under these prefixes expire after the given days (e.g. batch results).
     * @default [] (objects are kept until deleted)
     */
    expirations?: { prefix: string; days: number }[];
    /**
     * Send this bucket's object events to the account's default EventBridge bus, where rules
     * pick what they need (`Object Created` under a prefix, ...).
     * @default false
     */
    eventBridgeNotifications?: boolean;
    /**
     * Server access logs (FSBP S3.9) to this bucket, under `<name>/`; `after` is the log bucket's
     * policy, which must admit S3 log delivery before logging is turned on.
     * @default undefined (no access logs)
     */
    accessLogs?: { targetBucket: pulumi.Input<string>; after?: pulumi.Resource };
    /**
     * A stateful bucket: Pulumi `protect`, and `pulumi destroy` refuses to delete it while it
     * holds objects. When false the bucket is emptied and deleted with the stack (dev).
     * @default false
     */
    protect?: boolean;
}

/**
 * An S3 bucket for application data, private and durable by construction: versioned, SSE-KMS
 * with the platform's data key and an S3 Bucket Key (one KMS call per object batch, not per
 * object), all four public access blocks, ACLs disabled (BucketOwnerEnforced), a policy denying
 * plain HTTP, and lifecycle rules expiring old versions, delete markers and abandoned multipart
 * uploads. Access is granted per prefix to functions and workflows (`grantRead`, `grantWrite`,
 * `grantList`), never through the bucket policy.
 */
export class Bucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly region: string;

    constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Bucket", name, {}, withTransforms(opts, args.transform));
        this.kmsKeyArn = args.kmsKeyArn;
        this.region = args.region;
        const { bucket: bucketResource } = createPrivateBucket(
            name,
            {
                encryption: { sseAlgorithm: "aws:kms", kmsKeyArn: args.kmsKeyArn },
                protect: args.protect,
                lifecycleRules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        // The whole bucket. An empty `filter: {}` is not a valid LifecycleRuleFilter for the provider (it plans a diff on every update).
                        filter: { prefix: "" },
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpiryDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                    { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
                    ...(args.expirations ?? []).map(({ prefix, days }) => ({ id: `expire-${prefix.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`, status: "Enabled", filter: { prefix }, expiration: { days } })),
                ],
            },
            this,
        );
        this.bucket = bucketResource;
        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        const bucket = this.bucket.id;
        if (args.eventBridgeNotifications) new aws.s3.BucketNotification(name, { bucket, eventbridge: true }, { parent: this });
        if (args.accessLogs) {
            new aws.s3.BucketLogging(name, { bucket, targetBucket: args.accessLogs.targetBucket, targetPrefix: `${name}/` }, { parent: this, dependsOn: args.accessLogs.after ? [args.accessLogs.after] : [] });
        }
        this.registerOutputs({ name: this.name, arn: this.arn });
    }

    /** Objects under `prefix` (every object when omitted), as `arn:.../prefix*`. */
    objectsArn(prefix = ""): pulumi.Output<string> {
        return pulumi.interpolate`${this.arn}/${prefix}*`;
    }

    /** Read object content and versions under `prefix`. `as` names the grant, e.g. `ReadUploads`. */
    grantRead(grantee: Grantee, as: string, prefix = ""): void {
        this.grant(grantee, as, ["s3:GetObject", "s3:GetObjectVersion"], [this.objectsArn(prefix)], ["kms:Decrypt"]);
    }

    /** Write objects under `prefix`. */
    grantWrite(grantee: Grantee, as: string, prefix = ""): void {
        this.grant(grantee, as, ["s3:PutObject"], [this.objectsArn(prefix)], ["kms:GenerateDataKey", "kms:Decrypt"]);
    }

    /** List the keys under `prefix` (ListObjectsV2 with that prefix; nothing else is listable). */
    grantList(grantee: Grantee, as: string, prefix = ""): void {
        grantee.addGrant({
            sid: as,
            actions: ["s3:ListBucket"],
            resources: [this.arn],
            ...(prefix ? { conditions: { StringLike: { "s3:prefix": [prefix, `${prefix}*`] } } } : {}),
        });
    }

    private grant(grantee: Grantee, as: string, actions: string[], resources: pulumi.Input<string>[], keyActions: string[]): void {
        grantee.addGrant({ sid: as, actions, resources });
        // The data key, only through S3 in this region: the grantee cannot decrypt anything else with it.
        grantee.addGrant({ sid: `${as}Key`, actions: keyActions, resources: [this.kmsKeyArn], conditions: { StringEquals: { "kms:ViaService": `s3.${this.region}.amazonaws.com` } } });
    }
}
