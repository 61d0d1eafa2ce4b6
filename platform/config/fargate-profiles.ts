import type { ConfigProblem } from "./load";

/**
 * Which pods a Fargate profile takes, and what Fargate on EKS cannot run. A pod runs on Fargate
 * when its namespace is a profile selector's and it carries every label of that selector. The
 * limits, from https://docs.aws.amazon.com/eks/latest/userguide/fargate.html ("AWS Fargate
 * considerations"): no DaemonSets, no privileged containers, x86_64 (linux/amd64) only, and EKS
 * Pod Identity is not available to Fargate pods (https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html),
 * so a pod there reaches AWS through IAM roles for service accounts instead.
 */

export interface FargateSelector {
    namespace: string;
    labels: Record<string, string>;
}

/** Whether a profile selector takes pods of this namespace with these labels. */
export function selects(selector: FargateSelector, namespace: string, labels: Record<string, string>): boolean {
    return selector.namespace === namespace && Object.entries(selector.labels).every(([label, value]) => labels[label] === value);
}

/** The first profile (by name) that takes these pods, if any. */
export function fargateProfileFor(profiles: Record<string, FargateSelector>, namespace: string, labels: Record<string, string>): string | undefined {
    return Object.keys(profiles)
        .sort()
        .find((profile) => selects(profiles[profile], namespace, labels));
}

/** The pod labels of an app's server and of its jobs (platform/eks/workloads.ts sets exactly these). */
export function appPodLabels(app: string, component: "server" | { job: string }): Record<string, string> {
    const base = { "app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "pulumi" };
    return component === "server" ? { ...base, "app.kubernetes.io/component": "server" } : { ...base, "app.kubernetes.io/component": "job", "platform/job": component.job };
}

/** Karpenter's controller pods (its chart's selector labels) in the namespace the platform installs it to. */
export const KARPENTER_PODS = { namespace: "kube-system", labels: { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter" } };

/**
 * The platform's own pods Fargate cannot run, with the labels their manifests put on them: the
 * managed add-ons' and charts' DaemonSets (node agents, several of them privileged).
 */
export const PLATFORM_NODE_AGENTS: { namespace: string; name: string; labels: Record<string, string>; why: string }[] = [
    { namespace: "kube-system", name: "aws-node (VPC CNI)", labels: { "k8s-app": "aws-node" }, why: "a privileged DaemonSet" },
    { namespace: "kube-system", name: "kube-proxy", labels: { "k8s-app": "kube-proxy" }, why: "a privileged DaemonSet" },
    { namespace: "kube-system", name: "eks-pod-identity-agent", labels: { "app.kubernetes.io/name": "eks-pod-identity-agent" }, why: "a DaemonSet on the host network" },
    { namespace: "kube-system", name: "secrets-store-csi-driver", labels: { app: "secrets-store-csi-driver" }, why: "a privileged DaemonSet" },
    { namespace: "kube-system", name: "csi-secrets-store-provider-aws", labels: { app: "csi-secrets-store-provider-aws" }, why: "a DaemonSet" },
    { namespace: "amazon-cloudwatch", name: "cloudwatch-agent", labels: { "app.kubernetes.io/name": "cloudwatch-agent" }, why: "a DaemonSet" },
    { namespace: "amazon-cloudwatch", name: "fluent-bit", labels: { "k8s-app": "fluent-bit" }, why: "a privileged DaemonSet" },
];

interface FargateApp {
    runtimes: string[];
    architecture: string;
    secrets: Record<string, string>;
    jobs: Record<string, unknown>;
}

/**
 * Each profile must not take a pod Fargate cannot run: a platform DaemonSet or privileged agent,
 * an arm64 app's pods, or an app's pods that need EKS Pod Identity (bindings) or the Secrets Store
 * CSI driver (secrets). Reported at the profile, with the reason.
 */
export function fargateProfileProblems(profiles: Record<string, FargateSelector>, apps: Record<string, FargateApp>, grantsOf: (app: string) => number, key: (path: string[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const [profile, selector] of Object.entries(profiles)) {
        const at = key(["eks", "fargateProfiles", profile]);
        const agents = PLATFORM_NODE_AGENTS.filter((agent) => selects(selector, agent.namespace, agent.labels));
        if (agents.length > 0) {
            problems.push({
                key: at,
                message: `selects ${agents.map((agent) => `${agent.name} (${agent.why})`).join(", ")} in ${selector.namespace}; Fargate runs neither DaemonSets nor privileged containers. Add labels that select only Deployment pods, such as ${JSON.stringify(KARPENTER_PODS.labels)} for Karpenter`,
            });
        }
        for (const [app, spec] of Object.entries(apps)) {
            if (!spec.runtimes.includes("eks")) continue;
            const pods = [{ what: `${app}'s server`, labels: appPodLabels(app, "server") }, ...Object.keys(spec.jobs).map((job) => ({ what: `${app}'s job ${job}`, labels: appPodLabels(app, { job }) }))].filter((pod) =>
                selects(selector, app, pod.labels),
            );
            if (pods.length === 0) continue;
            const which = pods.map((pod) => pod.what).join(" and ");
            if (spec.architecture === "arm64") {
                problems.push({
                    key: at,
                    message: `selects ${which}, an arm64 app (apps.${app}.architecture); Fargate on EKS runs x86_64 pods only. Set apps.${app}.architecture: x86_64 (with an amd64 image) or narrow the selector`,
                });
            }
            if (grantsOf(app) > 0 || Object.keys(spec.secrets).length > 0) {
                problems.push({
                    key: at,
                    message: `selects ${which}, which reach AWS through EKS Pod Identity${Object.keys(spec.secrets).length > 0 ? " and read secrets through the Secrets Store CSI driver (a DaemonSet)" : ""}; neither is available on Fargate. Run ${app} on the node groups (narrow the selector) or drop its bindings and secrets`,
                });
            }
        }
    }
    return problems;
}
