import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { ALL_POLICIES, blockingViolations, PolicyConfigError, runPolicies, validatePackConfig, type PolicyViolation } from "../../policy/harness";
import type { RecordedResource } from "./mock-cloud";
import { remediationFor } from "./policy-keys";

/** The pack's own config directory: `policy/config/<profile>.json` holds what every stack of a profile gets. */
export const PACK_CONFIG_DIR = path.resolve(__dirname, "..", "..", "policy", "config");

/**
 * The pack config files a stack is gated with, in the order they apply: the profile's
 * (`policy/config/<profile>.json`, shipped with the pack) and then the stack's own
 * (`<project>/policy/config/<stack>.json`), which only overrides. A stack named after no profile
 * (`Pulumi.dev-eu.yaml`, or any name with `platform:profile: dev`) so gets its profile's config.
 */
export function policyConfigFiles(projectDir: string, stack: string, profile: string | undefined): string[] {
    const profileFile = profile ? path.join(PACK_CONFIG_DIR, `${profile}.json`) : undefined;
    const stackFile = path.resolve(projectDir, "policy", "config", `${stack}.json`);
    return [profileFile, stackFile].filter((file, index, all): file is string => file !== undefined && existsSync(file) && all.indexOf(file) === index);
}

/** @deprecated kept for callers that name one file: the stack's own file, else its profile's. */
export function defaultPolicyConfigFile(projectDir: string, stack: string, profile?: string): string | undefined {
    return policyConfigFiles(projectDir, stack, profile).pop();
}

export function readPolicyConfig(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new PolicyConfigError([`${file}: not readable JSON: ${(err as Error).message}`]);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new PolicyConfigError([`${file}: expected a JSON object of policy name to level or settings`]);
    const problems = validatePackConfig(parsed as Record<string, unknown>);
    if (problems.length > 0) throw new PolicyConfigError(problems.map((problem) => `${file}: ${problem}`));
    return parsed as Record<string, unknown>;
}

/**
 * A later file overrides an earlier one policy by policy: a level replaces the level, a setting
 * replaces the setting, and exemptions add up (a stack's exemption never drops its profile's).
 */
export function mergePolicyConfigs(configs: Record<string, unknown>[]): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    const asObject = (value: unknown): Record<string, unknown> => (typeof value === "string" ? { enforcementLevel: value } : value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});
    for (const config of configs) {
        for (const [policy, value] of Object.entries(config)) {
            if (merged[policy] === undefined || policy === "all") {
                merged[policy] = value;
                continue;
            }
            const before = asObject(merged[policy]);
            const after = asObject(value);
            const exemptions = [...((before.exemptions as unknown[]) ?? []), ...((after.exemptions as unknown[]) ?? [])];
            merged[policy] = { ...before, ...after, ...(exemptions.length > 0 ? { exemptions } : {}) };
        }
    }
    return merged;
}

/**
 * The config a stack is gated with: its files merged, and every policy's `environment` set to the
 * stack's profile unless a file sets one, so a `dev`-profile stack gets dev thresholds whatever
 * it is named. Validated (as the CLI validates `--policy-pack-config`) before any program runs.
 */
export function stackPolicyConfig(files: string[], profile: string | undefined): Record<string, unknown> {
    const merged = mergePolicyConfigs(files.map(readPolicyConfig));
    if (!profile) return merged;
    for (const policy of ALL_POLICIES) {
        const entry = merged[policy.name];
        const settings = typeof entry === "string" ? { enforcementLevel: entry } : entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>) : {};
        if (settings.environment === undefined || settings.environment === "auto") merged[policy.name] = { ...settings, environment: profile };
    }
    return merged;
}

export interface GateResult {
    violations: PolicyViolation[];
    /** Mandatory and not exempted: these fail the gate. */
    blocking: PolicyViolation[];
    /** Checks that could not finish (unknown values); only happens for previews. */
    indeterminate: number;
}

/**
 * The offline policy gate: the CrossGuard pack evaluated on the resources a synth recorded, as
 * `pulumi preview --policy-pack policy` would evaluate them against AWS.
 */
export async function runPolicyGate(resources: RecordedResource[], config: Record<string, unknown> = {}): Promise<GateResult> {
    const report = await runPolicies(resources, { config });
    const violations = orderViolations(report.violations);
    return { violations, blocking: blockingViolations(violations), indeterminate: report.indeterminate.length };
}

const LEVEL_ORDER = (v: PolicyViolation) => (v.exempted ? 2 : v.enforcementLevel === "mandatory" ? 0 : 1);

/** Mandatory first, then advisory, then exempted; by policy, then resource, within each. */
export function orderViolations(violations: PolicyViolation[]): PolicyViolation[] {
    return [...violations].sort((a, b) => LEVEL_ORDER(a) - LEVEL_ORDER(b) || a.policy.localeCompare(b.policy) || a.name.localeCompare(b.name));
}

export interface FormatGateOptions {
    /** The project namespace, to name the config key a finding's remediation turns. */
    project?: string;
    /** Only the header and the mandatory findings (`--summary`). */
    summary?: boolean;
}

/**
 * Violations grouped by policy, mandatory first, then advisory, then exempted (with the
 * exemption's reason and expiry), each with the remediation, naming the stack config key when
 * one fixes it.
 */
export function formatGate(result: GateResult, policyCount: number, options: FormatGateOptions = {}): string {
    const lines: string[] = [];
    const exempted = result.violations.filter((v) => v.exempted).length;
    const advisory = result.violations.filter((v) => !v.exempted && v.enforcementLevel !== "mandatory").length;
    lines.push(`Policy pack (${policyCount} policies): ${result.blocking.length} mandatory, ${advisory} advisory, ${exempted} exempted violation${result.violations.length === 1 ? "" : "s"}`);
    const shown = orderViolations(options.summary ? result.blocking : result.violations);
    const groups = new Map<string, PolicyViolation[]>();
    for (const violation of shown) {
        const group = `${LEVEL_ORDER(violation)} ${violation.policy}`;
        groups.set(group, [...(groups.get(group) ?? []), violation]);
    }
    for (const violations of groups.values()) {
        const first = violations[0];
        lines.push("", `${first.policy} [${first.exempted ? "exempted" : first.enforcementLevel}] (${first.severity}; ${first.frameworks.join(", ")})`);
        for (const violation of violations) {
            lines.push(`  - ${violation.type}  ${violation.name}: ${violation.message}`);
            if (violation.exempted) lines.push(`    exempted${violation.exempted.expires ? ` until ${violation.exempted.expires}` : " (no expiry)"}: ${violation.exempted.reason}`);
        }
        lines.push(`  remediation: ${options.project ? remediationFor(first.policy, options.project, first.remediation) : first.remediation}`);
    }
    return lines.join("\n");
}
