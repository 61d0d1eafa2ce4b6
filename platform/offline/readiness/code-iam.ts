import { existsSync } from "node:fs";
import * as path from "node:path";
import { coversAction, parsePolicyDocument, Statement } from "../../../policy/lib/iam";
import { globMatch } from "../../../policy/lib/props";
import { REPO_ROOT } from "../../serverless/bundle";
import type { RecordedResource } from "../mock-cloud";
import { catalogAction, CatalogAction, requiredActions } from "./sdk-actions";
import { CodeScan, scanEntries, usesTracer } from "./sdk-calls";
import { finding, ReadinessContext, ReadinessFinding, ReadinessRule } from "./types";

/**
 * Readiness rule "runtime code against IAM": what each Lambda handler and container app calls in
 * AWS (the SDK v3 commands in its bundle, sdk-calls.ts), mapped to IAM actions (sdk-actions.ts),
 * against what its role grants (inline and attached policies the program registers).
 *
 * - A Lambda handler is one code path: every call in its bundle must be allowed somewhere, else
 *   the first invocation that reaches it fails with AccessDenied.
 * - A container app chooses its paths from its environment (apps/web serves from memory until it
 *   is given a table): a call on resources of a type the app is given none of is not checked.
 * - Resources are matched through the environment: a variable whose value is a resource's name,
 *   ARN or URL (a recorded resource, or an ARN a statement of the role names) is a resource the
 *   code is meant to call; when the code calls actions on that type of resource, the role must
 *   allow at least one of them on it.
 * - The runtime's own calls count too: the Lambda runtime writes the function's logs, and with
 *   active tracing Powertools' tracer sends X-Ray segments. Powertools metrics are EMF log lines
 *   (no cloudwatch:PutMetricData).
 *
 * Not modelled: conditions other than kms:ViaService (an Allow with one counts as allowing), permission boundaries,
 * SCPs, resource policies, and AWS managed policies (their documents are not in the program; a
 * role with one gets a warning, not a failure). The scan is per module after tree shaking: a
 * handler that bundles a class whose write methods it never calls is reported, so give it a
 * read-only class.
 */
export const codeIamRule: ReadinessRule = {
    id: "code-iam",
    title: "every AWS SDK call in a handler's or container app's code is allowed by its role",
    doc: "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    check: checkCodeIam,
};

/** Something that runs code of this repository with a role. */
export interface Workload {
    kind: "function" | "ecs-task" | "pod";
    /** The resource findings are about (the function, task definition, Deployment or CronJob). */
    resource: RecordedResource;
    label: string;
    /** Source entry, relative to the repository root. */
    entry: string;
    roleArn: string;
    environment: Record<string, string>;
    /** Lambda active tracing: the function's role sends the X-Ray segments. */
    activeTracing?: boolean;
    /** Lambda's log group name: the runtime writes it with the function's role. */
    logGroup?: string;
}

/** The source of a container app named `name`, by the repository's layout (apps/<name>/src/main.ts, what its Dockerfile bundles). */
export function containerEntry(name: string): string | undefined {
    const entry = `apps/${name}/src/main.ts`;
    return existsSync(path.join(REPO_ROOT, entry)) ? entry : undefined;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const rec = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function parseMaybeJson(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

function envList(value: unknown): Record<string, string> {
    const env: Record<string, string> = {};
    for (const item of list(value)) {
        const name = str(rec(item).name);
        const val = rec(item).value;
        if (name && (typeof val === "string" || typeof val === "number" || typeof val === "boolean")) env[name] = String(val);
    }
    return env;
}

/** Every workload of the synth whose code lives in this repository. */
export function workloadsOf(context: Pick<ReadinessContext, "resources" | "bundles">): Workload[] {
    const workloads: Workload[] = [];
    const entries = new Map(context.bundles.map((bundle) => [bundle.functionName, bundle.entry]));
    for (const resource of context.resources) {
        const inputs = resource.inputs;
        if (resource.type === "aws:lambda/function:Function") {
            const name = str(inputs.name) ?? str(resource.state.name);
            const entry = name ? entries.get(name) : undefined;
            const roleArn = str(inputs.role);
            if (!entry || !roleArn) continue;
            workloads.push({
                kind: "function",
                resource,
                label: `function ${name}`,
                entry,
                roleArn,
                environment: Object.fromEntries(Object.entries(rec(rec(inputs.environment).variables)).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : []))),
                activeTracing: rec(inputs.tracingConfig).mode === "Active",
                logGroup: str(rec(inputs.loggingConfig).logGroup) ?? `/aws/lambda/${name}`,
            });
        } else if (resource.type === "aws:ecs/taskDefinition:TaskDefinition") {
            const roleArn = str(inputs.taskRoleArn);
            if (!roleArn) continue;
            for (const container of list(parseMaybeJson(inputs.containerDefinitions))) {
                const entry = containerEntry(str(rec(container).name) ?? "");
                if (entry) workloads.push({ kind: "ecs-task", resource, label: `task definition ${str(inputs.family) ?? resource.name}`, entry, roleArn, environment: envList(rec(container).environment) });
            }
        }
    }
    // EKS: a pod's service account gets its role from a pod identity association.
    const podRoles = new Map<string, string>();
    for (const association of context.resources.filter((resource) => resource.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")) {
        const roleArn = str(association.inputs.roleArn);
        if (roleArn) podRoles.set(`${str(association.inputs.namespace)}/${str(association.inputs.serviceAccount)}`, roleArn);
    }
    for (const resource of context.resources) {
        const template =
            resource.type === "kubernetes:apps/v1:Deployment"
                ? rec(rec(resource.inputs.spec).template)
                : resource.type === "kubernetes:batch/v1:CronJob"
                  ? rec(rec(rec(rec(resource.inputs.spec).jobTemplate).spec).template)
                  : undefined;
        if (!template) continue;
        const namespace = str(rec(resource.inputs.metadata).namespace) ?? "default";
        const pod = rec(template.spec);
        const roleArn = podRoles.get(`${namespace}/${str(pod.serviceAccountName) ?? "default"}`);
        const app = str(rec(rec(template.metadata).labels)["app.kubernetes.io/name"]);
        if (!roleArn) continue;
        for (const container of list(pod.containers)) {
            const entry = containerEntry(app ?? str(rec(container).name) ?? "");
            if (entry)
                workloads.push({
                    kind: "pod",
                    resource,
                    label: `${resource.type.split(":").pop()} ${namespace}/${str(rec(resource.inputs.metadata).name) ?? resource.name}`,
                    entry,
                    roleArn,
                    environment: envList(rec(container).env),
                });
        }
    }
    return workloads;
}

/** A role's policy statements, as far as the program shows them. */
export interface RolePermissions {
    roleName: string;
    statements: Statement[];
    /** Attached policies whose documents are not in the program (AWS managed, or ARNs from config). */
    opaquePolicies: string[];
}

/** The role with ARN `roleArn` and everything attached to it, or undefined when the program does not create it. */
export function rolePermissions(resources: RecordedResource[], roleArn: string): RolePermissions | undefined {
    const role = resources.find((resource) => resource.type === "aws:iam/role:Role" && str(resource.state.arn) === roleArn);
    if (!role) return undefined;
    const roleName = str(role.state.name) ?? str(role.inputs.name) ?? role.name;
    const statements: Statement[] = [];
    const opaquePolicies: string[] = [];
    const add = (document: unknown, property: string) => {
        const parsed = parsePolicyDocument(document, property);
        if (parsed.ok === true) statements.push(...parsed.statements);
    };
    for (const inline of list(role.inputs.inlinePolicies)) add(rec(inline).policy, "inlinePolicies");
    const attached = [...list(role.inputs.managedPolicyArns).map(str)];
    for (const resource of resources) {
        if (str(resource.inputs.role) !== roleName) continue;
        if (resource.type === "aws:iam/rolePolicy:RolePolicy") add(resource.inputs.policy, "policy");
        if (resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") attached.push(str(resource.inputs.policyArn));
    }
    for (const policyArn of attached) {
        if (!policyArn) continue;
        const policy = resources.find((resource) => resource.type === "aws:iam/policy:Policy" && str(resource.state.arn) === policyArn);
        if (policy) add(policy.inputs.policy, "policy");
        else opaquePolicies.push(policyArn);
    }
    return { roleName, statements, opaquePolicies };
}

/**
 * Whether a statement's conditions can hold for a request with the given context keys (lower
 * case, e.g. `kms:viaservice`). Only StringEquals and StringLike on the given keys are evaluated,
 * and on `kms:encryptioncontext:*` keys when the request names its encryption context (a key it
 * lacks fails the condition, as in IAM); a condition on any other key counts as satisfied.
 */
function conditionsHold(statement: Statement, request: Record<string, string>): boolean {
    const contextKnown = Object.keys(request).some((key) => key.startsWith("kms:encryptioncontext:"));
    for (const [operator, block] of Object.entries(statement.condition)) {
        const like = /^StringLike$/i.test(operator);
        if (!like && !/^StringEquals$/i.test(operator)) continue;
        for (const [key, expected] of Object.entries(block)) {
            const actual = request[key.toLowerCase()];
            if (actual === undefined && contextKnown && key.toLowerCase().startsWith("kms:encryptioncontext:")) return false;
            if (actual === undefined) continue;
            const values = (Array.isArray(expected) ? expected : [expected]).map(String);
            if (!values.some((value) => (like ? globMatch(value, actual) : value === actual))) return false;
        }
    }
    return true;
}

/** Whether the statements allow `action` on `arn` (an explicit Deny without condition wins), for a request with `request` context keys. */
export function allows(statements: Statement[], action: string, arn: string, request: Record<string, string> = {}): boolean {
    const matching = (statement: Statement) =>
        coversAction(statement, action) &&
        conditionsHold(statement, request) &&
        (statement.notResources ? !statement.notResources.some((pattern) => globMatch(pattern, arn)) : statement.resources.some((pattern) => globMatch(pattern, arn)));
    if (statements.some((statement) => statement.effect === "Deny" && Object.keys(statement.condition).length === 0 && matching(statement))) return false;
    return statements.some((statement) => statement.effect === "Allow" && matching(statement));
}

/** Whether the statements allow `action` on any resource it applies to (`"*"` only, for actions without resource-level permissions). */
export function allowsSomewhere(statements: Statement[], catalog: CatalogAction, action: string): boolean {
    return statements.some((statement) => {
        if (statement.effect !== "Allow" || !coversAction(statement, action)) return false;
        if (statement.notResources || statement.resources.includes("*")) return true;
        if (catalog.resourceTypes.length === 0) return false;
        return statement.resources.some((pattern) => catalog.resourceTypes.some((type) => type.arn.test(pattern)));
    });
}

/** Values a resource is known by (ARN, name, id, URL), for matching environment variables. */
function namesOf(resource: RecordedResource): string[] {
    return [resource.state.arn, resource.state.name, resource.inputs.name, resource.state.id, resource.state.url, resource.state.bucket].map(str).filter((value): value is string => value !== undefined);
}

/** The ARNs each environment variable names: a recorded resource's ARN, or an ARN in the role's statements (a table from config). */
function environmentResources(workload: Workload, resources: RecordedResource[], statements: Statement[]): { variable: string; arn: string }[] {
    const byValue = new Map<string, Set<string>>();
    const note = (value: string, arn: string) => byValue.set(value, (byValue.get(value) ?? new Set()).add(arn));
    for (const resource of resources) {
        const arn = str(resource.state.arn);
        if (!resource.custom || !arn?.startsWith("arn:")) continue;
        for (const value of namesOf(resource)) note(value, arn);
    }
    for (const statement of statements) {
        for (const arn of statement.resources) {
            if (!arn.startsWith("arn:") || arn.includes("*")) continue;
            note(arn, arn);
            note(arn.split(/[:/]/).pop()!, arn);
        }
    }
    return Object.entries(workload.environment).flatMap(([variable, value]) => [...(byValue.get(value) ?? [])].map((arn) => ({ variable, arn })));
}

/** One action the workload's code (or runtime) needs, with where it comes from. */
interface Need {
    action: string;
    catalog: CatalogAction;
    /** `GetCommand (@aws-sdk/lib-dynamodb) in apps/ingest/src/consumer.ts`. */
    origin: string;
    anyOfGroup?: string;
    /** An exact resource the runtime uses (the function's log streams). */
    resource?: string;
}

function needsOf(workload: Workload, scan: CodeScan, context: ReadinessContext, findings: ReadinessFinding[]): Need[] {
    const needs: Need[] = [];
    for (const call of scan.calls) {
        const required = requiredActions(call);
        const origin = `${call.how === "paginator" ? `paginate${call.operation}` : `${call.operation}Command`} (${call.sdkPackage}) in ${call.source}`;
        if ("unknown" in required) {
            findings.push(finding(codeIamRule, workload.resource, "warning", `${workload.label}: ${required.unknown}`));
            continue;
        }
        for (const action of required.actions) needs.push({ action, catalog: catalogAction(action)!, origin: required.note ? `${origin}; ${required.note}` : origin, anyOfGroup: required.anyOf ? origin : undefined });
    }
    for (const client of scan.aggregatedClients) {
        findings.push(
            finding(
                codeIamRule,
                workload.resource,
                "warning",
                `${workload.label}: ${client.name} of ${client.sdkPackage} in ${client.source} is an aggregated client; the calls made through its methods are not checked (use the bare client and commands)`,
            ),
        );
    }
    if (workload.kind === "function" && workload.logGroup) {
        const streams = `arn:aws:logs:${context.region}:${context.accountId}:log-group:${workload.logGroup}:log-stream:x`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) needs.push({ action, catalog: catalogAction(action)!, origin: `the Lambda runtime, writing ${workload.logGroup}`, resource: streams });
    }
    if (workload.activeTracing && usesTracer(scan)) {
        for (const action of ["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
            needs.push({ action, catalog: catalogAction(action)!, origin: "active tracing (Powertools' tracer sends X-Ray segments through the function's role)" });
    }
    return needs;
}

/**
 * The KMS actions a caller needs on the customer managed key of a resource it calls, by service:
 * SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), SQS
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html),
 * Kinesis (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html) and
 * DynamoDB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html),
 * with the encryption context each service sends (its key names per the same pages).
 */
const KEY_USE: Record<string, { type: string; key: (resource: RecordedResource) => unknown; context: (arn: string) => Record<string, string>; actions: Record<string, string[]> }> = {
    sns: { type: "aws:sns/topic:Topic", key: (r) => r.inputs.kmsMasterKeyId, context: (arn) => ({ "aws:sns:topicArn": arn }), actions: { "sns:Publish": ["kms:GenerateDataKey", "kms:Decrypt"] } },
    sqs: {
        type: "aws:sqs/queue:Queue",
        key: (r) => r.inputs.kmsMasterKeyId,
        context: (arn) => ({ "aws:sqs:arn": arn }),
        actions: { "sqs:SendMessage": ["kms:GenerateDataKey", "kms:Decrypt"], "sqs:ReceiveMessage": ["kms:Decrypt"] },
    },
    kinesis: {
        type: "aws:kinesis/stream:Stream",
        key: (r) => r.inputs.kmsKeyId,
        context: (arn) => ({ "aws:kinesis:arn": arn }),
        actions: { "kinesis:PutRecord": ["kms:GenerateDataKey"], "kinesis:PutRecords": ["kms:GenerateDataKey"], "kinesis:GetRecords": ["kms:Decrypt"] },
    },
    dynamodb: {
        type: "aws:dynamodb/table:Table",
        key: (r) => rec(r.inputs.serverSideEncryption).kmsKeyArn,
        context: (arn) => ({ "aws:dynamodb:tableName": arn.split("/").pop()! }),
        actions: Object.fromEntries(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "ConditionCheckItem"].map((a) => [`dynamodb:${a}`, ["kms:Decrypt"]])),
    },
};

/** The ARN of a customer managed key named by id, ARN or alias (undefined for AWS managed keys and unknown ones). */
function keyArnOf(resources: RecordedResource[], value: string): string | undefined {
    if (value.startsWith("alias/aws/") || value.includes(":alias/aws/")) return undefined;
    const keys = resources.filter((r) => r.type === "aws:kms/key:Key");
    const direct = keys.find((key) => [key.state.arn, key.state.id, key.state.keyId].includes(value));
    if (direct) return str(direct.state.arn);
    const alias = resources.find((r) => r.type === "aws:kms/alias:Alias" && (str(r.inputs.name) === value || str(r.state.arn) === value));
    if (alias) return keyArnOf(resources, str(alias.inputs.targetKeyId) ?? "");
    return value.startsWith("arn:") && value.includes(":key/") ? value : undefined;
}

function checkCodeIam(context: ReadinessContext): ReadinessFinding[] {
    const findings: ReadinessFinding[] = [];
    const workloads = workloadsOf(context);
    if (workloads.length === 0) return findings;
    const scans = scanEntries(workloads.map((workload) => workload.entry));
    for (const workload of workloads) {
        const permissions = rolePermissions(context.resources, workload.roleArn);
        if (!permissions) {
            findings.push(finding(codeIamRule, workload.resource, "warning", `${workload.label}: role ${workload.roleArn} is not created by this program; its permissions cannot be checked`));
            continue;
        }
        const { statements, roleName, opaquePolicies } = permissions;
        // Without the documents of some attached policies, a missing permission is only probable.
        const severity = opaquePolicies.length > 0 ? "warning" : "failure";
        const opaqueNote = opaquePolicies.length > 0 ? ` (unless one of its attached policies ${opaquePolicies.join(", ")} allows it)` : "";
        const needs = needsOf(workload, scans.get(workload.entry)!, context, findings);
        const given = environmentResources(workload, context.resources, statements);

        // 1. Every action must be allowed somewhere (on the exact resource, for the runtime's own).
        const groups = new Map<string, Need[]>();
        for (const need of needs) {
            const key = need.anyOfGroup ?? `${need.action} ${need.origin}`;
            groups.set(key, [...(groups.get(key) ?? []), need]);
        }
        const missing = new Set<string>();
        for (const group of groups.values()) {
            const allowed = group.some((need) => (need.resource ? allows(statements, need.action, need.resource) : allowsSomewhere(statements, need.catalog, need.action)));
            if (allowed) continue;
            const need = group[0];
            // A container app's call on a type of resource it is given none of is a path it has not been configured for.
            if (workload.kind !== "function" && need.catalog.resourceTypes.length > 0 && !given.some((g) => need.catalog.resourceTypes.some((type) => type.arn.test(g.arn)))) continue;
            for (const n of group) missing.add(n.action);
            const actions = group.map((n) => n.action).join(group.length > 1 ? " or " : ", ");
            findings.push(
                finding(
                    codeIamRule,
                    workload.resource,
                    severity,
                    `${workload.label}: its code calls ${actions} (${need.origin}), but no statement of its role ${roleName} allows it${need.resource ? ` on ${need.resource.replace(/:x$/, ":*")}` : ""}${opaqueNote}`,
                ),
            );
        }

        // 2. A resource the workload is given must allow at least one of the actions its code calls on that type of resource
        //    (catches a table's grant removed while another table's grant still allows the same actions).
        const byArn = new Map<string, string[]>();
        for (const { variable, arn } of given) byArn.set(arn, [...(byArn.get(arn) ?? []), variable]);
        for (const [arn, variables] of byArn) {
            const applicable = [...new Set(needs.filter((need) => !need.resource && need.catalog.resourceTypes.some((type) => type.arn.test(arn))).map((need) => need.action))];
            // Nothing to add when each of them is already reported as allowed nowhere.
            if (applicable.every((action) => missing.has(action)) || applicable.some((action) => allows(statements, action, arn))) continue;
            findings.push(
                finding(
                    codeIamRule,
                    workload.resource,
                    severity,
                    `${workload.label}: it is given ${arn} (${variables.join(", ")}) and its code calls ${applicable.join(", ")} on such resources, but its role ${roleName} allows none of them on it${opaqueNote}`,
                ),
            );
        }

        // 3. A resource encrypted with a customer managed key: the calls on it use the key with the caller's role.
        for (const [arn, variables] of byArn) {
            const resource = context.resources.find((r) => str(r.state.arn) === arn);
            const [service, use] = (resource && Object.entries(KEY_USE).find(([, u]) => u.type === resource.type)) || [];
            const keyArn = use && resource ? keyArnOf(context.resources, str(use.key(resource)) ?? "") : undefined;
            if (!use || !keyArn) continue;
            // The request KMS sees: through the service, with the service's encryption context.
            const request: Record<string, string> = { "kms:viaservice": `${service}.${context.region}.amazonaws.com` };
            for (const [key, value] of Object.entries(use.context(arn))) request[`kms:encryptioncontext:${key}`.toLowerCase()] = value;
            const called = [...new Set(needs.map((need) => need.action))].filter((action) => use.actions[action] && allows(statements, action, arn));
            const kmsActions = [...new Set(called.flatMap((action) => use.actions[action]))].filter((action) => !allows(statements, action, keyArn, request));
            if (kmsActions.length === 0) continue;
            findings.push(
                finding(
                    codeIamRule,
                    workload.resource,
                    severity,
                    `${workload.label}: its code calls ${called.join(", ")} on ${arn} (${variables.join(", ")}), which is encrypted with ${keyArn}, but its role ${roleName} does not allow ${kmsActions.join(", ")} on that key${opaqueNote}`,
                ),
            );
        }
    }
    return findings;
}
