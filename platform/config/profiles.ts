import type { ReleaseStrategy } from "./release";
import type { ContainerInsights, DashboardScope, FargateCpu, InterfaceEndpoint, LoadBalancerMode, NatStrategy, Profile } from "./schema";

/** The settings a profile decides; every one can be overridden per stack. */
export interface ProfileDefaults {
    network: {
        cidr: string;
        azCount: number;
        natStrategy: NatStrategy;
        /** dev and staging share one load balancer per scheme across apps; prod gives each app its own. */
        loadBalancers: LoadBalancerMode;
        interfaceEndpoints: InterfaceEndpoint[];
        flowLogs: { trafficType: "ALL" | "ACCEPT" | "REJECT"; aggregationIntervalSeconds: 60 | 600 };
    };
    logs: { retentionDays: number };
    /** dev: the stack's dashboard only (free within an account's first three); staging and prod: one per app too. */
    observability: { dashboards: DashboardScope };
    protection: { deletionProtection: boolean; protectStatefulResources: boolean };
    compute: { spot: boolean };
    registry: { untaggedImageExpiryDays: number; keepTaggedImages: number; enhancedScanning: boolean; pullThroughCache: boolean };
    /** App spec defaults that depend on the environment; the rest are the same everywhere (load.ts). */
    /** `scaleToZero`: a queue worker may scale to zero tasks and pods while its queue is empty (`apps.<name>.consumes.scaleToZero`). */
    apps: { cpu: FargateCpu; memory: number; replicas: { min: number; max: number }; release: { strategy: ReleaseStrategy; bakeTimeMinutes: number }; scaleToZero: boolean };
    ecs: {
        containerInsights: ContainerInsights;
        /** FARGATE_SPOT's weight applies only when `compute.spot` is true; otherwise it defaults to 0. */
        capacity: { fargateBase: number; fargateWeight: number; fargateSpotWeight: number };
        exec: { enabled: boolean };
    };
}

/**
 * dev is cheap: two AZs, a NAT instance (about $8/month against $39 for a NAT gateway: same
 * private-subnet egress, one AZ, no managed failover), spot where interruption is safe, short log retention,
 * nothing protected, no interface endpoints (each costs about $7/month per AZ).
 * staging mirrors prod's shape (3 AZs, endpoints) but keeps one NAT and spot to save money.
 * prod is resilient: 3 AZs, a NAT per AZ, on-demand baseline, a year of logs, deletion
 * protection and Pulumi `protect` on stateful resources.
 * The CIDRs differ per profile so the three VPCs can be peered or joined by a transit gateway.
 * ECS: dev runs one small task, x86_64 tasks mostly on FARGATE_SPOT (about 70% cheaper; Fargate
 * Spot runs no ARM64 tasks, so arm64 ones stay on FARGATE), with ECS Exec for
 * debugging; staging runs two tasks (one per AZ) with one on-demand; prod keeps an on-demand
 * baseline of two tasks across AZs, enhanced Container Insights and no shell access by default.
 * Releases: dev rolls (cheapest, fastest); staging and prod go blue/green, which runs a full second
 * copy of the tasks for the bake time (5 and 15 minutes) so an alarm can move traffic back at once.
 */
export const PROFILE_DEFAULTS: Record<Profile, ProfileDefaults> = {
    dev: {
        network: {
            cidr: "10.10.0.0/16",
            azCount: 2,
            natStrategy: "instance",
            loadBalancers: "shared",
            interfaceEndpoints: [],
            flowLogs: { trafficType: "ALL", aggregationIntervalSeconds: 600 },
        },
        logs: { retentionDays: 14 },
        observability: { dashboards: "stack" },
        protection: { deletionProtection: false, protectStatefulResources: false },
        compute: { spot: true },
        registry: { untaggedImageExpiryDays: 7, keepTaggedImages: 20, enhancedScanning: false, pullThroughCache: false },
        apps: { cpu: 256, memory: 512, replicas: { min: 1, max: 2 }, release: { strategy: "rolling", bakeTimeMinutes: 0 }, scaleToZero: true },
        ecs: { containerInsights: "enabled", capacity: { fargateBase: 0, fargateWeight: 1, fargateSpotWeight: 3 }, exec: { enabled: true } },
    },
    staging: {
        network: {
            cidr: "10.20.0.0/16",
            azCount: 3,
            natStrategy: "single",
            loadBalancers: "shared",
            interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs", "sts"],
            flowLogs: { trafficType: "ALL", aggregationIntervalSeconds: 600 },
        },
        logs: { retentionDays: 90 },
        observability: { dashboards: "perApp" },
        protection: { deletionProtection: true, protectStatefulResources: false },
        compute: { spot: true },
        registry: { untaggedImageExpiryDays: 14, keepTaggedImages: 30, enhancedScanning: false, pullThroughCache: true },
        apps: { cpu: 256, memory: 512, replicas: { min: 2, max: 4 }, release: { strategy: "blueGreen", bakeTimeMinutes: 5 }, scaleToZero: false },
        ecs: { containerInsights: "enabled", capacity: { fargateBase: 1, fargateWeight: 1, fargateSpotWeight: 1 }, exec: { enabled: true } },
    },
    prod: {
        network: {
            cidr: "10.30.0.0/16",
            azCount: 3,
            natStrategy: "perAz",
            loadBalancers: "perApp",
            interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs", "sts", "ssm"],
            flowLogs: { trafficType: "ALL", aggregationIntervalSeconds: 60 },
        },
        logs: { retentionDays: 365 },
        observability: { dashboards: "perApp" },
        protection: { deletionProtection: true, protectStatefulResources: true },
        compute: { spot: false },
        registry: { untaggedImageExpiryDays: 14, keepTaggedImages: 100, enhancedScanning: true, pullThroughCache: true },
        apps: { cpu: 512, memory: 1024, replicas: { min: 2, max: 10 }, release: { strategy: "blueGreen", bakeTimeMinutes: 15 }, scaleToZero: false },
        ecs: { containerInsights: "enhanced", capacity: { fargateBase: 2, fargateWeight: 1, fargateSpotWeight: 1 }, exec: { enabled: false } },
    },
};

/** The profile a stack gets when `profile` is not set: its name, or the part before the first `-`. */
export function profileFromStackName(stack: string): Profile | undefined {
    const head = stack.toLowerCase().split(/[-_.]/)[0];
    const aliases: Record<string, Profile> = { dev: "dev", development: "dev", staging: "staging", stage: "staging", prod: "prod", production: "prod" };
    return aliases[head];
}
