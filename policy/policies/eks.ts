import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy, ResourceContext } from "../lib/define";
import { readTask, TASK_TYPES } from "../lib/ecs";
import { coversAction, parsePolicyDocument } from "../lib/iam";
import { refersTo } from "../lib/graph";
import { isWorld } from "../lib/network";
import { containersOf, podTemplateOf, POD_TYPES } from "../lib/podspec";
import { bool, compareVersions, globMatch, joinWords, list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * EKS clusters and node groups: the aws.eks resources, and the eks v4 components (checked on
 * their inputs because offline they register no children). An aws.eks.Cluster created by an
 * eks.Cluster component is skipped: the component's inputs are where the fix goes.
 */

const CLUSTER_TYPES = [T.eksCluster, T.eksComponentCluster];

function clusterSettings(context: ResourceContext) {
    const component = context.type === T.eksComponentCluster;
    const source = component ? context.props : rec(context.props.vpcConfig);
    return {
        rawPublic: source.endpointPublicAccess as unknown,
        rawPrivate: source.endpointPrivateAccess as unknown,
        publicAccess: bool(source.endpointPublicAccess) ?? true,
        privateAccess: bool(source.endpointPrivateAccess) ?? false,
        publicCidrs: source.publicAccessCidrs === undefined ? ["0.0.0.0/0"] : list(source.publicAccessCidrs).map(String),
        prefix: component ? "" : "vpcConfig.",
    };
}

const underEksComponent = (context: ResourceContext) => context.parentType?.startsWith("eks:") === true;

export const eksEndpointPrivate = defineResourcePolicy<{ allowRestrictedPublicAccess: boolean }>({
    name: "eks-endpoint-private",
    description: "EKS API server endpoints are private: private access on, public access off (or, if allowed by config, limited to named CIDRs).",
    severity: "high",
    frameworks: ["FSBP EKS.1", "CIS EKS 5.4.1", "CIS EKS 5.4.2"],
    remediation: "Set endpointPrivateAccess: true and endpointPublicAccess: false; reach the API from inside the VPC (VPN, bastion, CI runners in the VPC).",
    types: CLUSTER_TYPES,
    config: { allowRestrictedPublicAccess: { type: "boolean", default: false, description: "Accept a public endpoint whose publicAccessCidrs exclude 0.0.0.0/0 (CIS 5.4.1) instead of requiring it off (FSBP EKS.1)." } },
    validate: (context, report) => {
        if (underEksComponent(context)) return;
        const settings = clusterSettings(context);
        if (!settings.privateAccess) report(`${settings.prefix}endpointPrivateAccess is ${show(settings.rawPrivate)} (false by default); expected true so nodes and operators reach the API inside the VPC`);
        if (!settings.publicAccess) return;
        const open = settings.publicCidrs.filter(isWorld);
        if (context.config.allowRestrictedPublicAccess && open.length === 0 && settings.publicCidrs.length > 0) return;
        report(`${settings.prefix}endpointPublicAccess is ${show(settings.rawPublic)} (true by default)` + `${open.length > 0 ? ` and open to ${joinWords(open)}` : ""}; expected false`);
    },
});

export const eksSupportedVersion = defineResourcePolicy<{ minimumVersion: string }>({
    name: "eks-supported-version",
    description: "EKS clusters run a Kubernetes version at or above the supported floor.",
    severity: "high",
    frameworks: ["FSBP EKS.2"],
    remediation: "Upgrade the control plane one minor version at a time to at least the configured floor (then the node groups).",
    types: CLUSTER_TYPES,
    config: {
        minimumVersion: { type: "string", pattern: "^\\d+\\.\\d+$", default: "1.32", description: "Oldest Kubernetes minor version EKS still supports (standard or extended support); raise it as versions retire." },
    },
    validate: (context, report) => {
        if (underEksComponent(context)) return;
        const version = str(context.props.version);
        // Without a version EKS creates the cluster on its current default, which is supported.
        if (version !== undefined && compareVersions(version, context.config.minimumVersion) < 0) {
            report(`version is ${show(version)}; expected ${context.config.minimumVersion} or later`);
        }
    },
});

export const eksAuditLogging = defineResourcePolicy<{ requiredLogTypes: string[] }>({
    name: "eks-audit-logging",
    description: "EKS control plane audit logs are sent to CloudWatch Logs.",
    severity: "medium",
    frameworks: ["FSBP EKS.8", "CIS EKS 2.1.1"],
    remediation: 'Set enabledClusterLogTypes: ["api", "audit", "authenticator"].',
    types: CLUSTER_TYPES,
    config: { requiredLogTypes: { type: "array", items: { type: "string" }, default: ["audit"], description: "Control plane log types that must be enabled." } },
    validate: (context, report) => {
        if (underEksComponent(context)) return;
        const enabled = list(context.props.enabledClusterLogTypes).map(String);
        const missing = context.config.requiredLogTypes.filter((logType) => !enabled.includes(logType));
        if (missing.length > 0) report(`enabledClusterLogTypes is ${show(context.props.enabledClusterLogTypes)}; expected it to include ${joinWords(missing.map((m) => `"${m}"`))}`);
    },
});

export const eksSecretsEncryption = defineResourcePolicy({
    name: "eks-secrets-encryption",
    description: "EKS encrypts Kubernetes secrets with a customer-managed KMS key (envelope encryption).",
    severity: "high",
    frameworks: ["CIS EKS 5.3.1", "FSBP EKS.3"],
    remediation: 'eks.Cluster: encryptionConfigKeyArn: <KMS key ARN>. aws.eks.Cluster: encryptionConfig: { provider: { keyArn }, resources: ["secrets"] }.',
    types: CLUSTER_TYPES,
    validate: (context, report) => {
        if (underEksComponent(context)) return;
        if (context.type === T.eksComponentCluster) {
            if (!str(context.props.encryptionConfigKeyArn)) report("encryptionConfigKeyArn is not set; expected the ARN of a customer-managed KMS key");
            return;
        }
        const config = rec(context.props.encryptionConfig);
        const resources = list(config.resources).map(String);
        if (!str(rec(config.provider).keyArn) || !resources.includes("secrets")) {
            report(`encryptionConfig is ${show(context.props.encryptionConfig)}; expected { provider: { keyArn: <KMS key ARN> }, resources: ["secrets"] }`);
        }
    },
});

export const eksAccessEntries = defineResourcePolicy<{ allowApiAndConfigMap: boolean }>({
    name: "eks-access-entries",
    description: "EKS clusters authenticate with access entries (authentication mode API), not the aws-auth ConfigMap.",
    severity: "medium",
    frameworks: ["EKS Best Practices: access entries"],
    remediation: 'Set authenticationMode: "API" (eks.Cluster) or accessConfig: { authenticationMode: "API" } (aws.eks.Cluster) and grant access with access entries.',
    types: CLUSTER_TYPES,
    config: { allowApiAndConfigMap: { type: "boolean", default: false, description: "Accept API_AND_CONFIG_MAP while migrating off aws-auth." } },
    validate: (context, report) => {
        if (underEksComponent(context)) return;
        const component = context.type === T.eksComponentCluster;
        const mode = str(component ? context.props.authenticationMode : rec(context.props.accessConfig).authenticationMode);
        const accepted = context.config.allowApiAndConfigMap ? ["API", "API_AND_CONFIG_MAP"] : ["API"];
        if (!accepted.includes(mode ?? "CONFIG_MAP")) {
            report(`${component ? "" : "accessConfig."}authenticationMode is ${mode === undefined ? "not set (CONFIG_MAP)" : show(mode)}; expected ${joinWords(accepted.map((m) => `"${m}"`))}`);
        }
    },
});

/** True when eks.Cluster creates its default (self-managed) node group. */
function hasDefaultNodeGroup(props: Record<string, any>): boolean {
    return !(props.skipDefaultNodeGroup === true || Boolean(props.fargate) || rec(props.autoMode).enabled === true);
}

export const eksNodesPrivate = defineResourcePolicy({
    name: "eks-nodes-private",
    description: "EKS worker nodes run in private subnets without public IPs, and SSH to nodes is not open to the internet.",
    severity: "high",
    frameworks: ["CIS EKS 5.4.3"],
    remediation: "eks.Cluster: privateSubnetIds (or nodeSubnetIds) for nodes and nodeAssociatePublicIpAddress: false. Node groups: remoteAccess only with sourceSecurityGroupIds (better: no SSH, use SSM).",
    types: [T.eksComponentCluster, T.eksSelfManagedNodeGroup, T.eksSelfManagedNodeGroupV2, T.eksNodeGroup, T.eksManagedNodeGroup],
    validate: ({ type, props }, report) => {
        if (type === T.eksComponentCluster) {
            if (hasDefaultNodeGroup(props) && props.nodeAssociatePublicIpAddress !== false) {
                report(`nodeAssociatePublicIpAddress is ${show(props.nodeAssociatePublicIpAddress)} for the default node group; expected false (or skipDefaultNodeGroup: true)`);
            }
            if (bool(rec(props.nodeGroupOptions).nodeAssociatePublicIpAddress) === true) report("nodeGroupOptions.nodeAssociatePublicIpAddress is true; expected false");
            const privateSubnets = [...list(props.privateSubnetIds), ...list(props.nodeSubnetIds), ...list(props.subnetIds)];
            if (list(props.publicSubnetIds).length > 0 && privateSubnets.length === 0)
                report("publicSubnetIds is set without privateSubnetIds or nodeSubnetIds, so nodes run in public subnets; expected private subnets for nodes");
            return;
        }
        if (type === T.eksSelfManagedNodeGroup || type === T.eksSelfManagedNodeGroupV2) {
            if (bool(props.nodeAssociatePublicIpAddress) !== false) report(`nodeAssociatePublicIpAddress is ${show(props.nodeAssociatePublicIpAddress)}; expected false`);
            return;
        }
        const remote = props.remoteAccess;
        if (remote !== undefined && str(rec(remote).ec2SshKey) && list(rec(remote).sourceSecurityGroupIds).length === 0) {
            report("remoteAccess sets ec2SshKey without sourceSecurityGroupIds, which opens SSH (port 22) on the nodes to 0.0.0.0/0; expected sourceSecurityGroupIds, or no remoteAccess (use SSM)");
        }
    },
});

const ECR_WRITE_MANAGED_POLICIES = ["AmazonEC2ContainerRegistryFullAccess", "AmazonEC2ContainerRegistryPowerUser", "AmazonElasticContainerRegistryPublicFullAccess", "AdministratorAccess", "PowerUserAccess"];
const isEcrWritePolicy = (arn: unknown) => ECR_WRITE_MANAGED_POLICIES.some((name) => (str(arn) ?? "").endsWith(`/${name}`));

/** Roles EC2 instances assume (node roles): their trust policy admits ec2.amazonaws.com. */
function isNodeRole(role: PolicyResource): boolean {
    const trust = parsePolicyDocument(role.props.assumeRolePolicy, "assumeRolePolicy");
    return trust.ok === true && trust.statements.some((statement) => statement.effect === "Allow" && statement.principal?.service.includes("ec2.amazonaws.com"));
}

export const eksNodesEcrReadOnly = defineStackPolicy({
    name: "eks-nodes-ecr-read-only",
    description: "Node (EC2 instance) roles may only pull from ECR, not push or delete images.",
    severity: "medium",
    frameworks: ["CIS EKS 5.1.3"],
    remediation: "Attach AmazonEC2ContainerRegistryReadOnly (or the pull actions) to node roles; push from CI roles only.",
    types: [T.iamRole, T.iamRolePolicyAttachment, "aws:iam/rolePolicy:RolePolicy"],
    validate: (stack, report) => {
        const nodeRoles = stack.ofType(T.iamRole).filter((role) => {
            let node = false;
            stack.guard(() => (node = isNodeRole(role)));
            return node;
        });
        const writes = (document: unknown) => {
            const parsed = parsePolicyDocument(document, "policy");
            return parsed.ok === true && parsed.statements.some((s) => s.effect === "Allow" && (coversAction(s, "ecr:PutImage") || coversAction(s, "ecr:BatchDeleteImage")));
        };
        for (const role of nodeRoles) {
            stack.guard(() => {
                for (const arn of list(role.props.managedPolicyArns).filter(isEcrWritePolicy)) report(`node role ${role.name} has managed policy ${String(arn)}; expected AmazonEC2ContainerRegistryReadOnly`, role.urn);
                for (const [index, inline] of list(role.props.inlinePolicies).entries()) {
                    if (writes(rec(inline).policy)) report(`node role ${role.name}: inlinePolicies[${index}] allows pushing or deleting ECR images; expected pull actions only`, role.urn);
                }
            });
            for (const attachment of stack.ofType(T.iamRolePolicyAttachment)) {
                stack.guard(() => {
                    if (isEcrWritePolicy(attachment.props.policyArn) && refersTo(attachment, role, ["role"])) {
                        report(`attaches ${String(attachment.props.policyArn)} to node role ${role.name}; expected AmazonEC2ContainerRegistryReadOnly`, attachment.urn);
                    }
                });
            }
            for (const rolePolicy of stack.ofType("aws:iam/rolePolicy:RolePolicy")) {
                stack.guard(() => {
                    if (refersTo(rolePolicy, role, ["role"]) && writes(rolePolicy.props.policy)) report(`allows node role ${role.name} to push or delete ECR images; expected pull actions only`, rolePolicy.urn);
                });
            }
        }
    },
});

export const containerImagesApprovedRegistries = defineResourcePolicy<{ allowedRegistries: string[] }>({
    name: "container-images-approved-registries",
    description: "Kubernetes and ECS containers pull images only from approved registries (the account's ECR and ECR Public by default).",
    severity: "medium",
    frameworks: ["CIS EKS 5.1.4"],
    remediation: "Push the image to the platform's ECR (or a pull-through cache rule) and reference it there; extend allowedRegistries for another trusted registry.",
    types: [...POD_TYPES, ...TASK_TYPES],
    config: {
        allowedRegistries: {
            type: "array",
            items: { type: "string" },
            default: ["*.dkr.ecr.*.amazonaws.com/*", "public.ecr.aws/*"],
            description: "Image reference patterns (`*` globs) that are approved.",
        },
    },
    validate: ({ type, props, config, parentType }, report) => {
        const approved = (image: string) => config.allowedRegistries.some((pattern) => globMatch(pattern, image));
        const pod = podTemplateOf(type, props);
        if (pod) {
            for (const ref of containersOf(pod)) {
                const image = str(ref.container.image);
                if (image && !approved(image)) report(`${ref.label}: image ${show(image)} is not from an approved registry (${joinWords(config.allowedRegistries)})`);
            }
            return;
        }
        if (parentType?.startsWith("awsx:ecs:")) return;
        const task = readTask(type, props);
        if (task.state === "invalid") report(task.message);
        if (task.state !== "ok") return;
        for (const container of task.task.containers) {
            const image = str(container.definition.image);
            if (image && !approved(image)) report(`${container.label}: image ${show(image)} is not from an approved registry (${joinWords(config.allowedRegistries)})`);
        }
    },
});

export const eksNodeGroupUpdateConfig = defineResourcePolicy({
    name: "eks-node-group-update-config",
    description: "Managed node groups bound how many nodes an update takes down at once.",
    severity: "medium",
    frameworks: ["Reliability 9"],
    remediation: "Set updateConfig: { maxUnavailable: 1 } (or maxUnavailablePercentage).",
    types: [T.eksNodeGroup],
    validate: ({ props }, report) => {
        const update = rec(props.updateConfig);
        if (num(update.maxUnavailable) === undefined && num(update.maxUnavailablePercentage) === undefined) {
            report(`updateConfig is ${show(props.updateConfig)}; expected maxUnavailable or maxUnavailablePercentage`);
        }
    },
});

export const eksNodeGroupMinSize = defineResourcePolicy<{ minimumNodes: number }>({
    name: "eks-node-group-min-size",
    description: "Prod node groups keep at least two nodes, so one node's loss or drain does not stop the workloads.",
    severity: "medium",
    frameworks: ["Reliability 9"],
    remediation: "Set scalingConfig.minSize (or minSize) to 2 or more, across subnets in two or more AZs.",
    types: [T.eksNodeGroup, T.eksManagedNodeGroup, T.eksComponentCluster, T.eksSelfManagedNodeGroup, T.eksSelfManagedNodeGroupV2],
    environments: ["prod"],
    config: { minimumNodes: { type: "integer", minimum: 1, default: 2, description: "Minimum nodes per node group." } },
    validate: ({ type, props, config }, report) => {
        const minimum = config.minimumNodes;
        if (type === T.eksNodeGroup || type === T.eksManagedNodeGroup) {
            const minSize = num(rec(props.scalingConfig).minSize) ?? 1;
            if (minSize < minimum) report(`scalingConfig.minSize is ${minSize}; expected at least ${minimum}`);
            return;
        }
        if (type === T.eksComponentCluster && !hasDefaultNodeGroup(props)) return;
        const minSize = num(props.minSize) ?? 1;
        if (minSize < minimum) report(`minSize is ${props.minSize === undefined ? "not set (1)" : minSize}${type === T.eksComponentCluster ? " for the default node group" : ""}; expected at least ${minimum}`);
    },
});

export const eksPolicies = [
    eksEndpointPrivate,
    eksSupportedVersion,
    eksAuditLogging,
    eksSecretsEncryption,
    eksAccessEntries,
    eksNodesPrivate,
    eksNodesEcrReadOnly,
    containerImagesApprovedRegistries,
    eksNodeGroupUpdateConfig,
    eksNodeGroupMinSize,
];
