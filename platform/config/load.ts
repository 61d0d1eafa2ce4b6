import { z } from "zod";
import { AppConfig, checkApp, enableKedaForWorkers, kedaFargateProblems, resolveApp } from "./apps";
import { lambdaProblems, queueProcessingTimeout } from "./lambda";
import { blockSize, carve, parseIpv4Cidr } from "./cidr";
import { checkEks, checkEksApps, type EksConfig, resolveEks } from "./eks";
import { checkDataApps, DataAppsConfig, resolveDataApps } from "./data-apps";
import { PROFILE_DEFAULTS, profileFromStackName } from "./profiles";
import { checkNamespaces } from "./namespaces";
import { type RegisteredAppsConfig, registeredApps, settingsSchema } from "../apps/registry";
import { closest } from "./suggest";
import { checkServerless, resolveServerless, ServerlessConfig } from "./serverless";
import { BINDING_KINDS, consumerProblems, referenceProblems } from "./bindings";
import { egressProblems } from "./egress";
import { fargateProfileProblems } from "./fargate-profiles";
import { referenceCatalog, resolveStackQueues, type StackQueueConfig } from "./references";
import {
    ACM_CERTIFICATE_ARN_PATTERN,
    ContainerInsights,
    DashboardScope,
    FLOW_LOG_TRAFFIC_TYPES,
    InterfaceEndpoint,
    LoadBalancerMode,
    MAX_AZS,
    NatStrategy,
    PlatformInput,
    PlatformInputSchema,
    Profile,
    PROFILES,
    REGION_PATTERN,
} from "./schema";

/** The validated, fully resolved configuration every component is built from. */
export interface PlatformConfig extends DataAppsConfig, ServerlessConfig {
    project: string;
    stack: string;
    profile: Profile;
    /** Prefix for physical resource names: `<project>-<stack>`. */
    name: string;
    region: string;
    /** When set, the AWS provider refuses to touch any other account. */
    accountId?: string;
    tags: Record<string, string>;
    network: NetworkConfig;
    logs: { retentionDays: number };
    observability: { dashboards: DashboardScope };
    protection: { deletionProtection: boolean; protectStatefulResources: boolean };
    compute: { spot: boolean };
    /** Whether this stack owns the account- and region-wide settings (`platform:account.owner`). */
    account: { owner: boolean };
    registry: RegistryConfig;
    apps: Record<string, AppConfig>;
    ecs: EcsConfig;
    ingress: IngressConfig;
    alarms: AlarmsConfig;
    /** `monthlyBudget` (USD) creates an AWS Budgets cost budget and arms the pack's budget policies. */
    cost: { monthlyBudget?: number };
    /** The Kubernetes runtime (platform/eks); built when enabled or an app runs on eks. */
    eks: EksConfig;
    /** The app modules of platform/apps/ (defineApp) this stack deploys: resolved settings by key. */
    extensions: RegisteredAppsConfig;
    /** The stack's standalone work queues (`platform:queues`), referenced as `queues.<name>`. */
    queues: Record<string, StackQueueConfig>;
}

/** The ECS cluster's settings, shared by every app that runs on ECS. */
export interface EcsConfig {
    containerInsights: ContainerInsights;
    /** The default capacity provider strategy: `fargateBase` tasks on FARGATE, the rest split by weight. */
    capacity: { fargateBase: number; fargateWeight: number; fargateSpotWeight: number };
    /** ECS Exec (a shell in a running task), with its sessions encrypted and logged. */
    exec: { enabled: boolean };
}

/** The public load balancers in front of the apps. */
export interface IngressConfig {
    /** ACM certificate for the HTTPS listener; without one, the load balancer serves plain HTTP. */
    certificateArn?: string;
    /** Who may connect on 80/443. */
    allowedCidrs: string[];
    sslPolicy: string;
    idleTimeoutSeconds: number;
    /** How long a stopping task keeps finishing in-flight requests before it is sent SIGTERM. */
    deregistrationDelaySeconds: number;
}

export interface AlarmsConfig {
    /** Addresses subscribed to the platform alarm topic (each must confirm by email). */
    emails: string[];
}

export interface NetworkConfig {
    cidr: string;
    azCount: number;
    /** Explicit zones; when unset the first `azCount` zones of the region are used. */
    availabilityZoneNames?: string[];
    natStrategy: NatStrategy;
    /** One load balancer per scheme for every app (`shared`), or one per app (`perApp`). */
    loadBalancers: LoadBalancerMode;
    /** The NAT instance's type when `natStrategy` is `instance`. */
    natInstanceType: string;
    subnetMasks: { private: number; public: number };
    /** One CIDR per AZ, from fixed slots, so adding an AZ never moves an existing subnet. */
    subnetLayout: { private: string[]; public: string[] };
    interfaceEndpoints: InterfaceEndpoint[];
    flowLogs: { trafficType: (typeof FLOW_LOG_TRAFFIC_TYPES)[number]; retentionDays: number; aggregationIntervalSeconds: 60 | 600 };
}

export interface RegistryConfig {
    /** Repositories are `<namespace>/<app>`; default `<project>-<stack>`, so stacks sharing an account never share a repository. */
    namespace: string;
    untaggedImageExpiryDays: number;
    keepTaggedImages: number;
    ciPushRoleArn?: string;
    /** Registry-wide settings: created by the `account.owner` stack only. */
    enhancedScanning: boolean;
    pullThroughCache: boolean;
}

/**
 * `<project>-<stack>` prefixes the physical names of S3 buckets, Lambda functions, IAM roles and
 * load balancers, so it must be a valid part of all of them: lowercase letters, digits and single
 * hyphens (S3 and ECR refuse capitals, ALB names refuse '_' and '.'), and short enough that the
 * longest fixed suffix still fits (`<name>-s3-access-logs-` plus Pulumi's 7 characters is 63, the
 * S3 limit; `<name>-uploads-detect-labels` is within Lambda's 64).
 */
export const STACK_PREFIX_MAX_LENGTH = 40;
const STACK_PREFIX_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type { AppConfig, JobConfig } from "./apps";

/** Ingress defaults, the same in every profile. */
/** The NAT instance's type unless `network.natInstanceType` says otherwise: the smallest Graviton type. */
export const NAT_INSTANCE_TYPE = "t4g.nano";

export const INGRESS_DEFAULTS = {
    allowedCidrs: ["0.0.0.0/0"],
    // TLS 1.3 with a TLS 1.2 floor for older clients: ELB.17's recommended policy.
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    idleTimeoutSeconds: 60,
    // Long enough for in-flight API requests to finish, short enough that a deployment or scale-in
    // does not wait minutes per task (the ALB default is 300 s).
    deregistrationDelaySeconds: 30,
} as const;

/** One problem with the configuration: the full key path and what was expected there. */
export interface ConfigProblem {
    key: string;
    message: string;
}

/** Thrown before any resource is created; lists every problem at once. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(`Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n"));
        this.name = "ConfigError";
    }
}

export interface RawStackConfig {
    project: string;
    stack: string;
    /** The project namespace's values, keys without the `<project>:` prefix, JSON already parsed. */
    values: Record<string, unknown>;
    /** `aws:region`. */
    region?: unknown;
    /**
     * Every full key outside the project namespace (`aws:region`, `platfrom:ecs`). When given, keys
     * in an unknown namespace and a stack with no project key at all are errors (namespaces.ts).
     */
    otherKeys?: string[];
    /**
     * The deploy date (YYYY-MM-DD) that dated rules, such as the EKS version calendar, are checked on.
     * @default today (UTC)
     */
    today?: string;
}

/**
 * Validates the raw stack configuration and resolves it against the profile's defaults.
 * Throws a ConfigError naming every bad key; returns only a config that is safe to build from.
 */
export function resolvePlatformConfig(raw: RawStackConfig): PlatformConfig {
    const problems: ConfigProblem[] = [];
    const key = (path: readonly PropertyKey[]) => `${raw.project}:${path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : `${i > 0 ? "." : ""}${String(segment)}`)).join("")}`;

    const prefix = `${raw.project}-${raw.stack}`;
    if (!STACK_PREFIX_PATTERN.test(prefix) || prefix.length > STACK_PREFIX_MAX_LENGTH) {
        problems.push({
            key: "stack name",
            message: `expected "<project>-<stack>" ("${prefix}", ${prefix.length} characters) of lowercase letters, digits and single hyphens, at most ${STACK_PREFIX_MAX_LENGTH} characters: it begins the S3 bucket, Lambda function, IAM role and load balancer names; choose a shorter stack name such as ${JSON.stringify(
                raw.stack
                    .toLowerCase()
                    .replace(/[^a-z0-9]+/g, "-")
                    .replace(/^-|-$/g, "")
                    .slice(0, Math.max(1, STACK_PREFIX_MAX_LENGTH - raw.project.length - 1)),
            )}`,
        });
    }
    if (raw.otherKeys !== undefined) problems.push(...checkNamespaces(raw.project, raw.otherKeys, Object.keys(raw.values).length));

    const region = typeof raw.region === "string" ? raw.region : undefined;
    if (region === undefined) {
        problems.push({ key: "aws:region", message: "required: the AWS region to deploy to, such as eu-west-1 (pulumi config set aws:region eu-west-1)" });
    } else if (!REGION_PATTERN.test(region)) {
        problems.push({ key: "aws:region", message: `expected an AWS region such as eu-west-1, got ${JSON.stringify(region)}` });
    }

    const { values: platformValues, extensions } = splitRegisteredApps(raw.values, key, problems);
    let parsed = PlatformInputSchema.safeParse(platformValues);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, platformValues, key));
        // Drop what is already reported and check the rest too, so one run lists every problem.
        // Dropping a required key (a job's schedule) fails its parent next: drop that in turn.
        let values = platformValues;
        for (let pass = 0; pass < 4 && !parsed.success; pass++) {
            values = withoutIssues(values, parsed.error.issues);
            parsed = PlatformInputSchema.safeParse(values);
        }
        if (!parsed.success) throw new ConfigError(raw.stack, problems);
    }
    const input = parsed.data;

    const profile = input.profile ?? profileFromStackName(raw.stack);
    if (profile === undefined) {
        problems.push({
            key: key(["profile"]),
            message: `required: stack name "${raw.stack}" does not name a profile, so set one of ${PROFILES.join(", ")}`,
        });
        throw new ConfigError(raw.stack, problems);
    }
    const config = { ...applyProfile(raw, profile, region ?? "", input), extensions: resolveRegisteredApps(extensions, profile) };
    const reported = new Set(problems.map((problem) => problem.key));
    problems.push(...checkNetwork(config.network, config.region, key).filter((problem) => !reported.has(problem.key)));
    problems.push(...checkServices(config, key).filter((problem) => !reported.has(problem.key)));
    const today = raw.today ?? new Date().toISOString().slice(0, 10);
    problems.push(...[...checkEks(config.eks, config.profile, key, today, input.eks), ...checkEksApps(config.apps, config.eks, key)].filter((problem) => !reported.has(problem.key)));
    problems.push(...checkDataApps(config, key).filter((problem) => !reported.has(problem.key)));
    problems.push(...checkServerless(config, key).filter((problem) => !reported.has(problem.key)));
    problems.push(...checkReferences(config, key).filter((problem) => !reported.has(problem.key)));
    if (config.eks.enabled) {
        // A queue worker's consumed queue is a grant too.
        const bindingCount = (app: string) => BINDING_KINDS.reduce((count, kind) => count + Object.keys(config.apps[app][kind]).length, config.apps[app].consumes ? 1 : 0);
        problems.push(...fargateProfileProblems(config.eks.fargateProfiles, config.apps, bindingCount, key).filter((problem) => !reported.has(problem.key)));
        problems.push(...kedaFargateProblems(config.eks.fargateProfiles, config.apps, key).filter((problem) => !reported.has(problem.key)));
        problems.push(...enableKedaForWorkers(config.apps, config.eks, input.eks?.addons?.keda, key).filter((problem) => !reported.has(problem.key)));
    }
    if (problems.length > 0) throw new ConfigError(raw.stack, problems);
    return config;
}

/**
 * Takes the keys of the app modules (platform/apps/, defineApp) out of the values and checks each
 * with its own schema. An app's key deploys it unless it says `enabled: false`.
 */
function splitRegisteredApps(values: Record<string, unknown>, key: (path: readonly PropertyKey[]) => string, problems: ConfigProblem[]) {
    const apps = registeredApps();
    const rest: Record<string, unknown> = {};
    const extensions = new Map<string, unknown>();
    for (const [name, value] of Object.entries(values)) {
        const app = apps.get(name);
        if (!app) {
            rest[name] = value;
            continue;
        }
        const parsed = settingsSchema(app).safeParse(value ?? {});
        if (!parsed.success) {
            for (const issue of parsed.error.issues) {
                if (issue.code === "unrecognized_keys") {
                    const known = issue.path.length === 0 ? Object.keys(settingsSchema(app).shape) : [];
                    for (const unknownKey of issue.keys) {
                        const suggestion = closest(unknownKey, known);
                        problems.push({
                            key: key([name, ...issue.path, unknownKey]),
                            message: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ""}${known.length > 0 ? `; expected one of ${known.join(", ")}` : ""}`,
                        });
                    }
                } else {
                    const actual = valueAt(value, issue.path);
                    problems.push({ key: key([name, ...issue.path]), message: `${issue.message}${actual === undefined ? "" : `, got ${JSON.stringify(actual)}`}` });
                }
            }
        } else if ((parsed.data as { enabled?: boolean }).enabled !== false) {
            const { enabled: _enabled, ...settings } = parsed.data;
            extensions.set(name, settings);
        }
    }
    return { values: rest, extensions };
}

function resolveRegisteredApps(extensions: Map<string, unknown>, profile: Profile): RegisteredAppsConfig {
    const apps = registeredApps();
    return Object.fromEntries([...extensions].map(([name, settings]) => [name, apps.get(name)?.resolve?.(settings as never, profile) ?? settings]));
}

/** A copy of the values without the keys the issues point at (for arrays, the whole list). */
function withoutIssues(values: Record<string, unknown>, issues: z.core.$ZodIssue[]): Record<string, unknown> {
    const copy = structuredClone(values);
    for (const issue of issues) {
        const firstIndex = issue.path.findIndex((segment) => typeof segment === "number");
        let path = issue.code === "unrecognized_keys" ? [...issue.path] : issue.path.slice(0, firstIndex === -1 ? issue.path.length - 1 : firstIndex - 1);
        let last = issue.code === "unrecognized_keys" ? undefined : issue.path[firstIndex === -1 ? issue.path.length - 1 : firstIndex - 1];
        // A key that is missing, not wrong, can only be dropped by dropping what holds it.
        if (last !== undefined && path.length > 0 && valueAt(copy, [...path, last]) === undefined) {
            last = path[path.length - 1];
            path = path.slice(0, -1);
        }
        const holder = valueAt(copy, path) as Record<PropertyKey, unknown> | undefined;
        if (!holder || typeof holder !== "object") continue;
        if (issue.code === "unrecognized_keys") for (const unknownKey of issue.keys) delete holder[unknownKey];
        else if (last !== undefined) delete holder[last];
    }
    return copy;
}

function applyProfile(raw: RawStackConfig, profile: Profile, region: string, input: PlatformInput): Omit<PlatformConfig, "extensions"> {
    const defaults = PROFILE_DEFAULTS[profile];
    const network = input.network ?? {};
    const cidr = network.cidr ?? defaults.network.cidr;
    const vpcPrefix = parseIpv4Cidr(cidr)?.prefix ?? 16;
    const subnetMasks = {
        private: network.subnetMasks?.private ?? Math.min(vpcPrefix + 3, 28),
        public: network.subnetMasks?.public ?? Math.min(vpcPrefix + 5, 28),
    };
    const azCount = network.azCount ?? network.availabilityZoneNames?.length ?? defaults.network.azCount;
    return {
        project: raw.project,
        stack: raw.stack,
        profile,
        name: `${raw.project}-${raw.stack}`,
        region,
        accountId: input.accountId,
        tags: { ...input.tags },
        network: {
            cidr,
            azCount,
            availabilityZoneNames: network.availabilityZoneNames,
            natStrategy: network.natStrategy ?? defaults.network.natStrategy,
            loadBalancers: network.loadBalancers ?? defaults.network.loadBalancers,
            natInstanceType: network.natInstanceType ?? NAT_INSTANCE_TYPE,
            subnetMasks,
            subnetLayout: layoutSubnets(cidr, subnetMasks, azCount) ?? { private: [], public: [] },
            interfaceEndpoints: network.interfaceEndpoints ?? defaults.network.interfaceEndpoints,
            flowLogs: {
                trafficType: network.flowLogs?.trafficType ?? defaults.network.flowLogs.trafficType,
                retentionDays: network.flowLogs?.retentionDays ?? input.logs?.retentionDays ?? defaults.logs.retentionDays,
                aggregationIntervalSeconds: network.flowLogs?.aggregationIntervalSeconds ?? defaults.network.flowLogs.aggregationIntervalSeconds,
            },
        },
        logs: { retentionDays: input.logs?.retentionDays ?? defaults.logs.retentionDays },
        observability: { dashboards: input.observability?.dashboards ?? defaults.observability.dashboards },
        protection: { ...defaults.protection, ...input.protection },
        compute: { ...defaults.compute, ...input.compute },
        account: { owner: input.account?.owner ?? false },
        registry: {
            // Per stack: dev, staging and prod in one account each get their own repositories.
            namespace: input.registry?.namespace ?? `${raw.project}-${raw.stack}`,
            untaggedImageExpiryDays: input.registry?.untaggedImageExpiryDays ?? defaults.registry.untaggedImageExpiryDays,
            keepTaggedImages: input.registry?.keepTaggedImages ?? defaults.registry.keepTaggedImages,
            ciPushRoleArn: input.registry?.ciPushRoleArn,
            // Registry-wide settings: the profile's default applies to the account owner only.
            enhancedScanning: input.registry?.enhancedScanning ?? (input.account?.owner === true && defaults.registry.enhancedScanning),
            pullThroughCache: input.registry?.pullThroughCache ?? (input.account?.owner === true && defaults.registry.pullThroughCache),
        },
        apps: Object.fromEntries(Object.entries(input.apps ?? {}).map(([name, app]) => [name, resolveApp(app, defaults.apps)])),
        ecs: {
            containerInsights: input.ecs?.containerInsights ?? defaults.ecs.containerInsights,
            capacity: {
                fargateBase: input.ecs?.capacity?.fargateBase ?? defaults.ecs.capacity.fargateBase,
                fargateWeight: input.ecs?.capacity?.fargateWeight ?? defaults.ecs.capacity.fargateWeight,
                // Spot only where the stack allows it (compute.spot), unless asked for explicitly.
                fargateSpotWeight: input.ecs?.capacity?.fargateSpotWeight ?? ((input.compute?.spot ?? defaults.compute.spot) ? defaults.ecs.capacity.fargateSpotWeight : 0),
            },
            exec: { enabled: input.ecs?.exec?.enabled ?? defaults.ecs.exec.enabled },
        },
        ingress: {
            certificateArn: input.ingress?.certificateArn,
            allowedCidrs: input.ingress?.allowedCidrs ?? [...INGRESS_DEFAULTS.allowedCidrs],
            sslPolicy: input.ingress?.sslPolicy ?? INGRESS_DEFAULTS.sslPolicy,
            idleTimeoutSeconds: input.ingress?.idleTimeoutSeconds ?? INGRESS_DEFAULTS.idleTimeoutSeconds,
            deregistrationDelaySeconds: input.ingress?.deregistrationDelaySeconds ?? INGRESS_DEFAULTS.deregistrationDelaySeconds,
        },
        alarms: { emails: input.alarms?.emails ?? [] },
        cost: { monthlyBudget: input.cost?.monthlyBudget },
        eks: resolveEks(
            input.eks,
            profile,
            input.compute?.spot ?? defaults.compute.spot,
            Object.values(input.apps ?? {}).some((app) => app.runtimes?.includes("eks")),
        ),
        ...resolveDataApps(input, profile),
        ...resolveServerless(input, profile, input.logs?.retentionDays ?? defaults.logs.retentionDays),
        queues: resolveStackQueues(input),
    };
}

/**
 * Fixed slots: MAX_AZS private subnets from the start of the VPC, then MAX_AZS public subnets.
 * Subnet i always gets slot i, so going from 2 to 3 AZs adds subnets and moves none.
 */
export function layoutSubnets(cidr: string, masks: { private: number; public: number }, azCount: number): { private: string[]; public: string[] } | undefined {
    const vpc = parseIpv4Cidr(cidr);
    if (!vpc || masks.private < vpc.prefix || masks.public < vpc.prefix) return undefined;
    const privateSize = blockSize(masks.private);
    const publicSize = blockSize(masks.public);
    const publicOffset = Math.ceil((MAX_AZS * privateSize) / publicSize) * publicSize;
    if (publicOffset + MAX_AZS * publicSize > blockSize(vpc.prefix)) return undefined;
    const slots = [...Array(azCount).keys()];
    return {
        private: slots.map((i) => carve(vpc, 0, masks.private, i)),
        public: slots.map((i) => carve(vpc, publicOffset, masks.public, i)),
    };
}

function checkNetwork(network: NetworkConfig, region: string, key: (path: string[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const vpc = parseIpv4Cidr(network.cidr);
    if (!vpc) {
        problems.push({ key: key(["network", "cidr"]), message: `expected an IPv4 CIDR block such as 10.0.0.0/16 (no host bits set), got ${JSON.stringify(network.cidr)}` });
        return problems;
    }
    if (vpc.prefix < 16 || vpc.prefix > 24) {
        problems.push({ key: key(["network", "cidr"]), message: `expected a VPC block from /16 to /24 (AWS allows /16 at most; smaller than /24 leaves no room for ${MAX_AZS} AZ slots), got /${vpc.prefix}` });
        return problems;
    }
    for (const kind of ["private", "public"] as const) {
        if (network.subnetMasks[kind] < vpc.prefix) {
            problems.push({ key: key(["network", "subnetMasks", kind]), message: `expected a prefix length of at least /${vpc.prefix} (inside the VPC ${network.cidr}), got /${network.subnetMasks[kind]}` });
        }
    }
    if (problems.length === 0 && network.subnetLayout.private.length === 0) {
        problems.push({
            key: key(["network", "cidr"]),
            message: `${network.cidr} is too small for ${MAX_AZS} AZ slots of /${network.subnetMasks.private} private and /${network.subnetMasks.public} public subnets; use a larger block or longer subnetMasks`,
        });
    }
    const zones = network.availabilityZoneNames;
    if (zones) {
        if (zones.length !== network.azCount) {
            problems.push({ key: key(["network", "availabilityZoneNames"]), message: `expected ${network.azCount} zone names (network.azCount), got ${zones.length}` });
        }
        const foreign = zones.filter((zone) => region !== "" && !zone.startsWith(region));
        if (foreign.length > 0) problems.push({ key: key(["network", "availabilityZoneNames"]), message: `expected zones of region ${region}, got ${foreign.join(", ")}` });
        if (new Set(zones).size !== zones.length) problems.push({ key: key(["network", "availabilityZoneNames"]), message: "expected distinct zone names" });
    }
    if (new Set(network.interfaceEndpoints).size !== network.interfaceEndpoints.length) {
        problems.push({ key: key(["network", "interfaceEndpoints"]), message: "expected each endpoint at most once" });
    }
    return problems;
}

/** Apps, the ECS cluster and ingress: rules that span keys or need the region. */
function checkServices(config: PlatformConfig, key: (path: (string | number)[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [...Object.entries(config.apps).flatMap(([name, app]) => checkApp(name, app, key)), ...egressProblems(config.apps, key)];
    // What Lambda cannot do, for apps on it (a worker's timeout against its stack queue's processing timeout).
    problems.push(...Object.entries(config.apps).flatMap(([name, app]) => lambdaProblems(name, app, queueProcessingTimeout(config, app.consumes?.queue), key)));
    // One registry per account and region: a second stack creating these would fail (or fight over them).
    for (const setting of ["enhancedScanning", "pullThroughCache"] as const) {
        if (config.registry[setting] && !config.account.owner) {
            problems.push({
                key: key(["registry", setting]),
                message: `a registry-wide setting (one per account and region): only the stack with ${config.project}:account.owner: true creates it; set it there, or make this stack the owner`,
            });
        }
    }
    const { fargateWeight, fargateSpotWeight } = config.ecs.capacity;
    if (fargateWeight + fargateSpotWeight === 0) {
        problems.push({ key: key(["ecs", "capacity"]), message: "expected fargateWeight or fargateSpotWeight above 0: tasks beyond the base need somewhere to run" });
    }
    // Fargate Spot runs no ARM64 tasks, so arm64 apps get the FARGATE share alone (EcsCluster.strategyFor): it must exist.
    const armOnEcs = Object.entries(config.apps)
        .filter(([, app]) => app.runtimes.includes("ecs") && app.architecture === "arm64")
        .map(([name]) => name);
    if (armOnEcs.length > 0 && fargateWeight === 0 && fargateSpotWeight > 0) {
        problems.push({
            key: key(["ecs", "capacity", "fargateWeight"]),
            message: `expected above 0: ${armOnEcs.map((name) => `apps.${name}`).join(", ")} ${armOnEcs.length === 1 ? "is" : "are"} arm64 and Fargate Spot does not run ARM64 tasks, so their tasks need FARGATE capacity (or set apps.<name>.architecture: x86_64 to run them on spot)`,
        });
    }
    config.ingress.allowedCidrs.forEach((cidr, index) => {
        if (!parseIpv4Cidr(cidr)) problems.push({ key: key(["ingress", "allowedCidrs", index]), message: `expected an IPv4 CIDR such as 203.0.113.0/24 (no host bits set), got ${JSON.stringify(cidr)}` });
    });
    problems.push(...listenerProblems(config, key));
    const certificateRegion = config.ingress.certificateArn ? ACM_CERTIFICATE_ARN_PATTERN.exec(config.ingress.certificateArn)?.[1] : undefined;
    if (certificateRegion && config.region !== "" && certificateRegion !== config.region) {
        problems.push({ key: key(["ingress", "certificateArn"]), message: `expected a certificate in ${config.region}, the load balancer's region (ACM certificates are regional), got one in ${certificateRegion}` });
    }
    return problems;
}

/**
 * Ports and host names on a shared load balancer: each app's port (its own or derived) and test
 * port are distinct and clear of 80 and 443, and each host is used once. `host` and
 * `listenerPort` mean nothing on an app's own load balancer or a worker: refused there.
 */
function listenerProblems(config: PlatformConfig, key: (path: (string | number)[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const shared = config.network.loadBalancers === "shared";
    const claimed = new Map<number, string>([
        [80, "the shared HTTP listener"],
        [443, "the shared HTTPS listener"],
    ]);
    const hosts = new Map<string, string>();
    const priorities = new Map<number, string>();
    for (const [name, app] of Object.entries(config.apps)) {
        for (const field of ["host", "listenerPort"] as const) {
            if (app[field] === undefined) continue;
            if (!shared) problems.push({ key: key(["apps", name, field]), message: `only used on a shared load balancer (network.loadBalancers: shared); this stack gives each app its own` });
            else if (app.consumes) problems.push({ key: key(["apps", name, field]), message: "a queue worker has no load balancer" });
        }
        if (!shared || app.consumes) continue;
        if (app.host !== undefined && app.runtimes.includes("ecs") && app.runtimes.includes("eks")) {
            // One host-header rule forwards to one target: the ECS and EKS copies would both claim
            // the host's rule priority on the shared listener, which ELB refuses (PriorityInUse).
            problems.push({
                key: key(["apps", name, "host"]),
                message: `a host routes to one runtime, and this app runs on ecs and eks behind the shared load balancer; drop host (each runtime then gets a listener port of its own) or keep one of the two runtimes`,
            });
        } else if (app.host !== undefined) {
            const other = hosts.get(app.host) ?? priorities.get(hostRulePriority(app.host));
            if (other) problems.push({ key: key(["apps", name, "host"]), message: `${app.host} is also apps.${other}.host, or takes the same rule priority (${hostRulePriority(app.host)}); give each app its own host` });
            hosts.set(app.host, name);
            priorities.set(hostRulePriority(app.host), name);
        }
        const claim = (port: number, field: string, what: string) => {
            const other = claimed.get(port);
            if (other) problems.push({ key: key(["apps", name, ...field.split(".")]), message: `port ${port} is already ${other}; choose another (${what})` });
            else claimed.set(port, `apps.${name}'s ${what}`);
        };
        // Lambda serves through its own endpoint; ECS and EKS through the shared load balancer.
        for (const runtime of app.runtimes.filter((r) => r === "ecs" || r === "eks")) {
            if (app.host === undefined) claim(sharedListenerPort(name, runtime, app.listenerPort), "listenerPort", `${runtime} listener port`);
        }
        if (app.release.testListenerPort !== undefined && app.release.strategy !== "rolling") claim(app.release.testListenerPort, "release.testListenerPort", "test listener port");
    }
    return problems;
}

/**
 * An app's listener port on a shared load balancer: `listenerPort` when set (ECS; EKS takes the
 * next port), else 10000-19999 from a hash of the runtime and app name, so it depends on nothing
 * else in the stack and adding an app moves no other app's port.
 */
export function sharedListenerPort(app: string, runtime: string, explicit?: number): number {
    if (explicit !== undefined) return runtime === "ecs" ? explicit : explicit + 1;
    return 10000 + (fnv1a(`${runtime}/${app}`) % 10000);
}

/** A host's rule priority on the shared listener, 1000-49999 from a hash of the host: stable whatever else is on the listener. */
export function hostRulePriority(host: string): number {
    return 1000 + (fnv1a(host) % 49000);
}

function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (const char of text) {
        hash ^= char.charCodeAt(0);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** Every app binding's reference names a resource this stack builds, of the binding's kind. */
function checkReferences(config: PlatformConfig, key: (path: string[]) => string): ConfigProblem[] {
    const catalog = referenceCatalog(config);
    return Object.entries(config.apps).flatMap(([name, app]) => [...referenceProblems(name, app, catalog, key), ...consumerProblems(name, app, catalog, key)]);
}

/** Turns a zod issue into problems whose keys are full paths, suggesting the key a typo meant. */
function describeIssue(issue: z.core.$ZodIssue, values: unknown, key: (path: readonly PropertyKey[]) => string): ConfigProblem[] {
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(issue.path);
        return issue.keys.map((unknownKey) => {
            const suggestion = closest(unknownKey, known);
            return {
                key: key([...issue.path, unknownKey]),
                message: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; expected one of ${known.join(", ")}`,
            };
        });
    }
    if (issue.code === "invalid_key") {
        return [{ key: key(issue.path), message: issue.issues[0]?.message ?? issue.message }];
    }
    const actual = valueAt(values, issue.path);
    const got = actual === undefined ? "" : `, got ${JSON.stringify(actual)}`;
    const message = issue.message.startsWith("expected") ? issue.message : `expected ${describeExpected(issue)}`;
    return [{ key: key(issue.path), message: `${message}${got}` }];
}

function describeExpected(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") return issue.expected === "object" || issue.expected === "record" ? "a mapping of keys to values" : `a value of type ${issue.expected}`;
    return issue.message;
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
    let current: unknown = values;
    for (const segment of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment];
    }
    return current;
}

/** The keys the schema allows at an object path, read from the schema itself. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = PlatformInputSchema;
    for (const segment of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) schema = schema.shape[String(segment)];
        else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
        else return [];
        if (!schema) return [];
    }
    schema = unwrap(schema);
    const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    return path.length === 0 ? [...keys, ...registeredApps().keys()] : keys;
}

function unwrap(schema: z.ZodType): z.ZodType {
    return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}
