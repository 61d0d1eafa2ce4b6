import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const GOOD_COMPONENT = {
    endpointPrivateAccess: true,
    endpointPublicAccess: false,
    encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x",
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    authenticationMode: "API",
    version: "1.33",
    skipDefaultNodeGroup: true,
};
const GOOD_AWS_CLUSTER = {
    version: "1.33",
    vpcConfig: { subnetIds: ["a", "b"], endpointPrivateAccess: true, endpointPublicAccess: false },
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/x" }, resources: ["secrets"] },
    enabledClusterLogTypes: ["audit"],
    accessConfig: { authenticationMode: "API" },
};
const EC2_TRUST = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
const POD = (image: string) => ({ metadata: { namespace: "web" }, spec: { containers: [{ name: "web", image }] } });

export const eksCases: PolicySuite[] = [
    {
        policy: "eks-endpoint-private",
        pass: [
            { name: "component private only", resources: () => single(T.eksComponentCluster, GOOD_COMPONENT) },
            { name: "aws cluster private only", resources: () => single(T.eksCluster, GOOD_AWS_CLUSTER) },
            {
                name: "restricted public CIDRs when allowed by config",
                resources: () => single(T.eksComponentCluster, { ...GOOD_COMPONENT, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
                config: { "eks-endpoint-private": { allowRestrictedPublicAccess: true } },
            },
        ],
        fail: [
            {
                name: "component defaults (public, no private)",
                resources: () => single(T.eksComponentCluster, {}),
                messages: ["endpointPrivateAccess is not set (false by default); expected true", "endpointPublicAccess is not set (true by default) and open to 0.0.0.0/0; expected false"],
            },
            {
                name: "aws cluster public with restricted CIDRs (not allowed by default)",
                resources: () => single(T.eksCluster, { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
                messages: ["vpcConfig.endpointPublicAccess is true (true by default); expected false"],
            },
        ],
    },
    {
        policy: "eks-supported-version",
        pass: [
            { name: "1.33", resources: () => single(T.eksComponentCluster, GOOD_COMPONENT) },
            { name: "version omitted (EKS default)", resources: () => single(T.eksCluster, {}) },
        ],
        fail: [
            { name: "1.29", resources: () => single(T.eksCluster, { version: "1.29" }), messages: ['version is "1.29"; expected 1.32 or later'] },
            {
                name: "below a configured floor",
                resources: () => single(T.eksComponentCluster, { version: "1.33" }),
                config: { "eks-supported-version": { minimumVersion: "1.34" } },
                messages: ["expected 1.34 or later"],
            },
        ],
    },
    {
        policy: "eks-audit-logging",
        pass: [{ name: "audit enabled", resources: () => single(T.eksComponentCluster, GOOD_COMPONENT) }],
        fail: [
            { name: "no log types", resources: () => single(T.eksComponentCluster, {}), messages: ['enabledClusterLogTypes is not set; expected it to include "audit"'] },
            { name: "api only on aws cluster", resources: () => single(T.eksCluster, { enabledClusterLogTypes: ["api"] }), messages: ['enabledClusterLogTypes is ["api"]'] },
        ],
    },
    {
        policy: "eks-secrets-encryption",
        pass: [
            { name: "component key", resources: () => single(T.eksComponentCluster, GOOD_COMPONENT) },
            { name: "aws encryptionConfig for secrets", resources: () => single(T.eksCluster, GOOD_AWS_CLUSTER) },
        ],
        fail: [
            { name: "component without key", resources: () => single(T.eksComponentCluster, {}), messages: ["encryptionConfigKeyArn is not set"] },
            { name: "aws cluster encrypting nothing", resources: () => single(T.eksCluster, { encryptionConfig: { provider: { keyArn: "k" }, resources: [] } }), messages: ["encryptionConfig is"] },
            {
                name: "aws cluster inside an eks component: only the component is reported",
                resources: () =>
                    stack((s) => {
                        const cluster = s.add(T.eksComponentCluster, "cluster", {});
                        s.add(T.eksCluster, "cluster-eksCluster", {}, { parent: cluster });
                    }),
                messages: ["encryptionConfigKeyArn is not set"],
                resource: "cluster",
            },
        ],
    },
    {
        policy: "eks-access-entries",
        pass: [
            { name: "API", resources: () => single(T.eksComponentCluster, GOOD_COMPONENT) },
            {
                name: "API_AND_CONFIG_MAP when allowed",
                resources: () => single(T.eksCluster, { accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
                config: { "eks-access-entries": { allowApiAndConfigMap: true } },
            },
        ],
        fail: [
            { name: "omitted (CONFIG_MAP)", resources: () => single(T.eksComponentCluster, {}), messages: ['authenticationMode is not set (CONFIG_MAP); expected "API"'] },
            {
                name: "aws cluster API_AND_CONFIG_MAP",
                resources: () => single(T.eksCluster, { accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
                messages: ['accessConfig.authenticationMode is "API_AND_CONFIG_MAP"'],
            },
        ],
    },
    {
        policy: "eks-nodes-private",
        pass: [
            { name: "no default node group, private subnets", resources: () => single(T.eksComponentCluster, { ...GOOD_COMPONENT, privateSubnetIds: ["a", "b"], publicSubnetIds: ["c", "d"] }) },
            { name: "default node group without public IPs", resources: () => single(T.eksComponentCluster, { nodeAssociatePublicIpAddress: false, privateSubnetIds: ["a"] }) },
            { name: "managed node group with SSH from a security group", resources: () => single(T.eksNodeGroup, { remoteAccess: { ec2SshKey: "k", sourceSecurityGroupIds: ["sg-1"] } }) },
        ],
        fail: [
            {
                name: "default node group with default public IPs in public subnets",
                resources: () => single(T.eksComponentCluster, { publicSubnetIds: ["c"] }),
                messages: ["nodeAssociatePublicIpAddress is not set for the default node group", "publicSubnetIds is set without privateSubnetIds"],
            },
            { name: "SSH open to the internet", resources: () => single(T.eksManagedNodeGroup, { remoteAccess: { ec2SshKey: "k" } }), messages: ["opens SSH (port 22) on the nodes to 0.0.0.0/0"] },
            {
                name: "self-managed node group with public IPs",
                resources: () => single(T.eksSelfManagedNodeGroup, { nodeAssociatePublicIpAddress: true }),
                messages: ["nodeAssociatePublicIpAddress is true; expected false"],
            },
        ],
    },
    {
        policy: "eks-nodes-ecr-read-only",
        pass: [
            {
                name: "node role with the read-only policy",
                resources: () =>
                    stack((s) => {
                        const role = s.add(T.iamRole, "nodes", { assumeRolePolicy: EC2_TRUST });
                        s.add(T.iamRolePolicyAttachment, "ecr", { role: "nodes-1", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" }, { dependsOn: [role] });
                    }),
            },
            {
                name: "CI role (not EC2) with full access",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }),
                        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"],
                    }),
            },
        ],
        fail: [
            {
                name: "PowerUser attached to a node role, and an inline push grant",
                resources: () =>
                    stack((s) => {
                        const role = s.add(T.iamRole, "nodes", { assumeRolePolicy: EC2_TRUST, inlinePolicies: [{ name: "push", policy: doc({ Effect: "Allow", Action: "ecr:PutImage", Resource: "*" }) }] });
                        s.add(T.iamRolePolicyAttachment, "ecr", { role: "nodes-1", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser" }, { dependsOn: [role] });
                    }),
                messages: ["attaches arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser to node role nodes", "node role nodes: inlinePolicies[0] allows pushing or deleting ECR images"],
            },
        ],
    },
    {
        policy: "container-images-approved-registries",
        pass: [
            {
                name: "ECR image in a Deployment",
                resources: () => single("kubernetes:apps/v1:Deployment", { metadata: { namespace: "web" }, spec: { template: POD("123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/web:1.0") } }),
            },
            { name: "ECR Public image in an ECS task", resources: () => single(T.ecsTaskDefinition, { containerDefinitions: JSON.stringify([{ name: "x", image: "public.ecr.aws/nginx/nginx:1.27" }]) }) },
        ],
        fail: [
            {
                name: "Docker Hub image in a CronJob",
                resources: () => single("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: POD("nginx:1.27") } } } }),
                messages: ['spec.jobTemplate.spec.template.spec.containers[0] (web): image "nginx:1.27" is not from an approved registry'],
            },
            {
                name: "ghcr image in an awsx service",
                resources: () => single(T.awsxFargateService, { taskDefinitionArgs: { container: { name: "web", image: "ghcr.io/acme/web:1" } } }),
                messages: ['taskDefinitionArgs.container: image "ghcr.io/acme/web:1"'],
            },
        ],
    },
    {
        policy: "eks-node-group-update-config",
        pass: [{ name: "maxUnavailable 1", resources: () => single(T.eksNodeGroup, { updateConfig: { maxUnavailable: 1 } }) }],
        fail: [{ name: "omitted", resources: () => single(T.eksNodeGroup, {}), messages: ["updateConfig is not set; expected maxUnavailable or maxUnavailablePercentage"] }],
    },
    {
        policy: "eks-node-group-min-size",
        pass: [
            { name: "min 2 in prod", resources: () => single(T.eksManagedNodeGroup, { scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 } }) },
            { name: "min 1 in dev (prod-only rule)", resources: () => single(T.eksNodeGroup, { scalingConfig: { minSize: 1 } }, { stack: "dev" }), notApplicable: true },
        ],
        fail: [
            { name: "min 1 in prod", resources: () => single(T.eksNodeGroup, { scalingConfig: { minSize: 1 } }), messages: ["scalingConfig.minSize is 1; expected at least 2"] },
            { name: "component default node group", resources: () => single(T.eksComponentCluster, {}), messages: ["minSize is not set (1) for the default node group"] },
        ],
    },
];
