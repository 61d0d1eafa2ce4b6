import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, OTHER_ACCOUNT, single, stack, StackBuilder } from "../fixtures";
import type { PolicySuite } from "../runner";

const BUCKET = T.s3Buckets[0];
const TLS_ONLY = { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } };

/** A bucket with every side resource the pack expects, each depending on it. */
function goodBucket(s: StackBuilder, without: string[] = []) {
    const bucket = s.add(BUCKET, "data", { bucket: "data" });
    const side = (type: string, name: string, inputs: Record<string, unknown>) => {
        if (!without.includes(name)) s.add(type, `data-${name}`, { bucket: "data", ...inputs }, { dependsOn: [bucket] });
    };
    side(T.s3PublicAccessBlock, "pab", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    side(T.s3BucketPolicy, "policy", { policy: doc(TLS_ONLY) });
    side(T.s3Versioning[0], "versioning", { versioningConfiguration: { status: "Enabled" } });
    side(T.s3Lifecycle[0], "lifecycle", { rules: [{ id: "noncurrent", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } }] });
    side(T.s3Logging[0], "logging", { targetBucket: "access-logs", targetPrefix: "data/" });
    return bucket;
}

export const s3Cases: PolicySuite[] = [
    {
        policy: "s3-bucket-public-access-block",
        pass: [
            { name: "bucket with all four flags", resources: () => stack((s) => goodBucket(s)) },
            {
                name: "account-level block",
                resources: () =>
                    stack((s) => {
                        goodBucket(s, ["pab"]);
                        s.add(T.s3AccountPublicAccessBlock, "account", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
                    }),
            },
        ],
        fail: [
            { name: "no block", resources: () => stack((s) => goodBucket(s, ["pab"])), messages: ["bucket data has no aws.s3.BucketPublicAccessBlock"] },
            {
                name: "two flags left off (V2 bucket type)",
                resources: () =>
                    stack((s) => {
                        const bucket = s.add(T.s3Buckets[1], "legacy", { bucket: "legacy" });
                        s.add(T.s3PublicAccessBlock, "legacy-pab", { bucket: "legacy", blockPublicAcls: true, blockPublicPolicy: true }, { dependsOn: [bucket] });
                    }),
                messages: ["ignorePublicAcls and restrictPublicBuckets are not true for bucket legacy"],
            },
        ],
    },
    {
        policy: "s3-bucket-not-public",
        pass: [{ name: "TLS-only deny policy", resources: () => single(T.s3BucketPolicy, { bucket: "data", policy: doc(TLS_ONLY) }) }],
        fail: [
            {
                name: "public read policy",
                resources: () => single(T.s3BucketPolicy, { bucket: "data", policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }) }),
                messages: ['allows "s3:GetObject" to Principal "*"'],
            },
            { name: "public-read ACL resource", resources: () => single(T.s3Acl[0], { bucket: "data", acl: "public-read" }), messages: ['acl is "public-read"'] },
            {
                name: "AllUsers grant",
                resources: () =>
                    single(T.s3Acl[1], {
                        bucket: "data",
                        accessControlPolicy: { owner: { id: "o" }, grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "WRITE" }] },
                    }),
                messages: ["a grant gives AllUsers access"],
            },
        ],
    },
    {
        policy: "s3-require-tls",
        pass: [{ name: "TLS-only deny", resources: () => stack((s) => goodBucket(s)) }],
        fail: [
            { name: "no bucket policy", resources: () => stack((s) => goodBucket(s, ["policy"])), messages: ['bucket data\'s policy has no Deny for aws:SecureTransport "false"'] },
            {
                name: "malformed bucket policy",
                resources: () =>
                    stack((s) => {
                        const b = goodBucket(s, ["policy"]);
                        s.add(T.s3BucketPolicy, "p", { bucket: "data", policy: "{" }, { dependsOn: [b] });
                    }),
                messages: ["bucket data: policy is not valid JSON"],
            },
        ],
    },
    {
        policy: "s3-no-cross-account-admin-actions",
        pass: [
            {
                name: "other account may read",
                resources: () => single(T.s3BucketPolicy, { bucket: "data", policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: "s3:GetObject", Resource: "*" }) }),
            },
            {
                name: "own account (from the provider's allowedAccountIds) may administer",
                resources: () =>
                    stack((s) => {
                        const provider = s.add("pulumi:providers:aws", "aws", { region: "eu-west-1", allowedAccountIds: JSON.stringify([ACCOUNT]) }, { component: false });
                        s.add(
                            T.s3BucketPolicy,
                            "p",
                            { bucket: "data", policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` }, Action: "s3:PutBucketPolicy", Resource: "*" }) },
                            { provider },
                        );
                    }),
            },
        ],
        fail: [
            {
                name: "other account may rewrite the policy",
                resources: () => single(T.s3BucketPolicy, { bucket: "data", policy: doc({ Effect: "Allow", Principal: { AWS: OTHER_ACCOUNT }, Action: "s3:Put*", Resource: "*" }) }),
                messages: [`allows s3:PutBucketAcl, s3:PutBucketPolicy, s3:PutEncryptionConfiguration and s3:PutObjectAcl to ${OTHER_ACCOUNT}`],
            },
        ],
    },
    {
        policy: "s3-bucket-logging",
        pass: [
            { name: "logging to the log bucket", resources: () => stack((s) => goodBucket(s)) },
            {
                name: "the log target bucket itself needs none",
                resources: () =>
                    stack((s) => {
                        goodBucket(s);
                        s.add(BUCKET, "access-logs", { bucket: "access-logs" });
                    }),
            },
            {
                name: "an auto-named ALB access-log bucket needs none",
                resources: () =>
                    stack((s) => {
                        const logs = s.add(BUCKET, "alb-logs", {});
                        s.add(T.loadBalancers[0], "alb", { accessLogs: { enabled: true, bucket: "alb-logs-b488a0c" } }, { dependsOn: [logs] });
                    }),
            },
        ],
        fail: [{ name: "no logging", resources: () => stack((s) => goodBucket(s, ["logging"])), messages: ["bucket data has no aws.s3.BucketLogging"] }],
    },
    {
        policy: "s3-bucket-versioning",
        pass: [
            { name: "versioning Enabled", resources: () => stack((s) => goodBucket(s)) },
            { name: "deprecated inline versioning", resources: () => single(BUCKET, { bucket: "x", versioning: { enabled: true } }) },
        ],
        fail: [
            { name: "no versioning", resources: () => stack((s) => goodBucket(s, ["versioning"])), messages: ['bucket data has no versioning with status "Enabled"'] },
            {
                name: "Suspended",
                resources: () =>
                    stack((s) => {
                        const b = goodBucket(s, ["versioning"]);
                        s.add(T.s3Versioning[1], "v", { bucket: "data", versioningConfiguration: { status: "Suspended" } }, { dependsOn: [b] });
                    }),
                messages: ["has no versioning"],
            },
        ],
    },
    {
        policy: "s3-versioned-bucket-lifecycle",
        pass: [
            { name: "versioned with lifecycle", resources: () => stack((s) => goodBucket(s)) },
            { name: "unversioned bucket without lifecycle", resources: () => stack((s) => goodBucket(s, ["versioning", "lifecycle"])) },
        ],
        fail: [{ name: "versioned without lifecycle", resources: () => stack((s) => goodBucket(s, ["lifecycle"])), messages: ["bucket data is versioned but has no enabled lifecycle rule"] }],
    },
    {
        policy: "s3-bucket-lifecycle",
        pass: [{ name: "lifecycle configured", resources: () => stack((s) => goodBucket(s)) }],
        fail: [
            { name: "none", resources: () => stack((s) => goodBucket(s, ["lifecycle"])), messages: ["bucket data has no enabled lifecycle rule"] },
            {
                name: "only disabled rules",
                resources: () =>
                    stack((s) => {
                        const b = goodBucket(s, ["lifecycle"]);
                        s.add(T.s3Lifecycle[0], "lc", { bucket: "data", rules: [{ id: "x", status: "Disabled" }] }, { dependsOn: [b] });
                    }),
                messages: ["has no enabled lifecycle rule"],
            },
        ],
    },
    {
        policy: "s3-acls-disabled",
        pass: [
            { name: "BucketOwnerEnforced", resources: () => single(T.s3OwnershipControls, { bucket: "data", rule: { objectOwnership: "BucketOwnerEnforced" } }) },
            { name: "bucket without ACL arguments (ACLs disabled by default)", resources: () => single(BUCKET, { bucket: "data" }) },
        ],
        fail: [
            { name: "ObjectWriter", resources: () => single(T.s3OwnershipControls, { bucket: "data", rule: { objectOwnership: "ObjectWriter" } }), messages: ['rule.objectOwnership is "ObjectWriter"'] },
            { name: "a BucketAcl resource", resources: () => single(T.s3Acl[0], { bucket: "data", acl: "private" }), messages: ["a BucketAcl manages the bucket's ACL"] },
            { name: "inline acl on the bucket", resources: () => single(BUCKET, { bucket: "data", acl: "log-delivery-write" }), messages: ['acl is "log-delivery-write"'] },
        ],
    },
    {
        policy: "s3-access-point-block-public-access",
        pass: [{ name: "defaults (all on)", resources: () => single("aws:s3/accessPoint:AccessPoint", { bucket: "data", name: "ap" }) }],
        fail: [
            {
                name: "restrictPublicBuckets turned off",
                resources: () => single("aws:s3/accessPoint:AccessPoint", { bucket: "data", name: "ap", publicAccessBlockConfiguration: { restrictPublicBuckets: false } }),
                messages: ["restrictPublicBuckets is false"],
            },
        ],
    },
];
