import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Grant, RoleGrants } from "../grants";
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

export interface FargatePodRoleArgs extends Transformable {
    /** Shown in the IAM console. */
    description: string;
    /** The cluster's IAM OIDC provider and its issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuer: pulumi.Input<string>;
    /** The one service account that may assume the role. */
    namespace: string;
    serviceAccount: string;
    /** What the pods may call; each grant becomes its own inline policy. */
    grants: Grant[];
}

/**
 * The AWS role of pods that run on a Fargate profile. EKS Pod Identity is not available on
 * Fargate (https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html), so these pods
 * use IAM roles for service accounts: the role trusts the cluster's OIDC provider for exactly one
 * service account (`sub`) and STS as the audience (`aud`), and the service account carries the
 * role's ARN in the `eks.amazonaws.com/role-arn` annotation (see `annotation`).
 */
export class FargatePodRole extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly grants: RoleGrants;
    /** The service account annotation that makes EKS inject the role's web identity token. */
    readonly annotation: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FargatePodRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:FargatePodRole", name, {}, withTransforms(opts, args.transform));
        this.role = new aws.iam.Role(name, { description: args.description, assumeRolePolicy: serviceAccountTrustPolicy(args) }, { parent: this });
        this.grants = new RoleGrants(name, this.role, this);
        for (const grant of args.grants) this.grants.addGrant(grant);
        this.annotation = this.role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn }));
        this.registerOutputs({ roleArn: this.role.arn });
    }
}

/** IRSA trust: the cluster's OIDC provider, for one namespace/service account, with STS as audience. */
export function serviceAccountTrustPolicy(args: Pick<FargatePodRoleArgs, "oidcProviderArn" | "oidcIssuer" | "namespace" | "serviceAccount">): pulumi.Output<string> {
    return pulumi.all([args.oidcProviderArn, args.oidcIssuer]).apply(([provider, issuer]) => {
        const host = issuer.replace(/^https:\/\//, "");
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: provider },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { [`${host}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`, [`${host}:aud`]: "sts.amazonaws.com" } },
                },
            ],
        });
    });
}
