import type { AdditionalPolicyStatements } from "../extensions";
import * as k8s from "@pulumi/kubernetes";
import type { SharedLoadBalancers } from "../shared-load-balancer";
import * as pulumi from "@pulumi/pulumi";
import { type AppConfig, type EksConfig, fargateProfileFor, type IngressConfig, KARPENTER_PODS } from "../config";
import type { AppBindings } from "../ecs";
import type { ServiceKeyUsers } from "../kms";
import { ClusterAutoscaler, type ControllersArgs, type InstalledAddons, installCatalogAddons, LoadBalancerController, ManagedAddons, metricsServer } from "./addons";
import { AUTO_MODE_SYSTEM_PLACEMENT, AutoModeCompute, nodePoolArchitectures } from "./auto-mode";
import { EksCluster } from "./cluster";
import { FargateProfiles } from "./fargate";
import { Karpenter } from "./karpenter";
import { ManagedNodeGroup, SHARED_PLACEMENT, SYSTEM_PLACEMENT } from "./node-groups";
import { ClusterObservability } from "./observability";
import { nodeRole } from "./roles";
import { secretsStoreProvider } from "./secrets";
import { AccessLogBucket } from "../ecs/access-logs";
import { eksAccessLogPrefix, EksApp } from "./workloads";
import { withTransforms, type Transformable } from "../transform";

export { CONTROL_PLANE_LOG_TYPES } from "./cluster";
export { CHARTS, unknownValueKeys } from "./helm-values";

/** One app as the EKS runtime deploys it. */
export interface EksRuntimeApp {
    spec: AppConfig;
    repository: { url: pulumi.Input<string> };
    bindings: AppBindings;
    /** Added to the pods' role (`buildPlatform(config, { extend })`). @default [] */
    additionalPolicyStatements?: AdditionalPolicyStatements;
}

/** The managed node groups: the system group only with eks.systemNodes dedicated. */
interface NodeGroups {
    system?: ManagedNodeGroup;
    workload: ManagedNodeGroup;
}

/** What the controllers step leaves: what apps wait for, and the components other steps read. */
interface Controllers {
    appsWaitFor: pulumi.Resource[];
    karpenter?: Karpenter;
    autoMode?: AutoModeCompute;
    addons: InstalledAddons;
}

export interface EksRuntimeArgs extends Transformable {
    /** `<project>-<stack>`: the cluster's name. */
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    config: EksConfig;
    /** The apps whose runtimes include `eks`, by name. */
    apps: Record<string, EksRuntimeApp>;
    network: { vpcId: pulumi.Input<string>; vpcCidr: string; privateSubnetIds: pulumi.Input<string[]> };
    ingress: IngressConfig;
    /** The stack's shared load balancers by scheme (`network.loadBalancers: shared`): apps bind to them instead of getting an Ingress each. */
    sharedLoadBalancers?: SharedLoadBalancers;
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /** Encrypts Karpenter's interruption queues. */
    dataKeyArn: pulumi.Input<string>;
    /** That key's policy, for the services that write to those queues. */
    dataKeyUsers: ServiceKeyUsers;
    /** Spot capacity allowed (compute.spot): Karpenter's NodePool may use it. */
    spot: boolean;
    /** Prod-grade: strict zone spread, two controller replicas, ALB deletion protection. */
    highAvailability: boolean;
    deletionProtection: boolean;
    protect: boolean;
    /** The apps' alarms notify this topic. */
    alarmTopicArn: pulumi.Input<string>;
    /**
     * The platform's access-log bucket (the ECS runtime's), admitting ELB under `eks/<app>`; without
     * one, the runtime creates its own for its Ingresses.
     */
    accessLogs?: AccessLogBucket;
    /**
     * Leave the apps to `buildApps()`, which builds one app per step, so a caller can let the
     * registrations of one app finish before the next is built (buildPlatformAsync does).
     * @default false: the constructor builds every app
     */
    stepwise?: boolean;
}

/**
 * The Kubernetes runtime: the EKS cluster, a system and a workload managed node group, Fargate
 * profiles, the managed add-ons, the AWS Load Balancer Controller, Karpenter or the Cluster
 * Autoscaler, metrics-server, and one EksApp per app. Order matters on a real cluster: the CNI
 * and kube-proxy before nodes, nodes before CoreDNS and the controllers, controllers before the
 * Ingresses and HPAs that need them.
 */
export class EksRuntime extends pulumi.ComponentResource {
    readonly cluster: EksCluster;
    readonly provider: k8s.Provider;
    /** Managed compute only. */
    readonly nodeGroups?: NodeGroups;
    /** Auto Mode only: the platform's NodePool and NodeClass, the ALB IngressClass. */
    readonly autoMode?: AutoModeCompute;
    readonly fargate?: FargateProfiles;
    readonly karpenter?: Karpenter;
    /** The catalog add-ons `eks.addons` turned on (KEDA's operator role takes scalers' grants). */
    readonly addons: InstalledAddons;
    readonly apps: Record<string, EksApp> = {};
    /** The apps left to build (see buildApps). */
    private readonly appSteps: (() => string)[] = [];

    constructor(name: string, args: EksRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Runtime", name, {}, withTransforms(opts, args.transform));
        const autoMode = args.config.compute === "autoMode";
        this.cluster = this.createCluster(name, args);
        // Auto Mode runs the nodes, pod networking, DNS and kube-proxy itself: no add-ons or node groups to create.
        const dataPlane = autoMode ? undefined : this.createManagedDataPlane(name, args);
        this.nodeGroups = dataPlane?.nodeGroups;
        if (args.config.containerInsights) this.createObservability(name, args, dataPlane?.nodes ?? []);
        this.fargate = this.createFargateProfiles(name, args);
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.cluster.kubeconfigJson, enableServerSideApply: true, deleteUnreachable: false }, { parent: this });
        const controllers = dataPlane ? this.installControllers(name, args, dataPlane.ready) : this.installAutoModeControllers(name, args);
        this.karpenter = controllers.karpenter;
        this.autoMode = controllers.autoMode;
        this.addons = controllers.addons;
        this.createApps(name, args, controllers.appsWaitFor);
        if (!args.stepwise) {
            const steps = this.buildApps();
            while (!steps.next().done);
        }
    }

    /**
     * Builds the apps not built yet, one per step (a generator: the caller may wait between
     * steps, yielded the app's name), then registers the runtime's outputs.
     */
    *buildApps(): Generator<string, void> {
        for (let step = this.appSteps.shift(); step; step = this.appSteps.shift()) yield step();
        this.registerOutputs({ clusterName: this.cluster.name, oidcIssuer: this.cluster.oidcIssuer });
    }

    /** Managed compute: the managed add-ons, the node groups after the CNI, CoreDNS after the nodes. */
    private createManagedDataPlane(name: string, args: EksRuntimeArgs): { nodeGroups: NodeGroups; nodes: pulumi.Resource[]; ready: pulumi.Resource[] } {
        const addons = new ManagedAddons(`${name}-addons`, { clusterName: this.cluster.name, clusterArn: this.cluster.arn, accountId: args.accountId, versions: args.config.addons }, { parent: this });
        const nodeGroups = this.createNodeGroups(name, args, addons.beforeNodes);
        const nodes = [...(nodeGroups.system ? [nodeGroups.system.nodeGroup] : []), nodeGroups.workload.nodeGroup];
        const coreDns = addons.addCoreDns(nodes);
        return { nodeGroups, nodes, ready: [coreDns, ...nodes] };
    }

    /** The control plane, its key, log group, role and API security group. */
    private createCluster(name: string, args: EksRuntimeArgs): EksCluster {
        const config = args.config;
        return new EksCluster(
            name,
            {
                clusterName: args.namePrefix,
                version: config.version,
                supportType: config.supportType,
                region: args.region,
                accountId: args.accountId,
                vpcId: args.network.vpcId,
                privateSubnetIds: args.network.privateSubnetIds,
                publicAccessCidrs: config.publicAccessCidrs,
                privateAccess: { vpcCidr: args.network.vpcCidr, deployerCidrs: config.privateAccessCidrs },
                adminRoleArns: config.adminRoleArns,
                logs: args.logs,
                deletionProtection: args.deletionProtection,
                protect: args.protect,
                autoMode: config.compute === "autoMode",
            },
            { parent: this },
        );
    }

    /**
     * Nodes (managed and Karpenter's) join the security group EKS made for the cluster, as Fargate pods
     * do: it admits the control plane and all cluster members. One group only, because the Load
     * Balancer Controller opens exactly one group per ENI tagged kubernetes.io/cluster/<name> to the ALB.
     */
    private get securityGroupIds(): pulumi.Input<string>[] {
        return [this.cluster.eksSecurityGroupId];
    }

    /**
     * The managed node groups, sharing one node role, after the CNI and kube-proxy: a system group
     * for the controllers (eks.systemNodes dedicated) or none, the workload group then running them too.
     */
    private createNodeGroups(name: string, args: EksRuntimeArgs, beforeNodes: pulumi.Resource[]): NodeGroups {
        const config = args.config;
        const nodes = nodeRole(`${name}-nodes`, `Managed node groups of ${args.namePrefix}`, { parent: this });
        const group = (role: "system" | "workload") =>
            new ManagedNodeGroup(
                `${name}-${role}`,
                {
                    clusterName: this.cluster.name,
                    version: config.version,
                    role,
                    config: config.nodeGroups[role],
                    os: config.nodeOs,
                    nodeRoleArn: nodes.role.arn,
                    privateSubnetIds: args.network.privateSubnetIds,
                    securityGroupIds: this.securityGroupIds,
                    autoscalerOwnsSize: config.autoscaler === "cluster-autoscaler",
                    runsControllers: role === "workload" && config.systemNodes === "shared",
                    dependsOn: [...beforeNodes, ...nodes.attachments],
                },
                { parent: this, dependsOn: [...beforeNodes, ...nodes.attachments] },
            );
        return { ...(config.systemNodes === "dedicated" ? { system: group("system") } : {}), workload: group("workload") };
    }

    /** Container logs and metrics (the CloudWatch Observability add-on), once nodes exist. */
    private createObservability(name: string, args: EksRuntimeArgs, nodes: pulumi.Resource[]): ClusterObservability {
        return new ClusterObservability(
            `${name}-observability`,
            {
                clusterName: this.cluster.name,
                clusterPhysicalName: args.namePrefix,
                clusterArn: this.cluster.arn,
                region: args.region,
                accountId: args.accountId,
                version: args.config.addons.observability,
                logs: args.logs,
                protect: args.protect,
                dependsOn: nodes,
            },
            { parent: this },
        );
    }

    /** One Fargate profile per configured selector, when any is configured. */
    private createFargateProfiles(name: string, args: EksRuntimeArgs): FargateProfiles | undefined {
        if (Object.keys(args.config.fargateProfiles).length === 0) return undefined;
        return new FargateProfiles(
            `${name}-fargate`,
            {
                clusterName: this.cluster.name,
                clusterPhysicalName: args.namePrefix,
                region: args.region,
                accountId: args.accountId,
                privateSubnetIds: args.network.privateSubnetIds,
                profiles: args.config.fargateProfiles,
            },
            { parent: this },
        );
    }

    /**
     * The cluster's controllers: the Load Balancer Controller first (its webhooks, failure policy
     * Fail, would refuse objects created while its pods are not yet serving), then metrics-server,
     * the node autoscaler and, when some app has secrets, the Secrets Store CSI driver.
     * Returns what the apps wait for.
     */
    private installControllers(name: string, args: EksRuntimeArgs, dependsOn: pulumi.Resource[]): Controllers {
        const controllers = this.controllersArgs(args, dependsOn, this.controllerPlacement(args));
        const loadBalancer = new LoadBalancerController(`${name}-lbc`, controllers, { parent: this });
        const afterLoadBalancer = { ...controllers, dependsOn: [...controllers.dependsOn, loadBalancer.release] };
        const metrics = metricsServer(`${name}-metrics-server`, afterLoadBalancer, { parent: this });
        const karpenter = args.config.autoscaler === "karpenter" ? this.createKarpenter(name, args, afterLoadBalancer.dependsOn) : undefined;
        if (!karpenter) new ClusterAutoscaler(`${name}-cluster-autoscaler`, afterLoadBalancer, { parent: this });
        const shared = this.installSharedAddons(name, args, afterLoadBalancer, this.controllerPlacement(args));
        return { appsWaitFor: [loadBalancer.release, metrics, ...shared.ready], karpenter, addons: shared.addons };
    }

    /**
     * Auto Mode: its compute, storage and load balancing replace Karpenter, the node groups, the EBS
     * CSI add-on and the Load Balancer Controller; the platform adds its NodePool, network policy
     * enforcement and the `alb` IngressClass, then metrics-server and the shared add-ons on the
     * built-in system pool.
     */
    private installAutoModeControllers(name: string, args: EksRuntimeArgs): Controllers {
        const autoMode = new AutoModeCompute(
            `${name}-auto-mode`,
            {
                clusterName: this.cluster.name,
                clusterPhysicalName: args.namePrefix,
                privateSubnetIds: args.network.privateSubnetIds,
                securityGroupIds: this.securityGroupIds,
                spot: args.spot,
                architectures: nodePoolArchitectures(Object.values(args.apps).map(({ spec }) => spec.architecture)),
                cpuLimit: args.highAvailability ? 200 : 32,
                diskSizeGiB: args.config.nodeGroups.workload.diskSizeGiB,
                provider: this.provider,
            },
            { parent: this },
        );
        const base = this.controllersArgs(args, [autoMode.nodePool], AUTO_MODE_SYSTEM_PLACEMENT);
        const metrics = metricsServer(`${name}-metrics-server`, base, { parent: this });
        const shared = this.installSharedAddons(name, args, base, AUTO_MODE_SYSTEM_PLACEMENT);
        return { appsWaitFor: [autoMode.ingressClass, autoMode.networkPolicies, metrics, ...shared.ready], autoMode, addons: shared.addons };
    }

    /** What every controller and add-on is installed with: the cluster, its provider, the replica count, where it runs and what it waits for. */
    private controllersArgs(args: EksRuntimeArgs, dependsOn: pulumi.Resource[], placement: Record<string, unknown>): ControllersArgs {
        return {
            clusterName: this.cluster.name,
            clusterPhysicalName: args.namePrefix,
            clusterArn: this.cluster.arn,
            region: args.region,
            accountId: args.accountId,
            vpcId: args.network.vpcId,
            provider: this.provider,
            replicas: args.highAvailability ? 2 : 1,
            dependsOn,
            placement,
        };
    }

    /** The Secrets Store CSI driver (only when some app has secrets) and the catalog add-ons `eks.addons` turns on. */
    private installSharedAddons(name: string, args: EksRuntimeArgs, base: ControllersArgs, placement: Record<string, unknown>): { ready: pulumi.Resource[]; addons: InstalledAddons } {
        const secretsStore = Object.values(args.apps).some(({ spec }) => Object.keys(spec.secrets).length > 0)
            ? [secretsStoreProvider(`${name}-secrets-store`, { region: args.region, provider: this.provider, dependsOn: base.dependsOn }, { parent: this })]
            : [];
        const addons = installCatalogAddons(
            {
                ...base,
                name,
                parent: this,
                placement,
                dataKeyArn: args.dataKeyArn,
                autoMode: args.config.compute === "autoMode" ? { clusterRoleName: this.cluster.serviceRole.name } : undefined,
            },
            args.config.addons,
        );
        return { ready: [...secretsStore, ...Object.values(addons).flatMap((addon) => addon.ready)], addons };
    }

    /** The system group (tainted for them), or the workload group's nodes when there is no system group. */
    private controllerPlacement(args: EksRuntimeArgs): Record<string, unknown> {
        return args.config.systemNodes === "dedicated" ? SYSTEM_PLACEMENT : SHARED_PLACEMENT;
    }

    /** Karpenter, its controller on the Fargate profile that selects its pods when there is one. */
    private createKarpenter(name: string, args: EksRuntimeArgs, dependsOn: pulumi.Input<pulumi.Resource>[]): Karpenter {
        const config = args.config;
        const cluster = this.cluster;
        const karpenterProfile = fargateProfileFor(config.fargateProfiles, KARPENTER_PODS.namespace, KARPENTER_PODS.labels);
        return new Karpenter(
            `${name}-karpenter`,
            {
                clusterName: cluster.name,
                clusterPhysicalName: args.namePrefix,
                clusterArn: cluster.arn,
                clusterEndpoint: cluster.endpoint,
                region: args.region,
                accountId: args.accountId,
                privateSubnetIds: args.network.privateSubnetIds,
                securityGroupIds: this.securityGroupIds,
                os: config.nodeOs,
                spot: args.spot,
                dataKeyArn: args.dataKeyArn,
                dataKeyUsers: args.dataKeyUsers,
                cpuLimit: args.highAvailability ? 200 : 32,
                // The chart keeps replicas on different nodes: no more than the nodes that run controllers.
                replicas: Math.min(2, config.systemNodes === "dedicated" ? config.nodeGroups.system.minSize : config.nodeGroups.workload.minSize),
                placement: this.controllerPlacement(args),
                provider: this.provider,
                dependsOn,
                fargate: karpenterProfile !== undefined && this.fargate ? { profile: this.fargate.profiles[karpenterProfile], oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer } : undefined,
            },
            { parent: this },
        );
    }

    /**
     * One EksApp per app, after the controllers its objects need; a queue worker after KEDA too (the
     * catalog's, which config turns on with the first worker), whose operator role is granted the
     * read of exactly the consumed queues' backlog. The Ingresses' ALBs write access logs (ELB.5)
     * to the platform's bucket, or to this runtime's own. One step per app (see buildApps).
     */
    private createApps(name: string, args: EksRuntimeArgs, controllers: pulumi.Resource[]): void {
        const keda = this.addons.keda;
        for (const [app, { bindings }] of Object.entries(args.apps)) {
            if (!bindings.consumes) continue;
            if (!keda) throw new Error(`${name}: ${app} is a queue worker but KEDA is off (config turns eks.addons.keda on with the first worker)`);
            keda.addOperatorGrant({
                sid: `ReadQueueBacklog${app
                    .split(/[^A-Za-z0-9]+/)
                    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
                    .join("")}`,
                actions: ["sqs:GetQueueAttributes"],
                resources: [bindings.consumes.arn],
            });
        }
        // Only apps with an Ingress of their own: a worker has none, an app on a shared load balancer a TargetGroupBinding.
        const sharedOf = (spec: AppConfig) => args.sharedLoadBalancers?.[spec.ingress === "internal" ? "internal" : "internet-facing"];
        const ingressApps = Object.keys(args.apps).filter((app) => !args.apps[app].spec.consumes && !sharedOf(args.apps[app].spec));
        const logs =
            args.accessLogs ??
            (ingressApps.length > 0
                ? new AccessLogBucket(
                      `${name}-alb-logs`,
                      { prefixes: ingressApps.map(eksAccessLogPrefix), retentionDays: args.logs.retentionDays, region: args.region, accountId: args.accountId, protect: args.protect },
                      { parent: this },
                  )
                : undefined);
        const appPorts = Object.fromEntries(Object.entries(args.apps).map(([app, { spec }]) => [app, spec.port]));
        for (const [app, { spec, repository, bindings, additionalPolicyStatements }] of Object.entries(args.apps)) {
            this.appSteps.push(() => {
                this.apps[app] = new EksApp(
                    `${name}-${app}`,
                    {
                        app,
                        spec,
                        region: args.region,
                        accountId: args.accountId,
                        clusterName: this.cluster.name,
                        clusterArn: this.cluster.arn,
                        repository,
                        bindings,
                        additionalPolicyStatements,
                        vpcCidr: args.network.vpcCidr,
                        ingress: args.ingress,
                        deletionProtection: args.deletionProtection,
                        strictZoneSpread: args.highAvailability,
                        provider: this.provider,
                        dependsOn: controllers,
                        alarmTopicArn: args.alarmTopicArn,
                        accessLogs: logs && { bucketName: logs.bucketName, policy: logs.policy },
                        // Container Insights publishes the metric the jobs' failure alarms watch.
                        containerInsightsClusterName: args.config.containerInsights ? args.namePrefix : undefined,
                        appPorts,
                        sharedLoadBalancer: sharedOf(spec),
                        vpcId: args.network.vpcId,
                    },
                    { parent: this },
                );
                return app;
            });
        }
    }
}
