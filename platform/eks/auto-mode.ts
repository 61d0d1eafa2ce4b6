import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { withTransforms, type Transformable } from "../transform";
import { AUTO_MODE_NODE_POLICIES } from "./cluster";
import { NODE_ROLE_LABEL } from "./node-groups";
import { nodeRole, type NodeRole } from "./roles";

/** The IngressClass the apps' Ingresses name (`ingressClassName: alb`), on either compute mode. */
export const ALB_INGRESS_CLASS = "alb";
/** The controller name of Auto Mode's load balancing capability (https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html). */
export const AUTO_MODE_ALB_CONTROLLER = "eks.amazonaws.com/alb";
/** The access policy a custom NodeClass's node role needs (https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html). */
export const AUTO_NODE_ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy";
/** Controllers on Auto Mode's built-in `system` pool: its nodes carry this label and the CriticalAddonsOnly taint. */
export const AUTO_MODE_SYSTEM_PLACEMENT = {
    nodeSelector: { "karpenter.sh/nodepool": "system" },
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists", effect: "NoSchedule" }],
};

/** The Kubernetes architectures for the apps' CPU architectures (x86_64 is amd64): Graviton (arm64) when there are none. */
export function nodePoolArchitectures(appArchitectures: string[]): ("arm64" | "amd64")[] {
    const needed = new Set(appArchitectures.map((architecture) => (architecture === "arm64" ? "arm64" : "amd64")));
    return needed.size === 0 ? ["arm64"] : (["arm64", "amd64"] as const).filter((architecture) => needed.has(architecture));
}

export interface AutoModeComputeArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    clusterPhysicalName: string;
    privateSubnetIds: pulumi.Input<string[]>;
    /** The security group EKS created for the cluster: nodes join it, as on managed node groups. */
    securityGroupIds: pulumi.Input<string>[];
    /** Spot first, on-demand as fallback (compute.spot). */
    spot: boolean;
    /**
     * The CPU architectures the apps' pods need: they select `platform/node-role: workload`, which
     * only this pool's nodes carry, so an x86_64 app needs amd64 here.
     * @default ["arm64"] (Graviton)
     */
    architectures?: ("arm64" | "amd64")[];
    /** Most vCPUs the platform's NodePool may launch: a cost ceiling. */
    cpuLimit: number;
    /** Node ephemeral storage, GiB. */
    diskSizeGiB: number;
    provider: k8s.Provider;
}

/**
 * What the platform adds to EKS Auto Mode: a NodePool `platform` (Graviton, spot first where the
 * stack allows it, c/m/r newer than generation 5, a vCPU ceiling, consolidation) on a NodeClass
 * of its own (private subnets, the cluster security group, its own node role with an EC2 access
 * entry and AmazonEKSAutoNodePolicy); NetworkPolicy enforcement (the apps' default-deny policies)
 * through the `amazon-vpc-cni` ConfigMap; and the `alb` IngressClass with controller
 * eks.amazonaws.com/alb and an IngressClassParams, so the apps' Ingresses work unchanged. The
 * built-in `system` and `general-purpose` pools stay on.
 */
export class AutoModeCompute extends pulumi.ComponentResource {
    readonly nodes: NodeRole;
    readonly nodeClass: k8s.apiextensions.CustomResource;
    readonly nodePool: k8s.apiextensions.CustomResource;
    readonly ingressClass: k8s.networking.v1.IngressClass;
    readonly networkPolicies: k8s.core.v1.ConfigMap;

    constructor(name: string, args: AutoModeComputeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:AutoMode", name, {}, withTransforms(opts, args.transform));
        const access = this.createNodeIdentity(name, args);
        this.nodes = access.nodes;
        this.networkPolicies = this.enableNetworkPolicies(name, args);
        this.nodeClass = this.createNodeClass(name, args, access.ready);
        this.nodePool = this.createNodePool(name, args);
        this.ingressClass = this.createIngressClass(name, args);
        this.registerOutputs({ nodeRoleArn: this.nodes.role.arn });
    }

    /** A custom NodeClass needs its own node role, admitted by an EC2 access entry with AmazonEKSAutoNodePolicy. */
    private createNodeIdentity(name: string, args: AutoModeComputeArgs): { nodes: NodeRole; ready: pulumi.Resource[] } {
        const nodes = nodeRole(`${name}-nodes`, `Nodes of the platform NodePool of ${args.clusterPhysicalName} (EKS Auto Mode)`, { parent: this }, AUTO_MODE_NODE_POLICIES);
        const entry = new aws.eks.AccessEntry(`${name}-nodes`, { clusterName: args.clusterName, principalArn: nodes.role.arn, type: "EC2" }, { parent: this, dependsOn: nodes.attachments });
        const policy = new aws.eks.AccessPolicyAssociation(
            `${name}-nodes`,
            { clusterName: args.clusterName, principalArn: nodes.role.arn, policyArn: AUTO_NODE_ACCESS_POLICY, accessScope: { type: "cluster" } },
            { parent: this, dependsOn: [entry] },
        );
        return { nodes, ready: [entry, policy] };
    }

    /**
     * Auto Mode enforces NetworkPolicies once this ConfigMap turns its controller on
     * (https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html); the apps rely on default deny.
     */
    private enableNetworkPolicies(name: string, args: AutoModeComputeArgs): k8s.core.v1.ConfigMap {
        return new k8s.core.v1.ConfigMap(
            `${name}-network-policies`,
            { metadata: { name: "amazon-vpc-cni", namespace: "kube-system" }, data: { "enable-network-policy-controller": "true" } },
            { parent: this, provider: args.provider },
        );
    }

    private createNodeClass(name: string, args: AutoModeComputeArgs, dependsOn: pulumi.Resource[]): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            `${name}-nodeclass`,
            {
                apiVersion: "eks.amazonaws.com/v1",
                kind: "NodeClass",
                metadata: { name: "platform" },
                spec: {
                    role: this.nodes.role.name,
                    subnetSelectorTerms: pulumi.output(args.privateSubnetIds).apply((ids) => ids.map((id) => ({ id }))),
                    securityGroupSelectorTerms: args.securityGroupIds.map((id) => ({ id })),
                    ephemeralStorage: { size: `${args.diskSizeGiB}Gi` },
                    // Pods are allowed until a NetworkPolicy selects them; the apps' default-deny policies do.
                    networkPolicy: "DefaultAllow",
                    networkPolicyEventLogs: "Disabled",
                    tags: { "platform/cluster": args.clusterPhysicalName },
                },
            },
            { parent: this, provider: args.provider, dependsOn },
        );
    }

    private createNodePool(name: string, args: AutoModeComputeArgs): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            `${name}-nodepool`,
            {
                apiVersion: "karpenter.sh/v1",
                kind: "NodePool",
                metadata: { name: "platform" },
                spec: {
                    template: {
                        metadata: { labels: { [NODE_ROLE_LABEL]: "workload" } },
                        spec: {
                            nodeClassRef: { group: "eks.amazonaws.com", kind: "NodeClass", name: "platform" },
                            requirements: [
                                // Graviton for the platform's arm64 images; amd64 only when an x86_64 app needs it.
                                { key: "kubernetes.io/arch", operator: "In", values: args.architectures ?? ["arm64"] },
                                { key: "karpenter.sh/capacity-type", operator: "In", values: args.spot ? ["spot", "on-demand"] : ["on-demand"] },
                                { key: "eks.amazonaws.com/instance-category", operator: "In", values: ["c", "m", "r"] },
                                { key: "eks.amazonaws.com/instance-generation", operator: "Gt", values: ["5"] },
                            ],
                            // Auto Mode replaces nodes after 21 days at most; two weeks rolls patched AMIs sooner.
                            expireAfter: "336h",
                        },
                    },
                    limits: { cpu: String(args.cpuLimit) },
                    disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m", budgets: [{ nodes: "10%" }] },
                },
            },
            { parent: this, provider: args.provider, dependsOn: [this.nodeClass] },
        );
    }

    /**
     * The `alb` IngressClass, served by Auto Mode. Its parameters are left to each Ingress's
     * annotations (scheme, certificate, listen ports, attributes), so internal and internet-facing
     * apps share the class, as with the Load Balancer Controller's class of the same name.
     */
    private createIngressClass(name: string, args: AutoModeComputeArgs): k8s.networking.v1.IngressClass {
        const params = new k8s.apiextensions.CustomResource(
            `${name}-ingressclassparams`,
            { apiVersion: "eks.amazonaws.com/v1", kind: "IngressClassParams", metadata: { name: ALB_INGRESS_CLASS }, spec: {} },
            { parent: this, provider: args.provider },
        );
        return new k8s.networking.v1.IngressClass(
            `${name}-ingressclass`,
            {
                metadata: { name: ALB_INGRESS_CLASS },
                spec: { controller: AUTO_MODE_ALB_CONTROLLER, parameters: { apiGroup: "eks.amazonaws.com", kind: "IngressClassParams", name: ALB_INGRESS_CLASS } },
            },
            { parent: this, provider: args.provider, dependsOn: [params] },
        );
    }
}
