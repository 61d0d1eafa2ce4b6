import { list, Props, rec, str } from "./props";

/**
 * Pod templates of every pod-carrying Kubernetes kind, and the containers in them. Each kind keeps
 * its pod spec at a different path; a policy that read only `spec.template.spec` would miss bare
 * Pods and CronJobs.
 */

/** Path from the object root to the pod template's metadata and spec, per type token. */
const TEMPLATE_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": [],
    "kubernetes:core/v1:ReplicationController": ["spec", "template"],
    "kubernetes:apps/v1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
    "kubernetes:batch/v1:Job": ["spec", "template"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};

export const POD_TYPES = Object.keys(TEMPLATE_PATHS);
/** Kinds whose pods are meant to keep running (probes and replicas make sense). */
export const LONG_RUNNING_POD_TYPES = POD_TYPES.filter((type) => !type.startsWith("kubernetes:batch/"));
/** Kinds with a `spec.replicas`. */
export const REPLICATED_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController"];

export interface PodTemplate {
    /** The pod spec (an empty object when the manifest omits it). */
    spec: Props;
    /** The pod template's metadata (labels, annotations). */
    metadata: Props;
    /** Dotted path of the pod spec for messages, e.g. `spec.jobTemplate.spec.template.spec`. */
    specPath: string;
}

export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";

export interface ContainerRef {
    container: Props;
    list: ContainerList;
    /** e.g. `spec.template.spec.initContainers[0] (migrate)`. */
    label: string;
    /** Dotted path of the container for messages. */
    path: string;
}

export function podTemplateOf(type: string, props: Props): PodTemplate | undefined {
    const path = TEMPLATE_PATHS[type];
    if (!path) return undefined;
    let template: Props = props;
    for (const key of path) template = rec(template[key]);
    const prefix = path.length ? `${path.join(".")}.` : "";
    return { spec: rec(template.spec), metadata: rec(template.metadata), specPath: `${prefix}spec` };
}

export function containersOf(pod: PodTemplate): ContainerRef[] {
    const refs: ContainerRef[] = [];
    for (const kind of ["containers", "initContainers", "ephemeralContainers"] as const) {
        for (const [index, item] of list(pod.spec[kind]).entries()) {
            const container = rec(item);
            const path = `${pod.specPath}.${kind}[${index}]`;
            const name = str(container.name);
            refs.push({ container, list: kind, path, label: name ? `${path} (${name})` : path });
        }
    }
    return refs;
}

/** A container's securityContext setting, falling back to the pod's (as the kubelet does). */
export function effectiveSecurity(pod: PodTemplate, container: Props, key: string): unknown {
    const own = rec(container.securityContext)[key];
    return own !== undefined ? own : rec(pod.spec.securityContext)[key];
}
