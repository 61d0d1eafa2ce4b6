import type { BundleRecord } from "../../serverless/bundle";
import type { RecordedResource } from "../mock-cloud";

/**
 * `failure`: AWS (or the provider, the chart, the Kubernetes API) will refuse it, or the platform
 * will be broken after `pulumi up`; the synth exits non-zero, like a mandatory policy violation.
 * `warning`: worth a look before deploying; the synth still exits 0.
 */
export type ReadinessSeverity = "failure" | "warning";

/** One finding of a readiness rule, as printed and as written to the JSON report's `readiness` array. */
export interface ReadinessFinding {
    /** The rule's id, e.g. `physical-names`. */
    rule: string;
    /** URN of the resource the finding is about (the stack's URN for stack-wide findings). */
    resource: string;
    /** Its type token and logical name, for the printed report. */
    type: string;
    name: string;
    message: string;
    severity: ReadinessSeverity;
    /** The AWS (or provider, chart, Kubernetes) document that states the rule. */
    doc: string;
}

/** What a rule sees: the resources one synth recorded, the stack it came from and its bundles. */
export interface ReadinessContext {
    project: string;
    stack: string;
    region: string;
    accountId: string;
    resources: RecordedResource[];
    /** The Lambda bundles the program built (entry per function name). */
    bundles: BundleRecord[];
}

/** One rule of the deploy-readiness model: one AWS rule family, one file, one test that breaks it. */
export interface ReadinessRule {
    id: string;
    /** One line: what the rule checks. */
    title: string;
    /** Default document cited by findings that do not name a more specific one. */
    doc: string;
    check(context: ReadinessContext): ReadinessFinding[];
}

/** Builds a finding about one recorded resource. */
export function finding(rule: Pick<ReadinessRule, "id" | "doc">, resource: Pick<RecordedResource, "urn" | "type" | "name">, severity: ReadinessSeverity, message: string, doc = rule.doc): ReadinessFinding {
    return { rule: rule.id, resource: resource.urn, type: resource.type, name: resource.name, message, severity, doc };
}
