import { closest } from "./suggest";

/**
 * Config namespaces a stack may use besides the project's own: the providers this program
 * configures (`aws:region`, `kubernetes:...`) and Pulumi's (`pulumi:tags`, ...). A key in any
 * other namespace is read by nothing, so it is an error rather than silently ignored: usually a
 * typo (`platfrom:ecs`) or a project renamed in Pulumi.yaml whose stack keys kept the old name.
 */
export const PROVIDER_NAMESPACES = ["aws", "kubernetes", "pulumi"] as const;

/**
 * Problems with the stack's config keys as a whole: keys outside every known namespace (with a
 * "did you mean"), and a stack that sets no key of the project at all (every setting would fall
 * back to the profile's defaults without a word, which is how a rename deletes a stack's apps).
 * `keys` are full keys (`<namespace>:<name>`) outside the project's namespace.
 */
export function checkNamespaces(project: string, keys: readonly string[], projectKeyCount: number): { key: string; message: string }[] {
    const known = [project, ...PROVIDER_NAMESPACES];
    const byNamespace = new Map<string, string[]>();
    for (const key of keys) {
        const namespace = namespaceOf(key);
        if (!known.includes(namespace)) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), key.slice(namespace.length + 1)]);
    }
    const problems: { key: string; message: string }[] = [];
    for (const [namespace, names] of byNamespace) {
        const suggestion = closest(namespace, known) ?? project;
        const what = `namespace "${namespace}" is neither this project's ("${project}", the name in Pulumi.yaml) nor a provider's (${PROVIDER_NAMESPACES.join(", ")}), so nothing reads ${names.length === 1 ? "this key" : `these ${names.length} keys`}`;
        const renamed = projectKeyCount === 0 && suggestion === project ? ` If the project was renamed in Pulumi.yaml, rename the stack's keys to ${project}:<key> or restore the name "${namespace}".` : "";
        problems.push(
            names.length === 1
                ? { key: `${namespace}:${names[0]}`, message: `${what}; did you mean "${suggestion}:${names[0]}"?${renamed}` }
                : { key: `${namespace}:* (${names.join(", ")})`, message: `${what}; did you mean ${suggestion}:<key>?${renamed}` },
        );
    }
    if (projectKeyCount === 0) {
        problems.push({
            key: `${project}:*`,
            message: `the stack sets no ${project}: key, so every setting would silently fall back to the profile's defaults; set at least ${project}:profile (dev, staging or prod)`,
        });
    }
    return problems;
}

function namespaceOf(key: string): string {
    const colon = key.indexOf(":");
    return colon === -1 ? "" : key.slice(0, colon);
}
