import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../iam";
import { withTransforms, type Transformable } from "../transform";

export interface FargateProfilesArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** The physical cluster name, for the trust policy's source ARN. */
    clusterPhysicalName: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** Fargate pods get no public IP and must run in private subnets. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** Profile name to the namespace (and optional pod labels) it selects. */
    profiles: Record<string, { namespace: string; labels: Record<string, string> }>;
}

/**
 * Fargate profiles, one per configured selector, sharing one pod execution role (used by Fargate's
 * kubelet to pull images and nothing else). EKS creates the access entry for the role itself.
 * Limits: no DaemonSets, no privileged pods or hostNetwork/hostPort, ALB (IP targets) only,
 * private subnets only, no NetworkPolicy enforcement, one pod per micro-VM.
 */
export class FargateProfiles extends pulumi.ComponentResource {
    readonly executionRole: aws.iam.Role;
    readonly profiles: Record<string, aws.eks.FargateProfile> = {};

    constructor(name: string, args: FargateProfilesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:FargateProfiles", name, {}, withTransforms(opts, args.transform));
        this.executionRole = new aws.iam.Role(
            `${name}-pod-execution`,
            {
                description: `Fargate pods of ${args.clusterPhysicalName}: pull images, register with the cluster`,
                assumeRolePolicy: serviceTrustPolicy("eks-fargate-pods.amazonaws.com", args.accountId, pulumi.interpolate`arn:aws:eks:${args.region}:${args.accountId}:fargateprofile/${args.clusterPhysicalName}/*`),
            },
            { parent: this },
        );
        const executionPolicy = new aws.iam.RolePolicyAttachment(`${name}-pod-execution`, { role: this.executionRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy" }, { parent: this });
        for (const [profile, selector] of Object.entries(args.profiles)) {
            this.profiles[profile] = new aws.eks.FargateProfile(
                `${name}-${profile}`,
                {
                    clusterName: args.clusterName,
                    fargateProfileName: profile,
                    podExecutionRoleArn: this.executionRole.arn,
                    subnetIds: args.privateSubnetIds,
                    selectors: [{ namespace: selector.namespace, labels: Object.keys(selector.labels).length > 0 ? selector.labels : undefined }],
                },
                // Pods scheduled before the policy is attached could not pull their images.
                { parent: this, dependsOn: [executionPolicy] },
            );
        }
        this.registerOutputs({ executionRoleArn: this.executionRole.arn });
    }
}
