import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy, StackContext } from "../lib/define";
import { describeActions, forEachStatement } from "../lib/documents";
import { names, refersTo } from "../lib/graph";
import { coversAction, isPublicGrant, parsePolicyDocument, Statement } from "../lib/iam";
import { readJson } from "../lib/json";
import { bool, joinWords, list, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * S3 in @pulumi/aws v7: aws.s3.Bucket (formerly BucketV2) with its settings in side resources
 * (BucketVersioning, BucketLifecycleConfiguration, BucketLogging, BucketPolicy,
 * BucketPublicAccessBlock, BucketOwnershipControls, BucketAcl), matched to the bucket by the
 * `bucket` property or a dependency. The deprecated inline arguments are honoured as well.
 */

const BUCKETS: string[] = [...T.s3Buckets];
const POLICY_TYPES = [T.s3BucketPolicy, ...BUCKETS];

const bucketLabel = (bucket: PolicyResource) => `bucket ${str(bucket.props.bucket) ?? bucket.name}`;

/** Side resources of the given types that belong to `bucket`. */
function sidesOf(stack: StackContext, bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
    return stack.ofType(...types).filter((side) => refersTo(side, bucket, ["bucket"], ["bucket", "id"]));
}

function versioned(stack: StackContext, bucket: PolicyResource): boolean {
    if (bool(rec(bucket.props.versioning).enabled) === true) return true;
    return sidesOf(stack, bucket, T.s3Versioning).some((side) => str(rec(side.props.versioningConfiguration).status) === "Enabled");
}

function hasLifecycle(stack: StackContext, bucket: PolicyResource): boolean {
    if (list(bucket.props.lifecycleRules).some((rule) => bool(rec(rule).enabled) !== false)) return true;
    return sidesOf(stack, bucket, T.s3Lifecycle).some((side) => list(side.props.rules).some((rule) => (str(rec(rule).status) ?? "Enabled") === "Enabled"));
}

/**
 * Log buckets: targets of other buckets' server access logs and of load balancer access or
 * connection logs. Logging a log bucket's access would only need yet another log bucket.
 */
function logTargets(stack: StackContext, buckets: PolicyResource[]): Set<PolicyResource> {
    // Read unguarded: an unknown log target must not make a log bucket read as an ordinary one.
    const references: unknown[] = [];
    for (const resource of stack.ofType(...T.s3Logging, ...BUCKETS, ...T.loadBalancers, T.awsxAlb, T.awsxNlb)) {
        if ((T.s3Logging as readonly string[]).includes(resource.type)) references.push(resource.props.targetBucket);
        else if (BUCKETS.includes(resource.type)) references.push(rec(resource.props.logging).targetBucket);
        else references.push(rec(resource.props.accessLogs).bucket, rec(resource.props.connectionLogs).bucket);
    }
    return new Set(buckets.filter((bucket) => references.some((reference) => reference !== undefined && names(reference, bucket, ["bucket", "id"]))));
}

export const s3BucketPublicAccessBlock = defineStackPolicy({
    name: "s3-bucket-public-access-block",
    description: "Every S3 bucket has all four Block Public Access settings on (bucket-level, or account-level for the whole account).",
    severity: "high",
    frameworks: ["FSBP S3.8", "FSBP S3.1"],
    remediation: "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
    types: [...BUCKETS, T.s3PublicAccessBlock, T.s3AccountPublicAccessBlock],
    validate: (stack, report) => {
        const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        const off = (props: Record<string, any>) => FLAGS.filter((flag) => bool(props[flag]) !== true);
        // Read unguarded: an unknown account-level setting must not read as "no account block".
        if (stack.ofType(T.s3AccountPublicAccessBlock).some((account) => off(account.props).length === 0)) return;
        for (const bucket of stack.ofType(...BUCKETS)) {
            stack.guard(() => {
                const blocks = sidesOf(stack, bucket, [T.s3PublicAccessBlock]);
                if (blocks.length === 0) return report(`${bucketLabel(bucket)} has no aws.s3.BucketPublicAccessBlock; expected one with ${joinWords(FLAGS)} all true`, bucket.urn);
                const missing = off(blocks[0].props);
                if (missing.length > 0) report(`${joinWords(missing)} ${missing.length === 1 ? "is" : "are"} not true for ${bucketLabel(bucket)}; expected all four true`, blocks[0].urn);
            });
        }
    },
});

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
/** Objects written by the program carry their own canned ACL (acl), which a bucket with ACLs enabled honours. */
const OBJECT_TYPES = ["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/objectCopy:ObjectCopy"];

const PUBLIC_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

export const s3BucketNotPublic = defineResourcePolicy({
    name: "s3-bucket-not-public",
    description: "S3 bucket policies and ACLs, and the ACLs of objects the program writes, do not grant public read or write access.",
    severity: "critical",
    frameworks: ["FSBP S3.2", "FSBP S3.3"],
    remediation: "Remove public grants; serve public content through CloudFront with origin access control, and keep Block Public Access on.",
    types: [...POLICY_TYPES, ...T.s3Acl, ...OBJECT_TYPES],
    validate: ({ type, props }, report) => {
        if (OBJECT_TYPES.includes(type)) {
            const acl = str(props.acl);
            if (acl && PUBLIC_ACLS.includes(acl)) report(`acl is ${show(acl)}, which makes the object readable by anyone; expected "private" (or no ACL, with ACLs disabled on the bucket)`);
            return;
        }
        forEachStatement(type, props, ["resource"], report, (statement, document, statements) => {
            if (isPublicGrant(statement, statements))
                report(`${document.property}: statement ${statement.label} allows ${describeActions(statement)} to Principal "*" with no restricting condition; expected named principals`);
        });
        const acl = str(props.acl);
        if (acl && PUBLIC_ACLS.includes(acl)) report(`acl is ${show(acl)}; expected "private" (or no ACL)`);
        const grants = [...list(props.grants), ...list(rec(props.accessControlPolicy).grants)];
        for (const grant of grants) {
            const uri = str(rec(rec(grant).grantee).uri) ?? str(rec(grant).uri);
            if (uri && PUBLIC_GRANTEES.includes(uri)) report(`a grant gives ${uri.split("/").pop()} access; expected no public grants`);
        }
    },
});

/** A statement that denies requests not made over TLS. */
function deniesInsecureTransport(statement: Statement): boolean {
    if (statement.effect !== "Deny" || !(statement.principal?.anyone || statement.notPrincipal)) return false;
    const secure = rec(statement.condition.Bool)["aws:SecureTransport"];
    const values = list(secure).map((v) => String(v).toLowerCase());
    return values.includes("false") && coversAction(statement, "s3:GetObject") && coversAction(statement, "s3:PutObject");
}

export const s3RequireTls = defineStackPolicy({
    name: "s3-require-tls",
    description: "Every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport false).",
    severity: "medium",
    frameworks: ["FSBP S3.5"],
    remediation: 'Add a statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } } to the bucket policy.',
    types: [...BUCKETS, T.s3BucketPolicy],
    validate: (stack, report) => {
        for (const bucket of stack.ofType(...BUCKETS)) {
            stack.guard(() => {
                const documents = [...(bucket.props.policy !== undefined ? [bucket.props.policy] : []), ...sidesOf(stack, bucket, [T.s3BucketPolicy]).map((p) => p.props.policy)];
                const parsed = documents.map((document) => parsePolicyDocument(document, "policy"));
                const invalid = parsed.find((p) => p.ok === false);
                if (invalid && invalid.ok === false) return report(`${bucketLabel(bucket)}: ${invalid.message}`, bucket.urn);
                const enforced = parsed.some((p) => p.ok === true && p.statements.some(deniesInsecureTransport));
                if (!enforced) report(`${bucketLabel(bucket)}'s policy has no Deny for aws:SecureTransport "false"; expected requests over plain HTTP to be denied`, bucket.urn);
            });
        }
    },
});

const ADMIN_ACTIONS = ["s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"];

/** The account of an AWS principal (an ARN or a bare account id). */
function accountOf(principal: string): string | undefined {
    if (/^\d{12}$/.test(principal)) return principal;
    return /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):/.exec(principal)?.[2];
}

export const s3NoCrossAccountAdminActions = defineResourcePolicy<{ trustedAccountIds: string[] }>({
    name: "s3-no-cross-account-admin-actions",
    description: "Bucket policies do not let other accounts change the bucket's policy, ACLs or encryption.",
    severity: "high",
    frameworks: ["FSBP S3.6"],
    remediation: `Do not grant ${ADMIN_ACTIONS.join(", ")} to principals outside the account; list your own accounts in trustedAccountIds.`,
    types: POLICY_TYPES,
    config: { trustedAccountIds: { type: "array", items: { type: "string", pattern: "^\\d{12}$" }, default: [], description: "Accounts that are not cross-account (besides the provider's allowedAccountIds)." } },
    validate: ({ type, props, provider, config }, report) => {
        // The stack's own account, when the AWS provider pins it.
        // Provider config reaches policies as strings: a list arrives as JSON.
        const allowed = readJson(provider?.props.allowedAccountIds, "allowedAccountIds");
        const own = new Set([...config.trustedAccountIds, ...(allowed.state === "ok" ? list(allowed.value).map(String) : [])]);
        forEachStatement(type, props, ["resource"], report, (statement, document) => {
            if (statement.effect !== "Allow" || !statement.principal) return;
            const foreign = statement.principal.anyone ? ["*"] : statement.principal.aws.filter((p) => !own.has(accountOf(p) ?? ""));
            if (foreign.length === 0) return;
            const actions = ADMIN_ACTIONS.filter((action) => coversAction(statement, action));
            if (actions.length > 0)
                report(`${document.property}: statement ${statement.label} allows ${joinWords(actions)} to ${joinWords(foreign)}, outside the trusted accounts; expected no cross-account administration`);
        });
    },
});

export const s3BucketLogging = defineStackPolicy({
    name: "s3-bucket-logging",
    description: "S3 buckets (other than log buckets: targets of S3 or load balancer logs) have server access logging.",
    severity: "medium",
    enforcementLevel: "advisory",
    advisoryBecause: "server access logs are billed as storage and requests in a second bucket, for every request.",
    frameworks: ["FSBP S3.9"],
    remediation: "Add an aws.s3.BucketLogging with targetBucket set to the account's access-log bucket.",
    types: [...BUCKETS, ...T.s3Logging, ...T.loadBalancers],
    validate: (stack, report) => {
        const buckets = stack.ofType(...BUCKETS);
        const targets = logTargets(stack, buckets);
        for (const bucket of buckets) {
            stack.guard(() => {
                if (targets.has(bucket) || str(rec(bucket.props.logging).targetBucket)) return;
                if (sidesOf(stack, bucket, T.s3Logging).length === 0) report(`${bucketLabel(bucket)} has no aws.s3.BucketLogging; expected server access logs`, bucket.urn);
            });
        }
    },
});

export const s3BucketVersioning = defineStackPolicy({
    name: "s3-bucket-versioning",
    description: "S3 buckets keep object versions, so an overwrite or delete can be undone.",
    severity: "medium",
    frameworks: ["Reliability 6"],
    remediation: 'Add an aws.s3.BucketVersioning with versioningConfiguration: { status: "Enabled" } (and a lifecycle rule expiring noncurrent versions).',
    types: [...BUCKETS, ...T.s3Versioning],
    validate: (stack, report) => {
        for (const bucket of stack.ofType(...BUCKETS)) {
            stack.guard(() => {
                if (!versioned(stack, bucket)) report(`${bucketLabel(bucket)} has no versioning with status "Enabled"; expected an aws.s3.BucketVersioning`, bucket.urn);
            });
        }
    },
});

export const s3VersionedBucketLifecycle = defineStackPolicy({
    name: "s3-versioned-bucket-lifecycle",
    description: "Versioned S3 buckets have a lifecycle configuration (noncurrent versions expire).",
    severity: "medium",
    frameworks: ["FSBP S3.10", "Reliability 6"],
    remediation: "Add an aws.s3.BucketLifecycleConfiguration with a rule expiring noncurrent versions (noncurrentVersionExpiration).",
    types: [...BUCKETS, ...T.s3Versioning, ...T.s3Lifecycle],
    validate: (stack, report) => {
        for (const bucket of stack.ofType(...BUCKETS)) {
            stack.guard(() => {
                if (versioned(stack, bucket) && !hasLifecycle(stack, bucket)) report(`${bucketLabel(bucket)} is versioned but has no enabled lifecycle rule; expected noncurrent versions to expire`, bucket.urn);
            });
        }
    },
});

export const s3BucketLifecycle = defineStackPolicy({
    name: "s3-bucket-lifecycle",
    description: "S3 buckets have a lifecycle configuration.",
    severity: "low",
    frameworks: ["FSBP S3.13"],
    remediation: "Add an aws.s3.BucketLifecycleConfiguration (expire, transition, abort incomplete multipart uploads).",
    types: [...BUCKETS, ...T.s3Lifecycle],
    validate: (stack, report) => {
        for (const bucket of stack.ofType(...BUCKETS)) {
            stack.guard(() => {
                if (!hasLifecycle(stack, bucket)) report(`${bucketLabel(bucket)} has no enabled lifecycle rule; expected an aws.s3.BucketLifecycleConfiguration`, bucket.urn);
            });
        }
    },
});

/**
 * S3.12: since April 2023 new buckets have ACLs disabled (BucketOwnerEnforced) unless a program
 * changes it, so an omitted BucketOwnershipControls is compliant; enabling ACLs is not.
 */
export const s3AclsDisabled = defineResourcePolicy({
    name: "s3-acls-disabled",
    description: "S3 buckets keep ACLs disabled (object ownership BucketOwnerEnforced); access is managed by policies only.",
    severity: "medium",
    frameworks: ["FSBP S3.12"],
    remediation: 'Use rule: { objectOwnership: "BucketOwnerEnforced" } and remove BucketAcl resources and acl/grants arguments.',
    types: [T.s3OwnershipControls, ...T.s3Acl, ...BUCKETS],
    validate: ({ type, props }, report) => {
        if (type === T.s3OwnershipControls) {
            const ownership = str(rec(props.rule).objectOwnership);
            if (ownership !== "BucketOwnerEnforced") report(`rule.objectOwnership is ${show(ownership)}; expected "BucketOwnerEnforced"`);
            return;
        }
        if ((T.s3Acl as readonly string[]).includes(type)) {
            report(`a ${type.split(":").pop()} manages the bucket's ACL; expected ACLs disabled (BucketOwnerEnforced) and access through the bucket policy`);
            return;
        }
        const acl = str(props.acl);
        if (acl !== undefined && acl !== "private") report(`acl is ${show(acl)}; expected no ACL`);
        if (list(props.grants).length > 0) report("grants are set; expected no ACL grants");
    },
});

export const s3AccessPointBlockPublicAccess = defineResourcePolicy({
    name: "s3-access-point-block-public-access",
    description: "S3 access points keep all four Block Public Access settings on.",
    severity: "critical",
    frameworks: ["FSBP S3.19"],
    remediation: "Remove publicAccessBlockConfiguration (every setting defaults to true) or set all four settings true.",
    types: ["aws:s3/accessPoint:AccessPoint"],
    validate: ({ props }, report) => {
        const block = rec(props.publicAccessBlockConfiguration);
        const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((flag) => bool(block[flag]) === false);
        if (off.length > 0) report(`publicAccessBlockConfiguration: ${joinWords(off)} ${off.length === 1 ? "is" : "are"} false; expected all four true`);
    },
});

export const s3Policies = [
    s3BucketPublicAccessBlock,
    s3BucketNotPublic,
    s3RequireTls,
    s3NoCrossAccountAdminActions,
    s3BucketLogging,
    s3BucketVersioning,
    s3VersionedBucketLifecycle,
    s3BucketLifecycle,
    s3AclsDisabled,
    s3AccessPointBlockPublicAccess,
];
