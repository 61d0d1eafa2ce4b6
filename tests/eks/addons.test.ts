import { expect } from "chai";
import { CHARTS } from "../../platform/eks";
import { INTERRUPTION_EVENTS } from "../../platform/eks/karpenter";
import { statementsOf } from "../helpers";
import { eksClusterAutoscaler, eksDev, eksProd, synth, Synthesized } from "./fixtures";

const ADDON = "aws:eks/addon:Addon";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** Every statement of the inline policies a role (by logical name) has. */
function grantsOf(stack: Synthesized, roleName: string): any[] {
    return stack
        .all(ROLE_POLICY)
        .filter((policy) => policy.name.startsWith(`${roleName}-`))
        .flatMap((policy) => statementsOf(policy));
}

describe("EKS add-ons and controllers", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    let ca: Synthesized;
    before(async () => {
        dev = await eksDev();
        prod = await eksProd();
        ca = await eksClusterAutoscaler();
    });

    describe("managed add-ons", () => {
        it("installs vpc-cni, coredns, kube-proxy and eks-pod-identity-agent at the configured versions, overwriting on create and preserving on update", () => {
            const addons = prod.all(ADDON);
            expect(Object.fromEntries(addons.map((addon) => [addon.inputs.addonName, addon.inputs.addonVersion]))).to.deep.equal({
                "vpc-cni": "v1.20.1-eksbuild.3",
                coredns: "v1.14.2-eksbuild.4",
                "kube-proxy": "v1.35.3-eksbuild.2",
                "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
                "amazon-cloudwatch-observability": "v6.2.0-eksbuild.1",
            });
            for (const addon of addons) expect(addon.inputs).to.include({ clusterName: "platform-prod", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE" });
        });

        it("takes add-on versions from config", async () => {
            const custom = await synth("dev", { eks: { enabled: true, addons: { coredns: "v1.11.4-eksbuild.14" } } });
            expect(custom.one(ADDON, "-coredns").inputs.addonVersion).to.equal("v1.11.4-eksbuild.14");
        });

        it("gives the VPC CNI its own role through Pod Identity and turns on NetworkPolicy enforcement", () => {
            const cni = prod.one(ADDON, "-vpc-cni");
            const role = prod.one("aws:iam/role:Role", "-addons-vpc-cni");
            expect(cni.inputs.podIdentityAssociations).to.deep.equal([{ roleArn: role.state.arn, serviceAccount: "aws-node" }]);
            expect(JSON.parse(cni.inputs.configurationValues as string)).to.deep.equal({ enableNetworkPolicy: "true" });
            expect(prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-addons-vpc-cni").inputs.policyArn).to.equal("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
        });

        it("creates the CNI, kube-proxy and the Pod Identity agent before the nodes, and CoreDNS after them", () => {
            const nodeGroups = prod.all("aws:eks/nodeGroup:NodeGroup");
            for (const group of nodeGroups) {
                // On the node group itself, not only its component: destroys then run in reverse order too.
                for (const name of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) expect(group.dependsOn).to.include(prod.one(ADDON, `-${name}`).urn);
            }
            expect(prod.one(ADDON, "-coredns").dependsOn).to.include.members(nodeGroups.map((group) => group.urn));
        });
    });

    describe("container logs and metrics", () => {
        it("ships container logs and Container Insights to log groups created first, with the stack's retention and the logs key", () => {
            const logsKey = prod.one("aws:kms/key:Key", "-logs").state.arn;
            const groups = prod.all("aws:cloudwatch/logGroup:LogGroup").filter((group) => String(group.inputs.name).startsWith("/aws/containerinsights/"));
            expect(groups.map((group) => group.inputs.name).sort()).to.deep.equal(["application", "dataplane", "host", "performance"].map((g) => `/aws/containerinsights/platform-prod/${g}`));
            for (const group of groups) {
                expect(group.inputs).to.include({ retentionInDays: 365, kmsKeyId: logsKey });
                expect(group.protect).to.equal(true);
            }
            const addon = prod.one(ADDON, "-observability");
            expect(addon.dependsOn).to.include.members(groups.map((group) => group.urn));
            expect(JSON.parse(addon.inputs.configurationValues as string).containerLogs).to.deep.equal({ enabled: true });
        });

        it("turns Application Signals off (its role has no X-Ray or application-signals log group grants): the agent collects Container Insights only", () => {
            const values = JSON.parse(prod.one(ADDON, "-observability").inputs.configurationValues as string);
            expect(values.agent.config).to.deep.equal({ logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } } });
            expect(JSON.stringify(values)).to.not.contain("application_signals");
            const actions = grantsOf(prod, "platform-prod-eks-observability-agent").flatMap((s) => s.Action as string[]);
            expect(actions.filter((action) => action.startsWith("xray:"))).to.deep.equal([]);
        });

        it("binds the agents' role through the add-on, allowed to write only this cluster's log groups", () => {
            const role = prod.one("aws:iam/role:Role", "-observability-agent");
            expect(prod.one(ADDON, "-observability").inputs.podIdentityAssociations).to.deep.equal([{ roleArn: role.state.arn, serviceAccount: "cloudwatch-agent" }]);
            const write = grantsOf(prod, "platform-prod-eks-observability-agent").find((s) => s.Sid === "WriteClusterLogs");
            for (const resource of write.Resource)
                expect(resource).to.match(/^arn:aws:logs:eu-west-1:123456789012:log-group:\/aws\/containerinsights\/platform-prod\/(application|dataplane|host|performance)(:log-stream:\*)?$/);
            const metrics = grantsOf(prod, "platform-prod-eks-observability-agent").find((s) => s.Sid === "PublishContainerInsights");
            expect(metrics.Condition).to.deep.equal({ StringLike: { "cloudwatch:namespace": "ContainerInsights*" } });
        });

        it("can be turned off", async () => {
            const off = await synth("dev", { eks: { enabled: true, containerInsights: false } });
            expect(off.all(ADDON).map((addon) => addon.inputs.addonName)).to.not.include("amazon-cloudwatch-observability");
            expect(off.all("aws:cloudwatch/logGroup:LogGroup").filter((group) => String(group.inputs.name).startsWith("/aws/containerinsights/"))).to.deep.equal([]);
        });
    });

    describe("Pod Identity roles", () => {
        it("trust only the Pod Identity service for this account's cluster, and each is bound to one service account", () => {
            const associations = prod.all(ASSOCIATION);
            expect(associations.map((a) => `${String(a.inputs.namespace)}/${String(a.inputs.serviceAccount)}`).sort()).to.deep.equal(["kube-system/aws-load-balancer-controller", "kube-system/karpenter", "web/web"]);
            for (const association of associations) {
                const role = prod.all("aws:iam/role:Role").find((r) => r.state.arn === association.inputs.roleArn)!;
                const [trust] = statementsOf(role, "assumeRolePolicy");
                expect(trust).to.deep.equal({
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnEquals: { "aws:SourceArn": "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod" } },
                });
            }
        });
    });

    describe("AWS Load Balancer Controller", () => {
        it("installs the pinned chart in kube-system on the system nodes, with the cluster, region and VPC given", () => {
            const release = prod.one(RELEASE, "-lbc").inputs as any;
            expect(release).to.deep.include({
                chart: "aws-load-balancer-controller",
                version: CHARTS.LOAD_BALANCER_CONTROLLER.version,
                namespace: "kube-system",
                repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
            });
            expect(release.values).to.deep.include({ clusterName: "platform-prod", region: "eu-west-1", vpcId: (prod.one("awsx:ec2:Vpc").state as any).vpcId, replicaCount: 2, enableWafv2: false, enableShield: false });
            expect(release.values.nodeSelector).to.deep.equal({ "platform/node-role": "system" });
            expect(dev.one(RELEASE, "-lbc").inputs.values).to.deep.include({ replicaCount: 1 });
        });

        it("puts the controllers on the workload group's labelled nodes when there is no system group (dev), never on Karpenter's nodes", () => {
            for (const suffix of ["-lbc", "-metrics-server", "-karpenter"]) {
                const values = (dev.one(RELEASE, suffix).inputs as any).values;
                expect(values.nodeSelector, suffix).to.deep.equal({ "platform/controllers": "true" });
                expect(values.tolerations, suffix).to.equal(undefined);
            }
            const labels = (dev.one("kubernetes:karpenter.sh/v1:NodePool").inputs.spec as any).template.metadata.labels;
            expect(labels).to.not.have.property("platform/controllers");
        });

        it("turns off the Service webhook (Ingresses only), and installs the other charts once the controller's webhooks serve", () => {
            const lbc = prod.one(RELEASE, "-lbc");
            expect((lbc.inputs as any).values.enableServiceMutatorWebhook).to.equal(false);
            for (const suffix of ["-metrics-server", "-karpenter", "-secrets-store"]) expect(prod.one(RELEASE, suffix).dependsOn, suffix).to.include(lbc.urn);
            expect(ca.one(RELEASE, "-cluster-autoscaler").dependsOn).to.include(ca.one(RELEASE, "-lbc").urn);
            expect(prod.one("kubernetes:apps/v1:Deployment").dependsOn).to.include(lbc.urn);
        });

        it("may only change load balancers, target groups and security groups it tagged, open security groups only in this VPC; Resource * only for reads", () => {
            const statements = grantsOf(prod, "platform-prod-eks-lbc");
            expect(statements.length).to.be.at.least(10);
            const read = (action: string) => /:(Describe|Get|List)/.test(action);
            for (const statement of statements) {
                const everywhere = statement.Resource.includes("*");
                if (everywhere) expect(statement.Action.every(read), statement.Sid).to.equal(true);
                // Every change to an existing load balancer, target group or security group needs the controller's tag.
                const onExisting = statement.Action.filter((action: string) => /:(Delete|Modify|Set|Register|Deregister)/.test(action) && !/Listener|Rule/.test(action));
                if (onExisting.length > 0) expect(statement.Condition?.Null?.["aws:ResourceTag/elbv2.k8s.aws/cluster"], `${statement.Sid} ${onExisting}`).to.equal("false");
            }
            // The only unconditioned mutations: creating security groups (scoped to the VPC's ARN) and listeners and
            // rules (as upstream: older controllers' listeners carry no tag).
            const unconditioned = statements.filter((s) => !s.Condition && !s.Action.every(read)).map((s) => s.Sid);
            expect(unconditioned.sort()).to.deep.equal(["CreateSecurityGroupsInVpc", "ManageListenersAndRules", "TagListenersAndRules"]);
            const vpcArn = `arn:aws:ec2:eu-west-1:123456789012:vpc/${(prod.one("awsx:ec2:Vpc").state as any).vpcId}`;
            const ingress = statements.find((s) => s.Sid === "OpenBackendSecurityGroups");
            expect(ingress.Action).to.have.members(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]);
            expect(ingress.Condition).to.deep.equal({ ArnEquals: { "ec2:Vpc": vpcArn } });
            expect(statements.find((s) => s.Sid === "CreateSecurityGroupsInVpc").Resource).to.include(vpcArn);
            for (const statement of statements) {
                for (const resource of statement.Resource.filter((r: string) => r !== "*"))
                    expect(resource).to.match(/^arn:aws:(ec2|elasticloadbalancing):eu-west-1:123456789012:|^arn:aws:iam::123456789012:role\/aws-service-role\/elasticloadbalancing/);
            }
            // Every action of upstream's policy (v3.5.0) except WAF, Shield, Cognito and IAM server certificates.
            const actions = new Set(statements.flatMap((s) => s.Action as string[]));
            for (const action of [
                "elasticloadbalancing:DescribeCapacityReservation",
                "ec2:DescribeIpamPools",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyIpPools",
                "elasticloadbalancing:SetRulePriorities",
            ])
                expect(actions, action).to.include(action);
            expect([...actions].filter((action) => /^(wafv2|waf-regional|shield|cognito-idp):/.test(action))).to.deep.equal([]);
            const create = statements.find((s) => s.Sid === "CreateTaggedLoadBalancers");
            expect(create.Condition).to.deep.equal({ Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } });
        });
    });

    describe("Karpenter", () => {
        it("feeds an encrypted interruption queue from EventBridge rules for spot interruptions, rebalances, health and instance state changes", () => {
            const rules = prod.all("aws:cloudwatch/eventRule:EventRule").filter((rule) => rule.name.includes("-karpenter-"));
            expect(rules.map((rule) => JSON.parse(rule.inputs.eventPattern as string)["detail-type"][0]).sort()).to.deep.equal(
                ["AWS Health Event", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification", "EC2 Spot Instance Interruption Warning"].sort(),
            );
            expect(Object.keys(INTERRUPTION_EVENTS)).to.have.length(4);
            const queue = prod.one("aws:sqs/queue:Queue", "-karpenter-interruption");
            const dlq = prod.one("aws:sqs/queue:Queue", "-karpenter-interruption-dlq");
            const dataKey = prod.one("aws:kms/key:Key", "-data").state.arn;
            expect(queue.inputs).to.include({ kmsMasterKeyId: dataKey, messageRetentionSeconds: 300 });
            expect(JSON.parse(queue.inputs.redrivePolicy as string)).to.deep.equal({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 5 });
            expect(dlq.inputs).to.include({ kmsMasterKeyId: dataKey, messageRetentionSeconds: 1209600 });
            for (const target of prod.all("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.name.includes("-karpenter-"))) {
                expect(target.inputs).to.deep.include({ arn: queue.state.arn, deadLetterConfig: { arn: dlq.state.arn } });
            }
            // EventBridge must be able to encrypt into the queues with the data key.
            const keyPolicy = statementsOf(prod.one("aws:kms/key:Key", "-data"));
            expect(keyPolicy.some((s) => s.Principal?.Service === "events.amazonaws.com")).to.equal(true);
        });

        it("lets only this stack's rules send to the queues", () => {
            const ruleArns = prod
                .all("aws:cloudwatch/eventRule:EventRule")
                .filter((rule) => rule.name.includes("-karpenter-"))
                .map((rule) => rule.state.arn);
            const [allow] = statementsOf(prod.one("aws:sqs/queuePolicy:QueuePolicy", "-karpenter-interruption"));
            expect(allow.Condition).to.deep.equal({ ArnEquals: { "aws:SourceArn": ruleArns } });
        });

        it("scopes the controller to instances and launch templates tagged for this cluster, and passes only its node role", () => {
            const statements = grantsOf(prod, "platform-prod-eks-karpenter-controller");
            const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
            expect(bySid.DeleteOwnInstances.Condition.StringEquals).to.deep.equal({ "aws:ResourceTag/kubernetes.io/cluster/platform-prod": "owned" });
            expect(bySid.CreateTaggedInstances.Condition.StringEquals).to.deep.include({ "aws:RequestTag/eks:eks-cluster-name": "platform-prod" });
            expect(bySid.PassNodeRole.Resource).to.deep.equal([prod.one("aws:iam/role:Role", "-karpenter-node").state.arn]);
            expect(bySid.ConsumeInterruptionQueue.Resource).to.deep.equal([prod.one("aws:sqs/queue:Queue", "-karpenter-interruption").state.arn]);
            for (const statement of statements.filter((s) => s.Resource.includes("*"))) {
                expect(
                    statement.Action.every((action: string) => /:(Describe|Get|List)/.test(action)),
                    statement.Sid,
                ).to.equal(true);
            }
            // Unscoped as upstream: IAM does not evaluate ListInstanceProfiles against a profile ARN.
            expect(bySid.ListInstanceProfiles).to.deep.include({ Action: ["iam:ListInstanceProfiles"], Resource: ["*"] });
        });

        it("lets Karpenter's nodes join through an EC2_LINUX access entry with an IMDSv2-only node class", () => {
            expect(prod.one("aws:eks/accessEntry:AccessEntry", "-karpenter-node").inputs).to.include({ type: "EC2_LINUX", principalArn: prod.one("aws:iam/role:Role", "-karpenter-node").state.arn });
            const nodeClass = prod.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass").inputs as any;
            // Exactly the EC2NodeClass v1 fields: a launch-template-only field such as instanceMetadataTags is not one.
            expect(nodeClass.spec.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" });
            expect(nodeClass.spec.amiSelectorTerms).to.deep.equal([{ alias: "bottlerocket@latest" }]);
            for (const mapping of nodeClass.spec.blockDeviceMappings) expect(mapping.ebs.encrypted).to.equal(true);
            expect(nodeClass.spec.subnetSelectorTerms).to.deep.equal((prod.one("awsx:ec2:Vpc").state as any).privateSubnetIds.map((id: string) => ({ id })));
        });

        it("lets the default NodePool use spot in dev only", () => {
            const capacity = (stack: Synthesized) => (stack.one("kubernetes:karpenter.sh/v1:NodePool").inputs as any).spec.template.spec.requirements.find((r: any) => r.key === "karpenter.sh/capacity-type").values;
            expect(capacity(dev)).to.deep.equal(["spot", "on-demand"]);
            expect(capacity(prod)).to.deep.equal(["on-demand"]);
        });

        it("runs two controllers where the system group keeps two nodes, one in dev (the chart's anti-affinity needs a node each)", () => {
            expect((prod.one(RELEASE, "-karpenter").inputs as any).values.replicas).to.equal(2);
            expect((dev.one(RELEASE, "-karpenter").inputs as any).values.replicas).to.equal(1);
        });

        it("installs the pinned chart pointed at the cluster and its queue", () => {
            const release = prod.one(RELEASE, "-karpenter").inputs as any;
            expect(release).to.deep.include({ chart: "oci://public.ecr.aws/karpenter/karpenter", version: CHARTS.KARPENTER.version, namespace: "kube-system" });
            expect(release.values.settings).to.deep.equal({
                clusterName: "platform-prod",
                clusterEndpoint: (prod.one("eks:index:Cluster").state as any).eksCluster.endpoint,
                interruptionQueue: prod.one("aws:sqs/queue:Queue", "-karpenter-interruption").state.name,
            });
        });
    });

    describe("Cluster Autoscaler (the alternative)", () => {
        it("replaces Karpenter: its chart with auto-discovery and a role that resizes only this cluster's groups", () => {
            expect(ca.all("platform:eks:Karpenter")).to.deep.equal([]);
            expect(ca.all("aws:sqs/queue:Queue").filter((q) => q.name.includes("karpenter"))).to.deep.equal([]);
            const release = ca.one(RELEASE, "-cluster-autoscaler").inputs as any;
            expect(release).to.deep.include({ chart: "cluster-autoscaler", version: CHARTS.CLUSTER_AUTOSCALER.version });
            expect(release.values).to.deep.include({ cloudProvider: "aws", awsRegion: "eu-west-1", autoDiscovery: { clusterName: "platform-dev" } });
            const resize = grantsOf(ca, "platform-dev-eks-cluster-autoscaler").find((s) => s.Sid === "ResizeOwnScalingGroups");
            expect(resize.Condition).to.deep.equal({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/platform-dev": "owned" } });
        });
    });

    it("keeps every role's inline policies under IAM's 10,240-character limit per role", () => {
        const sizes = new Map<string, number>();
        for (const policy of prod.all(ROLE_POLICY)) sizes.set(String(policy.inputs.role), (sizes.get(String(policy.inputs.role)) ?? 0) + String(policy.inputs.policy).replace(/\s/g, "").length);
        for (const [role, size] of sizes) expect(size, role).to.be.below(10240);
        expect(sizes.get(prod.one("aws:iam/role:Role", "-eks-lbc").state.name as string)).to.be.above(5000);
    });

    it("installs metrics-server for the HPAs (two replicas with a PDB in prod)", () => {
        expect((prod.one(RELEASE, "-metrics-server").inputs as any).values).to.deep.include({ replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
        expect((dev.one(RELEASE, "-metrics-server").inputs as any).values).to.deep.include({ replicas: 1 });
    });
});
