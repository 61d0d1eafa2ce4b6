import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AddonSettings } from "../../config";
import { type Grant, grantStatement } from "../../grants";
import { policyJson } from "../../iam";
import { type AddonContext, addonRole, type CatalogAddon } from "./catalog";

/** The default StorageClass the platform creates: gp3, encrypted with the stack's data key. */
export const GP3_STORAGE_CLASS = "gp3-encrypted";
/** The annotation that makes a StorageClass the cluster default (https://kubernetes.io/docs/tasks/administer-cluster/change-default-storage-class/). */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/**
 * The EBS CSI driver as the EKS managed add-on `aws-ebs-csi-driver`, its controller bound by Pod
 * Identity to a role with the AWS managed policy AmazonEBSCSIDriverPolicy plus use of the data key
 * (https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html: a customer managed key needs
 * CreateGrant for AWS resources and the data-key operations), and a default StorageClass: gp3,
 * encrypted with that key, bound when the pod is scheduled (so the volume is in the pod's AZ).
 *
 * The gp2 class: EKS clusters created on Kubernetes 1.30 or later get no default StorageClass
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-extended.html, "Kubernetes 1.30":
 * the gp2 class is no longer annotated default), so nothing else claims to be default; on a cluster
 * first built on an older version, remove the annotation from gp2 once
 * (`kubectl annotate storageclass gp2 storageclass.kubernetes.io/is-default-class-`): with two
 * defaults, Kubernetes picks the newest, which is this class, but says so in warnings.
 */
export const ebsCsi: CatalogAddon = {
    key: "ebs-csi",
    title: "Amazon EBS CSI driver: EBS volumes for PersistentVolumeClaims",
    source: { kind: "eks-addon", addonName: "aws-ebs-csi-driver" },
    install(ctx, settings: AddonSettings) {
        const grants = dataKeyGrants(ctx.dataKeyArn, ctx.region);
        if (ctx.autoMode) {
            // Auto Mode's block storage capability provisions with the cluster role: no add-on, no driver role;
            // the cluster role may use the data key for the volumes it creates, and the class names Auto Mode's provisioner.
            const keyUse = new aws.iam.RolePolicy(
                `${ctx.name}-ebs-auto-mode`,
                { role: ctx.autoMode.clusterRoleName, policy: policyJson({ Version: "2012-10-17", Statement: grants.map(grantStatement) }) },
                { parent: ctx.parent },
            );
            return { ready: [gp3StorageClass(ctx, AUTO_MODE_EBS_PROVISIONER, [keyUse])] };
        }
        const role = addonRole(ctx, ebsCsi, { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa", associate: false }, grants);
        const managed = new aws.iam.RolePolicyAttachment(`${ctx.name}-ebs-csi`, { role: role.role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" }, { parent: ctx.parent });
        const addon = new aws.eks.Addon(
            `${ctx.name}-ebs-csi`,
            {
                clusterName: ctx.clusterName,
                addonName: "aws-ebs-csi-driver",
                addonVersion: settings.version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                // The add-on binds its controller's service account itself (a second association would fail).
                podIdentityAssociations: [{ roleArn: role.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
                ...(Object.keys(settings.values).length > 0 ? { configurationValues: JSON.stringify(settings.values) } : {}),
            },
            { parent: ctx.parent, dependsOn: [role, managed, ...(ctx.dependsOn as pulumi.Resource[])] },
        );
        return { ready: [addon, gp3StorageClass(ctx, EBS_CSI_PROVISIONER, [addon])], role };
    },
};

/** The provisioners: the EBS CSI driver's, and Auto Mode's block storage capability's (https://docs.aws.amazon.com/eks/latest/userguide/create-storage-class.html). */
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";
export const AUTO_MODE_EBS_PROVISIONER = "ebs.csi.eks.amazonaws.com";

/**
 * Use of the data key for EBS volumes (https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html,
 * customer managed keys): grants for AWS resources (EC2 attaches the volume with one), and the data-key
 * operations through EC2 only.
 */
function dataKeyGrants(dataKeyArn: pulumi.Input<string>, region: string): Grant[] {
    return [
        { sid: "GrantDataKeyToVolumes", actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], resources: [dataKeyArn], conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
        {
            sid: "UseDataKeyThroughEc2",
            actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
            resources: [dataKeyArn],
            conditions: { StringEquals: { "kms:ViaService": `ec2.${region}.amazonaws.com` } },
        },
    ];
}

/** The default StorageClass: gp3, encrypted with the data key, bound when the pod is scheduled (the volume lands in the pod's AZ). */
function gp3StorageClass(ctx: AddonContext, provisioner: string, dependsOn: pulumi.Resource[]): k8s.storage.v1.StorageClass {
    return new k8s.storage.v1.StorageClass(
        `${ctx.name}-gp3`,
        {
            metadata: { name: GP3_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
            provisioner,
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: ctx.dataKeyArn },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Delete",
        },
        { parent: ctx.parent, provider: ctx.provider, dependsOn },
    );
}
