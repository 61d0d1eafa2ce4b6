import { expect } from "chai";
import { ADMIN_ROLE_ARN, DEPLOYER_CIDR, eksClusterAutoscaler, eksDev, eksProd, Synthesized } from "./fixtures";

const CLUSTER = "eks:index:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

describe("EKS cluster, node groups and Fargate profiles", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    let ca: Synthesized;
    before(async () => {
        dev = await eksDev();
        prod = await eksProd();
        ca = await eksClusterAutoscaler();
    });

    describe("control plane", () => {
        it("prod: private endpoint only (no public access, no CIDRs)", () => {
            const cluster = prod.one(CLUSTER).inputs;
            expect(cluster).to.include({ endpointPrivateAccess: true, endpointPublicAccess: false });
            expect(cluster).to.not.have.property("publicAccessCidrs");
        });

        it("dev: the public endpoint is on only for the configured CIDRs", () => {
            expect(dev.one(CLUSTER).inputs).to.deep.include({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
            // Without CIDRs dev is private too (never 0.0.0.0/0 by default).
            expect(ca.one(CLUSTER).inputs).to.include({ endpointPublicAccess: false });
        });

        it("opens the private endpoint to the deploy path: 443 from the VPC and each eks.endpoint.privateAccessCidrs, on a group only the control plane carries", () => {
            const cluster = prod.one(CLUSTER);
            const apiGroup = prod.one("aws:ec2/securityGroup:SecurityGroup", "-eks-api");
            // The component attaches clusterSecurityGroup to vpcConfig.securityGroupIds (the control plane's ENIs).
            expect((cluster.inputs.clusterSecurityGroup as { urn: string }).urn).to.equal(apiGroup.urn);
            const rules = prod.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((rule) => rule.inputs.securityGroupId === apiGroup.state.id);
            const vpcCidr = (prod.one("awsx:ec2:Vpc").inputs as { cidrBlock: string }).cidrBlock;
            expect(rules.map((rule) => rule.inputs)).to.deep.equal([
                { securityGroupId: apiGroup.state.id, description: "Kubernetes API from inside the VPC", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: vpcCidr },
                { securityGroupId: apiGroup.state.id, description: "Kubernetes API from a deployer network (eks.endpoint.privateAccessCidrs)", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: DEPLOYER_CIDR },
            ]);
            // Nodes keep the EKS-created group only: the API rule opens nothing on them.
            expect(prod.one("aws:ec2/launchTemplate:LaunchTemplate", "-system").inputs.vpcSecurityGroupIds).to.not.include(apiGroup.state.id);
        });

        it("authenticates with access entries only; admins get cluster-admin through an access policy", () => {
            const cluster = prod.one(CLUSTER).inputs;
            expect(cluster.authenticationMode).to.equal("API");
            expect(cluster.accessEntries).to.deep.equal({
                admin0: {
                    principalArn: ADMIN_ROLE_ARN,
                    type: "STANDARD",
                    accessPolicies: { clusterAdmin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
                },
            });
            expect(cluster).to.not.have.property("roleMappings");
        });

        it("encrypts secrets with a key the program creates, with rotation on; the cluster role's grant names that key only (the key policy itself delegates to the account's IAM)", () => {
            const key = prod.one("aws:kms/key:Key", "-eks-secrets");
            expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            expect(key.protect).to.equal(true);
            expect(prod.one(CLUSTER).inputs.encryptionConfigKeyArn).to.equal(key.state.arn);
            const keyUse = JSON.parse(prod.one("aws:iam/rolePolicy:RolePolicy", "-eks-cluster-secrets-key").inputs.policy as string);
            expect(keyUse.Statement).to.deep.equal([{ Sid: "EnvelopeEncryptSecrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: key.state.arn }]);
        });

        it("sends every control-plane log type, audit included, to a log group with retention and the logs key, created before the cluster", () => {
            const cluster = prod.one(CLUSTER);
            expect(cluster.inputs.enabledClusterLogTypes).to.have.members(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            const logGroup = prod.one("aws:cloudwatch/logGroup:LogGroup", "-eks-control-plane");
            expect(logGroup.inputs).to.include({ name: "/aws/eks/platform-prod/cluster", retentionInDays: 365, kmsKeyId: prod.one("aws:kms/key:Key", "-logs").state.arn });
            expect(cluster.dependsOn).to.include(logGroup.urn);
            expect(dev.one("aws:cloudwatch/logGroup:LogGroup", "-eks-control-plane").inputs.retentionInDays).to.equal(14);
        });

        it("creates the cluster after its role's managed policy is attached (and deletes it before the policy is detached)", () => {
            const attachment = prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-eks-cluster-policy");
            expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
            expect(prod.one(CLUSTER).dependsOn).to.include(attachment.urn);
        });

        it("stays on standard support (no extended-support billing) and has EKS deletion protection in prod", () => {
            expect(prod.one(CLUSTER).inputs).to.deep.include({ upgradePolicy: { supportType: "STANDARD" }, deletionProtection: true });
            expect(dev.one(CLUSTER).inputs).to.deep.include({ upgradePolicy: { supportType: "STANDARD" }, deletionProtection: false });
            // Pulumi protect follows protection.protectStatefulResources: prod's destroy stops at the cluster.
            expect(prod.one(CLUSTER).protect, "prod cluster protected").to.equal(true);
            expect(dev.one(CLUSTER).protect, "dev cluster not protected").to.equal(false);
        });

        it("creates an OIDC provider, no default node group and none of the component's own add-ons", () => {
            expect(prod.one(CLUSTER).inputs).to.deep.include({
                name: "platform-prod",
                version: "1.35",
                createOidcProvider: true,
                skipDefaultNodeGroup: true,
                skipDefaultSecurityGroups: true,
                bootstrapSelfManagedAddons: false,
            });
            expect(prod.one(CLUSTER).inputs.corednsAddonOptions).to.deep.include({ enabled: false });
            expect(prod.one(CLUSTER).inputs.kubeProxyAddonOptions).to.deep.include({ enabled: false });
        });

        it("puts the control plane's interfaces in the private subnets only", () => {
            const vpc = prod.one("awsx:ec2:Vpc").state as { privateSubnetIds: string[] };
            expect(prod.one(CLUSTER).inputs.privateSubnetIds).to.deep.equal(vpc.privateSubnetIds);
            expect(prod.one(CLUSTER).inputs).to.not.have.property("publicSubnetIds");
        });

        it("exports the cluster name, OIDC issuer and a secret kubeconfig", () => {
            const outputs = prod.result.outputs;
            expect(outputs.eksClusterName).to.equal("platform-prod");
            expect(outputs.eksOidcIssuer).to.match(/^oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
            expect(JSON.parse(outputs.eksKubeconfig as string).clusters[0].name).to.equal("platform-prod");
        });
    });

    describe("managed node groups", () => {
        it("prod: a system and a workload group, both on launch templates that require IMDSv2 (hop limit 1) and encrypt their volumes", () => {
            const groups = prod.all(NODE_GROUP);
            expect(groups.map((group) => group.name).sort()).to.deep.equal(["platform-prod-eks-system", "platform-prod-eks-workload"]);
            for (const group of groups) {
                const template = prod.one(LAUNCH_TEMPLATE, group.name.replace("platform-prod-eks", ""));
                expect((group.inputs.launchTemplate as { id: string }).id).to.equal(template.id);
                expect(template.inputs.metadataOptions).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
                const volumes = template.inputs.blockDeviceMappings as { deviceName: string; ebs: { encrypted: string } }[];
                // Bottlerocket: the OS volume and the data volume, both encrypted.
                expect(volumes.map((volume) => volume.deviceName)).to.deep.equal(["/dev/xvda", "/dev/xvdb"]);
                for (const volume of volumes) expect(volume.ebs.encrypted).to.equal("true");
                expect(template.inputs).to.not.have.property("networkInterfaces");
                // One security group (EKS's cluster group), so the Load Balancer Controller can open it to the ALB.
                expect(template.inputs.vpcSecurityGroupIds).to.deep.equal([(prod.one(CLUSTER).state as any).eksCluster.vpcConfig.clusterSecurityGroupId]);
                expect(group.inputs.updateConfig).to.deep.equal({ maxUnavailable: 1 });
            }
        });

        it("runs the system group on-demand on Graviton Bottlerocket, tainted for critical add-ons only", () => {
            const system = prod.one(NODE_GROUP, "-system").inputs;
            expect(system).to.deep.include({ capacityType: "ON_DEMAND", amiType: "BOTTLEROCKET_ARM_64", instanceTypes: ["m7g.large"], labels: { "platform/node-role": "system" } });
            expect(system.taints).to.deep.equal([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
            expect(system.scalingConfig).to.deep.equal({ minSize: 2, maxSize: 4, desiredSize: 2 });
        });

        it("dev: one spot node of the workload group, labelled to run the controllers, and no system group; prod: on-demand with at least two nodes beside a dedicated system group", () => {
            expect(dev.all(NODE_GROUP).map((group) => group.name)).to.deep.equal(["platform-dev-eks-workload"]);
            expect(dev.one(NODE_GROUP, "-workload").inputs).to.deep.include({
                capacityType: "SPOT",
                instanceTypes: ["t4g.medium", "c7g.large", "c6g.large"],
                scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
                labels: { "platform/node-role": "workload", "platform/controllers": "true" },
                taints: [],
            });
            expect(prod.one(NODE_GROUP, "-workload").inputs.labels).to.deep.equal({ "platform/node-role": "workload" });
            expect(prod.one(NODE_GROUP, "-workload").inputs).to.deep.include({ capacityType: "ON_DEMAND", instanceTypes: ["m7g.xlarge", "m6g.xlarge"], scalingConfig: { minSize: 2, maxSize: 10, desiredSize: 2 } });
        });

        it("puts nodes in the private subnets only", () => {
            const vpc = prod.one("awsx:ec2:Vpc").state as { privateSubnetIds: string[] };
            for (const group of prod.all(NODE_GROUP)) expect(group.inputs.subnetIds).to.deep.equal(vpc.privateSubnetIds);
        });

        it("ignores desired-size changes only when the Cluster Autoscaler owns the size", () => {
            for (const group of ca.all(NODE_GROUP)) expect(group.ignoreChanges).to.include("scalingConfig.desiredSize");
            for (const group of prod.all(NODE_GROUP)) expect(group.ignoreChanges).to.not.include("scalingConfig.desiredSize");
        });

        it("AL2023 nodes boot from one encrypted root volume", () => {
            expect(ca.one(NODE_GROUP, "-workload").inputs.amiType).to.equal("AL2023_ARM_64_STANDARD");
            const volumes = ca.one(LAUNCH_TEMPLATE, "-workload").inputs.blockDeviceMappings as { deviceName: string; ebs: Record<string, unknown> }[];
            expect(volumes).to.deep.equal([{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }]);
        });

        it("creates node groups and Karpenter's access entry after their node role's policies are attached", () => {
            const attachmentsOf = (prefix: string) =>
                prod
                    .all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => a.name.startsWith(prefix))
                    .map((a) => a.urn);
            const managed = attachmentsOf("platform-prod-eks-nodes-");
            expect(managed).to.have.length(3);
            for (const group of prod.all(NODE_GROUP)) expect(group.dependsOn, group.name).to.include.members(managed);
            const karpenter = attachmentsOf("platform-prod-eks-karpenter-node-");
            expect(karpenter).to.have.length(3);
            expect(prod.one("aws:eks/accessEntry:AccessEntry", "-karpenter-node").dependsOn).to.include.members(karpenter);
        });

        it("node roles may pull images but not push, and carry no CNI permissions (the CNI has its own Pod Identity role)", () => {
            const attachments = prod.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("platform-prod-eks-nodes-"));
            expect(attachments.map((a) => a.inputs.policyArn)).to.have.members([
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            ]);
        });
    });

    describe("Fargate profiles", () => {
        it("creates one profile per configured selector, in private subnets, with its own pod execution role", () => {
            const profiles = prod.all("aws:eks/fargateProfile:FargateProfile");
            expect(profiles.map((profile) => profile.inputs.fargateProfileName).sort()).to.deep.equal(["batch", "web-jobs"]);
            const role = prod.one("aws:iam/role:Role", "-eks-fargate-pod-execution");
            const vpc = prod.one("awsx:ec2:Vpc").state as { privateSubnetIds: string[] };
            for (const profile of profiles) {
                expect(profile.inputs.subnetIds).to.deep.equal(vpc.privateSubnetIds);
                expect(profile.inputs.podExecutionRoleArn).to.equal(role.state.arn);
            }
            expect(prod.one("aws:eks/fargateProfile:FargateProfile", "-web-jobs").inputs.selectors).to.deep.equal([{ namespace: "web", labels: { "platform/compute": "fargate" } }]);
            const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0];
            expect(trust.Principal).to.deep.equal({ Service: "eks-fargate-pods.amazonaws.com" });
            expect(trust.Condition.ArnLike["aws:SourceArn"]).to.equal("arn:aws:eks:eu-west-1:123456789012:fargateprofile/platform-prod/*");
        });

        it("creates each profile after the pod execution role's policy is attached", () => {
            const attachment = prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-eks-fargate-pod-execution");
            for (const profile of prod.all("aws:eks/fargateProfile:FargateProfile")) expect(profile.dependsOn, profile.name).to.include(attachment.urn);
        });

        it("creates no Fargate profile (nor its role) when none is configured", () => {
            expect(dev.all("aws:eks/fargateProfile:FargateProfile")).to.deep.equal([]);
            expect(dev.resources.filter((r) => r.name.includes("fargate"))).to.deep.equal([]);
        });
    });
});
