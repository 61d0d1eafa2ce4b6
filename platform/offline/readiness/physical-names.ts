import type { RecordedResource } from "../mock-cloud";
import { isNameless, nameRuleOf, type NamedRule } from "./name-rules";
import { finding, type ReadinessFinding, type ReadinessRule } from "./types";

/** Characters Terraform's `PrefixedUniqueId` appends to a `namePrefix` (timestamp and counter). */
const PREFIX_SUFFIX_LENGTH = 26;

/** The name a resource will get, and how it got it. */
export interface PhysicalName {
    name: string;
    how: "explicit" | "prefix" | "autonamed";
}

function valueAt(inputs: Record<string, unknown>, path: string): unknown {
    return path.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), inputs);
}

/**
 * The name AWS (or Kubernetes) will see for a resource: the explicit name, a prefix plus the
 * provider's 26 characters, or the provider's autoname (`<logical name>-<random>`, with the
 * random part shown as `x`s); undefined when the name is not known offline.
 */
export function physicalNameOf(resource: Pick<RecordedResource, "name" | "inputs">, rule: NamedRule): PhysicalName | { problem: string } | undefined {
    const explicit = valueAt(resource.inputs, rule.property);
    if (typeof explicit === "string" && explicit !== "") return { name: explicit, how: "explicit" };
    if (explicit !== undefined && explicit !== null && explicit !== "") return undefined;
    const prefix = rule.prefixProperty ? valueAt(resource.inputs, rule.prefixProperty.property) : undefined;
    if (typeof prefix === "string" && rule.prefixProperty) {
        if (prefix.length > rule.prefixProperty.max) return { problem: `${rule.prefixProperty.property} "${prefix}" has ${prefix.length} characters; the provider allows at most ${rule.prefixProperty.max}` };
        return { name: `${prefix}${"0".repeat(PREFIX_SUFFIX_LENGTH)}`, how: "prefix" };
    }
    const autoname = rule.autoname;
    if (!autoname) return { problem: `no ${rule.property} is set and the provider does not generate one` };
    const base = autoname.lowercase ? resource.name.toLowerCase() : resource.name;
    const generated = `${base}-${"x".repeat(autoname.random)}`;
    if (generated.length > autoname.cap) {
        return {
            problem: `Pulumi would autoname it "${generated}" (${generated.length} characters, the x's random), over the provider's cap of ${autoname.cap}: the provider refuses it; give it an explicit, shorter ${rule.property}`,
        };
    }
    const fifo = autoname.fifoProperty && resource.inputs[autoname.fifoProperty] === true ? ".fifo" : "";
    return { name: `${autoname.prefix ?? ""}${generated}${fifo}`, how: "autonamed" };
}

/**
 * Readiness rule "physical names": for every resource the program registers, the name AWS (or
 * Kubernetes, or Helm) will get, checked against that service's length and character rules
 * (NAME_RULES, one row per type with the document it comes from). The mock cloud accepts any name;
 * AWS refuses `platform-prod-eu-central-<40-character app>` as a load balancer name.
 */
export const physicalNamesRule: ReadinessRule = {
    id: "physical-names",
    title: "Every physical name fits its service's length and character rules",
    doc: "https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming",
    check(context) {
        const findings: ReadinessFinding[] = [];
        for (const resource of context.resources) {
            if (isNameless(resource)) continue;
            const rule = nameRuleOf(resource.type);
            if (!rule) {
                findings.push(finding(this, resource, "warning", `no naming row for ${resource.type} in platform/offline/readiness/name-rules.ts: its name is not checked`));
                continue;
            }
            if (rule.kind === "unnamed") continue;
            const named = physicalNameOf(resource, rule);
            if (!named) continue;
            if ("problem" in named) {
                findings.push(finding(this, resource, "failure", named.problem, rule.doc));
                continue;
            }
            const problem = nameProblem(named.name, rule);
            if (problem) {
                const what =
                    named.how === "explicit" ? `${rule.property} "${named.name}"` : named.how === "prefix" ? `the prefixed name (${named.name.length} characters)` : `the autoname "${named.name}" (the x's random)`;
                findings.push(finding(this, resource, "failure", `${what}: ${problem}`, rule.doc));
            }
        }
        return findings;
    },
};

/** Why a name breaks the row's rules, or undefined. */
export function nameProblem(name: string, rule: NamedRule): string | undefined {
    if (name.length > rule.max) return `${name.length} characters; at most ${rule.max} allowed (${rule.form})`;
    if (name.length < rule.min) return `${name.length} characters; at least ${rule.min} required`;
    // Random parts are shown as x's and zeros, which every pattern here accepts.
    if (rule.pattern && !rule.pattern.test(name)) return `expected ${rule.form}`;
    return undefined;
}
