/**
 * Runs the pack's policies in-process over the resources a program registered offline, the way
 * the Pulumi engine runs a CrossGuard pack: remediations first, then every resource policy on
 * each resource's inputs, then every stack policy over all resources. It never constructs the
 * PolicyPack (that starts a gRPC server); it calls the same policy objects the pack serves.
 *
 * Differences from the engine, on purpose: stack policies see the recorded inputs (offline there
 * are no separate outputs), and property dependencies are not recorded (only dependencies).
 */
import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { ExemptedReport, PackPolicy, policyInfo, withDefaults } from "./lib/define";
import { isRecord } from "./lib/props";
import { isUnknownValueError, unknownCheckingProxy } from "./lib/unknown";
import { ALL_POLICIES } from "./policies";

export { UNKNOWN_STRING } from "./lib/unknown";
export { ALL_POLICIES, POLICY_REGISTRY } from "./policies";

export interface HarnessOptions {
    /**
     * Policy pack config, in the shape of `pulumi preview --policy-pack-config <file>`:
     * `{ "all"?: level, "<policy>": level | { enforcementLevel?, ...properties } }`.
     */
    config?: Record<string, unknown>;
    /** Evaluate as a preview: unknown values make a policy indeterminate instead of an error. */
    preview?: boolean;
    /** The policies to run (default: the whole pack). */
    policies?: PackPolicy[];
    stackTags?: Record<string, string>;
    /**
     * Call every resource policy on every resource, even where its declared types say it is not
     * applicable (the policy then reports that itself). Slower; the result is the same, which a
     * test checks. @default false
     */
    exhaustive?: boolean;
}

export interface PolicyViolation {
    policy: string;
    /** The offending resource; the stack's URN for a stack-wide finding. */
    urn: string;
    type: string;
    name: string;
    /** Level after config overrides; "advisory" for an exempted violation. */
    enforcementLevel: EnforcementLevel;
    message: string;
    description: string;
    severity: Severity | "unspecified";
    frameworks: string[];
    remediation: string;
    /** Present when a config exemption matched: the reason and the level it would have had. */
    exempted?: { reason: string; enforcementLevel: EnforcementLevel; expires?: string };
}

/** A policy that could not finish on a resource because a value is unknown until the update runs. */
export interface IndeterminateResult {
    policy: string;
    urn?: string;
    message: string;
}

export interface PolicyRunReport {
    violations: PolicyViolation[];
    indeterminate: IndeterminateResult[];
    /** How many (policy, resource) pairs were not applicable; useful when debugging a policy. */
    notApplicable: number;
}

export class PolicyConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid policy pack config:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Thrown by `notApplicable()`, as the engine's own marker is. */
class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

function isResourcePolicy(policy: PackPolicy): policy is ResourceValidationPolicy {
    return typeof (policy as ResourceValidationPolicy).validateResource === "function" || Array.isArray((policy as ResourceValidationPolicy).validateResource);
}

function isStackPolicy(policy: PackPolicy): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

/**
 * The resource types a resource policy can apply to, from its own metadata: the `types` of a
 * policy built with defineResourcePolicy (its validation rejects every other type as not
 * applicable), else the type the engine's fast path reads from a single validation function
 * (`__pulumiType`). Undefined: the policy decides for itself, so it sees every resource.
 */
export function applicableTypes(policy: ResourceValidationPolicy): ReadonlySet<string> | undefined {
    const info = policyInfo(policy);
    if (info?.kind === "resource") return new Set(info.types);
    const token = Array.isArray(policy.validateResource) ? undefined : (policy.validateResource as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof token === "string" && token !== "" ? new Set([token]) : undefined;
}

/**
 * The resource policies to run per resource type, in pack order: built once per type from
 * applicableTypes, so a synth evaluates only the applicable (policy, resource) pairs instead of
 * every pair (most of which were not applicable).
 */
function policiesByType(policies: ResourceValidationPolicy[], exhaustive: boolean): (type: string) => ResourceValidationPolicy[] {
    const scopes = policies.map((policy) => ({ policy, types: exhaustive ? undefined : applicableTypes(policy) }));
    const byType = new Map<string, ResourceValidationPolicy[]>();
    return (type) => {
        let applicable = byType.get(type);
        if (!applicable) {
            applicable = scopes.filter((scope) => scope.types === undefined || scope.types.has(type)).map((scope) => scope.policy);
            byType.set(type, applicable);
        }
        return applicable;
    };
}

/** A resource policy's validation functions (one or an array). */
function validationsOf(policy: ResourceValidationPolicy) {
    const validate = policy.validateResource;
    return validate === undefined ? [] : Array.isArray(validate) ? validate : [validate];
}

/** How many validation functions a resource policy has (each counts once when not applicable). */
function validationCount(policy: ResourceValidationPolicy): number {
    return validationsOf(policy).length;
}

/** The subset of JSON Schema CrossGuard config schemas use here; returns one message per problem. */
export function validateAgainstSchema(value: unknown, schema: PolicyConfigJSONSchema, path: string): string[] {
    const problems: string[] = [];
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);
    const matchesType = (type: string) => typeOf(value) === type || (type === "number" && typeOf(value) === "integer");
    if (types.length > 0 && !types.some(matchesType)) return [`${path}: expected ${types.join(" or ")}, got ${typeOf(value)} ${JSON.stringify(value)}`];
    if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) problems.push(`${path}: expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`);
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: expected at least ${schema.minimum}, got ${value}`);
        if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: expected at most ${schema.maximum}, got ${value}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path}: expected at least ${schema.minLength} characters, got ${JSON.stringify(value)}`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (Array.isArray(value) && isRecord(schema.items)) {
        value.forEach((item, index) => problems.push(...validateAgainstSchema(item, schema.items as PolicyConfigJSONSchema, `${path}[${index}]`)));
    }
    if (isRecord(value)) {
        for (const key of schema.required ?? []) if (value[key] === undefined) problems.push(`${path}.${key}: required`);
        for (const [key, inner] of Object.entries(value)) {
            const property = schema.properties?.[key];
            if (isRecord(property)) problems.push(...validateAgainstSchema(inner, property, `${path}.${key}`));
            else if (property === undefined && schema.additionalProperties === false) problems.push(`${path}.${key}: unknown property`);
        }
    }
    return problems;
}

/** Checks a pack config against the policies' config schemas, as `pulumi` does before a run. */
export function validatePackConfig(config: Record<string, unknown>, policies: PackPolicy[] = ALL_POLICIES): string[] {
    const problems: string[] = [];
    const byName = new Map(policies.map((policy) => [policy.name, policy]));
    for (const [name, value] of Object.entries(config)) {
        const level = typeof value === "string" ? value : isRecord(value) ? value.enforcementLevel : undefined;
        if (level !== undefined && !LEVELS.includes(level as EnforcementLevel)) problems.push(`${name}.enforcementLevel: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(level)}`);
        if (name === "all") {
            if (isRecord(value) && Object.keys(value).some((key) => key !== "enforcementLevel")) problems.push("all: only enforcementLevel may be set for all policies");
            continue;
        }
        const policy = byName.get(name);
        if (!policy) {
            problems.push(`${name}: no such policy in the pack`);
            continue;
        }
        if (!isRecord(value)) {
            if (typeof value !== "string") problems.push(`${name}: expected an enforcement level or an object`);
            continue;
        }
        const { enforcementLevel: _level, ...properties } = value;
        const schema = policy.configSchema;
        problems.push(...validateAgainstSchema(properties, { type: "object", properties: schema?.properties ?? {}, required: schema?.required, additionalProperties: false }, name));
    }
    return problems;
}

function enforcementLevelOf(policy: PackPolicy, config: Record<string, unknown>): EnforcementLevel {
    const levelIn = (value: unknown) => (typeof value === "string" ? value : isRecord(value) ? value.enforcementLevel : undefined) as EnforcementLevel | undefined;
    return levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? "advisory";
}

function configOf(policy: PackPolicy, config: Record<string, unknown>): object {
    const own = config[policy.name];
    const properties = isRecord(own) ? Object.fromEntries(Object.entries(own).filter(([key]) => key !== "enforcementLevel")) : {};
    // The engine receives defaults from the CLI; offline they are applied here.
    return policy.configSchema ? withDefaults(policy.configSchema, properties) : properties;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    if (typeof token === "string" && token !== "") return token === type;
    const isInstance = (resourceClass as { isInstance?: (obj: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(resource: RecordedResource): PolicyResourceOptions & { retainOnDelete: boolean } {
    return {
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(resource.parent ? { parent: resource.parent } : {}),
        // Not in the engine's options (it does not send it); offline it is known, so it is passed.
        retainOnDelete: resource.retainOnDelete,
    };
}

/** Fresh, proxied props for one call: a policy cannot see another's mutations. */
const propsOf = (inputs: Record<string, unknown>): Record<string, any> => unknownCheckingProxy(structuredClone(inputs));

interface Reporting {
    policy: PackPolicy;
    level: EnforcementLevel;
    fallback: RecordedResource | undefined;
    byUrn: Map<string, RecordedResource>;
    into: PolicyViolation[];
}

function makeReport({ policy, level, fallback, byUrn, into }: Reporting, resourceUrn?: string) {
    const info = policyInfo(policy);
    return (message: string | ExemptedReport, urn?: string) => {
        const targetUrn = resourceUrn ?? urn ?? fallback?.urn ?? "";
        const target = byUrn.get(targetUrn);
        const exempted = typeof message === "object" && message !== null && "exemption" in message ? message : undefined;
        // Mirrors the engine: "remediate" is reported as mandatory once validation still fails.
        const effective = level === "remediate" ? "mandatory" : level;
        into.push({
            policy: policy.name,
            urn: targetUrn,
            type: target?.type ?? "",
            name: target?.name ?? "",
            enforcementLevel: exempted ? "advisory" : effective,
            message: exempted ? exempted.detail : typeof message === "string" ? message : JSON.stringify(message),
            description: policy.description,
            severity: info?.severity ?? policy.severity ?? "unspecified",
            frameworks: info?.frameworks ?? policy.tags ?? [],
            remediation: info?.remediation ?? policy.remediationSteps ?? "",
            ...(exempted ? { exempted: { reason: exempted.exemption.reason, enforcementLevel: effective, ...(exempted.exemption.expires ? { expires: exempted.exemption.expires } : {}) } } : {}),
        });
    };
}

function describeError(policy: PackPolicy, urn: string | undefined, error: unknown): Error {
    const cause = error instanceof Error ? error : new Error(String(error));
    return new Error(`policy ${policy.name} failed${urn ? ` on ${urn}` : ""}: ${cause.message}`, { cause });
}

/** Runs the policies over the recorded resources and returns every violation and indeterminate result. */
export async function runPolicies(resources: RecordedResource[], options: HarnessOptions = {}): Promise<PolicyRunReport> {
    const policies = options.policies ?? ALL_POLICIES;
    const config = options.config ?? {};
    const problems = validatePackConfig(config, policies);
    if (problems.length > 0) throw new PolicyConfigError(problems);

    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const stackResource = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const levels = new Map(policies.map((policy) => [policy, enforcementLevelOf(policy, config)]));
    const report: PolicyRunReport = { violations: [], indeterminate: [], notApplicable: 0 };

    const providerOf = (resource: RecordedResource): PolicyProviderResource | undefined => {
        if (!resource.provider) return undefined;
        const provider = byUrn.get(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
        return provider ? { type: provider.type, props: propsOf(provider.inputs), urn: provider.urn, name: provider.name } : undefined;
    };

    const handle = (policy: PackPolicy, urn: string | undefined, error: unknown) => {
        if (error instanceof NotApplicable) {
            report.notApplicable++;
            return;
        }
        if (isUnknownValueError(error)) {
            if (!options.preview) throw describeError(policy, urn, new Error(`${error.message} (an unknown value outside a preview: the run would skip this check)`));
            report.indeterminate.push({ policy: policy.name, urn, message: `can't run policy ${policy.name} during preview: ${error.message}` });
            return;
        }
        throw describeError(policy, urn, error);
    };

    // Remediations run first and their result is what validations see, as in the engine.
    const remediated = new Map<string, Record<string, unknown>>();
    for (const resource of resources) {
        let props = resource.inputs;
        for (const policy of policies) {
            const remediation = (policy as ResourceValidationPolicy).remediateResource;
            if (levels.get(policy) !== "remediate" || typeof remediation !== "function") continue;
            try {
                const result = await Promise.resolve(remediation(argsFor(resource, props, policy)));
                if (isRecord(result)) props = structuredClone(result);
            } catch (err) {
                handle(policy, resource.urn, err);
            }
        }
        remediated.set(resource.urn, props);
    }

    function argsFor(resource: RecordedResource, props: Record<string, unknown>, policy: PackPolicy): ResourceValidationArgs {
        return {
            ...describeResource(resource, props, providerOf(resource)),
            stackTags,
            getConfig: <T extends object>() => configOf(policy, config) as T,
            notApplicable: throwNotApplicable,
        };
    }

    const enabled = (policy: PackPolicy) => (levels.get(policy) ?? "advisory") !== "disabled";
    const resourcePolicies = policies.filter((policy): policy is ResourceValidationPolicy => enabled(policy) && isResourcePolicy(policy) && policy.validateResource !== undefined);
    const applicableTo = policiesByType(resourcePolicies, options.exhaustive ?? false);
    const allValidations = resourcePolicies.reduce((sum, policy) => sum + validationCount(policy), 0);
    for (const resource of resources) {
        const applicable = applicableTo(resource.type);
        // The pairs the index skipped are not applicable, as the policy itself would have said.
        report.notApplicable += allValidations - applicable.reduce((sum, policy) => sum + validationCount(policy), 0);
        for (const policy of applicable) {
            const level = levels.get(policy) ?? "advisory";
            for (const validate of validationsOf(policy)) {
                const reportViolation = makeReport({ policy, level, fallback: resource, byUrn, into: report.violations }, resource.urn);
                try {
                    await Promise.resolve(validate(argsFor(resource, remediated.get(resource.urn) ?? resource.inputs, policy), reportViolation as (message: string, urn?: string) => void));
                } catch (err) {
                    handle(policy, resource.urn, err);
                }
            }
        }
    }

    // One view of the stack for every stack policy (the engine builds one per policy; building it
    // once spares a clone of every resource per policy). Policies only read it: a test checks that
    // the whole pack leaves it unchanged.
    let stackView: PolicyResource[] | undefined;
    for (const policy of policies) {
        const level = levels.get(policy) ?? "advisory";
        if (level === "disabled" || !isStackPolicy(policy)) continue;
        stackView ??= stackResources(resources, (resource) => remediated.get(resource.urn) ?? resource.inputs, providerOf);
        const args: StackValidationArgs = {
            resources: stackView,
            stackTags,
            getConfig: <T extends object>() => configOf(policy, config) as T,
            notApplicable: throwNotApplicable,
        };
        const reportViolation = makeReport({ policy, level, fallback: stackResource, byUrn, into: report.violations });
        try {
            await Promise.resolve(policy.validateStack(args, reportViolation as (message: string, urn?: string) => void));
        } catch (err) {
            handle(policy, undefined, err);
        }
    }
    return report;
}

/** PolicyResources with parent and dependencies linked to each other, as the engine builds them. */
function stackResources(
    resources: RecordedResource[],
    propsFor: (resource: RecordedResource) => Record<string, unknown>,
    providerOf: (resource: RecordedResource) => PolicyProviderResource | undefined,
): PolicyResource[] {
    const built = new Map<string, PolicyResource>();
    for (const resource of resources) {
        built.set(resource.urn, { ...describeResource(resource, propsFor(resource), providerOf(resource)), dependencies: [], propertyDependencies: {} });
    }
    for (const resource of resources) {
        const policyResource = built.get(resource.urn)!;
        const parent = resource.parent ? built.get(resource.parent) : undefined;
        if (parent) policyResource.parent = parent;
        policyResource.dependencies = resource.dependsOn.map((urn) => built.get(urn)).filter((dependency): dependency is PolicyResource => dependency !== undefined);
    }
    return [...built.values()];
}

/** What resource and stack policies both see of a resource: type, (unknown-checking) props, names, options, provider, type tests. */
function describeResource(resource: RecordedResource, props: Record<string, unknown>, provider: PolicyProviderResource | undefined) {
    const proxied = propsOf(props);
    return {
        type: resource.type,
        props: proxied,
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        ...(provider ? { provider } : {}),
        isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? proxied : undefined)) as ResourceValidationArgs["asType"],
    };
}

/** The violations of a run (see runPolicies for indeterminate results). */
export async function evaluatePolicies(resources: RecordedResource[], options: HarnessOptions = {}): Promise<PolicyViolation[]> {
    return (await runPolicies(resources, options)).violations;
}

/** Violations that block a deployment: mandatory and not exempted. */
export function blockingViolations(violations: PolicyViolation[]): PolicyViolation[] {
    return violations.filter((violation) => violation.enforcementLevel === "mandatory" && !violation.exempted);
}

/** One line per violation, for logs and CI output. */
export function formatViolation(violation: PolicyViolation): string {
    const level = violation.exempted ? `exempted (${violation.exempted.reason})` : violation.enforcementLevel;
    return `[${level}] ${violation.policy} (${violation.severity}; ${violation.frameworks.join(", ")}) ${violation.type} ${violation.name}: ${violation.message}`;
}
