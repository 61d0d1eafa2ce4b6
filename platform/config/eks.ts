import { z } from "zod";
import { IAM_ROLE_ARN_PATTERN, wholeNumber } from "./fields";
import { parseIpv4Cidr } from "./cidr";
import type { ConfigProblem } from "./load";
import type { Profile } from "./schema";

/**
 * The `platform:eks` key: the Kubernetes runtime (issue 4). Schema, profile defaults and the
 * resolved `EksConfig`, kept in one file so the shared config files only gain a line each.
 */

export const EKS_VERSION_PATTERN = /^1\.(\d{2})$/;
const minorOf = (version: string) => Number(EKS_VERSION_PATTERN.exec(version)?.[1] ?? NaN);

/**
 * The EKS version calendar: when each Kubernetes minor version leaves standard support (14 months
 * after its EKS release) and extended support (12 months later, at $0.60 instead of $0.10 per
 * cluster-hour), from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 * ("Amazon EKS Kubernetes release calendar"). The config check reads it: a version is accepted while
 * its support window (standard, or extended with `supportType: EXTENDED`) is open on the day of the
 * deploy. Bumping the platform means adding a row here and its add-on builds below.
 */
export const EKS_VERSION_CALENDAR: Record<string, { standardSupportEnds: string; extendedSupportEnds: string }> = {
    "1.32": { standardSupportEnds: "2026-03-23", extendedSupportEnds: "2027-03-23" },
    "1.33": { standardSupportEnds: "2026-07-29", extendedSupportEnds: "2027-07-29" },
    "1.34": { standardSupportEnds: "2026-12-02", extendedSupportEnds: "2027-12-02" },
    "1.35": { standardSupportEnds: "2027-03-27", extendedSupportEnds: "2028-03-27" },
};

/** The oldest version whose `supportType` window is still open on `today` (YYYY-MM-DD): the floor the config check applies. */
export function eksVersionFloor(today: string, supportType: SupportType): string | undefined {
    const open = Object.entries(EKS_VERSION_CALENDAR).filter(([, dates]) => (supportType === "STANDARD" ? dates.standardSupportEnds : dates.extendedSupportEnds) > today);
    return open.map(([version]) => version).sort((a, b) => minorOf(a) - minorOf(b))[0];
}

/** EKS support tiers: EXTENDED keeps a version past standard support, at $0.60 instead of $0.10 per cluster-hour. */
export const SUPPORT_TYPES = ["STANDARD", "EXTENDED"] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

export const AUTOSCALERS = ["karpenter", "cluster-autoscaler"] as const;
export type Autoscaler = (typeof AUTOSCALERS)[number];

/** Who runs the nodes: managed node groups with Karpenter or the Cluster Autoscaler, or EKS Auto Mode. */
export const COMPUTE_MODES = ["managed", "autoMode"] as const;
export type ComputeMode = (typeof COMPUTE_MODES)[number];

/**
 * Where the cluster's controllers (CoreDNS, the Load Balancer Controller, metrics-server, ...) run:
 * `dedicated`, a system node group tainted for them alone; `shared`, no system group, the
 * workload group's nodes run them beside the apps (one node fewer: dev).
 */
export const SYSTEM_NODES = ["dedicated", "shared"] as const;
export type SystemNodes = (typeof SYSTEM_NODES)[number];

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/** Node operating systems the platform supports: Bottlerocket (minimal, immutable) or AL2023; both refuse IMDSv1-only setups. */
export const NODE_OS = ["bottlerocket", "al2023"] as const;
export type NodeOs = (typeof NODE_OS)[number];

/** EKS managed add-on versions look like v1.19.5-eksbuild.1. */
export const ADDON_VERSION_PATTERN = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const K8S_LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;
const K8S_NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const NodeGroupInputSchema = z.strictObject({
    instanceTypes: z
        .array(z.string().regex(INSTANCE_TYPE_PATTERN, { error: "expected an EC2 instance type such as m7g.large" }), { error: "expected a list of EC2 instance types such as [m7g.large]" })
        .min(1, { error: "expected at least one instance type" })
        .optional(),
    capacityType: z.enum(CAPACITY_TYPES, { error: `expected a capacity type, one of ${CAPACITY_TYPES.join(", ")}` }).optional(),
    minSize: wholeNumber("a minimum node count", 0, 100).optional(),
    maxSize: wholeNumber("a maximum node count", 1, 100).optional(),
    diskSizeGiB: wholeNumber("a root volume size in GiB", 20, 1000).optional(),
});

const CHART_VERSION_PATTERN = /^v?\d+\.\d+\.\d+$/;
const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;

/** What every catalog add-on takes (platform/eks/addons/): on or off, a version, extra Helm or add-on values. */
const catalogAddon = <T extends z.ZodRawShape>(versionExample: string, versionPattern: RegExp, extra: T) =>
    z.strictObject({
        /** Install it. @default false */
        enabled: z.boolean({ error: "expected whether the add-on is installed: true or false" }).optional(),
        /** The chart version or EKS add-on build. @default the pinned one */
        version: z
            .string()
            .regex(versionPattern, { error: `expected a version such as ${versionExample}` })
            .optional(),
        /** Merged over the platform's values (Helm values, or the managed add-on's configuration values). */
        values: z.record(z.string(), z.unknown(), { error: "expected a map of values" }).optional(),
        ...extra,
    });

export const VPA_MODES = ["recommend", "auto"] as const;
export const EXTERNAL_DNS_POLICIES = ["upsert-only", "sync"] as const;

const CatalogAddonsSchema = {
    /** The EBS CSI driver (EKS managed add-on) and an encrypted gp3 default StorageClass. */
    ebsCsi: catalogAddon("v1.66.0-eksbuild.1", ADDON_VERSION_PATTERN, {}).optional(),
    /** external-dns: Route 53 records for Ingress hosts, in one hosted zone. */
    externalDns: catalogAddon("1.21.1", CHART_VERSION_PATTERN, {
        hostedZoneId: z.string().regex(HOSTED_ZONE_ID_PATTERN, { error: "expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }).optional(),
        policy: z.enum(EXTERNAL_DNS_POLICIES, { error: `expected ${EXTERNAL_DNS_POLICIES.join(" or ")}` }).optional(),
    }).optional(),
    /** cert-manager, CRDs installed by the chart. */
    certManager: catalogAddon("v1.21.1", CHART_VERSION_PATTERN, {}).optional(),
    /** The Vertical Pod Autoscaler: recommendations only unless mode is auto. */
    verticalPodAutoscaler: catalogAddon("0.11.0", CHART_VERSION_PATTERN, {
        mode: z.enum(VPA_MODES, { error: `expected ${VPA_MODES.join(" or ")}` }).optional(),
    }).optional(),
    /** KEDA: event-driven autoscaling (queue workers). */
    keda: catalogAddon("2.20.2", CHART_VERSION_PATTERN, {}).optional(),
};

export const EksInputSchema = z.strictObject({
    /** Build the cluster even when no app runs on it yet. */
    enabled: z.boolean({ error: "expected whether the EKS cluster is built: true or false" }).optional(),
    version: z.string({ error: `expected a Kubernetes minor version such as "1.33", quoted` }).regex(EKS_VERSION_PATTERN, { error: `expected a Kubernetes minor version such as "1.33", quoted` }).optional(),
    /** What EKS does when `version` leaves standard support: STANDARD upgrades it, EXTENDED keeps it at 6x the hourly price. */
    supportType: z.enum(SUPPORT_TYPES, { error: `expected an EKS support type, one of ${SUPPORT_TYPES.join(", ")}` }).optional(),
    endpoint: z
        .strictObject({
            publicAccessCidrs: z.array(z.string({ error: "expected an IPv4 CIDR such as 203.0.113.0/24" }), { error: "expected a list of IPv4 CIDRs" }).optional(),
            /** Deployer networks (VPN, peered CI VPC) that reach the private endpoint on 443, besides the VPC itself. */
            privateAccessCidrs: z.array(z.string({ error: "expected an IPv4 CIDR such as 10.8.0.0/16" }), { error: "expected a list of IPv4 CIDRs" }).optional(),
        })
        .optional(),
    adminRoleArns: z.array(z.string().regex(IAM_ROLE_ARN_PATTERN, { error: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin" }), { error: "expected a list of IAM role ARNs" }).optional(),
    nodeOs: z.enum(NODE_OS, { error: `expected a node OS, one of ${NODE_OS.join(", ")}` }).optional(),
    /** dedicated: a tainted system node group for the controllers; shared: the controllers run on the workload group. */
    systemNodes: z.enum(SYSTEM_NODES, { error: `expected where the controllers run, one of ${SYSTEM_NODES.join(", ")}` }).optional(),
    nodeGroups: z.strictObject({ system: NodeGroupInputSchema.optional(), workload: NodeGroupInputSchema.optional() }).optional(),
    fargateProfiles: z
        .record(
            z.string().regex(PROFILE_NAME, { error: "expected a Fargate profile name: letters, digits, _ and -" }),
            z.strictObject({
                namespace: z.string({ error: "expected a Kubernetes namespace" }).regex(K8S_NAMESPACE, { error: "expected a Kubernetes namespace: a DNS label such as web" }),
                labels: z.record(z.string(), z.string().regex(K8S_LABEL_VALUE, { error: "expected a Kubernetes label value" })).optional(),
            }),
        )
        .optional(),
    addons: z
        .strictObject({
            vpcCni: z.string().regex(ADDON_VERSION_PATTERN, { error: "expected an add-on version such as v1.19.5-eksbuild.1" }).optional(),
            coredns: z.string().regex(ADDON_VERSION_PATTERN, { error: "expected an add-on version such as v1.11.4-eksbuild.14" }).optional(),
            kubeProxy: z.string().regex(ADDON_VERSION_PATTERN, { error: "expected an add-on version such as v1.33.0-eksbuild.2" }).optional(),
            podIdentityAgent: z.string().regex(ADDON_VERSION_PATTERN, { error: "expected an add-on version such as v1.3.7-eksbuild.2" }).optional(),
            observability: z.string().regex(ADDON_VERSION_PATTERN, { error: "expected an add-on version such as v6.2.0-eksbuild.1" }).optional(),
            ...CatalogAddonsSchema,
        })
        .optional(),
    /** managed: node groups plus Karpenter or the Cluster Autoscaler; autoMode: EKS Auto Mode runs compute, storage and load balancing. */
    compute: z.enum(COMPUTE_MODES, { error: `expected a compute mode, one of ${COMPUTE_MODES.join(", ")}` }).optional(),
    autoscaler: z.enum(AUTOSCALERS, { error: `expected a node autoscaler, one of ${AUTOSCALERS.join(", ")}` }).optional(),
    /** Container logs and Container Insights through the amazon-cloudwatch-observability add-on. */
    containerInsights: z.boolean({ error: "expected whether container logs and metrics go to CloudWatch: true or false" }).optional(),
});

export type EksInput = z.infer<typeof EksInputSchema>;

export interface NodeGroupConfig {
    instanceTypes: string[];
    capacityType: CapacityType;
    minSize: number;
    maxSize: number;
    diskSizeGiB: number;
}

/** The resolved `platform:eks` settings. */
export interface EksConfig {
    /** True when `enabled` is set or an app lists `eks` in its runtimes. */
    enabled: boolean;
    version: string;
    /** The cluster's upgrade policy. */
    supportType: SupportType;
    /** Dev only, and only these CIDRs; empty means the endpoint is private only. */
    publicAccessCidrs: string[];
    /** Networks besides the VPC that reach the private endpoint on 443 (where `pulumi up` runs). */
    privateAccessCidrs: string[];
    adminRoleArns: string[];
    nodeOs: NodeOs;
    /** dedicated: the system group exists and only controllers run there; shared: no system group. */
    systemNodes: SystemNodes;
    nodeGroups: { system: NodeGroupConfig; workload: NodeGroupConfig };
    fargateProfiles: Record<string, { namespace: string; labels: Record<string, string> }>;
    /** managed (node groups, Karpenter or the Cluster Autoscaler, the Load Balancer Controller) or autoMode. */
    compute: ComputeMode;
    /** Managed add-on builds, and the optional add-ons of the catalog (platform/eks/addons/) resolved against their pins. */
    addons: CoreAddonVersions & CatalogAddons;
    autoscaler: Autoscaler;
    /** Container logs (Fluent Bit) and metrics (CloudWatch agent) into CloudWatch. */
    containerInsights: boolean;
}

/** The always-on managed add-ons' builds. */
export interface CoreAddonVersions {
    vpcCni: string;
    coredns: string;
    kubeProxy: string;
    podIdentityAgent: string;
    observability: string;
}

/** What every catalog add-on resolves to. */
export interface AddonSettings {
    enabled: boolean;
    version: string;
    values: Record<string, unknown>;
}

export interface CatalogAddons {
    ebsCsi: AddonSettings;
    externalDns: AddonSettings & { hostedZoneId?: string; policy: (typeof EXTERNAL_DNS_POLICIES)[number] };
    certManager: AddonSettings;
    verticalPodAutoscaler: AddonSettings & { mode: (typeof VPA_MODES)[number] };
    keda: AddonSettings;
}

/**
 * The pinned version of each catalog add-on (checked 2026-12-05):
 * - ebsCsi: the EKS add-on aws-ebs-csi-driver build v1.66.0-eksbuild.1 (driver v1.66.0), reported by
 *   `eks:DescribeAddonVersions` as the default build for Kubernetes 1.36 in September 2026
 *   (https://github.com/mitodl/ol-infrastructure/pull/5959); the offline synth cannot ask EKS, so
 *   confirm it for the cluster's version with `aws eks describe-addon-versions --addon-name aws-ebs-csi-driver --kubernetes-version 1.35`.
 * - the charts: platform/eks/helm-values.ts (EXTERNAL_DNS, CERT_MANAGER, VERTICAL_POD_AUTOSCALER, KEDA), each citing its source.
 */
export const CATALOG_DEFAULT_VERSIONS = { ebsCsi: "v1.66.0-eksbuild.1", externalDns: "1.21.1", certManager: "v1.21.1", verticalPodAutoscaler: "0.11.0", keda: "2.20.2" };

export interface EksProfileDefaults {
    version: string;
    systemNodes: SystemNodes;
    nodeGroups: { system: Omit<NodeGroupConfig, "capacityType">; workload: Omit<NodeGroupConfig, "capacityType"> };
    addons: CoreAddonVersions;
    autoscaler: Autoscaler;
}

/**
 * Managed add-on builds for Kubernetes 1.35: kube-proxy and CoreDNS from the 1.35 rows of the EKS
 * user guide's version tables (managing-kube-proxy, managing-coredns); the VPC CNI, the Pod
 * Identity Agent and the CloudWatch Observability builds are not tied to a Kubernetes minor.
 * Check with `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>`.
 */
const ADDONS_1_35 = { vpcCni: "v1.20.1-eksbuild.3", coredns: "v1.14.2-eksbuild.4", kubeProxy: "v1.35.3-eksbuild.2", podIdentityAgent: "v1.3.7-eksbuild.2", observability: "v6.2.0-eksbuild.1" };

/** The Kubernetes version every profile builds by default, in standard support until 2027-03-27 (EKS_VERSION_CALENDAR). */
export const EKS_DEFAULT_VERSION = "1.35";

/**
 * dev: no system group; one Graviton spot node of the workload group (2 vCPU, 4 GiB) runs the
 * controllers and the apps, Karpenter adds nodes beyond it. Sized by the pods' requests
 * (platform/eks/README.md, "Dev sizing"): about 1.1 vCPU and 1.1 GiB with one web replica, 12 pods,
 * which a t4g.small (2 GiB, 11 pods) cannot hold. staging: prod's shape, smaller. prod: two
 * dedicated system nodes and two on-demand workload nodes (spread over AZs; policy
 * eks-node-group-min-size), Karpenter adding capacity beyond that.
 */
export const EKS_PROFILE_DEFAULTS: Record<Profile, EksProfileDefaults> = {
    dev: {
        version: EKS_DEFAULT_VERSION,
        systemNodes: "shared",
        nodeGroups: {
            system: { instanceTypes: ["t4g.medium"], minSize: 1, maxSize: 2, diskSizeGiB: 20 },
            // Same size (2 vCPU, 4 GiB, arm64) in three families, so spot has more pools to draw from.
            workload: { instanceTypes: ["t4g.medium", "c7g.large", "c6g.large"], minSize: 1, maxSize: 3, diskSizeGiB: 20 },
        },
        addons: ADDONS_1_35,
        autoscaler: "karpenter",
    },
    staging: {
        version: EKS_DEFAULT_VERSION,
        systemNodes: "dedicated",
        nodeGroups: {
            system: { instanceTypes: ["m7g.large"], minSize: 2, maxSize: 3, diskSizeGiB: 30 },
            workload: { instanceTypes: ["m7g.large", "m6g.large"], minSize: 1, maxSize: 6, diskSizeGiB: 30 },
        },
        addons: ADDONS_1_35,
        autoscaler: "karpenter",
    },
    prod: {
        version: EKS_DEFAULT_VERSION,
        systemNodes: "dedicated",
        nodeGroups: {
            system: { instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4, diskSizeGiB: 50 },
            workload: { instanceTypes: ["m7g.xlarge", "m6g.xlarge"], minSize: 2, maxSize: 10, diskSizeGiB: 50 },
        },
        addons: ADDONS_1_35,
        autoscaler: "karpenter",
    },
};

/**
 * Resolves `platform:eks` against the profile. `spot` (compute.spot) decides the workload
 * group's capacity type; the system group is always on-demand (it runs CoreDNS and the controllers).
 */
export function resolveEks(input: EksInput | undefined, profile: Profile, spot: boolean, appsOnEks: boolean): EksConfig {
    const defaults = EKS_PROFILE_DEFAULTS[profile];
    const group = (name: "system" | "workload", capacityType: CapacityType): NodeGroupConfig => {
        const given = input?.nodeGroups?.[name] ?? {};
        return {
            instanceTypes: given.instanceTypes ?? [...defaults.nodeGroups[name].instanceTypes],
            capacityType: given.capacityType ?? capacityType,
            minSize: given.minSize ?? defaults.nodeGroups[name].minSize,
            maxSize: given.maxSize ?? defaults.nodeGroups[name].maxSize,
            diskSizeGiB: given.diskSizeGiB ?? defaults.nodeGroups[name].diskSizeGiB,
        };
    };
    return {
        enabled: input?.enabled ?? appsOnEks,
        version: input?.version ?? defaults.version,
        // @pulumi/eks 4.3 leaves EKS's default, EXTENDED: a forgotten upgrade would silently cost 6x.
        supportType: input?.supportType ?? "STANDARD",
        publicAccessCidrs: input?.endpoint?.publicAccessCidrs ?? [],
        privateAccessCidrs: input?.endpoint?.privateAccessCidrs ?? [],
        adminRoleArns: input?.adminRoleArns ?? [],
        nodeOs: input?.nodeOs ?? "bottlerocket",
        systemNodes: input?.systemNodes ?? defaults.systemNodes,
        nodeGroups: { system: group("system", "ON_DEMAND"), workload: group("workload", spot ? "SPOT" : "ON_DEMAND") },
        fargateProfiles: Object.fromEntries(Object.entries(input?.fargateProfiles ?? {}).map(([name, p]) => [name, { namespace: p.namespace, labels: { ...p.labels } }])),
        addons: {
            vpcCni: input?.addons?.vpcCni ?? defaults.addons.vpcCni,
            coredns: input?.addons?.coredns ?? defaults.addons.coredns,
            kubeProxy: input?.addons?.kubeProxy ?? defaults.addons.kubeProxy,
            podIdentityAgent: input?.addons?.podIdentityAgent ?? defaults.addons.podIdentityAgent,
            observability: input?.addons?.observability ?? defaults.addons.observability,
            ...resolveCatalog(input?.addons),
        },
        compute: input?.compute ?? "managed",
        autoscaler: input?.autoscaler ?? defaults.autoscaler,
        containerInsights: input?.containerInsights ?? true,
    };
}

/** Each catalog add-on off unless enabled, at its pinned version unless one is given. */
function resolveCatalog(addons: EksInput["addons"]): CatalogAddons {
    const base = (key: keyof typeof CATALOG_DEFAULT_VERSIONS): AddonSettings => {
        const given = addons?.[key];
        return { enabled: given?.enabled ?? false, version: given?.version ?? CATALOG_DEFAULT_VERSIONS[key], values: { ...given?.values } };
    };
    return {
        ebsCsi: base("ebsCsi"),
        externalDns: { ...base("externalDns"), hostedZoneId: addons?.externalDns?.hostedZoneId, policy: addons?.externalDns?.policy ?? "upsert-only" },
        certManager: base("certManager"),
        verticalPodAutoscaler: { ...base("verticalPodAutoscaler"), mode: addons?.verticalPodAutoscaler?.mode ?? "recommend" },
        keda: base("keda"),
    };
}

/** Graviton families have a `g` right after the generation digit: m7g, c7gn, t4g, r8gd, g5g. */
export function architectureOf(instanceType: string): "arm64" | "x86_64" {
    return /^[a-z]+\d+g/.test(instanceType) ? "arm64" : "x86_64";
}

/**
 * Cross-field rules: the version against the EKS calendar on `today` (YYYY-MM-DD), endpoint
 * exposure per profile, node group bounds, add-on/cluster skew.
 */
export function checkEks(eks: EksConfig, profile: Profile, key: (path: (string | number)[]) => string, today: string, input?: EksInput): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (!eks.enabled) return problems;
    if (eks.compute === "autoMode") problems.push(...autoModeProblems(input, key));
    problems.push(...checkEksVersion(eks, key, today));
    if (eks.publicAccessCidrs.length > 0 && profile !== "dev") {
        problems.push({
            key: key(["eks", "endpoint", "publicAccessCidrs"]),
            message: `expected no public API endpoint in ${profile} (private endpoint only; reach the API from inside the VPC); public access is allowed in dev only`,
        });
    }
    eks.publicAccessCidrs.forEach((cidr, index) => {
        const parsed = parseIpv4Cidr(cidr);
        if (!parsed) problems.push({ key: key(["eks", "endpoint", "publicAccessCidrs", index]), message: `expected an IPv4 CIDR such as 203.0.113.0/24 (no host bits set), got ${JSON.stringify(cidr)}` });
        else if (parsed.prefix < 8) problems.push({ key: key(["eks", "endpoint", "publicAccessCidrs", index]), message: `expected a named network (a /8 or narrower), never the whole internet; got ${cidr}` });
    });
    eks.privateAccessCidrs.forEach((cidr, index) => {
        const parsed = parseIpv4Cidr(cidr);
        if (!parsed) problems.push({ key: key(["eks", "endpoint", "privateAccessCidrs", index]), message: `expected an IPv4 CIDR such as 10.8.0.0/16 (no host bits set), got ${JSON.stringify(cidr)}` });
        else if (parsed.prefix < 8) problems.push({ key: key(["eks", "endpoint", "privateAccessCidrs", index]), message: `expected a named deployer network (a /8 or narrower), never everything; got ${cidr}` });
    });
    if (new Set(eks.privateAccessCidrs).size !== eks.privateAccessCidrs.length) {
        problems.push({ key: key(["eks", "endpoint", "privateAccessCidrs"]), message: "expected each CIDR at most once (each becomes one security group rule)" });
    }
    for (const name of ["system", "workload"] as const) {
        const group = eks.nodeGroups[name];
        if (group.minSize > group.maxSize) problems.push({ key: key(["eks", "nodeGroups", name]), message: `expected minSize (${group.minSize}) to be at most maxSize (${group.maxSize})` });
    }
    for (const name of ["system", "workload"] as const) {
        const architectures = new Set(eks.nodeGroups[name].instanceTypes.map(architectureOf));
        if (architectures.size > 1)
            problems.push({ key: key(["eks", "nodeGroups", name, "instanceTypes"]), message: `expected instance types of one architecture (one AMI per group), got ${eks.nodeGroups[name].instanceTypes.join(", ")}` });
    }
    if (eks.systemNodes === "shared" && eks.nodeGroups.workload.minSize < 1) {
        problems.push({ key: key(["eks", "nodeGroups", "workload", "minSize"]), message: "expected at least 1 with eks.systemNodes: shared: the workload group then runs CoreDNS and the controllers" });
    }
    if (eks.systemNodes === "shared" && input?.nodeGroups?.system !== undefined) {
        problems.push({ key: key(["eks", "nodeGroups", "system"]), message: "expected no system group settings with eks.systemNodes: shared (there is no system group); set eks.systemNodes: dedicated to have one" });
    }
    if (eks.nodeGroups.system.minSize < 1) problems.push({ key: key(["eks", "nodeGroups", "system", "minSize"]), message: "expected at least 1: the system group runs CoreDNS and the controllers" });
    if (eks.nodeGroups.system.capacityType !== "ON_DEMAND")
        problems.push({ key: key(["eks", "nodeGroups", "system", "capacityType"]), message: "expected ON_DEMAND: a spot interruption of the system group takes CoreDNS and the controllers down" });
    // kube-proxy must match the control plane's minor version (EKS version skew policy).
    const proxyMinor = /^v1\.(\d+)\./.exec(eks.addons.kubeProxy)?.[1];
    if (proxyMinor !== undefined && Number(proxyMinor) !== minorOf(eks.version)) {
        problems.push({ key: key(["eks", "addons", "kubeProxy"]), message: `expected a kube-proxy build for Kubernetes ${eks.version} (v${eks.version}.x-eksbuild.N), got ${eks.addons.kubeProxy}` });
    }
    if (eks.addons.externalDns.enabled && !eks.addons.externalDns.hostedZoneId) {
        problems.push({
            key: key(["eks", "addons", "externalDns", "hostedZoneId"]),
            message: "expected the Route 53 hosted zone id external-dns may write to, such as Z0123456789ABCDEFGHIJ (it is scoped to that one zone)",
        });
    }
    const namespaces = Object.values(eks.fargateProfiles).map((p) => `${p.namespace}:${JSON.stringify(p.labels)}`);
    if (new Set(namespaces).size !== namespaces.length) problems.push({ key: key(["eks", "fargateProfiles"]), message: "expected each namespace and label selector in one profile only" });
    return problems;
}

/**
 * Keys that configure what EKS Auto Mode replaces: set together with `compute: autoMode` they would
 * do nothing, so they are refused rather than ignored.
 */
function autoModeProblems(input: EksInput | undefined, key: (path: (string | number)[]) => string): ConfigProblem[] {
    const because = "with eks.compute: autoMode";
    const replaced: [string[], unknown, string][] = [
        [
            ["autoscaler"],
            input?.autoscaler,
            `expected no node autoscaler ${because}: Auto Mode scales nodes itself (its built-in node pools and the platform's NodePool); remove eks.autoscaler or set eks.compute: managed`,
        ],
        [["nodeGroups"], input?.nodeGroups, `expected no managed node groups ${because}: Auto Mode launches the nodes; remove eks.nodeGroups or set eks.compute: managed`],
        [["systemNodes"], input?.systemNodes, `expected no system node setting ${because}: Auto Mode places the controllers on its built-in system pool`],
        [["nodeOs"], input?.nodeOs, `expected no node OS ${because}: Auto Mode nodes run an AMI EKS chooses and patches`],
        ...(["vpcCni", "coredns", "kubeProxy", "podIdentityAgent"] as const).map((addon): [string[], unknown, string] => [
            ["addons", addon],
            input?.addons?.[addon],
            `expected no ${addon} build ${because}: Auto Mode nodes run pod networking, DNS, kube-proxy and the Pod Identity agent themselves`,
        ]),
    ];
    return replaced.filter(([, value]) => value !== undefined).map(([path, , message]) => ({ key: key(["eks", ...path]), message }));
}

/** The version must be in the calendar and inside its support window (standard, or extended when chosen) on `today`. */
function checkEksVersion(eks: EksConfig, key: (path: (string | number)[]) => string, today: string): ConfigProblem[] {
    const dates = EKS_VERSION_CALENDAR[eks.version];
    const known = Object.keys(EKS_VERSION_CALENDAR).join(", ");
    if (!dates) return [{ key: key(["eks", "version"]), message: `expected a version in the EKS calendar the platform knows (${known}; platform/config/eks.ts EKS_VERSION_CALENDAR), got "${eks.version}"` }];
    const floor = eksVersionFloor(today, eks.supportType);
    if (eks.supportType === "STANDARD" && dates.standardSupportEnds <= today) {
        return [
            {
                key: key(["eks", "version"]),
                message:
                    `Kubernetes ${eks.version} left EKS standard support on ${dates.standardSupportEnds}; expected ${floor ?? "a newer version"} or later` +
                    ` (or eks.supportType: EXTENDED, billed at $0.60 instead of $0.10 per cluster-hour, until ${dates.extendedSupportEnds})`,
            },
        ];
    }
    if (eks.supportType === "EXTENDED" && dates.extendedSupportEnds <= today) {
        return [{ key: key(["eks", "version"]), message: `Kubernetes ${eks.version} left EKS extended support on ${dates.extendedSupportEnds}; expected ${floor ?? "a newer version"} or later` }];
    }
    return [];
}

/** What an app needs from its spec to run on EKS; each problem names the key. */
export function checkEksApps(
    apps: Record<string, { runtimes: string[]; user: string; architecture: string; secrets: Record<string, string>; jobs: Record<string, { schedule: string }> }>,
    eks: EksConfig,
    key: (path: (string | number)[]) => string,
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const onEks = Object.entries(apps).filter(([, app]) => app.runtimes.includes("eks"));
    if (onEks.length > 0 && !eks.enabled) {
        problems.push({ key: key(["eks", "enabled"]), message: `expected true (or unset): ${onEks.map(([name]) => name).join(", ")} list eks in their runtimes` });
    }
    for (const [name, app] of onEks) {
        // A Fargate profile taking an arm64 app's pods is refused in fargate-profiles.ts (per selector and label).
        // Karpenter launches either architecture; the Cluster Autoscaler only grows the workload group.
        const workloadArchitecture = architectureOf(eks.nodeGroups.workload.instanceTypes[0] ?? "");
        if (eks.autoscaler === "cluster-autoscaler" && app.architecture !== workloadArchitecture) {
            problems.push({
                key: key(["apps", name, "architecture"]),
                message: `expected ${workloadArchitecture} to match eks.nodeGroups.workload.instanceTypes (with the Cluster Autoscaler no other nodes exist), got ${app.architecture}`,
            });
        }
        if (!/^\d+(?::\d+)?$/.test(app.user)) {
            problems.push({ key: key(["apps", name, "user"]), message: `expected a numeric uid[:gid] such as 65532 on EKS (runAsNonRoot cannot verify a user name), got ${JSON.stringify(app.user)}` });
        } else if (Number(app.user.split(":")[0]) === 0 && app.user.split(":")[0] !== "0") {
            // A plain "0" is refused for every runtime (apps.ts); "00" is uid 0 too, which runAsUser would get.
            problems.push({ key: key(["apps", name, "user"]), message: `expected a non-zero uid on EKS (uid 0 is root: Pod Security Standards restricted refuses it), got ${JSON.stringify(app.user)}` });
        }
        for (const [job, spec] of Object.entries(app.jobs)) {
            const converted = kubernetesSchedule(spec.schedule);
            if ("problem" in converted) problems.push({ key: key(["apps", name, "jobs", job, "schedule"]), message: `expected a schedule a Kubernetes CronJob can express on eks: ${converted.problem}` });
        }
    }
    return problems;
}

/**
 * A Scheduler expression as a Kubernetes CronJob schedule (5 fields, day-of-week 0-6 from SUN):
 * `cron(0 3 * * ? *)` -> `0 3 * * *`; `rate(6 hours)` -> `0 *\/6 * * *`. Scheduler's L, W, #, a
 * year, and rates that do not divide the hour or day evenly have no CronJob equivalent.
 */
export function kubernetesSchedule(expression: string): { schedule: string } | { problem: string } {
    const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
    if (rate) {
        const value = Number(rate[1]);
        if (rate[2] === "minute" && 60 % value === 0) return { schedule: value === 1 ? "* * * * *" : `*/${value} * * * *` };
        if (rate[2] === "hour" && 24 % value === 0) return { schedule: value === 1 ? "0 * * * *" : `0 */${value} * * *` };
        if (rate[2] === "day" && value === 1) return { schedule: "0 0 * * *" };
        return { problem: `${expression} does not divide the ${rate[2] === "minute" ? "hour" : "day"} evenly; use a cron(...) expression` };
    }
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (!cron) return { problem: `${expression} is not a cron(...) or rate(...) expression` };
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) return { problem: `${expression} does not have 6 fields` };
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
    if (year !== "*") return { problem: `the year field ${year} has no CronJob equivalent; use *` };
    if (/[LW#]/.test(dayOfMonth) || /[L#]/.test(dayOfWeek)) return { problem: "L, W and # have no CronJob equivalent" };
    // Scheduler counts days of the week 1-7 from Sunday, Kubernetes 0-6.
    const weekday = dayOfWeek.replace(/(^|[,-])(\d+)/g, (_match, separator: string, day: string) => `${separator}${Number(day) - 1}`);
    return { schedule: [minutes, hours, dayOfMonth === "?" ? "*" : dayOfMonth, month, dayOfWeek === "?" ? "*" : weekday].join(" ") };
}
