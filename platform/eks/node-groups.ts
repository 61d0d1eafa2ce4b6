import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { architectureOf, type NodeGroupConfig, type NodeOs } from "../config";
import { withTransforms, type Transformable } from "../transform";

/** The EKS AMI type for an OS and architecture. */
export function amiTypeOf(os: NodeOs, arch: "arm64" | "x86_64"): string {
    if (os === "bottlerocket") return arch === "arm64" ? "BOTTLEROCKET_ARM_64" : "BOTTLEROCKET_x86_64";
    return arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** The node label each group carries; workloads and controllers select on it. */
export const NODE_ROLE_LABEL = "platform/node-role";
/** Only cluster-critical pods (CoreDNS, controllers) tolerate the system group's taint. */
export const CRITICAL_ADDONS_TAINT = { key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" } as const;
/** The label of the nodes that run the controllers when there is no system group (eks.systemNodes: shared). */
export const CONTROLLERS_LABEL = "platform/controllers";
/** Controllers on the workload group's nodes (eks.systemNodes: shared), never on Karpenter's (which lack the label). */
export const SHARED_PLACEMENT = { nodeSelector: { [CONTROLLERS_LABEL]: "true" } };
/** The toleration and selector that put a controller on the system group. */
export const SYSTEM_PLACEMENT = {
    nodeSelector: { [NODE_ROLE_LABEL]: "system" },
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists", effect: "NoSchedule" }],
};

/** The block device(s) an OS boots from: Bottlerocket has a small OS volume and a data volume for images and pods. */
export function rootVolumes(os: NodeOs, sizeGiB: number) {
    // Encrypted with the account's EBS key: a customer-managed key would also need a grant for the
    // Auto Scaling service-linked role, or instances fail to launch.
    const ebs = (size: number) => ({ volumeSize: size, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });
    return os === "bottlerocket"
        ? [
              { deviceName: "/dev/xvda", ebs: ebs(4) },
              { deviceName: "/dev/xvdb", ebs: ebs(sizeGiB) },
          ]
        : [{ deviceName: "/dev/xvda", ebs: ebs(sizeGiB) }];
}

/** IMDSv2 only, and a hop limit of 1 so pods (one hop further) cannot read the node's credentials. */
export const NODE_METADATA_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" } as const;

export interface ManagedNodeGroupArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** Kubernetes version of the nodes: the control plane's. */
    version: pulumi.Input<string>;
    role: "system" | "workload";
    config: NodeGroupConfig;
    os: NodeOs;
    nodeRoleArn: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string[]>;
    securityGroupIds: pulumi.Input<string>[];
    /**
     * The group also runs the controllers (no system group: eks.systemNodes shared); its nodes get CONTROLLERS_LABEL.
     * @default false
     */
    runsControllers?: boolean;
    /**
     * The Cluster Autoscaler owns the desired size: later `pulumi up`s leave it alone.
     * @default false
     */
    autoscalerOwnsSize?: boolean;
    /**
     * What the node group itself depends on (the node role's policy attachments, the CNI): on the
     * group rather than only on this component, so that destroys run in the reverse order too.
     * @default []
     */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * An EKS managed node group on a launch template this program creates, so that IMDSv2, the
 * encrypted root volume and the absence of public IPs are inputs the policy run sees. Built on
 * aws.eks.NodeGroup rather than eks.ManagedNodeGroup: the 4.3 component has no updateConfig.
 */
export class ManagedNodeGroup extends pulumi.ComponentResource {
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly nodeGroup: aws.eks.NodeGroup;

    constructor(name: string, args: ManagedNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:ManagedNodeGroup", name, {}, withTransforms(opts, args.transform));
        const architectures = [...new Set(args.config.instanceTypes.map(architectureOf))];
        if (architectures.length !== 1) throw new Error(`${name}: instance types ${args.config.instanceTypes.join(", ")} mix architectures; one AMI serves one architecture`);

        this.launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                description: `${args.role} nodes: IMDSv2 only, encrypted volumes, no public IP`,
                metadataOptions: NODE_METADATA_OPTIONS,
                blockDeviceMappings: rootVolumes(args.os, args.config.diskSizeGiB),
                vpcSecurityGroupIds: args.securityGroupIds,
                // Launch-template tags reach the instances and volumes (for cost and inventory).
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags: { Name: name, [NODE_ROLE_LABEL]: args.role } })),
                updateDefaultVersion: true,
            },
            { parent: this },
        );

        this.nodeGroup = new aws.eks.NodeGroup(
            name,
            {
                clusterName: args.clusterName,
                nodeGroupNamePrefix: `${args.role}-`,
                version: args.version,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.privateSubnetIds,
                amiType: amiTypeOf(args.os, architectures[0]),
                capacityType: args.config.capacityType,
                instanceTypes: args.config.instanceTypes,
                launchTemplate: { id: this.launchTemplate.id, version: pulumi.interpolate`${this.launchTemplate.latestVersion}` },
                scalingConfig: { minSize: args.config.minSize, maxSize: args.config.maxSize, desiredSize: Math.max(args.config.minSize, 1) },
                // One node at a time: PDBs keep each workload serving while its node drains.
                updateConfig: { maxUnavailable: 1 },
                nodeRepairConfig: { enabled: true },
                labels: { [NODE_ROLE_LABEL]: args.role, ...(args.runsControllers ? { [CONTROLLERS_LABEL]: "true" } : {}) },
                taints: args.role === "system" ? [CRITICAL_ADDONS_TAINT] : [],
            },
            { parent: this, dependsOn: args.dependsOn ?? [], ignoreChanges: args.autoscalerOwnsSize ? ["scalingConfig.desiredSize"] : [] },
        );
        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName });
    }
}
