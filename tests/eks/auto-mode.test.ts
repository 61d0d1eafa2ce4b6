import { expect } from "chai";
import { AUTO_MODE_CLUSTER_POLICIES, AUTO_MODE_NODE_POLICIES } from "../../platform/eks/cluster";
import { AUTO_MODE_ALB_CONTROLLER, AUTO_NODE_ACCESS_POLICY, nodePoolArchitectures } from "../../platform/eks/auto-mode";
import { estimateCost } from "../../platform/offline/cost";
import { runPolicyGate } from "../../platform/offline/policy-gate";
import { parseJson } from "../helpers";
import { eksAutoMode, eksAutoModeProd, eksDev, synth, Synthesized, WEB } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** The managed policies attached to the role with this logical name. */
function managedPoliciesOf(stack: Synthesized, roleName: string): string[] {
    const role = stack.one("aws:iam/role:Role", roleName);
    return stack
        .all(ATTACHMENT)
        .filter((a) => a.inputs.role === role.state.name)
        .map((a) => a.inputs.policyArn as string)
        .sort();
}

describe("EKS Auto Mode (eks.compute: autoMode)", () => {
    let auto: Synthesized;
    let managed: Synthesized;
    before(async () => {
        auto = await eksAutoMode();
        managed = await eksDev();
    });

    it("builds no node group and no Helm release for the controllers it replaces (Karpenter, the Load Balancer Controller), where managed compute has them", () => {
        const charts = (stack: Synthesized) => stack.all(RELEASE).map((r) => String(r.inputs.chart));
        expect(managed.all("aws:eks/nodeGroup:NodeGroup")).to.have.length(1);
        expect(charts(managed)).to.include.members(["aws-load-balancer-controller", "oci://public.ecr.aws/karpenter/karpenter"]);
        expect(auto.all("aws:eks/nodeGroup:NodeGroup")).to.deep.equal([]);
        expect(auto.all("aws:ec2/launchTemplate:LaunchTemplate")).to.deep.equal([]);
        expect(charts(auto)).to.deep.equal(["metrics-server"]);
        expect(auto.all("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")).to.deep.equal([]);
        expect(auto.all("aws:sqs/queue:Queue").filter((q) => q.name.includes("karpenter"))).to.deep.equal([]);
    });

    it("installs neither the networking add-ons nor the EBS CSI driver (Auto Mode runs them); the gp3 class names Auto Mode's provisioner", () => {
        const addons = auto.all("aws:eks/addon:Addon").map((a) => a.inputs.addonName);
        expect(addons).to.deep.equal(["amazon-cloudwatch-observability"]);
        const storageClass = auto.one("kubernetes:storage.k8s.io/v1:StorageClass");
        expect(storageClass.inputs.provisioner).to.equal("ebs.csi.eks.amazonaws.com");
        expect(storageClass.inputs.parameters).to.include({ type: "gp3", encrypted: "true" });
        // The cluster role creates the volumes, so it (and no driver role) may use the data key for them.
        const keyUse = auto.one("aws:iam/rolePolicy:RolePolicy", "-ebs-auto-mode");
        expect(keyUse.inputs.role).to.equal(auto.one("aws:iam/role:Role", "-eks-cluster").state.name);
        expect(auto.all("aws:iam/role:Role").filter((r) => r.name.endsWith("-ebs-csi"))).to.deep.equal([]);
    });

    it("turns on the cluster's compute (built-in system and general-purpose pools on its own node role), block storage and load balancing", () => {
        const cluster = auto.one("eks:index:Cluster");
        const nodeRole = auto.one("aws:iam/role:Role", "-eks-builtin-nodes");
        expect(cluster.inputs.autoMode).to.deep.equal({ enabled: true, createNodeRole: false, computeConfig: { nodeRoleArn: nodeRole.state.arn, nodePools: ["system", "general-purpose"] } });
        expect(managed.one("eks:index:Cluster").inputs.autoMode).to.equal(undefined);
    });

    it("gives the cluster role the documented Auto Mode policies and sts:TagSession, and the node roles exactly the minimal worker policy and ECR pull", () => {
        expect(managedPoliciesOf(auto, "-eks-cluster")).to.deep.equal(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", ...AUTO_MODE_CLUSTER_POLICIES].sort());
        expect(AUTO_MODE_CLUSTER_POLICIES.map((arn) => arn.split("/").pop()).sort()).to.deep.equal(["AmazonEKSBlockStoragePolicy", "AmazonEKSComputePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"]);
        const trust = parseJson(auto.one("aws:iam/role:Role", "-eks-cluster").inputs.assumeRolePolicy);
        expect(trust.Statement[0].Action).to.include.members(["sts:AssumeRole", "sts:TagSession"]);
        const nodePolicies = ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy"];
        expect(AUTO_MODE_NODE_POLICIES.slice().sort()).to.deep.equal(nodePolicies);
        expect(managedPoliciesOf(auto, "-eks-builtin-nodes")).to.deep.equal(nodePolicies);
        expect(managedPoliciesOf(auto, "-eks-auto-mode-nodes")).to.deep.equal(nodePolicies);
        // Managed compute keeps only the cluster policy.
        expect(managedPoliciesOf(managed, "-eks-cluster")).to.deep.equal(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
    });

    it("adds a Graviton NodePool on its own NodeClass, spot first in dev and on-demand only in prod, whose node role joins through an EC2 access entry with AmazonEKSAutoNodePolicy", async () => {
        const pool = auto.one("kubernetes:karpenter.sh/v1:NodePool");
        const template = (pool.inputs.spec as any).template.spec;
        expect(template.nodeClassRef).to.deep.equal({ group: "eks.amazonaws.com", kind: "NodeClass", name: "platform" });
        const requirement = (spec: any, key: string) => spec.requirements.find((r: any) => r.key === key).values;
        expect(requirement(template, "kubernetes.io/arch")).to.deep.equal(["arm64"]);
        expect(requirement(template, "karpenter.sh/capacity-type")).to.deep.equal(["spot", "on-demand"]);
        const prodPool = (await eksAutoModeProd()).one("kubernetes:karpenter.sh/v1:NodePool");
        expect(requirement((prodPool.inputs.spec as any).template.spec, "karpenter.sh/capacity-type")).to.deep.equal(["on-demand"]);
        const nodeClass = auto.one("kubernetes:eks.amazonaws.com/v1:NodeClass");
        const nodes = auto.one("aws:iam/role:Role", "-eks-auto-mode-nodes");
        expect((nodeClass.inputs.spec as any).role).to.equal(nodes.state.name);
        expect(auto.one("aws:eks/accessEntry:AccessEntry", "-eks-auto-mode-nodes").inputs).to.include({ type: "EC2", principalArn: nodes.state.arn });
        expect(auto.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs).to.deep.include({ policyArn: AUTO_NODE_ACCESS_POLICY, accessScope: { type: "cluster" } });
    });

    it("adds amd64 to the NodePool only when an x86_64 app needs it (the apps' pods select its nodes)", async () => {
        expect(nodePoolArchitectures([])).to.deep.equal(["arm64"]);
        expect(nodePoolArchitectures(["arm64", "arm64"])).to.deep.equal(["arm64"]);
        expect(nodePoolArchitectures(["x86_64", "arm64"])).to.deep.equal(["arm64", "amd64"]);
        const x86 = await synth("dev", { apps: { web: { ...WEB, architecture: "x86_64" } }, eks: { compute: "autoMode" } });
        const template = (x86.one("kubernetes:karpenter.sh/v1:NodePool").inputs.spec as any).template.spec;
        expect(template.requirements.find((r: any) => r.key === "kubernetes.io/arch").values).to.deep.equal(["amd64"]);
        const selector = (x86.one("kubernetes:apps/v1:Deployment").inputs.spec as any).template.spec.nodeSelector;
        expect(selector).to.deep.equal({ "kubernetes.io/arch": "amd64", "platform/node-role": "workload" });
    });

    it("serves the apps' Ingresses through an alb IngressClass of Auto Mode (controller eks.amazonaws.com/alb, with IngressClassParams); the Ingress is the same on both modes", async () => {
        // dev shares one load balancer across runtimes (a TargetGroupBinding on managed nodes), so
        // the managed twin gives each app its own, as Auto Mode does.
        const managedPerApp = await synth("dev", { apps: { web: WEB }, network: { loadBalancers: "perApp" } });
        const ingressClass = auto.one("kubernetes:networking.k8s.io/v1:IngressClass");
        expect(ingressClass.inputs.spec).to.deep.equal({ controller: AUTO_MODE_ALB_CONTROLLER, parameters: { apiGroup: "eks.amazonaws.com", kind: "IngressClassParams", name: "alb" } });
        expect(auto.one("kubernetes:eks.amazonaws.com/v1:IngressClassParams").inputs.metadata).to.deep.equal({ name: "alb" });
        // The access-log bucket may differ: the ECS runtime's, or the EKS runtime's own when no ECS app has a load balancer of its own.
        const ingress = (stack: Synthesized) => {
            const inputs = structuredClone(stack.one("kubernetes:networking.k8s.io/v1:Ingress").inputs) as any;
            const attributes = "alb.ingress.kubernetes.io/load-balancer-attributes";
            inputs.metadata.annotations[attributes] = String(inputs.metadata.annotations[attributes]).replace(/access_logs\.s3\.bucket=[^,]+/, "access_logs.s3.bucket=<bucket>");
            return inputs;
        };
        expect(ingress(auto)).to.deep.equal(ingress(managedPerApp));
        expect(ingress(auto).spec.ingressClassName).to.equal("alb");
        expect(auto.one("kubernetes:networking.k8s.io/v1:Ingress").dependsOn).to.include(ingressClass.urn);
    });

    it("turns on NetworkPolicy enforcement (the apps' default deny) and keeps Fargate profiles", () => {
        expect(auto.one("kubernetes:core/v1:ConfigMap").inputs).to.deep.include({ metadata: { name: "amazon-vpc-cni", namespace: "kube-system" }, data: { "enable-network-policy-controller": "true" } });
        expect(auto.one("aws:eks/fargateProfile:FargateProfile").inputs.selectors).to.deep.equal([{ namespace: "batch" }]);
    });

    it("passes the policy pack at prod's thresholds with no node group to check, and its node roles pull from ECR only", async () => {
        const prod = await eksAutoModeProd();
        const gate = await runPolicyGate(prod.resources);
        expect(gate.indeterminate).to.equal(0);
        expect(gate.blocking.map((v) => `${v.policy} ${v.name}: ${v.message}`)).to.deep.equal([]);
        expect(gate.violations.filter((v) => /^eks-/.test(v.policy)).map((v) => `${v.policy} ${v.name}`)).to.deep.equal([]);
    });

    it("prices the node the apps keep up and Auto Mode's management fee on it", () => {
        const report = estimateCost(auto.resources, { region: "eu-west-1", date: "2026-12-05" });
        const fee = report.lines.find((l) => l.what.startsWith("EKS Auto Mode management fee"))!;
        // 730 h x $0.0892 (m7g.large, eu-west-1) x 12%
        expect(fee.monthly).to.be.closeTo(730 * 0.0892 * 0.12, 0.01);
        expect(report.lines.filter((l) => l.what.startsWith("node group"))).to.deep.equal([]);
    });
});
