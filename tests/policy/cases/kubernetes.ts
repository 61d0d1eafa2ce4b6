import { T } from "../../../policy/lib/types";
import { single, stack, StackBuilder } from "../fixtures";
import type { PolicySuite } from "../runner";

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/web:1.4.2";

/** A container that satisfies every rule of the pack. */
function container(overrides: Record<string, unknown> = {}, security: Record<string, unknown> = {}) {
    return {
        name: "web",
        image: IMAGE,
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, ...security },
        ...overrides,
    };
}

/** A pod spec that satisfies every rule of the pack. */
function podSpec(overrides: Record<string, unknown> = {}, podSecurity: Record<string, unknown> = {}) {
    return {
        serviceAccountName: "web",
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" }, ...podSecurity },
        containers: [container()],
        volumes: [{ name: "tmp", emptyDir: {} }],
        ...overrides,
    };
}

const META = { name: "web", namespace: "web", labels: { app: "web" } };
const deployment = (spec: Record<string, unknown>, replicas = 2, podLabels: Record<string, string> = { app: "web" }) => ({
    metadata: META,
    spec: { replicas, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec } },
});
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const deploy = (spec: Record<string, unknown>) => single(DEPLOYMENT, deployment(spec));
const pod = (spec: Record<string, unknown>) => single("kubernetes:core/v1:Pod", { metadata: META, spec });
const PDB = (spec: Record<string, unknown>) => ({ metadata: { name: "web", namespace: "web" }, spec: { selector: { matchLabels: { app: "web" } }, ...spec } });

export const kubernetesCases: PolicySuite[] = [
    {
        policy: "k8s-no-privileged-containers",
        pass: [{ name: "restricted Deployment", resources: () => deploy(podSpec()) }],
        fail: [
            {
                name: "privileged init container in a Job",
                resources: () => single("kubernetes:batch/v1:Job", { metadata: META, spec: { template: { spec: podSpec({ initContainers: [container({ name: "init" }, { privileged: true })] }) } } }),
                messages: ["spec.template.spec.initContainers[0] (init): securityContext.privileged is true"],
            },
            {
                name: "privileged container in a bare Pod",
                resources: () => pod(podSpec({ containers: [container({}, { privileged: true })] })),
                messages: ["spec.containers[0] (web): securityContext.privileged is true"],
            },
        ],
    },
    {
        policy: "k8s-no-host-namespaces",
        pass: [{ name: "restricted Deployment", resources: () => deploy(podSpec()) }],
        fail: [
            {
                name: "hostNetwork and hostPID in a DaemonSet",
                resources: () => single("kubernetes:apps/v1:DaemonSet", { metadata: META, spec: { template: { spec: podSpec({ hostNetwork: true, hostPID: true }) } } }),
                messages: ["spec.template.spec.hostNetwork is true", "spec.template.spec.hostPID is true"],
            },
        ],
    },
    {
        policy: "k8s-no-host-path-volumes",
        pass: [{ name: "emptyDir only", resources: () => deploy(podSpec()) }],
        fail: [
            { name: "hostPath /var/run/docker.sock", resources: () => deploy(podSpec({ volumes: [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }] })), messages: ["volumes[0] (sock) is a hostPath volume"] },
        ],
    },
    {
        policy: "k8s-no-host-ports",
        pass: [{ name: "container ports only", resources: () => deploy(podSpec()) }],
        fail: [{ name: "hostPort 80", resources: () => deploy(podSpec({ containers: [container({ ports: [{ containerPort: 8080, hostPort: 80 }] })] })), messages: ["ports[0].hostPort is 80"] }],
    },
    {
        policy: "k8s-no-host-process",
        pass: [{ name: "no windowsOptions", resources: () => deploy(podSpec()) }],
        fail: [{ name: "hostProcess on the pod", resources: () => deploy(podSpec({}, { windowsOptions: { hostProcess: true } })), messages: ["securityContext.windowsOptions.hostProcess is true"] }],
    },
    {
        policy: "k8s-apparmor-not-unconfined",
        pass: [
            {
                name: "runtime/default annotation",
                resources: () => single(DEPLOYMENT, { metadata: META, spec: { template: { metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/web": "runtime/default" } }, spec: podSpec() } } }),
            },
        ],
        fail: [
            {
                name: "Unconfined profile on a container",
                resources: () => deploy(podSpec({ containers: [container({}, { appArmorProfile: { type: "Unconfined" } })] })),
                messages: ['securityContext.appArmorProfile.type is "Unconfined"'],
            },
            {
                name: "unconfined annotation",
                resources: () => single(DEPLOYMENT, { metadata: META, spec: { template: { metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" } }, spec: podSpec() } } }),
                messages: ['annotation container.apparmor.security.beta.kubernetes.io/web is "unconfined"'],
            },
        ],
    },
    {
        policy: "k8s-selinux-restricted",
        pass: [{ name: "container_t", resources: () => deploy(podSpec({}, { seLinuxOptions: { type: "container_t", level: "s0:c123,c456" } })) }],
        fail: [
            {
                name: "spc_t type and a custom user",
                resources: () => deploy(podSpec({ containers: [container({}, { seLinuxOptions: { type: "spc_t", user: "system_u" } })] })),
                messages: ['seLinuxOptions.type is "spc_t"', 'seLinuxOptions.user is "system_u"'],
            },
        ],
    },
    {
        policy: "k8s-default-proc-mount",
        pass: [{ name: "Default", resources: () => deploy(podSpec({ containers: [container({}, { procMount: "Default" })] })) }],
        fail: [{ name: "Unmasked", resources: () => deploy(podSpec({ containers: [container({}, { procMount: "Unmasked" })] })), messages: ['securityContext.procMount is "Unmasked"'] }],
    },
    {
        policy: "k8s-safe-sysctls",
        pass: [{ name: "safe sysctl", resources: () => deploy(podSpec({}, { sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }] })) }],
        fail: [{ name: "kernel.msgmax", resources: () => deploy(podSpec({}, { sysctls: [{ name: "kernel.msgmax", value: "65536" }] })), messages: ["sets kernel.msgmax, which is not a safe sysctl"] }],
    },
    {
        policy: "k8s-restricted-volume-types",
        pass: [
            {
                name: "emptyDir, configMap, secret, projected, PVC",
                resources: () =>
                    deploy(
                        podSpec({
                            volumes: [
                                { name: "a", emptyDir: {} },
                                { name: "b", configMap: { name: "c" } },
                                { name: "d", secret: { secretName: "s" } },
                                { name: "e", projected: { sources: [] } },
                                { name: "f", persistentVolumeClaim: { claimName: "p" } },
                            ],
                        }),
                    ),
            },
        ],
        fail: [{ name: "nfs volume", resources: () => deploy(podSpec({ volumes: [{ name: "share", nfs: { server: "x", path: "/" } }] })), messages: ["volumes[0] (share) is a nfs volume"] }],
    },
    {
        policy: "k8s-no-privilege-escalation",
        pass: [{ name: "false everywhere", resources: () => deploy(podSpec()) }],
        fail: [
            {
                name: "omitted on an ephemeral container",
                resources: () => pod(podSpec({ ephemeralContainers: [{ name: "debug", image: IMAGE }] })),
                messages: ["spec.ephemeralContainers[0] (debug): securityContext.allowPrivilegeEscalation is not set; expected false"],
            },
        ],
    },
    {
        policy: "k8s-run-as-non-root",
        pass: [
            { name: "set on the pod", resources: () => deploy(podSpec()) },
            { name: "set on every container instead", resources: () => deploy(podSpec({ containers: [container({}, { runAsNonRoot: true })] }, { runAsNonRoot: undefined })) },
        ],
        fail: [
            { name: "omitted", resources: () => deploy(podSpec({}, { runAsNonRoot: undefined })), messages: ["spec.template.spec.containers[0] (web): runAsNonRoot is not set"] },
            { name: "container overrides the pod with false", resources: () => deploy(podSpec({ containers: [container({}, { runAsNonRoot: false })] })), messages: ["runAsNonRoot is false"] },
        ],
    },
    {
        policy: "k8s-no-root-user",
        pass: [{ name: "UID 10001", resources: () => deploy(podSpec()) }],
        fail: [
            {
                name: "runAsUser 0 on pod and container",
                resources: () => deploy(podSpec({ containers: [container({}, { runAsUser: 0 })] }, { runAsUser: 0 })),
                messages: ["spec.template.spec.securityContext.runAsUser is 0", "containers[0] (web): securityContext.runAsUser is 0"],
            },
        ],
    },
    {
        policy: "k8s-seccomp-profile",
        pass: [{ name: "RuntimeDefault on the pod", resources: () => deploy(podSpec()) }],
        fail: [
            { name: "omitted", resources: () => deploy(podSpec({}, { seccompProfile: undefined })), messages: ["seccompProfile.type is not set"] },
            { name: "Unconfined on a container", resources: () => deploy(podSpec({ containers: [container({}, { seccompProfile: { type: "Unconfined" } })] })), messages: ['seccompProfile.type is "Unconfined"'] },
        ],
    },
    {
        policy: "k8s-capabilities-drop-all",
        pass: [{ name: "drop ALL, add NET_BIND_SERVICE", resources: () => deploy(podSpec({ containers: [container({}, { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })] })) }],
        fail: [
            {
                name: "no drop, add SYS_ADMIN",
                resources: () => deploy(podSpec({ containers: [container({}, { capabilities: { add: ["SYS_ADMIN"] } })] })),
                messages: ['capabilities.drop is not set; expected it to include "ALL"', "capabilities.add includes SYS_ADMIN"],
            },
        ],
    },
    {
        policy: "k8s-readonly-root-filesystem",
        pass: [{ name: "read-only", resources: () => deploy(podSpec()) }],
        fail: [
            { name: "omitted", resources: () => deploy(podSpec({ containers: [container({}, { readOnlyRootFilesystem: undefined })] })), messages: ["securityContext.readOnlyRootFilesystem is not set; expected true"] },
        ],
    },
    {
        policy: "k8s-resource-requests-limits",
        pass: [
            { name: "all four set", resources: () => deploy(podSpec()) },
            {
                name: "no CPU limit when not required",
                resources: () => deploy(podSpec({ containers: [container({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })] })),
                config: { "k8s-resource-requests-limits": { requireCpuLimit: false } },
            },
        ],
        fail: [
            {
                name: "no resources",
                resources: () => deploy(podSpec({ containers: [container({ resources: undefined })] })),
                messages: ["resources.requests.cpu, requests.memory, limits.memory and limits.cpu are not set"],
            },
        ],
    },
    {
        policy: "k8s-image-pinned",
        pass: [{ name: "version tag and digest", resources: () => deploy(podSpec({ containers: [container(), container({ name: "side", image: "public.ecr.aws/x/y@sha256:abc" })] })) }],
        fail: [
            {
                name: "latest and untagged",
                resources: () => deploy(podSpec({ containers: [container({ image: "public.ecr.aws/x/y:latest" }), container({ name: "b", image: "registry.local:5000/team/app" })] })),
                messages: ['image "public.ecr.aws/x/y:latest" is tagged "latest"', 'image "registry.local:5000/team/app" is untagged (latest)'],
            },
        ],
    },
    {
        policy: "k8s-health-probes",
        pass: [
            { name: "both probes", resources: () => deploy(podSpec()) },
            {
                name: "a Job needs none",
                resources: () => single("kubernetes:batch/v1:Job", { metadata: META, spec: { template: { spec: podSpec({ containers: [container({ livenessProbe: undefined, readinessProbe: undefined })] }) } } }),
                notApplicable: true,
            },
        ],
        fail: [{ name: "no readiness probe", resources: () => deploy(podSpec({ containers: [container({ readinessProbe: undefined })] })), messages: ["readinessProbe is not set"] }],
    },
    {
        policy: "k8s-service-account-token-automount",
        pass: [{ name: "explicit false", resources: () => deploy(podSpec()) }],
        fail: [{ name: "omitted", resources: () => deploy(podSpec({ automountServiceAccountToken: undefined })), messages: ["automountServiceAccountToken is not set"] }],
    },
    {
        policy: "k8s-dedicated-service-account",
        pass: [{ name: "dedicated account", resources: () => deploy(podSpec()) }],
        fail: [
            { name: "omitted", resources: () => deploy(podSpec({ serviceAccountName: undefined })), messages: ["serviceAccountName is not set (the namespace's default account)"] },
            { name: "default", resources: () => deploy(podSpec({ serviceAccountName: "default" })), messages: ['serviceAccountName is "default"'] },
        ],
    },
    {
        policy: "k8s-no-default-namespace",
        pass: [
            { name: "namespaced", resources: () => deploy(podSpec()) },
            {
                name: "namespace from the Kubernetes provider",
                resources: () =>
                    stack((s) => {
                        const provider = s.add("pulumi:providers:kubernetes", "k8s", { namespace: "web" }, { component: false });
                        s.add("kubernetes:core/v1:ConfigMap", "cm", { data: {} }, { provider });
                    }),
            },
        ],
        fail: [
            { name: "no namespace", resources: () => single("kubernetes:core/v1:Service", { spec: {} }), messages: ['lands in "default"'] },
            { name: "explicit default", resources: () => single(DEPLOYMENT, { metadata: { namespace: "default" }, spec: {} }), messages: ['metadata.namespace is "default"'] },
        ],
    },
    {
        policy: "k8s-rbac-no-wildcards",
        pass: [{ name: "explicit rules", resources: () => single(T.k8sRole, { metadata: META, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] }) }],
        fail: [
            { name: "wildcard verbs and resources", resources: () => single(T.k8sClusterRole, { rules: [{ apiGroups: [""], resources: ["*"], verbs: ["*"] }] }), messages: ['rules[0] uses "*" in resources and verbs'] },
        ],
    },
    {
        policy: "k8s-no-cluster-admin-binding",
        pass: [{ name: "binding to a custom role", resources: () => single(T.k8sRoleBinding, { metadata: META, roleRef: { kind: "Role", name: "reader" } }) }],
        fail: [
            {
                name: "binding a role to system:masters",
                resources: () => single(T.k8sClusterRoleBinding, { roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "system:masters" }] }),
                messages: ['subjects[0] is the group "system:masters"'],
            },
            { name: "cluster-admin", resources: () => single(T.k8sClusterRoleBinding, { roleRef: { kind: "ClusterRole", name: "cluster-admin" } }), messages: ['roleRef.name is "cluster-admin"'] },
        ],
    },
    {
        policy: "k8s-workload-replicas",
        pass: [
            { name: "2 replicas", resources: () => deploy(podSpec()) },
            {
                name: "replicas left to an HPA with minReplicas 3",
                resources: () =>
                    stack((s) => {
                        s.add(DEPLOYMENT, "web", { metadata: META, spec: { template: { spec: podSpec() } } });
                        s.add(T.k8sHpa, "web", { metadata: { namespace: "web" }, spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 3, maxReplicas: 6 } });
                    }),
            },
            { name: "1 replica in dev (prod-only rule)", resources: () => single(DEPLOYMENT, deployment(podSpec(), 1), { stack: "dev" }), notApplicable: true },
        ],
        fail: [{ name: "1 replica in prod", resources: () => single(DEPLOYMENT, deployment(podSpec(), 1)), messages: ["spec.replicas is 1 (1 by default)"] }],
    },
    {
        policy: "k8s-pod-disruption-budget",
        pass: [
            {
                name: "PDB with maxUnavailable 1",
                resources: () =>
                    stack((s: StackBuilder) => {
                        s.add(DEPLOYMENT, "web", deployment(podSpec(), 3));
                        s.add(T.k8sPdb, "web", PDB({ maxUnavailable: 1 }));
                    }),
            },
        ],
        fail: [
            { name: "no PDB", resources: () => deploy(podSpec()), messages: ["no PodDisruptionBudget in namespace web selects"] },
            {
                name: "PDB that blocks every eviction",
                resources: () =>
                    stack((s) => {
                        s.add(DEPLOYMENT, "web", deployment(podSpec(), 2));
                        s.add(T.k8sPdb, "web", PDB({ minAvailable: "100%" }));
                    }),
                messages: ["allows no eviction of its 2 replicas"],
            },
        ],
    },
    {
        policy: "k8s-namespace-network-policy",
        pass: [
            {
                name: "namespace with a default-deny policy",
                resources: () =>
                    stack((s) => {
                        s.add(T.k8sNamespace, "web", { metadata: { name: "web" } });
                        s.add(DEPLOYMENT, "web", deployment(podSpec()));
                        s.add(T.k8sNetworkPolicy, "deny", { metadata: { namespace: "web" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
                    }),
            },
        ],
        fail: [
            {
                name: "a namespace and a workload namespace without policies",
                resources: () =>
                    stack((s) => {
                        s.add(T.k8sNamespace, "jobs", { metadata: { name: "jobs" } });
                        s.add(DEPLOYMENT, "web", deployment(podSpec()));
                    }),
                messages: ["namespace jobs has no NetworkPolicy", "namespace web has no NetworkPolicy"],
            },
        ],
    },
    {
        policy: "k8s-rbac-no-escalation",
        pass: [
            { name: "read config maps", resources: () => single(T.k8sRole, { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] }) },
            { name: "read one named secret", resources: () => single(T.k8sRole, { rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["app-tls"], verbs: ["get"] }] }) },
        ],
        fail: [
            {
                name: "list every secret (ClusterRole)",
                resources: () => single(T.k8sClusterRole, { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }] }),
                messages: ["rules[0] reads secrets (CIS EKS 4.1.2)"],
            },
            {
                name: "create pods and exec into them",
                resources: () => single(T.k8sRole, { rules: [{ apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["create"] }] }),
                messages: [/creates pods .*CIS EKS 4\.1\.4.* and executes commands in pods/],
            },
            {
                name: "bind, escalate and impersonate",
                resources: () =>
                    single(T.k8sClusterRole, {
                        rules: [
                            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"] },
                            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
                        ],
                    }),
                messages: ["rules[0] binds or escalates roles", "rules[1] impersonates service accounts"],
            },
        ],
    },
    {
        policy: "k8s-service-load-balancer-scheme",
        pass: [
            { name: "a ClusterIP service", resources: () => single("kubernetes:core/v1:Service", { metadata: { name: "api", namespace: "apps" }, spec: { type: "ClusterIP", ports: [{ port: 80 }] } }) },
            {
                name: "a LoadBalancer service stated internal",
                resources: () =>
                    single("kubernetes:core/v1:Service", {
                        metadata: { name: "api", namespace: "apps", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } },
                        spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", ports: [{ port: 443 }] },
                    }),
            },
            {
                name: "a LoadBalancer service internet-facing on purpose, with source ranges",
                resources: () =>
                    single("kubernetes:core/v1:Service", {
                        metadata: { name: "edge", namespace: "apps", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } },
                        spec: { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"], ports: [{ port: 443 }] },
                    }),
            },
            {
                name: "the legacy internal annotation",
                resources: () =>
                    single("kubernetes:core/v1:Service", {
                        metadata: { name: "api", namespace: "apps", annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } },
                        spec: { type: "LoadBalancer", ports: [{ port: 443 }] },
                    }),
            },
        ],
        fail: [
            {
                name: "a LoadBalancer service with no scheme (internet-facing under the in-tree controller)",
                resources: () => single("kubernetes:core/v1:Service", { metadata: { name: "api", namespace: "apps" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }),
                messages: ['type is "LoadBalancer" and no service.beta.kubernetes.io/aws-load-balancer-scheme annotation states the scheme'],
            },
            {
                name: "the legacy annotation set to false",
                resources: () =>
                    single("kubernetes:core/v1:Service", {
                        metadata: { name: "api", namespace: "apps", annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "false" } },
                        spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
                    }),
                messages: ["no service.beta.kubernetes.io/aws-load-balancer-scheme annotation states the scheme"],
            },
            {
                name: "a misspelt scheme",
                resources: () =>
                    single("kubernetes:core/v1:Service", {
                        metadata: { name: "api", namespace: "apps", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "public" } },
                        spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
                    }),
                messages: ['is "public"; expected "internal" or "internet-facing"'],
            },
        ],
    },
];
