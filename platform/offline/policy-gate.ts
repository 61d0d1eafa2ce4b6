import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { blockingViolations, PolicyConfigError, runPolicies, type PolicyViolation } from "../../policy/harness";
import type { RecordedResource } from "./mock-cloud";

/** Per-stack pack config this project keeps: `policy/config/<stack>.json` (same file `--policy-pack-config` takes). */
export function defaultPolicyConfigFile(projectDir: string, stack: string): string | undefined {
    const file = path.join(projectDir, "policy", "config", `${stack}.json`);
    return existsSync(file) ? file : undefined;
}

export function readPolicyConfig(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new PolicyConfigError([`${file}: not readable JSON: ${(err as Error).message}`]);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new PolicyConfigError([`${file}: expected a JSON object of policy name to level or settings`]);
    return parsed as Record<string, unknown>;
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
    return { violations: report.violations, blocking: blockingViolations(report.violations), indeterminate: report.indeterminate.length };
}

/** Violations grouped by policy, each with the resource, the message and the remediation. */
export function formatGate(result: GateResult, policyCount: number): string {
    const lines: string[] = [];
    const exempted = result.violations.filter((v) => v.exempted).length;
    const advisory = result.violations.filter((v) => !v.exempted && v.enforcementLevel !== "mandatory").length;
    lines.push(
        `Policy pack (${policyCount} policies): ${result.blocking.length} mandatory, ${advisory} advisory, ${exempted} exempted violation${result.violations.length === 1 ? "" : "s"}`,
    );
    const byPolicy = new Map<string, PolicyViolation[]>();
    for (const violation of result.violations) byPolicy.set(violation.policy, [...(byPolicy.get(violation.policy) ?? []), violation]);
    for (const [policy, violations] of byPolicy) {
        const first = violations[0];
        lines.push("", `${policy} [${first.exempted ? "exempted" : first.enforcementLevel}] (${first.severity}; ${first.frameworks.join(", ")})`);
        for (const violation of violations) {
            lines.push(`  - ${violation.type}  ${violation.name}: ${violation.message}`);
            if (violation.exempted) lines.push(`    exempted: ${violation.exempted.reason}`);
        }
        lines.push(`  remediation: ${first.remediation}`);
    }
    return lines.join("\n");
}
