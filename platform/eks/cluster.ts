import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam";
import { PlatformKey } from "../kms";
import { withTransforms, type Transformable } from "../transform";
import { nodeRole, type NodeRole } from "./roles";

/** Every control-plane log type EKS offers; audit and authenticator are what incident response needs. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The managed policies an Auto Mode cluster role needs besides AmazonEKSClusterPolicy (https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html). */
export const AUTO_MODE_CLUSTER_POLICIES = ["AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"].map((policy) => `arn:aws:iam::aws:policy/${policy}`);

/** An Auto Mode node role's managed policies (https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html). */
export const AUTO_MODE_NODE_POLICIES = ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"];

/** Auto Mode's built-in node pools: `system` (tainted CriticalAddonsOnly) and `general-purpose`. */
export const AUTO_MODE_BUILT_IN_NODE_POOLS = ["system", "general-purpose"] as const;

/** The EKS access policy admins get, cluster-wide (the access-entry form of cluster-admin). */
export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface EksClusterArgs extends Transformable {
    /** The physical cluster name (`<project>-<stack>`); fixed, because the log group is named after it. */
    clusterName: string;
    version: string;
    /** The upgrade policy: STANDARD lets EKS upgrade a version leaving standard support instead of billing extended support. */
    supportType: "STANDARD" | "EXTENDED";
    region: string;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Control-plane network interfaces and nodes go here; load balancers find the public subnets by tag. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** When non-empty (dev only, validated in config), the public endpoint is on for exactly these CIDRs. */
    publicAccessCidrs: string[];
    /**
     * Who reaches the private API endpoint on 443: the VPC itself (runners and bastions inside
     * it) and these deployer networks (a VPN, a peered CI VPC, Direct Connect), e.g. `["10.8.0.0/16"]`.
     * The EKS-created security group admits only the cluster's own members, so without this the
     * first Kubernetes call of `pulumi up` times out.
     */
    privateAccess: { vpcCidr: string; deployerCidrs: string[] };
    /** IAM roles that get cluster-admin through access entries. */
    adminRoleArns: string[];
    /** Retention and key of the control-plane log group. */
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /** EKS deletion protection: the API refuses to delete the cluster until it is turned off. */
    deletionProtection: boolean;
    /** Pulumi `protect` on the secrets key and the log group. */
    protect: boolean;
    /**
     * EKS Auto Mode: EKS runs the compute (built-in node pools `system` and `general-purpose`),
     * block storage and load balancing capabilities; the cluster role gets their managed policies
     * and the built-in pools' nodes run as a node role this component creates.
     * @default false
     */
    autoMode?: boolean;
    tags?: Record<string, string>;
}

/**
 * The EKS control plane (@pulumi/eks): API authentication through access entries only, a private
 * endpoint, secrets envelope-encrypted with a key this program owns, every control-plane log
 * type, an OIDC provider, and no default node group. The managed add-ons are installed by
 * EksAddons with pinned versions instead of the component's defaults.
 */
export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: eks.Cluster;
    readonly secretsKey: PlatformKey;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly serviceRole: aws.iam.Role;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly kubeconfigJson: pulumi.Output<string>;
    /** The security group EKS creates for the cluster (control plane, managed nodes, Fargate pods). */
    readonly eksSecurityGroupId: pulumi.Output<string>;
    /** The control plane's additional security group: 443 from the VPC and the deployer networks, nothing else. */
    readonly apiSecurityGroup: aws.ec2.SecurityGroup;
    /** Auto Mode: the role the built-in node pools' instances run as. */
    readonly autoModeNodeRole?: NodeRole;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Cluster", name, {}, withTransforms(opts, args.transform));
        const clusterArn = pulumi.interpolate`arn:aws:eks:${args.region}:${args.accountId}:cluster/${args.clusterName}`;

        this.secretsKey = new PlatformKey(
            `${name}-secrets`,
            { description: `${args.clusterName}: EKS envelope encryption of Kubernetes secrets`, alias: `${args.clusterName}/eks-secrets`, region: args.region, accountId: args.accountId, protect: args.protect },
            { parent: this },
        );

        // EKS writes to /aws/eks/<cluster>/cluster and would create it without retention or a key; creating
        // it first (same name) lets the program own both.
        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logs.retentionDays, kmsKeyId: args.logs.kmsKeyArn },
            { parent: this, protect: args.protect },
        );

        this.serviceRole = new aws.iam.Role(
            `${name}-cluster`,
            {
                description: `The EKS control plane of ${args.clusterName}`,
                assumeRolePolicy: policyJson({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
                }),
            },
            { parent: this },
        );
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: this.serviceRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" }, { parent: this });
        const autoMode = args.autoMode ? this.autoModeRoles(name, args) : undefined;
        this.autoModeNodeRole = autoMode?.nodes;
        // Envelope encryption: the control plane wraps each secret's data key with this key, and nothing else.
        const keyUse = new aws.iam.RolePolicy(
            `${name}-cluster-secrets-key`,
            {
                role: this.serviceRole.name,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "EnvelopeEncryptSecrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: this.secretsKey.arn }],
                }),
            },
            { parent: this },
        );

        this.apiSecurityGroup = this.apiAccess(name, args);

        const publicEndpoint = args.publicAccessCidrs.length > 0;
        this.cluster = new eks.Cluster(
            name,
            {
                name: args.clusterName,
                version: args.version,
                upgradePolicy: { supportType: args.supportType },
                deletionProtection: args.deletionProtection,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                serviceRole: this.serviceRole,
                authenticationMode: "API",
                accessEntries: Object.fromEntries(
                    args.adminRoleArns.map((principalArn, index) => [
                        `admin${index}`,
                        { principalArn, type: "STANDARD", accessPolicies: { clusterAdmin: { policyArn: CLUSTER_ADMIN_POLICY_ARN, accessScope: { type: "cluster" } } } },
                    ]),
                ),
                endpointPrivateAccess: true,
                endpointPublicAccess: publicEndpoint,
                publicAccessCidrs: publicEndpoint ? args.publicAccessCidrs : undefined,
                encryptionConfigKeyArn: this.secretsKey.arn,
                enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
                createOidcProvider: true,
                skipDefaultNodeGroup: true,
                // No extra cluster/node groups from the component: everything shares the group EKS creates.
                // The API group is attached to the control plane's network interfaces only (vpcConfig.securityGroupIds).
                skipDefaultSecurityGroups: true,
                clusterSecurityGroup: this.apiSecurityGroup,
                nodeAssociatePublicIpAddress: false,
                // Add-ons are EksAddons' job (pinned versions, Pod Identity for the CNI); EKS installs none by itself.
                bootstrapSelfManagedAddons: false,
                useDefaultVpcCni: true,
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { enabled: false },
                tags: args.tags,
                // Auto Mode: @pulumi/eks turns on computeConfig, storageConfig.blockStorage and
                // kubernetesNetworkConfig.elasticLoadBalancing together; the node role is ours (createNodeRole off).
                ...(autoMode ? { autoMode: { enabled: true, createNodeRole: false, computeConfig: { nodeRoleArn: autoMode.nodes.role.arn, nodePools: [...AUTO_MODE_BUILT_IN_NODE_POOLS] } } } : {}),
            },
            // The role's policies before the cluster (and, on destroy, kept until it is gone).
            // Deletion is guarded twice in prod: EKS's deletionProtection (enforced by the API for every
            // caller) and Pulumi `protect` (a `pulumi destroy` stops before asking the API).
            { parent: this, dependsOn: [this.logGroup, keyUse, clusterPolicy, ...(autoMode?.dependsOn ?? [])], protect: args.protect },
        );

        this.name = this.cluster.eksCluster.name;
        this.arn = pulumi.output(clusterArn);
        this.endpoint = this.cluster.eksCluster.endpoint;
        this.oidcProviderArn = this.cluster.oidcProviderArn;
        this.oidcIssuer = this.cluster.oidcIssuer;
        this.kubeconfigJson = pulumi.secret(this.cluster.kubeconfigJson);
        this.eksSecurityGroupId = this.cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
        this.registerOutputs({ name: this.name, endpoint: this.endpoint, oidcIssuer: this.oidcIssuer });
    }

    /**
     * EKS Auto Mode's roles (https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html,
     * https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html): the capability
     * policies on the cluster role (whose trust already allows sts:TagSession, which Auto Mode needs),
     * and a node role with the minimal worker policy and ECR pull only.
     */
    private autoModeRoles(name: string, args: EksClusterArgs): { nodes: NodeRole; dependsOn: pulumi.Resource[] } {
        const capabilities = AUTO_MODE_CLUSTER_POLICIES.map((policyArn) => new aws.iam.RolePolicyAttachment(`${name}-cluster-${policyArn.split("/").pop()}`, { role: this.serviceRole.name, policyArn }, { parent: this }));
        const nodes = nodeRole(`${name}-builtin-nodes`, `EKS Auto Mode built-in node pools of ${args.clusterName}`, { parent: this }, AUTO_MODE_NODE_POLICIES);
        return { nodes, dependsOn: [...capabilities, ...nodes.attachments] };
    }

    /**
     * The deploy path to the private endpoint: a group for the control plane's network interfaces
     * that admits HTTPS from the VPC and each deployer CIDR (rules as separate resources: the
     * component wants a group without inline rules). Nodes and pods keep the EKS-created group, so
     * none of them is opened by this (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html,
     * https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html).
     */
    private apiAccess(name: string, args: EksClusterArgs): aws.ec2.SecurityGroup {
        const group = new aws.ec2.SecurityGroup(
            `${name}-api`,
            { vpcId: args.vpcId, description: `Kubernetes API of ${args.clusterName} from the VPC and the deployer networks`, tags: { Name: `${args.clusterName}-api` } },
            { parent: this },
        );
        const sources = [
            { id: "vpc", cidr: args.privateAccess.vpcCidr, description: "Kubernetes API from inside the VPC" },
            ...args.privateAccess.deployerCidrs.map((cidr, index) => ({ id: `deployer-${index}`, cidr, description: "Kubernetes API from a deployer network (eks.endpoint.privateAccessCidrs)" })),
        ];
        for (const source of sources) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-api-${source.id}`,
                { securityGroupId: group.id, description: source.description, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: source.cidr },
                { parent: this },
            );
        }
        return group;
    }
}
