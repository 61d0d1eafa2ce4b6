import type { RecordedResource } from "./mock-cloud";

/**
 * A readable inventory of a synth run: the component tree (what `pulumi preview` would show),
 * then the count of resources per type.
 */
export function formatInventory(resources: RecordedResource[]): string {
    const byParent = new Map<string | undefined, RecordedResource[]>();
    for (const resource of resources) {
        const siblings = byParent.get(resource.parent) ?? [];
        siblings.push(resource);
        byParent.set(resource.parent, siblings);
    }
    const lines: string[] = [];
    const walk = (resource: RecordedResource, prefix: string, isLast: boolean, isRoot: boolean) => {
        const notes = [resource.protect ? "protected" : "", resource.remote ? "remote component: its children are created by the provider plugin, not visible offline" : ""].filter(Boolean);
        const label = `${resource.type}  ${resource.name}${notes.length ? `  [${notes.join("; ")}]` : ""}`;
        lines.push(isRoot ? label : `${prefix}${isLast ? "└─ " : "├─ "}${label}`);
        const children = byParent.get(resource.urn) ?? [];
        const childPrefix = isRoot ? "" : `${prefix}${isLast ? "   " : "│  "}`;
        children.forEach((child, index) => walk(child, childPrefix, index === children.length - 1, false));
    };
    const roots = byParent.get(undefined) ?? [];
    roots.forEach((root) => walk(root, "", true, true));

    const counts = new Map<string, number>();
    for (const resource of resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    const width = String(Math.max(0, ...counts.values())).length;
    lines.push("", "Resources by type:");
    for (const [type, count] of [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        lines.push(`  ${String(count).padStart(width)}  ${type}`);
    }
    return lines.join("\n");
}

export function summarize(resources: RecordedResource[]): { total: number; custom: number; components: number; remote: number } {
    return {
        total: resources.length,
        custom: resources.filter((resource) => resource.custom).length,
        components: resources.filter((resource) => !resource.custom && !resource.remote).length,
        remote: resources.filter((resource) => resource.remote).length,
    };
}
