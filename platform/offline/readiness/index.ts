import { aslIamRule } from "./asl-iam";
import { cloudwatchMetricsRule } from "./cloudwatch-metrics";
import { codeIamRule } from "./code-iam";
import { DEPLOY_PATH } from "./deploy-path";
import { ecsReleaseRule } from "./ecs-release";
import { SERVICE_COMPATIBILITY } from "./service-compatibility";
import { oneAccountRule } from "./one-account";
import { physicalNamesRule } from "./physical-names";
import type { ReadinessContext, ReadinessFinding, ReadinessRule } from "./types";

export type { ReadinessContext, ReadinessFinding, ReadinessRule, ReadinessSeverity } from "./types";

/**
 * The deploy-readiness model: AWS's own rules that the mock cloud cannot enforce (it accepts
 * whatever the program registers), checked on what a synth recorded. One rule per file; each
 * joins this list.
 */
export const READINESS_RULES: ReadinessRule[] = [SERVICE_COMPATIBILITY, DEPLOY_PATH, codeIamRule, aslIamRule, cloudwatchMetricsRule, physicalNamesRule, oneAccountRule, ecsReleaseRule];

/** Runs every rule (or the given ones); failures first, then warnings, each ordered by rule. */
export function runReadiness(context: ReadinessContext, rules: ReadinessRule[] = READINESS_RULES): ReadinessFinding[] {
    const findings = rules.flatMap((rule) => rule.check(context));
    const rank = (f: ReadinessFinding) => (f.severity === "failure" ? 0 : 1);
    return findings.sort((a, b) => rank(a) - rank(b) || a.rule.localeCompare(b.rule) || a.name.localeCompare(b.name));
}

/** Findings that make the synth exit non-zero. */
export function readinessFailures(findings: ReadinessFinding[]): ReadinessFinding[] {
    return findings.filter((f) => f.severity === "failure");
}

/** The "Deploy readiness" section printed after the inventory. */
export function formatReadiness(findings: ReadinessFinding[], rules: ReadinessRule[] = READINESS_RULES): string {
    const failures = readinessFailures(findings).length;
    const lines = [`Deploy readiness (${rules.length} rules): ${failures} failure${failures === 1 ? "" : "s"}, ${findings.length - failures} warning${findings.length - failures === 1 ? "" : "s"}`];
    for (const f of findings) {
        lines.push(`  [${f.severity}] ${f.rule}  ${f.type}  ${f.name}: ${f.message}`, `      see ${f.doc}`);
    }
    return lines.join("\n");
}
