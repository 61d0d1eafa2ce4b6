import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EksConfig } from "../../config";
import { checkedValues, CLUSTER_AUTOSCALER, LOAD_BALANCER_CONTROLLER, METRICS_SERVER } from "../helm-values";
import { loadBalancerControllerGrants } from "../lbc-policy";
import { SYSTEM_PLACEMENT } from "../node-groups";
import { PodIdentityRole, podIdentityTrustPolicy } from "../roles";
import { withTransforms, type Transformable } from "../../transform";

export interface ManagedAddonsArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** The CNI's Pod Identity role trusts this cluster only. */
    clusterArn: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /** Pinned add-on builds (config `eks.addons`). */
    versions: EksConfig["addons"];
}

/**
 * The EKS managed add-ons, at pinned versions. Conflicts: on create, EKS overwrites whatever a
 * self-managed install left (there is none: bootstrapSelfManagedAddons is off); on update, it
 * preserves values someone changed in the cluster, so an upgrade never silently reverts a hotfix.
 */
export class ManagedAddons extends pulumi.ComponentResource {
    /** Needed before nodes can become Ready. */
    readonly beforeNodes: aws.eks.Addon[];
    readonly cniRole: aws.iam.Role;
    private readonly args: ManagedAddonsArgs;
    private readonly baseName: string;

    constructor(name: string, args: ManagedAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:ManagedAddons", name, {}, withTransforms(opts, args.transform));
        this.args = args;
        this.baseName = name;
        // The CNI's ENI permissions go to its own service account through Pod Identity, not the node role.
        this.cniRole = new aws.iam.Role(
            `${name}-vpc-cni`,
            {
                description: "Amazon VPC CNI (aws-node): attaches ENIs and IPs to nodes",
                assumeRolePolicy: podIdentityTrustPolicy(args.accountId, args.clusterArn),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(`${name}-vpc-cni`, { role: this.cniRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" }, { parent: this });

        const podIdentityAgent = this.addon("eks-pod-identity-agent", args.versions.podIdentityAgent);
        this.beforeNodes = [
            podIdentityAgent,
            // enableNetworkPolicy: the CNI's agent enforces the workloads' NetworkPolicies (default deny).
            this.addon("vpc-cni", args.versions.vpcCni, { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }), podIdentityAssociations: [{ roleArn: this.cniRole.arn, serviceAccount: "aws-node" }] }, [
                podIdentityAgent,
            ]),
            this.addon("kube-proxy", args.versions.kubeProxy),
        ];
        this.registerOutputs({});
    }

    /** CoreDNS schedules onto nodes, so it is created once the node groups exist (else it never turns ACTIVE). */
    addCoreDns(nodeGroups: pulumi.Resource[]): aws.eks.Addon {
        return this.addon("coredns", this.args.versions.coredns, {}, nodeGroups);
    }

    private addon(addonName: string, version: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []): aws.eks.Addon {
        return new aws.eks.Addon(
            `${this.baseName}-${addonName}`,
            { clusterName: this.args.clusterName, addonName, addonVersion: version, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE", ...extra },
            { parent: this, dependsOn },
        );
    }
}

export interface ControllersArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** The physical name, known at build time: tag conditions and descriptions use it. */
    clusterPhysicalName: string;
    /** Pod Identity roles trust this cluster only. */
    clusterArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    /** Given to the LBC (it would otherwise ask the metadata service, out of the pods' reach). */
    vpcId: pulumi.Input<string>;
    /** The cluster's Kubernetes provider (Helm releases). */
    provider: k8s.Provider;
    /** Replicas of each controller: 2 spreads them over the system nodes. */
    replicas: number;
    /** What must exist before the controllers start: CoreDNS and the node groups. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /**
     * Where the controllers run.
     * @default the system node group (SYSTEM_PLACEMENT); Auto Mode's built-in system pool on Auto Mode
     */
    placement?: Record<string, unknown>;
}

/** The AWS Load Balancer Controller: ALBs for Ingresses, with IP targets (pods, also on Fargate). */
export class LoadBalancerController extends pulumi.ComponentResource {
    readonly identity: PodIdentityRole;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ControllersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:LoadBalancerController", name, {}, withTransforms(opts, args.transform));
        this.identity = new PodIdentityRole(
            name,
            {
                description: `AWS Load Balancer Controller of ${args.clusterPhysicalName}`,
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                accountId: args.accountId,
                namespace: "kube-system",
                serviceAccount: "aws-load-balancer-controller",
                grants: loadBalancerControllerGrants(args.region, args.accountId, args.vpcId),
            },
            { parent: this },
        );
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: "aws-load-balancer-controller",
                chart: LOAD_BALANCER_CONTROLLER.chart,
                version: LOAD_BALANCER_CONTROLLER.version,
                repositoryOpts: { repo: LOAD_BALANCER_CONTROLLER.repository },
                namespace: "kube-system",
                values: checkedValues(LOAD_BALANCER_CONTROLLER, {
                    clusterName: args.clusterName,
                    // Given, not discovered: the nodes' metadata service is out of the pods' reach (hop limit 1).
                    region: args.region,
                    vpcId: args.vpcId,
                    replicaCount: args.replicas,
                    serviceAccount: { create: true, name: "aws-load-balancer-controller" },
                    podDisruptionBudget: { maxUnavailable: 1 },
                    // The grants leave these out; turning them on needs their permissions first.
                    enableShield: false,
                    enableWaf: false,
                    enableWafv2: false,
                    defaultTargetType: "ip",
                    // Its Service webhook (failure policy Fail, on every Service CREATE) is only for NLBs from
                    // Services, which the platform does not use (Ingresses only); left on, any Service created
                    // while the controller is not serving (first install, node churn) would be refused.
                    enableServiceMutatorWebhook: false,
                    ...(args.placement ?? SYSTEM_PLACEMENT),
                }),
                atomic: true,
                cleanupOnFail: true,
            },
            { parent: this, provider: args.provider, dependsOn: [this.identity, ...args.dependsOn] },
        );
        this.registerOutputs({ roleArn: this.identity.role.arn });
    }
}

/** metrics-server: the resource metrics API the HorizontalPodAutoscalers read. */
export function metricsServer(name: string, args: ControllersArgs, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        name,
        {
            name: "metrics-server",
            chart: METRICS_SERVER.chart,
            version: METRICS_SERVER.version,
            repositoryOpts: { repo: METRICS_SERVER.repository },
            namespace: "kube-system",
            values: checkedValues(METRICS_SERVER, {
                replicas: args.replicas,
                podDisruptionBudget: { enabled: args.replicas > 1, maxUnavailable: 1 },
                ...(args.placement ?? SYSTEM_PLACEMENT),
            }),
            atomic: true,
        },
        { ...opts, provider: args.provider, dependsOn: args.dependsOn },
    );
}

/**
 * Cluster Autoscaler, the alternative to Karpenter: resizes the managed node groups it finds by
 * their auto-discovery tags (EKS puts them on every managed group's Auto Scaling group).
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    readonly identity: PodIdentityRole;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ControllersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:ClusterAutoscaler", name, {}, withTransforms(opts, args.transform));
        const cluster = args.clusterPhysicalName;
        this.identity = new PodIdentityRole(
            name,
            {
                description: `Cluster Autoscaler of ${cluster}: resizes its managed node groups`,
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                accountId: args.accountId,
                namespace: "kube-system",
                serviceAccount: "cluster-autoscaler",
                grants: [
                    {
                        sid: "DescribeScalingGroups",
                        actions: [
                            "autoscaling:DescribeAutoScalingGroups",
                            "autoscaling:DescribeAutoScalingInstances",
                            "autoscaling:DescribeLaunchConfigurations",
                            "autoscaling:DescribeScalingActivities",
                            "autoscaling:DescribeTags",
                            "ec2:DescribeImages",
                            "ec2:DescribeInstanceTypes",
                            "ec2:DescribeLaunchTemplateVersions",
                            "ec2:GetInstanceTypesFromInstanceRequirements",
                        ],
                        resources: ["*"],
                        conditions: { StringEquals: { "aws:RequestedRegion": args.region } },
                    },
                    {
                        sid: "ResizeOwnScalingGroups",
                        actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                        resources: [pulumi.interpolate`arn:aws:autoscaling:${args.region}:${args.accountId}:autoScalingGroup:*:autoScalingGroupName/*`],
                        conditions: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" } },
                    },
                    { sid: "DescribeOwnNodeGroups", actions: ["eks:DescribeNodegroup"], resources: [pulumi.interpolate`arn:aws:eks:${args.region}:${args.accountId}:nodegroup/${cluster}/*/*`] },
                ],
            },
            { parent: this },
        );
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: "cluster-autoscaler",
                chart: CLUSTER_AUTOSCALER.chart,
                version: CLUSTER_AUTOSCALER.version,
                repositoryOpts: { repo: CLUSTER_AUTOSCALER.repository },
                namespace: "kube-system",
                values: checkedValues(CLUSTER_AUTOSCALER, {
                    cloudProvider: "aws",
                    awsRegion: args.region,
                    autoDiscovery: { clusterName: args.clusterName },
                    rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
                    replicaCount: 1,
                    extraArgs: { "balance-similar-node-groups": true, "skip-nodes-with-local-storage": false, expander: "least-waste" },
                    ...(args.placement ?? SYSTEM_PLACEMENT),
                }),
                atomic: true,
            },
            { parent: this, provider: args.provider, dependsOn: [this.identity, ...args.dependsOn] },
        );
        this.registerOutputs({ roleArn: this.identity.role.arn });
    }
}
