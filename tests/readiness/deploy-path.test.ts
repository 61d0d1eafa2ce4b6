import { expect } from "chai";
import { DEPLOY_PATH } from "../../platform/offline/readiness/deploy-path";
import type { SynthResult } from "../../platform/offline/synth";
import { broken, pick, run, stackFile } from "./fixtures";

const CLUSTER = "eks:index:Cluster";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("readiness: deploy-path", function () {
    // The shipped stacks are synthesized once per run (shared with other suites); a cold start takes longer than the default.
    this.timeout(120_000);

    const stacks: Record<string, SynthResult> = {};
    before(async () => {
        for (const name of ["dev", "staging", "prod"]) stacks[name] = await stackFile(name);
    });

    it("passes the shipped stacks: each private endpoint admits 443 from the VPC through the control plane's own group", () => {
        for (const [name, result] of Object.entries(stacks)) {
            expect(pick(result.cloud.resources, CLUSTER).inputs.endpointPublicAccess, name).to.equal(false);
            expect(run(DEPLOY_PATH, result.cloud.resources), name).to.deep.equal([]);
        }
    });

    it("fails a private endpoint whose control-plane group has no rule for 443 (the cluster as it was built before)", () => {
        const resources = broken(stacks.prod.cloud.resources, (copy) => {
            const group = pick(copy, "aws:ec2/securityGroup:SecurityGroup", "-eks-api");
            for (const rule of copy.filter((r) => r.type === INGRESS_RULE && r.inputs.securityGroupId === group.state.id)) rule.inputs.fromPort = rule.inputs.toPort = 22;
        });
        const found = run(DEPLOY_PATH, resources);
        expect(found.map((f) => [f.type, f.severity])).to.deep.equal([[CLUSTER, "failure"]]);
        expect(found[0].message).to.match(/no security group rule of the control plane admits 443/);
        expect(found[0].message).to.contain("platform:eks.endpoint.privateAccessCidrs");
    });

    it("fails a private endpoint with only the EKS-created group (no clusterSecurityGroup attached)", () => {
        const resources = broken(stacks.prod.cloud.resources, (copy) => {
            delete pick(copy, CLUSTER).inputs.clusterSecurityGroup;
        });
        expect(run(DEPLOY_PATH, resources).map((f) => f.severity)).to.deep.equal(["failure"]);
    });

    it("accepts an inline ingress rule for 443 on the attached group", () => {
        const resources = broken(stacks.prod.cloud.resources, (copy) => {
            const group = pick(copy, "aws:ec2/securityGroup:SecurityGroup", "-eks-api");
            for (const rule of copy.filter((r) => r.type === INGRESS_RULE && r.inputs.securityGroupId === group.state.id)) rule.inputs.fromPort = rule.inputs.toPort = 22;
            group.inputs.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.8.0.0/16"] }];
        });
        expect(run(DEPLOY_PATH, resources)).to.deep.equal([]);
    });

    it("accepts a rule on the EKS-created group, and a public endpoint limited to named CIDRs", () => {
        const onEksGroup = broken(stacks.prod.cloud.resources, (copy) => {
            const cluster = pick(copy, CLUSTER);
            delete cluster.inputs.clusterSecurityGroup;
            const eksGroup = (cluster.state.eksCluster as any).vpcConfig.clusterSecurityGroupId;
            copy.filter((r) => r.type === INGRESS_RULE).forEach(
                (rule, index) => index === 0 && Object.assign(rule.inputs, { securityGroupId: eksGroup, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.8.0.0/16" }),
            );
        });
        expect(run(DEPLOY_PATH, onEksGroup)).to.deep.equal([]);
        const publicEndpoint = broken(stacks.prod.cloud.resources, (copy) => {
            const cluster = pick(copy, CLUSTER);
            delete cluster.inputs.clusterSecurityGroup;
            Object.assign(cluster.inputs, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
        });
        expect(run(DEPLOY_PATH, publicEndpoint)).to.deep.equal([]);
    });
});
