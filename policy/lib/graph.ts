import type { PolicyResource } from "@pulumi/policy";
import { escapeRegExp, list, str } from "./props";

/**
 * Correlating resources in a stack policy. A side resource (a lifecycle policy, a flow log, a
 * bucket's versioning) refers to its target either through a dependency (the engine records one
 * whenever an output of the target feeds an input) or by a physical name or ARN in a property.
 * Both are checked, so correlation works on recorded inputs offline and on outputs in the engine.
 */

/** URNs a resource depends on: explicit and implicit dependencies and property dependencies. */
export function dependencyUrns(resource: PolicyResource): Set<string> {
    const urns = new Set<string>();
    for (const dependency of resource.dependencies ?? []) urns.add(dependency.urn);
    for (const dependencies of Object.values(resource.propertyDependencies ?? {})) for (const dependency of dependencies) urns.add(dependency.urn);
    return urns;
}

function ancestors(resource: PolicyResource): PolicyResource[] {
    const result: PolicyResource[] = [];
    for (let current = resource.parent; current; current = current.parent) result.push(current);
    return result;
}

/**
 * True when `from` depends on `target`, directly or through `target`'s remote component (a
 * dependency on an awsx/eks component output stands for its children, which are invisible
 * offline).
 */
export function dependsOn(from: PolicyResource, target: PolicyResource): boolean {
    const urns = dependencyUrns(from);
    if (urns.has(target.urn)) return true;
    const component = target.parent;
    return component !== undefined && isRemoteComponentType(component.type) && urns.has(component.urn);
}

export function isRemoteComponentType(type: string): boolean {
    return type.startsWith("awsx:") || type.startsWith("eks:");
}

/** Names a resource may be referred to by: physical name, ARN, id, and the ARN's last segment. */
export function identifiersOf(resource: PolicyResource, nameProperties: string[] = ["name"]): Set<string> {
    const ids = new Set<string>();
    for (const property of [...nameProperties, "arn", "id", "url"]) {
        const value = str(resource.props[property]);
        if (value) ids.add(value);
    }
    const arn = str(resource.props.arn);
    if (arn) ids.add(arn.split(/[:/]/).pop() ?? arn);
    return ids;
}

/** The identifier a reference value points at: itself, and for an ARN or URL, the last segment. */
export function referenceForms(value: unknown): readonly string[] {
    if (typeof value === "string") {
        // The same side's reference is compared with every candidate target: split it once.
        let forms = formsByReference.get(value);
        if (!forms) {
            if (formsByReference.size >= 10_000) formsByReference.clear();
            formsByReference.set(value, (forms = Object.freeze(formsOfList(value))));
        }
        return forms;
    }
    return formsOfList(value);
}
const formsByReference = new Map<string, readonly string[]>();

function formsOfList(value: unknown): string[] {
    return list(value)
        .map((item) => str(item))
        .filter((item): item is string => item !== undefined && item !== "")
        .flatMap((item) => [item, item.split(/[:/]/).pop() ?? item]);
}

/**
 * True when a reference value (a name, ARN or URL, or their last segment) names `target`: one of
 * its identifiers, or the physical name Pulumi auto-names from the logical name
 * (`<name>-<7 hex digits>`), which is all an input carries offline for an auto-named resource.
 */
export function names(value: unknown, target: PolicyResource, targetNameProperties: string[] = ["name"]): boolean {
    const { ids, autoName } = targetForms(target, targetNameProperties);
    return referenceForms(value).some((form) => ids.has(form) || autoName.test(form));
}

/**
 * A target's identifiers and auto-name pattern, built once per target object and name properties:
 * stack policies ask `names` of every pair of a side and a target, so building them per call (a
 * Set and a RegExp) was a quadratic cost in a stack with many apps. Keyed by the object, so the
 * fresh props of another policy call are never confused with these; policies do not mutate props.
 */
const formsByTarget = new WeakMap<PolicyResource, Map<string, { ids: Set<string>; autoName: RegExp }>>();
function targetForms(target: PolicyResource, nameProperties: string[]): { ids: Set<string>; autoName: RegExp } {
    let byProperties = formsByTarget.get(target);
    if (!byProperties) formsByTarget.set(target, (byProperties = new Map()));
    const key = nameProperties.join("\0");
    let forms = byProperties.get(key);
    if (!forms) {
        forms = { ids: identifiersOf(target, nameProperties), autoName: new RegExp(`^${escapeRegExp(target.name)}-[0-9a-f]{7}$`) };
        byProperties.set(key, forms);
    }
    return forms;
}

/**
 * True when `side` refers to `target`: a dependency, or `side.props[property]` names the target
 * (its name, ARN, id or URL).
 */
export function refersTo(side: PolicyResource, target: PolicyResource, properties: string[], targetNameProperties: string[] = ["name"]): boolean {
    if (dependsOn(side, target)) return true;
    return properties.some((property) => names(side.props[property], target, targetNameProperties));
}

/**
 * True when `side` refers to `target` through `properties` specifically: a property dependency
 * on the target, or a name match. Used where a side resource depends on several candidates of the
 * same type (an event source mapping depends on its queue and its function's queue-based DLQ).
 */
export function refersToVia(side: PolicyResource, target: PolicyResource, properties: string[], targetNameProperties: string[] = ["name"]): boolean {
    const byProperty = properties.some((property) => (side.propertyDependencies?.[property] ?? []).some((dependency) => dependency.urn === target.urn));
    if (byProperty) return true;
    if (properties.some((property) => names(side.props[property], target, targetNameProperties))) return true;
    // Offline there are no property dependencies: fall back to any dependency.
    const hasPropertyDependencies = Object.keys(side.propertyDependencies ?? {}).length > 0;
    return !hasPropertyDependencies && dependsOn(side, target);
}

/** Resources whose ancestor chain includes `component`. */
export function descendantsOf(resources: PolicyResource[], component: PolicyResource): PolicyResource[] {
    return resources.filter((resource) => ancestors(resource).some((ancestor) => ancestor.urn === component.urn));
}

/**
 * The resources of one kind a stack policy should check: every aws resource of `awsType`, and
 * every remote component of `componentType` none of whose `awsType` children is visible. Offline a
 * component registers no children, so its inputs are all there is; under the engine its children
 * are registered and checked instead (the component's props are then its outputs, not the inputs
 * the rule reads), so nothing is counted twice.
 */
export function effectiveResources(resources: PolicyResource[], awsType: string, componentType: string): PolicyResource[] {
    const awsResources = resources.filter((resource) => resource.type === awsType);
    const components = resources.filter((resource) => resource.type === componentType && descendantsOf(awsResources, resource).length === 0);
    return [...awsResources, ...components];
}

/** The VPCs of a stack (aws.ec2.Vpc, or an awsx VPC whose aws VPC is not visible). */
export function effectiveVpcs(resources: PolicyResource[]): PolicyResource[] {
    return effectiveResources(resources, "aws:ec2/vpc:Vpc", "awsx:ec2:Vpc");
}
