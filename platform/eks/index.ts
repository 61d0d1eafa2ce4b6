import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AppConfig, type EksConfig, fargateProfileFor, type IngressConfig, KARPENTER_PODS } from "../config";
import type { AppBindings } from "../ecs";
import type { ServiceKeyUsers } from "../kms";
import { ClusterAutoscaler, type ControllersArgs, LoadBalancerController, ManagedAddons, metricsServer } from "./addons";
import { EksCluster } from "./cluster";
import { FargateProfiles } from "./fargate";
import { Karpenter } from "./karpenter";
import { Keda } from "./keda";
import { ManagedNodeGroup } from "./node-groups";
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
    readonly nodeGroups: { system: ManagedNodeGroup; workload: ManagedNodeGroup };
    readonly fargate?: FargateProfiles;
    readonly karpenter?: Karpenter;
    /** KEDA, when an app on the cluster consumes a queue. */
    readonly keda?: Keda;
    readonly apps: Record<string, EksApp> = {};

    constructor(name: string, args: EksRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Runtime", name, {}, withTransforms(opts, args.transform));
        const config = args.config;
        const clusterName = args.namePrefix;
        this.cluster = new EksCluster(
            name,
            {
                clusterName,
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
            },
            { parent: this },
        );
        const cluster = this.cluster;
        // Nodes (managed and Karpenter's) join the security group EKS made for the cluster, as Fargate pods
        // do: it admits the control plane and all cluster members. One group only, because the Load
        // Balancer Controller opens exactly one group per ENI tagged kubernetes.io/cluster/<name> to the ALB.
        const securityGroupIds = [cluster.eksSecurityGroupId];

        const addons = new ManagedAddons(`${name}-addons`, { clusterName: cluster.name, clusterArn: cluster.arn, accountId: args.accountId, versions: config.addons }, { parent: this });

        const nodes = nodeRole(`${name}-nodes`, `Managed node groups of ${clusterName}`, { parent: this });
        const group = (role: "system" | "workload") =>
            new ManagedNodeGroup(
                `${name}-${role}`,
                {
                    clusterName: cluster.name,
                    version: config.version,
                    role,
                    config: config.nodeGroups[role],
                    os: config.nodeOs,
                    nodeRoleArn: nodes.role.arn,
                    privateSubnetIds: args.network.privateSubnetIds,
                    securityGroupIds,
                    autoscalerOwnsSize: config.autoscaler === "cluster-autoscaler",
                    dependsOn: [...addons.beforeNodes, ...nodes.attachments],
                },
                { parent: this, dependsOn: [...addons.beforeNodes, ...nodes.attachments] },
            );
        this.nodeGroups = { system: group("system"), workload: group("workload") };
        const nodeGroupResources = [this.nodeGroups.system.nodeGroup, this.nodeGroups.workload.nodeGroup];
        const coreDns = addons.addCoreDns(nodeGroupResources);

        if (config.containerInsights) {
            new ClusterObservability(
                `${name}-observability`,
                {
                    clusterName: cluster.name,
                    clusterPhysicalName: clusterName,
                    clusterArn: cluster.arn,
                    region: args.region,
                    accountId: args.accountId,
                    version: config.addons.observability,
                    logs: args.logs,
                    protect: args.protect,
                    dependsOn: nodeGroupResources,
                },
                { parent: this },
            );
        }

        if (Object.keys(config.fargateProfiles).length > 0) {
            this.fargate = new FargateProfiles(
                `${name}-fargate`,
                { clusterName: cluster.name, clusterPhysicalName: clusterName, region: args.region, accountId: args.accountId, privateSubnetIds: args.network.privateSubnetIds, profiles: config.fargateProfiles },
                { parent: this },
            );
        }

        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true, deleteUnreachable: false }, { parent: this });
        const controllers = {
            clusterName: cluster.name,
            clusterPhysicalName: clusterName,
            clusterArn: cluster.arn,
            region: args.region,
            accountId: args.accountId,
            vpcId: args.network.vpcId,
            provider: this.provider,
            replicas: args.highAvailability ? 2 : 1,
            dependsOn: [coreDns, ...nodeGroupResources],
        };
        const loadBalancer = new LoadBalancerController(`${name}-lbc`, controllers, { parent: this });
        // The LBC registers webhooks (pods, TargetGroupBindings) whose failure policy is Fail: releases that
        // create such objects while its pods are not yet serving would be refused, so they come after it.
        const afterLoadBalancer = { ...controllers, dependsOn: [...controllers.dependsOn, loadBalancer.release] };
        const metrics = metricsServer(`${name}-metrics-server`, afterLoadBalancer, { parent: this });
        if (config.autoscaler === "karpenter") {
            const karpenterProfile = fargateProfileFor(config.fargateProfiles, KARPENTER_PODS.namespace, KARPENTER_PODS.labels);
            this.karpenter = new Karpenter(
                `${name}-karpenter`,
                {
                    clusterName: cluster.name,
                    clusterPhysicalName: clusterName,
                    clusterArn: cluster.arn,
                    clusterEndpoint: cluster.endpoint,
                    region: args.region,
                    accountId: args.accountId,
                    privateSubnetIds: args.network.privateSubnetIds,
                    securityGroupIds,
                    os: config.nodeOs,
                    spot: args.spot,
                    dataKeyArn: args.dataKeyArn,
                    dataKeyUsers: args.dataKeyUsers,
                    cpuLimit: args.highAvailability ? 200 : 32,
                    replicas: Math.min(2, config.nodeGroups.system.minSize),
                    provider: this.provider,
                    dependsOn: afterLoadBalancer.dependsOn,
                    fargate: karpenterProfile !== undefined && this.fargate ? { profile: this.fargate.profiles[karpenterProfile], oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer } : undefined,
                },
                { parent: this },
            );
        } else {
            new ClusterAutoscaler(`${name}-cluster-autoscaler`, afterLoadBalancer, { parent: this });
        }

        // The Secrets Store CSI driver and the AWS provider, only when some app has secrets.
        const secretsStore = Object.values(args.apps).some(({ spec }) => Object.keys(spec.secrets).length > 0)
            ? [secretsStoreProvider(`${name}-secrets-store`, { region: args.region, provider: this.provider, dependsOn: afterLoadBalancer.dependsOn }, { parent: this })]
            : [];

        this.keda = this.addApps(name, args, afterLoadBalancer, [loadBalancer.release, metrics, ...secretsStore]);
        this.registerOutputs({ clusterName: cluster.name, oidcIssuer: cluster.oidcIssuer });
    }

    /**
     * The apps, with what they need besides the controllers: KEDA when some app is a queue worker
     * (its operator reads exactly the consumed queues' backlog), and the bucket the Ingresses' ALBs
     * write access logs to (ELB.5): the platform's, or this runtime's own.
     */
    private addApps(name: string, args: EksRuntimeArgs, controllers: ControllersArgs, appDependsOn: pulumi.Resource[]): Keda | undefined {
        const consumed = Object.values(args.apps).flatMap(({ bindings }) => (bindings.consumes ? [bindings.consumes.arn] : []));
        const keda = consumed.length > 0 ? new Keda(`${name}-keda`, { ...controllers, queueArns: consumed }, { parent: this }) : undefined;
        const ingressApps = Object.keys(args.apps).filter((app) => !args.apps[app].spec.consumes);
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
        for (const [app, { spec, repository, bindings }] of Object.entries(args.apps)) {
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
                    vpcCidr: args.network.vpcCidr,
                    ingress: args.ingress,
                    deletionProtection: args.deletionProtection,
                    strictZoneSpread: args.highAvailability,
                    provider: this.provider,
                    dependsOn: [...appDependsOn, ...(bindings.consumes && keda ? [keda.release] : [])],
                    alarmTopicArn: args.alarmTopicArn,
                    accessLogs: logs && { bucketName: logs.bucketName, policy: logs.policy },
                    // Container Insights publishes the metric the jobs' failure alarms watch.
                    containerInsightsClusterName: args.config.containerInsights ? args.namePrefix : undefined,
                    appPorts,
                },
                { parent: this },
            );
        }
        return keda;
    }
}
