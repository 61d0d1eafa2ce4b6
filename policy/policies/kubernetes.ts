import type { PolicyResource, ResourceValidationPolicy, Severity } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy, Report, ResourceContext } from "../lib/define";
import { ContainerRef, containersOf, effectiveSecurity, LONG_RUNNING_POD_TYPES, PodTemplate, podTemplateOf, POD_TYPES, REPLICATED_TYPES } from "../lib/podspec";
import { isRecord, joinWords, list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * Kubernetes workloads: Pod Security Standards "restricted" (each control its own policy, so each
 * can be overridden or exempted on its own), CIS EKS section 4 and common practice. Every pod
 * template is walked (Pod, ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * Job, CronJob), with containers, initContainers and ephemeralContainers.
 */

interface PodPolicySpec<C extends object> {
    name: string;
    description: string;
    severity: Severity;
    frameworks: string[];
    remediation: string;
    types?: string[];
    config?: Parameters<typeof defineResourcePolicy>[0]["config"];
    environments?: Parameters<typeof defineResourcePolicy>[0]["environments"];
    check(pod: PodTemplate, report: Report, context: ResourceContext<C>): void;
}

function definePodPolicy<C extends object = object>(spec: PodPolicySpec<C>): ResourceValidationPolicy {
    return defineResourcePolicy<C>({
        name: spec.name,
        description: spec.description,
        severity: spec.severity,
        frameworks: spec.frameworks,
        remediation: spec.remediation,
        config: spec.config,
        environments: spec.environments,
        types: spec.types ?? POD_TYPES,
        validate: (context, report) => {
            const pod = podTemplateOf(context.type, context.props);
            if (pod) spec.check(pod, report, context);
        },
    });
}

const sc = (ref: ContainerRef) => rec(ref.container.securityContext);

export const k8sNoPrivilegedContainers = definePodPolicy({
    name: "k8s-no-privileged-containers",
    description: "Containers are not privileged.",
    severity: "high",
    frameworks: ["PSS baseline: Privileged Containers", "CIS EKS 4.2.1"],
    remediation: "Remove securityContext.privileged (or set false).",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) if (sc(ref).privileged === true) report(`${ref.label}: securityContext.privileged is true; expected false or unset`);
    },
});

export const k8sNoHostNamespaces = definePodPolicy({
    name: "k8s-no-host-namespaces",
    description: "Pods do not share the node's network, PID or IPC namespaces.",
    severity: "high",
    frameworks: ["PSS baseline: Host Namespaces", "CIS EKS 4.2.2", "CIS EKS 4.2.3", "CIS EKS 4.2.4"],
    remediation: "Remove hostNetwork, hostPID and hostIPC (or set false).",
    check: (pod, report) => {
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) if (pod.spec[key] === true) report(`${pod.specPath}.${key} is true; expected false or unset`);
    },
});

export const k8sNoHostPathVolumes = definePodPolicy({
    name: "k8s-no-host-path-volumes",
    description: "Pods do not mount hostPath volumes.",
    severity: "high",
    frameworks: ["PSS baseline: HostPath Volumes"],
    remediation: "Use emptyDir, a PersistentVolumeClaim or a projected volume instead of hostPath.",
    check: (pod, report) => {
        for (const [index, volume] of list(pod.spec.volumes).entries()) {
            if (rec(volume).hostPath !== undefined) report(`${pod.specPath}.volumes[${index}] (${str(rec(volume).name) ?? "unnamed"}) is a hostPath volume; expected no hostPath`);
        }
    },
});

export const k8sNoHostPorts = definePodPolicy({
    name: "k8s-no-host-ports",
    description: "Containers do not bind host ports.",
    severity: "medium",
    frameworks: ["PSS baseline: Host Ports"],
    remediation: "Remove ports[].hostPort and expose the pod through a Service.",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            for (const [index, port] of list(ref.container.ports).entries()) {
                const hostPort = num(rec(port).hostPort);
                if (hostPort !== undefined && hostPort !== 0) report(`${ref.label}: ports[${index}].hostPort is ${hostPort}; expected unset or 0`);
            }
        }
    },
});

export const k8sNoHostProcess = definePodPolicy({
    name: "k8s-no-host-process",
    description: "Windows pods do not run as HostProcess containers.",
    severity: "high",
    frameworks: ["PSS baseline: HostProcess"],
    remediation: "Remove securityContext.windowsOptions.hostProcess.",
    check: (pod, report) => {
        if (rec(rec(pod.spec.securityContext).windowsOptions).hostProcess === true) report(`${pod.specPath}.securityContext.windowsOptions.hostProcess is true; expected false or unset`);
        for (const ref of containersOf(pod)) {
            if (rec(sc(ref).windowsOptions).hostProcess === true) report(`${ref.label}: securityContext.windowsOptions.hostProcess is true; expected false or unset`);
        }
    },
});

export const k8sAppArmorNotUnconfined = definePodPolicy({
    name: "k8s-apparmor-not-unconfined",
    description: "Pods do not disable AppArmor (profile type Unconfined or an unconfined annotation).",
    severity: "medium",
    frameworks: ["PSS baseline: AppArmor"],
    remediation: 'Leave AppArmor at the runtime default or set appArmorProfile: { type: "RuntimeDefault" } (or a Localhost profile).',
    check: (pod, report) => {
        const podType = str(rec(rec(pod.spec.securityContext).appArmorProfile).type);
        if (podType === "Unconfined") report(`${pod.specPath}.securityContext.appArmorProfile.type is "Unconfined"; expected RuntimeDefault or Localhost`);
        for (const ref of containersOf(pod)) {
            if (str(rec(sc(ref).appArmorProfile).type) === "Unconfined") report(`${ref.label}: securityContext.appArmorProfile.type is "Unconfined"; expected RuntimeDefault or Localhost`);
        }
        for (const [key, value] of Object.entries(rec(pod.metadata.annotations))) {
            if (!key.startsWith("container.apparmor.security.beta.kubernetes.io/")) continue;
            const profile = str(value) ?? "";
            if (profile !== "runtime/default" && !profile.startsWith("localhost/")) report(`annotation ${key} is ${show(profile)}; expected "runtime/default" or "localhost/<profile>"`);
        }
    },
});

const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

export const k8sSeLinuxRestricted = definePodPolicy({
    name: "k8s-selinux-restricted",
    description: "Pods do not set a custom SELinux user or role, and use only the standard container SELinux types.",
    severity: "medium",
    frameworks: ["PSS baseline: SELinux"],
    remediation: `Remove seLinuxOptions.user/role; use type ${SELINUX_TYPES.join(", ")} or leave it unset.`,
    check: (pod, report) => {
        const checkOptions = (where: string, options: unknown) => {
            if (!isRecord(options)) return;
            const type = str(options.type);
            if (type !== undefined && type !== "" && !SELINUX_TYPES.includes(type)) report(`${where}.seLinuxOptions.type is ${show(type)}; expected unset or one of ${joinWords(SELINUX_TYPES)}`);
            for (const key of ["user", "role"]) if (str(options[key])) report(`${where}.seLinuxOptions.${key} is ${show(options[key])}; expected unset`);
        };
        checkOptions(`${pod.specPath}.securityContext`, rec(pod.spec.securityContext).seLinuxOptions);
        for (const ref of containersOf(pod)) checkOptions(`${ref.label}: securityContext`, sc(ref).seLinuxOptions);
    },
});

export const k8sDefaultProcMount = definePodPolicy({
    name: "k8s-default-proc-mount",
    description: "Containers use the default (masked) /proc mount.",
    severity: "medium",
    frameworks: ["PSS baseline: /proc Mount Type"],
    remediation: 'Remove securityContext.procMount (or set "Default").',
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            const mount = str(sc(ref).procMount);
            if (mount !== undefined && mount !== "Default") report(`${ref.label}: securityContext.procMount is ${show(mount)}; expected "Default"`);
        }
    },
});

const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

export const k8sSafeSysctls = definePodPolicy({
    name: "k8s-safe-sysctls",
    description: "Pods set only the namespaced sysctls Kubernetes considers safe.",
    severity: "medium",
    frameworks: ["PSS baseline: Sysctls"],
    remediation: `Remove unsafe sysctls; allowed: ${SAFE_SYSCTLS.join(", ")}.`,
    check: (pod, report) => {
        for (const [index, sysctl] of list(rec(pod.spec.securityContext).sysctls).entries()) {
            const name = str(rec(sysctl).name);
            if (name && !SAFE_SYSCTLS.includes(name)) report(`${pod.specPath}.securityContext.sysctls[${index}] sets ${name}, which is not a safe sysctl`);
        }
    },
});

const RESTRICTED_VOLUME_KEYS = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const k8sRestrictedVolumeTypes = definePodPolicy({
    name: "k8s-restricted-volume-types",
    description: "Pods use only the volume types the restricted profile allows (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret).",
    severity: "medium",
    frameworks: ["PSS restricted: Volume Types"],
    remediation: "Replace the volume with a PersistentVolumeClaim (for storage) or a projected/configMap/secret volume (for configuration).",
    check: (pod, report) => {
        for (const [index, raw] of list(pod.spec.volumes).entries()) {
            const volume = rec(raw);
            // hostPath is k8s-no-host-path-volumes' finding.
            const kinds = Object.keys(volume).filter((key) => key !== "name" && key !== "hostPath");
            const disallowed = kinds.filter((key) => !RESTRICTED_VOLUME_KEYS.includes(key));
            if (disallowed.length > 0) report(`${pod.specPath}.volumes[${index}] (${str(volume.name) ?? "unnamed"}) is a ${joinWords(disallowed)} volume; expected one of ${joinWords(RESTRICTED_VOLUME_KEYS)}`);
        }
    },
});

export const k8sNoPrivilegeEscalation = definePodPolicy({
    name: "k8s-no-privilege-escalation",
    description: "Containers set allowPrivilegeEscalation: false.",
    severity: "high",
    frameworks: ["PSS restricted: Privilege Escalation", "CIS EKS 4.2.5"],
    remediation: "Set securityContext.allowPrivilegeEscalation: false in every container.",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            if (sc(ref).allowPrivilegeEscalation !== false) report(`${ref.label}: securityContext.allowPrivilegeEscalation is ${show(sc(ref).allowPrivilegeEscalation)}; expected false`);
        }
    },
});

export const k8sRunAsNonRoot = definePodPolicy({
    name: "k8s-run-as-non-root",
    description: "Containers must run as non-root (runAsNonRoot: true on the pod or every container).",
    severity: "high",
    frameworks: ["PSS restricted: Running as Non-root", "CIS EKS 4.2.6"],
    remediation: "Set securityContext.runAsNonRoot: true on the pod (and a non-zero runAsUser, or a USER in the image).",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            if (effectiveSecurity(pod, ref.container, "runAsNonRoot") !== true)
                report(`${ref.label}: runAsNonRoot is ${show(effectiveSecurity(pod, ref.container, "runAsNonRoot"))} (container or pod securityContext); expected true`);
        }
    },
});

export const k8sNoRootUser = definePodPolicy({
    name: "k8s-no-root-user",
    description: "Containers do not set runAsUser to 0 (root).",
    severity: "high",
    frameworks: ["PSS restricted: Running as Non-root user"],
    remediation: "Set runAsUser to a non-zero UID (e.g. 10001), or leave it unset with runAsNonRoot: true.",
    check: (pod, report) => {
        if (num(rec(pod.spec.securityContext).runAsUser) === 0) report(`${pod.specPath}.securityContext.runAsUser is 0; expected a non-zero UID`);
        for (const ref of containersOf(pod)) if (num(sc(ref).runAsUser) === 0) report(`${ref.label}: securityContext.runAsUser is 0; expected a non-zero UID`);
    },
});

export const k8sSeccompProfile = definePodPolicy({
    name: "k8s-seccomp-profile",
    description: "Containers run with the RuntimeDefault (or a Localhost) seccomp profile.",
    severity: "medium",
    frameworks: ["PSS restricted: Seccomp", "PSS baseline: Seccomp"],
    remediation: 'Set securityContext.seccompProfile: { type: "RuntimeDefault" } on the pod.',
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            const type = str(rec(effectiveSecurity(pod, ref.container, "seccompProfile")).type);
            if (type !== "RuntimeDefault" && type !== "Localhost") report(`${ref.label}: seccompProfile.type is ${show(type)} (container or pod securityContext); expected "RuntimeDefault" or "Localhost"`);
        }
    },
});

export const k8sCapabilitiesDropAll = definePodPolicy({
    name: "k8s-capabilities-drop-all",
    description: "Containers drop ALL capabilities and add back at most NET_BIND_SERVICE.",
    severity: "medium",
    frameworks: ["PSS restricted: Capabilities", "PSS baseline: Capabilities", "CIS EKS 4.2.7", "CIS EKS 4.2.8", "CIS EKS 4.2.9"],
    remediation: 'Set securityContext.capabilities: { drop: ["ALL"] } (add: ["NET_BIND_SERVICE"] only to bind ports below 1024).',
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            const capabilities = rec(sc(ref).capabilities);
            const drop = list(capabilities.drop).map(String);
            if (!drop.includes("ALL")) report(`${ref.label}: securityContext.capabilities.drop is ${show(capabilities.drop)}; expected it to include "ALL"`);
            const added = list(capabilities.add)
                .map(String)
                .filter((cap) => cap !== "NET_BIND_SERVICE");
            if (added.length > 0) report(`${ref.label}: securityContext.capabilities.add includes ${joinWords(added)}; only NET_BIND_SERVICE may be added`);
        }
    },
});

export const k8sReadonlyRootFilesystem = definePodPolicy({
    name: "k8s-readonly-root-filesystem",
    description: "Containers have a read-only root filesystem.",
    severity: "medium",
    frameworks: ["Common practice: read-only root filesystem"],
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes.",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            if (sc(ref).readOnlyRootFilesystem !== true) report(`${ref.label}: securityContext.readOnlyRootFilesystem is ${show(sc(ref).readOnlyRootFilesystem)}; expected true`);
        }
    },
});

export const k8sResourceRequestsLimits = definePodPolicy<{ requireCpuLimit: boolean }>({
    name: "k8s-resource-requests-limits",
    description: "Containers declare CPU and memory requests and limits.",
    severity: "medium",
    frameworks: ["Common practice: requests and limits"],
    remediation: "Set resources.requests.cpu/memory and resources.limits.memory (and limits.cpu unless requireCpuLimit is false).",
    config: { requireCpuLimit: { type: "boolean", default: true, description: "Require a CPU limit (some teams prefer none, to avoid throttling)." } },
    check: (pod, report, context) => {
        for (const ref of containersOf(pod).filter((r) => r.list !== "ephemeralContainers")) {
            const resources = rec(ref.container.resources);
            const missing = ["requests.cpu", "requests.memory", "limits.memory", ...(context.config.requireCpuLimit ? ["limits.cpu"] : [])].filter((path) => {
                const [group, key] = path.split(".");
                return rec(resources[group])[key] === undefined;
            });
            if (missing.length > 0) report(`${ref.label}: resources.${joinWords(missing)} ${missing.length === 1 ? "is" : "are"} not set; expected requests and limits for CPU and memory`);
        }
    },
});

/** True when the image reference is pinned: a digest, or a tag other than latest. */
function imagePinned(image: string): boolean {
    if (image.includes("@sha256:")) return true;
    const lastSegment = image.split("/").pop() ?? image;
    const colon = lastSegment.lastIndexOf(":");
    return colon > 0 && lastSegment.slice(colon + 1) !== "latest";
}

export const k8sImagePinned = definePodPolicy({
    name: "k8s-image-pinned",
    description: 'Container images are pinned by a version tag or digest, never "latest" or untagged.',
    severity: "medium",
    frameworks: ["Common practice: pinned images"],
    remediation: "Reference the image by an immutable release tag (ECR tags are immutable here) or by @sha256 digest.",
    check: (pod, report) => {
        for (const ref of containersOf(pod)) {
            const image = str(ref.container.image);
            if (image !== undefined && !imagePinned(image))
                report(`${ref.label}: image ${show(image)} is ${image.split("/").pop()?.includes(":") ? 'tagged "latest"' : "untagged (latest)"}; expected a version tag or digest`);
        }
    },
});

export const k8sHealthProbes = definePodPolicy({
    name: "k8s-health-probes",
    description: "Long-running containers have liveness and readiness probes.",
    severity: "medium",
    frameworks: ["Common practice: probes"],
    remediation: "Add readinessProbe (traffic only to ready pods) and livenessProbe (restart a hung process) to each container.",
    types: LONG_RUNNING_POD_TYPES,
    check: (pod, report) => {
        for (const ref of containersOf(pod).filter((r) => r.list === "containers")) {
            const missing = ["livenessProbe", "readinessProbe"].filter((probe) => ref.container[probe] === undefined);
            if (missing.length > 0) report(`${ref.label}: ${joinWords(missing)} ${missing.length === 1 ? "is" : "are"} not set; expected both probes`);
        }
    },
});

export const k8sServiceAccountTokenAutomount = definePodPolicy({
    name: "k8s-service-account-token-automount",
    description: "Pods decide explicitly whether to mount a service account token (off unless the pod calls the Kubernetes API).",
    severity: "medium",
    frameworks: ["CIS EKS 4.1.6"],
    remediation: "Set automountServiceAccountToken: false in the pod spec; set true only for pods that call the Kubernetes API.",
    check: (pod, report) => {
        if (pod.spec.automountServiceAccountToken === undefined) report(`${pod.specPath}.automountServiceAccountToken is not set (the token is mounted by default); expected false, or true for pods that use the API`);
    },
});

export const k8sDedicatedServiceAccount = definePodPolicy({
    name: "k8s-dedicated-service-account",
    description: "Pods run under a dedicated service account, not the namespace's default one (IRSA/Pod Identity bind AWS access to it).",
    severity: "medium",
    frameworks: ["CIS EKS 5.2.1", "CIS EKS 4.1.5"],
    remediation: "Create a ServiceAccount per workload (annotated for IRSA or bound with a Pod Identity association if it needs AWS access) and set serviceAccountName.",
    check: (pod, report) => {
        const account = str(pod.spec.serviceAccountName) ?? str(pod.spec.serviceAccount);
        if (account === undefined || account === "default") report(`${pod.specPath}.serviceAccountName is ${show(account)} (the namespace's default account); expected a dedicated service account`);
    },
});

/** Namespaced kinds a program typically creates (the default-namespace rule applies to them). */
const NAMESPACED_TYPES = [
    ...POD_TYPES,
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:Ingress",
    T.k8sNetworkPolicy,
    T.k8sPdb,
    T.k8sHpa,
    T.k8sRole,
    T.k8sRoleBinding,
];

/** The namespace an object lands in: its own, else the provider's default, else "default". */
function namespaceOf(props: Record<string, any>, providerNamespace?: unknown): string {
    return str(rec(props.metadata).namespace) ?? str(providerNamespace) ?? "default";
}

export const k8sNoDefaultNamespace = defineResourcePolicy({
    name: "k8s-no-default-namespace",
    description: "Kubernetes objects are not created in the default namespace.",
    severity: "medium",
    frameworks: ["Common practice: no default namespace"],
    remediation: "Create a Namespace per team or app and set metadata.namespace (or the Kubernetes provider's namespace).",
    types: NAMESPACED_TYPES,
    validate: ({ props, provider }, report) => {
        const providerNamespace = provider?.type.startsWith("pulumi:providers:kubernetes") ? provider.props.namespace : undefined;
        if (namespaceOf(props, providerNamespace) === "default")
            report(`metadata.namespace is ${show(rec(props.metadata).namespace)} and the provider sets no namespace, so the object lands in "default"; expected a dedicated namespace`);
    },
});

export const k8sRbacNoWildcards = defineResourcePolicy({
    name: "k8s-rbac-no-wildcards",
    description: 'Roles and ClusterRoles do not use "*" for verbs, resources or API groups.',
    severity: "medium",
    frameworks: ["CIS EKS 4.1.3"],
    remediation: "List the verbs, resources and API groups the subject needs.",
    types: [T.k8sRole, T.k8sClusterRole],
    validate: ({ props }, report) => {
        for (const [index, rule] of list(props.rules).entries()) {
            const wild = ["apiGroups", "resources", "verbs"].filter((key) => list(rec(rule)[key]).includes("*"));
            if (wild.length > 0) report(`rules[${index}] uses "*" in ${joinWords(wild)}; expected explicit values`);
        }
    },
});

/**
 * RBAC grants that let a subject get more than the role says: read every secret (CIS EKS 4.1.2),
 * create pods (4.1.4: a pod can mount any secret and run as any service account of its
 * namespace), and bind, escalate or impersonate (4.1.8); also exec into pods, node proxy, token
 * creation, CSR approval and admission webhook control (Checkov CKV_K8S_155-158).
 * https://kubernetes.io/docs/concepts/security/rbac-good-practices/
 */
const RBAC_RISKS: { group: string; resource: string; verbs: string[]; why: string; control: string }[] = [
    { group: "", resource: "secrets", verbs: ["get", "list", "watch"], why: "reads secrets", control: "CIS EKS 4.1.2" },
    { group: "", resource: "pods", verbs: ["create"], why: "creates pods (and so runs as any service account and mounts any secret of the namespace)", control: "CIS EKS 4.1.4" },
    { group: "rbac.authorization.k8s.io", resource: "clusterroles", verbs: ["bind", "escalate"], why: "binds or escalates roles", control: "CIS EKS 4.1.8" },
    { group: "rbac.authorization.k8s.io", resource: "roles", verbs: ["bind", "escalate"], why: "binds or escalates roles", control: "CIS EKS 4.1.8" },
    { group: "", resource: "users", verbs: ["impersonate"], why: "impersonates users", control: "CIS EKS 4.1.8" },
    { group: "", resource: "groups", verbs: ["impersonate"], why: "impersonates groups", control: "CIS EKS 4.1.8" },
    { group: "", resource: "serviceaccounts", verbs: ["impersonate"], why: "impersonates service accounts", control: "CIS EKS 4.1.8" },
    { group: "", resource: "serviceaccounts/token", verbs: ["create"], why: "mints service account tokens", control: "CIS EKS 4.1.8" },
    { group: "", resource: "pods/exec", verbs: ["create", "get"], why: "executes commands in pods", control: "CIS EKS 4.1.4" },
    { group: "", resource: "pods/attach", verbs: ["create", "get"], why: "attaches to running containers", control: "CIS EKS 4.1.4" },
    { group: "", resource: "pods/portforward", verbs: ["create", "get"], why: "forwards ports into pods, past network policies", control: "CIS EKS 4.1.4" },
    { group: "", resource: "nodes/proxy", verbs: ["get", "create"], why: "reaches the kubelet API through node proxy", control: "CIS EKS 4.1.8" },
    { group: "certificates.k8s.io", resource: "certificatesigningrequests/approval", verbs: ["update", "patch"], why: "approves certificate signing requests", control: "CIS EKS 4.1.8" },
    { group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations", verbs: ["create", "update", "patch", "delete"], why: "controls admission webhooks", control: "CIS EKS 4.1.8" },
    { group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations", verbs: ["create", "update", "patch", "delete"], why: "controls admission webhooks", control: "CIS EKS 4.1.8" },
];

const matchesAny = (values: unknown[], wanted: string) => values.map((v) => String(v).toLowerCase()).includes(wanted);

/**
 * Whether a rule's resources cover `wanted` ("pods/exec"): by name, or by RBAC's one subresource
 * wildcard, "*\/exec" (every resource's exec). "pods/*" is not a wildcard to RBAC: it names a
 * subresource called "*". https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/rbac/v1/evaluation_helpers.go (ResourceMatches)
 */
function coversResource(resources: unknown[], wanted: string): boolean {
    if (matchesAny(resources, wanted)) return true;
    const slash = wanted.indexOf("/");
    return slash > 0 && matchesAny(resources, `*${wanted.slice(slash)}`);
}

export const k8sRbacNoEscalation = defineResourcePolicy({
    name: "k8s-rbac-no-escalation",
    description: "Roles and ClusterRoles do not grant secret reads, pod creation or exec, bind/escalate/impersonate, token creation, node proxy, CSR approval or admission webhook control.",
    severity: "high",
    frameworks: ["CIS EKS 4.1.2", "CIS EKS 4.1.4", "CIS EKS 4.1.8"],
    remediation: "Grant only the verbs and resources the subject needs (resourceNames for specific secrets); let controllers that must create pods run under their own reviewed roles and exempt them with a reason.",
    types: [T.k8sRole, T.k8sClusterRole],
    validate: ({ props }, report) => {
        for (const [index, item] of list(props.rules).entries()) {
            const rule = rec(item);
            // A rule limited to named objects (resourceNames) is the least-privilege form the benchmark recommends.
            if (list(rule.resourceNames).length > 0) continue;
            const groups = list(rule.apiGroups);
            const resources = list(rule.resources);
            const verbs = list(rule.verbs);
            // A "*" anywhere is k8s-rbac-no-wildcards' finding.
            if ([...groups, ...resources, ...verbs].includes("*")) continue;
            const risks = RBAC_RISKS.filter((risk) => matchesAny(groups, risk.group) && coversResource(resources, risk.resource) && risk.verbs.some((verb) => matchesAny(verbs, verb)));
            const whys = [...new Set(risks.map((risk) => `${risk.why} (${risk.control})`))];
            if (whys.length > 0) report(`rules[${index}] ${joinWords(whys)}; expected only the verbs and resources the subject needs`);
        }
    },
});

export const k8sNoClusterAdminBinding = defineResourcePolicy({
    name: "k8s-no-cluster-admin-binding",
    description:
        "Nothing is bound to the cluster-admin ClusterRole or the system:masters group (which bypasses RBAC), no role is bound to everyone (system:authenticated, system:unauthenticated, system:anonymous, system:serviceaccounts), and none to a namespace's default service account (every pod without its own account runs as it).",
    severity: "high",
    frameworks: ["CIS EKS 4.1.1", "CIS EKS 4.1.5"],
    remediation: "Bind a role with the permissions the subject needs; keep cluster-admin for break-glass access via EKS access entries.",
    types: [T.k8sClusterRoleBinding, T.k8sRoleBinding],
    validate: ({ props }, report) => {
        if (str(rec(props.roleRef).name) === "cluster-admin") report('roleRef.name is "cluster-admin"; expected a least-privilege role');
        for (const [index, subject] of list(props.subjects).entries()) {
            if (str(rec(subject).kind) === "Group" && str(rec(subject).name) === "system:masters") report(`subjects[${index}] is the group "system:masters", whose members bypass RBAC; expected a least-privilege group`);
            if (["system:authenticated", "system:unauthenticated", "system:anonymous", "system:serviceaccounts"].includes(str(rec(subject).name) ?? ""))
                report(
                    `subjects[${index}] is ${show(rec(subject).name)}, which every ${str(rec(subject).name) === "system:serviceaccounts" ? "service account of the cluster" : "caller"} belongs to; expected the users, groups or service accounts that need the role`,
                );
            if (str(rec(subject).kind) === "ServiceAccount" && str(rec(subject).name) === "default")
                report(`subjects[${index}] is the service account "default", which every pod of its namespace without its own account runs as; expected a dedicated service account`);
        }
    },
});

/** Pod-template labels matched by a label selector's matchLabels (matchExpressions are not evaluated). */
function selects(selector: unknown, labels: Record<string, unknown>): boolean {
    const matchLabels = rec(rec(selector).matchLabels);
    const entries = Object.entries(matchLabels);
    return entries.length > 0 && entries.every(([key, value]) => str(labels[key]) === str(value));
}

function replicasOf(workload: PolicyResource): number {
    return num(rec(workload.props.spec).replicas) ?? 1;
}

export const k8sWorkloadReplicas = defineStackPolicy<{ minimumReplicas: number }>({
    name: "k8s-workload-replicas",
    description: "Prod Deployments and StatefulSets run at least two replicas (or an autoscaler keeps at least two).",
    severity: "medium",
    frameworks: ["Reliability 9"],
    remediation: "Set spec.replicas: 2 or more, or a HorizontalPodAutoscaler with minReplicas: 2 or more.",
    types: [...REPLICATED_TYPES, T.k8sHpa],
    environments: ["prod"],
    config: { minimumReplicas: { type: "integer", minimum: 1, default: 2, description: "Minimum replicas per workload." } },
    validate: (stack, report) => {
        const autoscalers = stack.ofType(T.k8sHpa);
        const minimum = stack.config.minimumReplicas;
        for (const workload of stack.ofType(...REPLICATED_TYPES)) {
            stack.guard(() => {
                if (replicasOf(workload) >= minimum) return;
                const name = str(rec(workload.props.metadata).name);
                const namespace = namespaceOf(workload.props);
                const scaled = autoscalers.some((hpa) => {
                    const target = rec(rec(hpa.props.spec).scaleTargetRef);
                    return str(target.name) === name && namespaceOf(hpa.props) === namespace && (num(rec(hpa.props.spec).minReplicas) ?? 1) >= minimum;
                });
                if (!scaled) report(`spec.replicas is ${show(rec(workload.props.spec).replicas)} (1 by default) and no HorizontalPodAutoscaler keeps ${minimum} or more; expected at least ${minimum}`, workload.urn);
            });
        }
    },
});

/** True when a PDB lets at least one pod of `replicas` be evicted. */
function allowsDisruption(spec: Record<string, any>, replicas: number): boolean {
    const percent = (value: string) => Number(value.replace("%", ""));
    const maxUnavailable = spec.maxUnavailable;
    if (maxUnavailable !== undefined) return typeof maxUnavailable === "string" ? percent(maxUnavailable) > 0 : Number(maxUnavailable) >= 1;
    const minAvailable = spec.minAvailable;
    if (minAvailable === undefined) return true;
    return typeof minAvailable === "string" ? percent(minAvailable) < 100 && Math.ceil((percent(minAvailable) / 100) * replicas) < replicas : Number(minAvailable) < replicas;
}

export const k8sPodDisruptionBudget = defineStackPolicy({
    name: "k8s-pod-disruption-budget",
    description: "Prod workloads with two or more replicas have a PodDisruptionBudget that still allows a node drain.",
    severity: "medium",
    frameworks: ["Reliability 9"],
    remediation: "Add a policy/v1 PodDisruptionBudget in the workload's namespace selecting its pod labels, with maxUnavailable: 1 (or minAvailable below replicas).",
    types: [...REPLICATED_TYPES, T.k8sPdb],
    environments: ["prod"],
    validate: (stack, report) => {
        const budgets = stack.ofType(T.k8sPdb);
        for (const workload of stack.ofType("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")) {
            stack.guard(() => {
                const replicas = replicasOf(workload);
                if (replicas < 2) return; // k8s-workload-replicas reports it
                const labels = rec(podTemplateOf(workload.type, workload.props)?.metadata.labels);
                const namespace = namespaceOf(workload.props);
                const mine = budgets.filter((pdb) => namespaceOf(pdb.props) === namespace && selects(rec(pdb.props.spec).selector, labels));
                if (mine.length === 0) report(`no PodDisruptionBudget in namespace ${namespace} selects this workload's pod labels ${show(labels)}; expected one`, workload.urn);
                else if (!mine.some((pdb) => allowsDisruption(rec(pdb.props.spec), replicas)))
                    report(
                        `the PodDisruptionBudget selecting this workload allows no eviction of its ${replicas} replicas, so node drains block; expected maxUnavailable >= 1 or minAvailable < ${replicas}`,
                        workload.urn,
                    );
            });
        }
    },
});

export const k8sNamespaceNetworkPolicy = defineStackPolicy({
    name: "k8s-namespace-network-policy",
    description: "Every namespace with workloads (and every Namespace the program creates) has a NetworkPolicy.",
    severity: "medium",
    frameworks: ["CIS EKS 4.3.2"],
    remediation: "Add a default-deny NetworkPolicy per namespace, then allow the flows each workload needs.",
    types: [T.k8sNamespace, T.k8sNetworkPolicy, ...POD_TYPES],
    validate: (stack, report) => {
        const covered = new Set<string>();
        // Gathered unguarded: a policy whose namespace is unknown must not leave a namespace "uncovered".
        // A policy whose ingress rules include an empty rule ({}) admits every source: it covers nothing.
        const allowsAll = (props: Record<string, unknown>) => list(rec(props.spec).ingress).some((rule) => Object.keys(rec(rule)).length === 0);
        for (const policy of stack.ofType(T.k8sNetworkPolicy)) if (!allowsAll(policy.props)) covered.add(namespaceOf(policy.props));
        const namespaces = new Map<string, string | undefined>();
        for (const namespace of stack.ofType(T.k8sNamespace)) {
            stack.guard(() => {
                const name = str(rec(namespace.props.metadata).name);
                if (name) namespaces.set(name, namespace.urn);
            });
        }
        for (const workload of stack.ofType(...POD_TYPES)) {
            stack.guard(() => {
                const name = namespaceOf(workload.props);
                if (!namespaces.has(name)) namespaces.set(name, workload.urn);
            });
        }
        for (const [name, urn] of namespaces) {
            if (!covered.has(name)) report(`namespace ${name} has no NetworkPolicy that restricts ingress (none, or only ones with an allow-all rule {}); expected at least a default-deny policy`, urn);
        }
    },
});

/**
 * A Service of type LoadBalancer gets its load balancer from whichever controller reconciles it:
 * the in-tree cloud provider (the default for Services without a loadBalancerClass) creates an
 * internet-facing Classic Load Balancer unless the Service says internal, while the AWS Load
 * Balancer Controller and EKS Auto Mode create an internal NLB unless told internet-facing. The
 * scheme is therefore stated on the Service, never left to the controller.
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/ ,
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 */
const SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal";

export const k8sServiceLoadBalancerScheme = defineResourcePolicy({
    name: "k8s-service-load-balancer-scheme",
    description: "Services of type LoadBalancer state their scheme (internal, or internet-facing on purpose) instead of leaving it to the controller, whose defaults differ.",
    severity: "medium",
    frameworks: ["KICS 26763a1c-5dda-4772-b507-5fca7fb5f165"],
    remediation: `Annotate the Service with ${SCHEME_ANNOTATION}: "internal" (or "internet-facing" when it is meant to be public, with loadBalancerSourceRanges), and prefer an Ingress through the shared ALB.`,
    types: ["kubernetes:core/v1:Service"],
    validate: ({ props }, report) => {
        const spec = rec(props.spec);
        if (str(spec.type) !== "LoadBalancer") return;
        const annotations = rec(rec(props.metadata).annotations);
        const scheme = str(annotations[SCHEME_ANNOTATION]);
        const internal = str(annotations[INTERNAL_ANNOTATION]);
        if (scheme !== undefined) {
            if (scheme !== "internal" && scheme !== "internet-facing") report(`annotation ${SCHEME_ANNOTATION} is ${show(scheme)}; expected "internal" or "internet-facing"`);
            return;
        }
        if (internal !== undefined && internal !== "false") return;
        report(`type is "LoadBalancer" and no ${SCHEME_ANNOTATION} annotation states the scheme: the in-tree controller makes it internet-facing, the AWS Load Balancer Controller internal; expected the scheme stated`);
    },
});

export const kubernetesPolicies = [
    k8sNoPrivilegedContainers,
    k8sNoHostNamespaces,
    k8sNoHostPathVolumes,
    k8sNoHostPorts,
    k8sNoHostProcess,
    k8sAppArmorNotUnconfined,
    k8sSeLinuxRestricted,
    k8sDefaultProcMount,
    k8sSafeSysctls,
    k8sRestrictedVolumeTypes,
    k8sNoPrivilegeEscalation,
    k8sRunAsNonRoot,
    k8sNoRootUser,
    k8sSeccompProfile,
    k8sCapabilitiesDropAll,
    k8sReadonlyRootFilesystem,
    k8sResourceRequestsLimits,
    k8sImagePinned,
    k8sHealthProbes,
    k8sServiceAccountTokenAutomount,
    k8sDedicatedServiceAccount,
    k8sNoDefaultNamespace,
    k8sRbacNoWildcards,
    k8sNoClusterAdminBinding,
    k8sWorkloadReplicas,
    k8sPodDisruptionBudget,
    k8sNamespaceNetworkPolicy,
    k8sRbacNoEscalation,
    k8sServiceLoadBalancerScheme,
];
