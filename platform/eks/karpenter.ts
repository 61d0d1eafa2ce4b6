import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeOs } from "../config";
import type { Grant } from "../grants";
import { policyJson } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { ServiceKeyUsers } from "../kms";
import { checkedValues, KARPENTER } from "./helm-values";
import { NODE_METADATA_OPTIONS, rootVolumes, SYSTEM_PLACEMENT } from "./node-groups";
import { nodeRole, PodIdentityRole } from "./roles";
import { KARPENTER_PODS } from "../config/fargate-profiles";
import { FargatePodRole } from "./fargate";
import { withTransforms, type Transformable } from "../transform";

/** The EC2 events Karpenter acts on before AWS takes a node away (its interruption handling). */
export const INTERRUPTION_EVENTS: Record<string, { source: string[]; "detail-type": string[] }> = {
    "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
    "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
    rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
    "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
};

export interface KarpenterArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** The physical cluster name: Karpenter's tag conditions and discovery use it. */
    clusterPhysicalName: string;
    clusterArn: pulumi.Input<string>;
    clusterEndpoint: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string[]>;
    securityGroupIds: pulumi.Input<string>[];
    os: NodeOs;
    /** Spot first, on-demand as fallback, when the stack allows spot. */
    spot: boolean;
    /** Encrypts the interruption queue and its dead-letter queue. */
    dataKeyArn: pulumi.Input<string>;
    /** That key's policy: EventBridge delivers the interruption events, so it is admitted there. */
    dataKeyUsers: ServiceKeyUsers;
    /** Most vCPUs the default NodePool may launch: a cost ceiling. */
    cpuLimit: number;
    /**
     * Controller replicas. The chart keeps replicas on different nodes (required anti-affinity), so
     * this must not exceed the system group's minimum size.
     */
    replicas: number;
    provider: k8s.Provider;
    /** Controllers wait for these (the system nodes they run on, the CNI). */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /**
     * The controller runs on this Fargate profile (Karpenter's recommendation: never on nodes it
     * manages), with an IRSA role through the cluster's OIDC provider, since Fargate pods get no
     * EKS Pod Identity.
     * @default on the system node group, with Pod Identity
     */
    fargate?: { profile: pulumi.Resource; oidcProviderArn: pulumi.Input<string>; oidcIssuer: pulumi.Input<string> };
    /**
     * Where the controller runs when not on Fargate.
     * @default the system group (SYSTEM_PLACEMENT)
     */
    placement?: Record<string, unknown>;
}

/**
 * Karpenter: its controller (Helm) bound to a scoped role by Pod Identity, a node role with an
 * EC2_LINUX access entry, the interruption queue EventBridge feeds with spot, rebalance, health and
 * state-change events, and a default EC2NodeClass and NodePool.
 */
export class Karpenter extends pulumi.ComponentResource {
    readonly nodeRole: aws.iam.Role;
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly controller: PodIdentityRole | FargatePodRole;
    readonly release: k8s.helm.v3.Release;
    readonly nodeClass: k8s.apiextensions.CustomResource;
    readonly nodePool: k8s.apiextensions.CustomResource;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Karpenter", name, {}, withTransforms(opts, args.transform));
        const { role, instanceProfile } = this.createNodeIdentity(name, args);
        this.nodeRole = role;
        const { queue, deadLetterQueue } = this.createInterruptionQueues(name, args);
        this.queue = queue;
        this.deadLetterQueue = deadLetterQueue;
        this.controller = this.createControllerRole(name, args, instanceProfile);
        this.release = this.installChart(name, args);
        this.nodeClass = this.createNodeClass(name, args, instanceProfile);
        this.nodePool = this.createNodePool(name, args);
        this.registerOutputs({ queueUrl: this.queue.url, nodeRoleArn: this.nodeRole.arn });
    }

    /** The role Karpenter's nodes run as, its instance profile, and the access entry that lets them join. */
    private createNodeIdentity(name: string, args: KarpenterArgs): { role: aws.iam.Role; instanceProfile: aws.iam.InstanceProfile } {
        const nodes = nodeRole(`${name}-node`, `Nodes Karpenter launches for ${args.clusterPhysicalName}`, { parent: this });
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-node`, { role: nodes.role.name }, { parent: this });
        // API authentication mode: Karpenter's nodes join through an access entry, not aws-auth. After the
        // role's policies, so no node registers without them (and, on destroy, none keeps running without them).
        new aws.eks.AccessEntry(`${name}-node`, { clusterName: args.clusterName, principalArn: nodes.role.arn, type: "EC2_LINUX" }, { parent: this, dependsOn: nodes.attachments });
        return { role: nodes.role, instanceProfile };
    }

    /**
     * The interruption queue (and its DLQ) EventBridge feeds with spot warnings, rebalance
     * recommendations, health events and instance state changes.
     */
    private createInterruptionQueues(name: string, args: KarpenterArgs): { queue: aws.sqs.Queue; deadLetterQueue: aws.sqs.Queue } {
        const cluster = args.clusterPhysicalName;
        // Messages Karpenter could not process (or EventBridge could not deliver) are kept 14 days for inspection.
        const deadLetterQueue = new aws.sqs.Queue(`${name}-interruption-dlq`, { messageRetentionSeconds: 1209600, kmsMasterKeyId: args.dataKeyArn, kmsDataKeyReusePeriodSeconds: 300 }, { parent: this });
        // Five minutes: an interruption notice older than that is moot (spot gives two minutes' warning).
        const interruptionQueue = new aws.sqs.Queue(
            `${name}-interruption`,
            {
                messageRetentionSeconds: 300,
                kmsMasterKeyId: args.dataKeyArn,
                kmsDataKeyReusePeriodSeconds: 300,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: 5 }),
            },
            { parent: this },
        );
        const rules = Object.entries(INTERRUPTION_EVENTS).map(([event, pattern]) => {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${event}`,
                { name: nameWithin(`${name}-${event}`, NAME_LIMITS.eventRule), description: `Karpenter (${cluster}): ${pattern["detail-type"][0]}`, eventPattern: JSON.stringify(pattern) },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${event}`,
                {
                    rule: rule.name,
                    // Target ids are autonamed up to 255 characters, EventBridge takes 64.
                    targetId: nameWithin(`${name}-${event}`, NAME_LIMITS.eventTarget),
                    arn: interruptionQueue.arn,
                    deadLetterConfig: { arn: deadLetterQueue.arn },
                    retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 300 },
                },
                { parent: this },
            );
            return rule;
        });
        const ruleArns = rules.map((rule) => rule.arn);
        args.dataKeyUsers.allowService("events.amazonaws.com");
        for (const [queue, suffix] of [
            [interruptionQueue, "interruption"],
            [deadLetterQueue, "interruption-dlq"],
        ] as const) {
            new aws.sqs.QueuePolicy(
                `${name}-${suffix}`,
                {
                    queueUrl: queue.url,
                    policy: policyJson({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "EventBridgeRulesDeliver",
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: "sqs:SendMessage",
                                Resource: queue.arn,
                                Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
                            },
                            { Sid: "DenyPlainHttp", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
                        ],
                    }),
                },
                { parent: this },
            );
        }
        return { queue: interruptionQueue, deadLetterQueue };
    }

    /** The controller's AWS role: Pod Identity on nodes, IRSA on a Fargate profile. */
    private createControllerRole(name: string, args: KarpenterArgs, instanceProfile: aws.iam.InstanceProfile): PodIdentityRole | FargatePodRole {
        const cluster = args.clusterPhysicalName;
        const controllerRole = {
            description: `Karpenter controller of ${cluster}: launches and terminates its own nodes`,
            namespace: KARPENTER_PODS.namespace,
            serviceAccount: "karpenter",
            grants: karpenterControllerGrants({ ...args, nodeRoleArn: this.nodeRole.arn, instanceProfileArn: instanceProfile.arn, queueArn: this.queue.arn }),
        };
        const fargate = args.fargate;
        return fargate
            ? new FargatePodRole(`${name}-controller`, { ...controllerRole, oidcProviderArn: fargate.oidcProviderArn, oidcIssuer: fargate.oidcIssuer }, { parent: this })
            : new PodIdentityRole(`${name}-controller`, { ...controllerRole, clusterName: args.clusterName, clusterArn: args.clusterArn, accountId: args.accountId }, { parent: this });
    }

    /** The Helm release, on the system group or the Fargate profile. */
    private installChart(name: string, args: KarpenterArgs): k8s.helm.v3.Release {
        const fargate = args.fargate;
        // On Fargate the profile places the pods (a node selector for the system group would keep them Pending).
        const placement = fargate ? {} : (args.placement ?? SYSTEM_PLACEMENT);

        return new k8s.helm.v3.Release(
            name,
            {
                name: "karpenter",
                chart: KARPENTER.chart,
                version: KARPENTER.version,
                namespace: "kube-system",
                values: checkedValues(KARPENTER, {
                    settings: { clusterName: args.clusterName, clusterEndpoint: args.clusterEndpoint, interruptionQueue: this.queue.name },
                    serviceAccount: { create: true, name: "karpenter", ...(this.controller instanceof FargatePodRole ? { annotations: this.controller.annotation } : {}) },
                    replicas: args.replicas,
                    podDisruptionBudget: { name: "karpenter", maxUnavailable: 1 },
                    controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } },
                    // On the system group or a Fargate profile: Karpenter must not run on nodes it manages.
                    ...placement,
                }),
                atomic: true,
                cleanupOnFail: true,
                timeout: 600,
            },
            { parent: this, provider: args.provider, dependsOn: [this.controller, ...(fargate ? [fargate.profile] : []), ...args.dependsOn] },
        );
    }

    /** The default EC2NodeClass: the OS's AMI alias, private subnets, the cluster group, IMDSv2, encrypted gp3. */
    private createNodeClass(name: string, args: KarpenterArgs, instanceProfile: aws.iam.InstanceProfile): k8s.apiextensions.CustomResource {
        const cluster = args.clusterPhysicalName;
        return new k8s.apiextensions.CustomResource(
            `${name}-default-nodeclass`,
            {
                apiVersion: "karpenter.k8s.aws/v1",
                kind: "EC2NodeClass",
                metadata: { name: "default" },
                spec: {
                    // Pinned in prod by replacing @latest with a dated version, to roll AMIs deliberately.
                    amiSelectorTerms: [{ alias: `${args.os}@latest` }],
                    instanceProfile: instanceProfile.name,
                    subnetSelectorTerms: pulumi.output(args.privateSubnetIds).apply((ids) => ids.map((id) => ({ id }))),
                    securityGroupSelectorTerms: args.securityGroupIds.map((id) => ({ id })),
                    // The four fields EC2NodeClass v1 has (no instanceMetadataTags, unlike a launch template).
                    metadataOptions: {
                        httpEndpoint: NODE_METADATA_OPTIONS.httpEndpoint,
                        httpProtocolIPv6: "disabled",
                        httpPutResponseHopLimit: NODE_METADATA_OPTIONS.httpPutResponseHopLimit,
                        httpTokens: NODE_METADATA_OPTIONS.httpTokens,
                    },
                    blockDeviceMappings: rootVolumes(args.os, 50).map((mapping) => ({
                        deviceName: mapping.deviceName,
                        ebs: { volumeSize: `${mapping.ebs.volumeSize}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
                    })),
                    tags: { "karpenter.sh/discovery": cluster },
                },
            },
            { parent: this, provider: args.provider, dependsOn: [this.release] },
        );
    }

    /** The default NodePool: c/m/r newer than generation 5, spot first where allowed, a vCPU ceiling, consolidation. */
    private createNodePool(name: string, args: KarpenterArgs): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            `${name}-default-nodepool`,
            {
                apiVersion: "karpenter.sh/v1",
                kind: "NodePool",
                metadata: { name: "default" },
                spec: {
                    template: {
                        metadata: { labels: { "platform/node-role": "workload" } },
                        spec: {
                            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
                            requirements: [
                                { key: "kubernetes.io/arch", operator: "In", values: ["arm64", "amd64"] },
                                { key: "karpenter.sh/capacity-type", operator: "In", values: args.spot ? ["spot", "on-demand"] : ["on-demand"] },
                                { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
                                { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
                            ],
                            // Nodes are replaced monthly, so patched AMIs roll out without anyone asking.
                            expireAfter: "720h",
                        },
                    },
                    limits: { cpu: String(args.cpuLimit) },
                    disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m", budgets: [{ nodes: "10%" }] },
                },
            },
            { parent: this, provider: args.provider, dependsOn: [this.nodeClass] },
        );
    }
}

/**
 * Karpenter's controller policy (upstream getting-started CloudFormation, v1.14), scoped to this
 * cluster: instances,
 * fleets and launch templates only when tagged for this cluster at creation; deletes and re-tags
 * only of resources carrying its tags; PassRole only of its node role to EC2. The instance-profile
 * management statements are left out: the node class names the profile this program creates.
 */
export function karpenterControllerGrants(args: {
    clusterPhysicalName: string;
    clusterArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    nodeRoleArn: pulumi.Input<string>;
    instanceProfileArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
    dataKeyArn: pulumi.Input<string>;
}): Grant[] {
    const { region, accountId, clusterPhysicalName: cluster } = args;
    const ec2 = (resource: string) => pulumi.interpolate`arn:aws:ec2:${region}:${accountId}:${resource}`;
    const clusterTag = `aws:ResourceTag/kubernetes.io/cluster/${cluster}`;
    const requestClusterTag = `aws:RequestTag/kubernetes.io/cluster/${cluster}`;
    const launched = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map(ec2);
    return [
        {
            sid: "LaunchFromSharedResources",
            actions: ["ec2:RunInstances", "ec2:CreateFleet"],
            resources: [pulumi.interpolate`arn:aws:ec2:${region}::image/*`, pulumi.interpolate`arn:aws:ec2:${region}::snapshot/*`, ec2("security-group/*"), ec2("subnet/*"), ec2("capacity-reservation/*")],
        },
        {
            sid: "LaunchFromOwnLaunchTemplates",
            actions: ["ec2:RunInstances", "ec2:CreateFleet"],
            resources: [ec2("launch-template/*")],
            conditions: { StringEquals: { [clusterTag]: "owned" }, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            sid: "CreateTaggedInstances",
            actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            resources: launched,
            conditions: { StringEquals: { [requestClusterTag]: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster }, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
        },
        {
            sid: "TagOnCreate",
            actions: ["ec2:CreateTags"],
            resources: launched,
            conditions: {
                StringEquals: { [requestClusterTag]: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            sid: "TagOwnInstances",
            actions: ["ec2:CreateTags"],
            resources: [ec2("instance/*")],
            conditions: {
                StringEquals: { [clusterTag]: "owned" },
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": cluster },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
            },
        },
        {
            sid: "DeleteOwnInstances",
            actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            resources: [ec2("instance/*"), ec2("launch-template/*")],
            conditions: { StringEquals: { [clusterTag]: "owned" }, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            sid: "DescribeRegion",
            actions: [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            resources: ["*"],
            conditions: { StringEquals: { "aws:RequestedRegion": region } },
        },
        { sid: "ReadAmiParameters", actions: ["ssm:GetParameter"], resources: [pulumi.interpolate`arn:aws:ssm:${region}::parameter/aws/service/*`] },
        // The Price List API has no resource-level permissions.
        { sid: "ReadPrices", actions: ["pricing:GetProducts"], resources: ["*"] },
        { sid: "ConsumeInterruptionQueue", actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], resources: [args.queueArn] },
        {
            sid: "DecryptInterruptionQueue",
            actions: ["kms:Decrypt"],
            resources: [args.dataKeyArn],
            conditions: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
        },
        { sid: "PassNodeRole", actions: ["iam:PassRole"], resources: [args.nodeRoleArn], conditions: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } },
        { sid: "ReadNodeInstanceProfile", actions: ["iam:GetInstanceProfile"], resources: [args.instanceProfileArn] },
        // Its instance-profile garbage collector lists profiles even when the node class names one. "*" as upstream
        // (AllowUnscopedInstanceProfileListAction): IAM evaluates ListInstanceProfiles against a path, not a profile ARN.
        { sid: "ListInstanceProfiles", actions: ["iam:ListInstanceProfiles"], resources: ["*"] },
        { sid: "DiscoverApiEndpoint", actions: ["eks:DescribeCluster"], resources: [args.clusterArn] },
    ];
}
