import type {
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Environment, ENVIRONMENTS, parseUrn, profileTagOf, resolveEnvironment } from "./environment";
import { controlUrl } from "./frameworks";
import { globMatch, Props } from "./props";
import { isUnknownValueError } from "./unknown";

/**
 * The pack's policy definitions: every policy carries the same metadata (severity, frameworks,
 * remediation) and the same config conventions (environment, exemptions), so the engine, the
 * offline harness and the CI gate all read one registry.
 */

export type PackPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** What the gate and the README need to know about a policy besides its code. */
export interface PolicyInfo {
    name: string;
    description: string;
    kind: "resource" | "stack";
    severity: Severity;
    /** Control IDs, e.g. "FSBP ECR.1", "CIS EKS 5.3.1", "PSS restricted: Capabilities", "Reliability 2". */
    frameworks: string[];
    remediation: string;
    /** The enforcement level when the pack config does not override it. */
    enforcementLevel: EnforcementLevel;
    /** Type tokens a resource policy applies to, or that a stack policy correlates. */
    types: string[];
    /** Environments the policy applies in by default (undefined: all). */
    environments?: Environment[];
    /** Link to the documentation of the policy's first control (see lib/frameworks.ts). */
    documentation: string;
    /** Why a medium-severity policy defaults to advisory (its cost). */
    advisoryBecause?: string;
}

/** An exemption from one policy for resources matching `resource` (a name or URN; `*` globs). */
export interface Exemption {
    resource: string;
    reason: string;
    /** ISO date (YYYY-MM-DD) after which the exemption no longer applies. */
    expires?: string;
}

/** Config every policy accepts, beside `enforcementLevel` (which CrossGuard handles itself). */
export interface CommonConfig {
    /** "auto" (from the stack name) or a pinned environment. */
    environment: "auto" | Environment;
    exemptions: Exemption[];
    /** Present on environment-scoped policies only. */
    environments?: Environment[];
}

const EXEMPTION_SCHEMA: PolicyConfigJSONSchema = {
    type: "object",
    properties: {
        resource: { type: "string", minLength: 1, description: "Resource name or URN; `*` matches any characters." },
        reason: { type: "string", minLength: 10, description: "Why the exemption is acceptable: it is printed with every exempted violation." },
        expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Last day (YYYY-MM-DD) the exemption applies." },
    },
    required: ["resource", "reason"],
    additionalProperties: false,
};

function commonProperties(environments: Environment[] | undefined): Record<string, PolicyConfigJSONSchema> {
    const properties: Record<string, PolicyConfigJSONSchema> = {
        environment: {
            type: "string",
            enum: ["auto", ...ENVIRONMENTS],
            default: "auto",
            description: "Environment for thresholds and environment-scoped rules; auto derives it from the stack name.",
        },
        exemptions: { type: "array", items: EXEMPTION_SCHEMA, default: [], description: "Resources exempted from this policy, each with a reason." },
    };
    if (environments) {
        properties.environments = {
            type: "array",
            items: { type: "string", enum: [...ENVIRONMENTS] },
            default: environments,
            description: "Environments in which this policy applies.",
        };
    }
    return properties;
}

/** A threshold that may be one value or a per-environment map. */
export function perEnvironmentSchema(type: "integer" | "number" | "string", defaults: Record<Environment, number | string>, description: string): PolicyConfigJSONSchema {
    return {
        type: [type, "object"],
        properties: Object.fromEntries(ENVIRONMENTS.map((env) => [env, { type }])),
        additionalProperties: false,
        default: defaults,
        description,
    };
}

interface SpecBase {
    name: string;
    description: string;
    severity: Severity;
    frameworks: string[];
    remediation: string;
    /** Defaults to mandatory for medium and above, advisory for low. Cost-driven controls say advisory. */
    enforcementLevel?: "mandatory" | "advisory";
    /** Required for a medium-severity policy that defaults to advisory: the cost that makes it optional. High and critical policies are always mandatory by default. */
    advisoryBecause?: string;
    /** Policy-specific config properties (with defaults). */
    config?: Record<string, PolicyConfigJSONSchema>;
    /** Environments the policy applies in (configurable as `environments`); default all. */
    environments?: Environment[];
}

export interface ResourceContext<C extends object = object> {
    type: string;
    name: string;
    urn: string;
    props: Props;
    opts: PolicyResourceOptions & { retainOnDelete?: boolean };
    provider?: PolicyProviderResource;
    config: C & CommonConfig;
    environment: Environment;
    /** Type token of the parent resource (from its URN), e.g. `eks:index:Cluster`. */
    parentType?: string;
}

export interface StackContext<C extends object = object> {
    resources: PolicyResource[];
    config: C & CommonConfig;
    environment: Environment;
    ofType(...types: string[]): PolicyResource[];
    /**
     * Runs the check of one resource (or one pair). An unknown value met there (at preview) skips
     * only that check; once every other check has run, the policy reports that it could not run
     * completely, as the engine does for a resource policy. Only a check's own conclusion may be
     * guarded: data gathered from other resources to decide that something is missing is read
     * unguarded (an unknown there makes the whole policy indeterminate), or it would read as absent.
     */
    guard: (check: () => void) => void;
}

/** `report(message)` for resource policies; stack policies pass the offending resource's URN. */
export type Report = (message: string, urn?: string) => void;

export interface ResourcePolicySpec<C extends object = object> extends SpecBase {
    /** Type tokens the policy checks; any other type is not applicable. */
    types: string[];
    validate(resource: ResourceContext<C>, report: Report): void | Promise<void>;
}

export interface StackPolicySpec<C extends object = object> extends SpecBase {
    /** Type tokens the policy correlates (for the registry and the README). */
    types: string[];
    validate(stack: StackContext<C>, report: Report): void | Promise<void>;
}

const infos = new WeakMap<object, PolicyInfo>();

/** The metadata of a policy built by defineResourcePolicy/defineStackPolicy (undefined for a foreign policy). */
export function policyInfo(policy: PackPolicy): PolicyInfo | undefined {
    return infos.get(policy);
}

const FRAMEWORK_NAMES: [prefix: string, name: string][] = [
    ["FSBP ", "AWS Foundational Security Best Practices"],
    ["CIS EKS ", "CIS Amazon EKS Benchmark"],
    ["PSS ", "Kubernetes Pod Security Standards"],
    ["Reliability ", "Platform reliability and no-data-loss rules"],
    ["Checkov ", "Checkov (Terraform AWS and Kubernetes checks)"],
];

function frameworkOf(id: string, description: string): PolicyComplianceFramework {
    const known = FRAMEWORK_NAMES.find(([prefix]) => id.startsWith(prefix));
    return { name: known ? known[1] : id, version: "", reference: known ? id.slice(known[0].length) : id, specification: description };
}

function baseOf(spec: SpecBase, kind: PolicyInfo["kind"], types: string[]) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(spec.name)) throw new Error(`policy name ${spec.name} must be kebab-case`);
    const enforcementLevel: EnforcementLevel = spec.enforcementLevel ?? (spec.severity === "low" ? "advisory" : "mandatory");
    if (enforcementLevel === "advisory" && (spec.severity === "high" || spec.severity === "critical")) throw new Error(`policy ${spec.name}: a ${spec.severity} policy is mandatory by default`);
    if (enforcementLevel === "advisory" && spec.severity === "medium" && !spec.advisoryBecause) throw new Error(`policy ${spec.name}: a medium policy defaults to advisory only with advisoryBecause (its cost)`);
    const configSchema: PolicyConfigSchema = { properties: { ...commonProperties(spec.environments), ...(spec.config ?? {}) } };
    const info: PolicyInfo = {
        name: spec.name,
        description: spec.description,
        kind,
        severity: spec.severity,
        frameworks: spec.frameworks,
        remediation: spec.remediation,
        enforcementLevel,
        types,
        environments: spec.environments,
        documentation: controlUrl(spec.frameworks[0] ?? "") ?? "",
        advisoryBecause: spec.advisoryBecause,
    };
    const policy = {
        name: spec.name,
        description: spec.description,
        enforcementLevel,
        severity: spec.severity,
        configSchema,
        remediationSteps: spec.remediation,
        tags: spec.frameworks,
        ...(spec.frameworks.length > 0 ? { framework: frameworkOf(spec.frameworks[0], spec.description) } : {}),
    };
    return { policy, info, configSchema };
}

/** Applies the schema's top-level defaults: the engine passes only what the user configured. */
export function withDefaults<C extends object>(schema: PolicyConfigSchema, configured: object): C & CommonConfig {
    const resolved: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (property.default !== undefined) resolved[key] = structuredClone(property.default);
    }
    for (const [key, value] of Object.entries(configured)) {
        if (key !== "enforcementLevel" && value !== undefined) resolved[key] = value;
    }
    return resolved as C & CommonConfig;
}

/** Today as YYYY-MM-DD (UTC); exemptions expire at the end of their `expires` day. */
function today(): string {
    return new Date().toISOString().slice(0, 10);
}

export interface ExemptionMatch {
    exemption: Exemption;
    expired: boolean;
}

export function findExemption(exemptions: Exemption[] | undefined, name: string | undefined, urn: string | undefined): ExemptionMatch | undefined {
    let expiredMatch: ExemptionMatch | undefined;
    for (const exemption of exemptions ?? []) {
        const matches = (name !== undefined && globMatch(exemption.resource, name)) || (urn !== undefined && globMatch(exemption.resource, urn));
        if (!matches) continue;
        if (exemption.expires && exemption.expires < today()) {
            expiredMatch ??= { exemption, expired: true };
            continue;
        }
        return { exemption, expired: false };
    }
    return expiredMatch;
}

/**
 * What an exempted violation carries. The engine reads `message` and `enforcementLevel` from a
 * structured report (it downgrades the violation to advisory and prints the reason); the
 * offline harness also reads `exemption` and `detail`.
 */
export interface ExemptedReport {
    message: string;
    enforcementLevel: "advisory";
    urn?: string;
    exemption: { reason: string; resource: string; expires?: string };
    detail: string;
}

function makeReporter(description: string, config: CommonConfig, resourceName: string | undefined, resourceUrn: string | undefined, reportViolation: ReportViolation): Report {
    return (message: string, urn?: string) => {
        const targetUrn = urn ?? resourceUrn;
        const name = urn ? parseUrn(urn).name : resourceName;
        const match = findExemption(config.exemptions, name, targetUrn);
        if (match && !match.expired) {
            const report: ExemptedReport = {
                message: `${description}\n[exempted: ${match.exemption.reason}] ${message}`,
                enforcementLevel: "advisory",
                urn,
                exemption: { reason: match.exemption.reason, resource: match.exemption.resource, ...(match.exemption.expires ? { expires: match.exemption.expires } : {}) },
                detail: message,
            };
            // ReportViolation is typed for strings; the engine also accepts this structured form.
            (reportViolation as unknown as (info: ExemptedReport, urn?: string) => void)(report, urn);
            return;
        }
        const suffix = match ? ` (the exemption for ${match.exemption.resource} expired on ${match.exemption.expires})` : "";
        reportViolation(`${message}${suffix}`, urn);
    };
}

export function defineResourcePolicy<C extends object = object>(spec: ResourcePolicySpec<C>): ResourceValidationPolicy {
    const { policy, info, configSchema } = baseOf(spec, "resource", spec.types);
    const types = new Set(spec.types);
    const validateResource: ResourceValidationPolicy["validateResource"] = async (args, reportViolation) => {
        if (!types.has(args.type)) args.notApplicable(`applies only to ${spec.types.join(", ")}`);
        const config = withDefaults<C>(configSchema, args.getConfig());
        const environment = resolveEnvironment(config.environment, args.urn, profileTagOf(args.provider));
        if (config.environments && !config.environments.includes(environment)) {
            args.notApplicable(`applies in ${config.environments.join(", ")}; this stack is ${environment}`);
        }
        const report = makeReporter(spec.description, config, args.name, args.urn, reportViolation);
        const parentType = args.opts.parent ? parseUrn(args.opts.parent).type : undefined;
        await spec.validate({ type: args.type, name: args.name, urn: args.urn, props: args.props, opts: args.opts, provider: args.provider, config, environment, parentType }, report);
    };
    // The engine skips a policy without calling it when the function names one other type.
    if (spec.types.length === 1) (validateResource as unknown as { __pulumiType: string }).__pulumiType = spec.types[0];
    const result: ResourceValidationPolicy = { ...policy, validateResource };
    infos.set(result, info);
    return result;
}

export function defineStackPolicy<C extends object = object>(spec: StackPolicySpec<C>): StackValidationPolicy {
    const { policy, info, configSchema } = baseOf(spec, "stack", spec.types);
    const validateStack: StackValidationPolicy["validateStack"] = async (args, reportViolation) => {
        const config = withDefaults<C>(configSchema, args.getConfig());
        const environment = resolveEnvironment(config.environment, args.resources.find((r) => r.urn)?.urn, profileTagOf(args.resources.find((r) => r.type === "pulumi:providers:aws")));
        if (config.environments && !config.environments.includes(environment)) {
            args.notApplicable(`applies in ${config.environments.join(", ")}; this stack is ${environment}`);
        }
        const unknowns: Error[] = [];
        const context: StackContext<C> = {
            resources: args.resources,
            config,
            environment,
            ofType: (...wanted: string[]) => args.resources.filter((resource) => wanted.includes(resource.type)),
            guard: (check: () => void) => {
                try {
                    check();
                } catch (err) {
                    if (!isUnknownValueError(err)) throw err;
                    unknowns.push(err);
                }
            },
        };
        await spec.validate(context, makeReporter(spec.description, config, undefined, undefined, reportViolation));
        if (unknowns.length > 0) throw unknowns[0];
    };
    const result: StackValidationPolicy = { ...policy, validateStack };
    infos.set(result, info);
    return result;
}
