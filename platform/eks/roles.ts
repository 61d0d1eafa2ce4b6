import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Grant, RoleGrants } from "../grants";
import { policyJson } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import { withTransforms, type Transformable } from "../transform";

/** The principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

export interface PodIdentityArgs extends Transformable {
    /** Shown in the IAM console. */
    description: string;
    clusterName: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /** Where the pods run: the association binds the role to exactly this service account. */
    namespace: string;
    serviceAccount: string;
    /** What the pods may call; each grant becomes its own inline policy. */
    grants: Grant[];
    /**
     * Create the Pod Identity association. An EKS add-on binds its role itself (its
     * `podIdentityAssociations`), and a second association for the same service account fails.
     * @default true
     */
    associate?: boolean;
}

/** Trust for EKS Pod Identity, from this account's cluster only (no confused deputy). */
export function podIdentityTrustPolicy(accountId: pulumi.Input<string>, clusterArn: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: POD_IDENTITY_PRINCIPAL },
                // TagSession: Pod Identity tags the session with the cluster, namespace and service account.
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnEquals: { "aws:SourceArn": clusterArn } },
            },
        ],
    });
}

/**
 * An IAM role a Kubernetes service account gets through EKS Pod Identity: trusted only by the
 * Pod Identity service on behalf of this account's cluster, bound to one namespace/service
 * account by an association, with exactly the declared grants. Preferred over IRSA: no OIDC
 * trust per role, no annotation, and the role can be reused across clusters.
 */
export class PodIdentityRole extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly grants: RoleGrants;
    readonly association?: aws.eks.PodIdentityAssociation;

    constructor(name: string, args: PodIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:PodIdentityRole", name, {}, withTransforms(opts, args.transform));
        this.role = new aws.iam.Role(
            name,
            {
                // Named explicitly only when the autoname (name + 8) would pass IAM's 64 characters.
                name: nameWithin(name, NAME_LIMITS.iamRole),
                description: args.description,
                assumeRolePolicy: podIdentityTrustPolicy(args.accountId, args.clusterArn),
            },
            { parent: this },
        );
        this.grants = new RoleGrants(name, this.role, this);
        for (const grant of args.grants) this.grants.addGrant(grant);
        if (args.associate !== false) {
            this.association = new aws.eks.PodIdentityAssociation(name, { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: this.role.arn }, { parent: this });
        }
        this.registerOutputs({ roleArn: this.role.arn });
    }
}

/** The managed policies every EC2 node role needs (kubelet registration, image pulls, SSM instead of SSH). */
export const NODE_MANAGED_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    // Pull only: the CIS EKS 5.1.3 read-only rule (policy eks-nodes-ecr-read-only).
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    // Shell access through Session Manager, audited, instead of SSH keys and an open port 22.
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];

/** A node role and its managed-policy attachments. */
export interface NodeRole {
    role: aws.iam.Role;
    /**
     * What uses the role (node groups, access entries) depends on these: created first, a node
     * cannot register (NodeCreationFailure); destroyed first, nodes lose their permissions while draining.
     */
    attachments: aws.iam.RolePolicyAttachment[];
}

/**
 * A role EC2 instances (EKS nodes) run as. The VPC CNI's permissions are not here: the vpc-cni
 * add-on gets its own role through Pod Identity, so pods on the node cannot use them.
 */
export function nodeRole(name: string, description: string, opts: pulumi.CustomResourceOptions, managedPolicies: string[] = NODE_MANAGED_POLICIES): NodeRole {
    const role = new aws.iam.Role(
        name,
        {
            name: nameWithin(name, NAME_LIMITS.iamRole),
            description,
            assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        },
        opts,
    );
    const attachments = managedPolicies.map((policyArn) => new aws.iam.RolePolicyAttachment(`${name}-${policyArn.split("/").pop()}`, { role: role.name, policyArn }, opts));
    return { role, attachments };
}
