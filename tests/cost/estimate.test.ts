import { expect } from "chai";
import { DEFAULT_USAGE, estimateCost, formatCost, type CostResource } from "../../platform/offline/cost";

/** Hand-computed figures from the price table (platform/offline/cost/prices.ts), 730 hours a month. */

let serial = 0;
const res = (type: string, inputs: Record<string, unknown>, name = `r${++serial}`): CostResource => ({ urn: `urn:pulumi:dev::platform::${type}::${name}`, type, name, inputs });
const fixedOf = (resources: CostResource[], region = "eu-west-1", date = "2026-12-05") => estimateCost(resources, { region, date }).fixedMonthly;

describe("cost estimate", () => {
    it("prices one NAT gateway in eu-west-1 for 730 hours, its elastic IP, and its data under the stated assumption", () => {
        const report = estimateCost([res("awsx:ec2:Vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 2 })], { region: "eu-west-1" });
        // 730 x $0.048 = $35.04; 730 x $0.005 = $3.65; 20 GB x $0.048 = $0.96
        expect(report.lines.map((l) => [l.kind, l.priceId, l.monthly])).to.deep.equal([
            ["fixed", "vpc.natGateway.hour", 35.04],
            ["fixed", "vpc.publicIpv4.hour", 3.65],
            ["usage", "vpc.natGateway.gb", 0.96],
        ]);
        expect(report.lines[2].assumption).to.equal("20 GB per gateway per month (natGbPerMonth)");
        expect(report.fixedMonthly).to.equal(38.69);
    });

    it("counts awsx's default (a NAT gateway per AZ) and none for strategy None", () => {
        expect(fixedOf([res("awsx:ec2:Vpc", { numberOfAvailabilityZones: 3 })], "us-east-1")).to.be.closeTo(3 * 730 * 0.045 + 3 * 730 * 0.005, 0.005);
        expect(fixedOf([res("awsx:ec2:Vpc", { natGateways: { strategy: "None" } })])).to.equal(0);
    });

    it("prices the EKS control plane by support tier: extended only with upgrade policy EXTENDED past standard support", () => {
        const cluster = (version: string, supportType: string) => [res("eks:index:Cluster", { version, upgradePolicy: { supportType }, skipDefaultNodeGroup: true })];
        expect(fixedOf(cluster("1.33", "STANDARD"))).to.equal(73);
        expect(fixedOf(cluster("1.33", "EXTENDED"), "eu-west-1", "2026-12-05")).to.equal(438);
        expect(fixedOf(cluster("1.33", "EXTENDED"), "eu-west-1", "2026-07-01")).to.equal(73);
    });

    it("adds @pulumi/eks's default node group (2 x t2.medium) unless skipped", () => {
        // 73 + 2 x 730 x $0.0464 + 40 GB x $0.08
        expect(fixedOf([res("eks:index:Cluster", { version: "1.35" })], "us-east-1")).to.equal(73 + 67.74 + 3.2);
    });

    it("prices a node group at its desired size, spot at the stated fraction, with its launch template's volumes", () => {
        const template = res("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ ebs: { volumeSize: 4 } }, { ebs: { volumeSize: 20 } }] }, "system");
        template.id = "lt-1";
        const group = res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["t4g.medium"], capacityType: "ON_DEMAND", scalingConfig: { desiredSize: 2, minSize: 1 }, launchTemplate: { id: "lt-1" } }, "system");
        const report = estimateCost([template, group], { region: "eu-west-1" });
        // 2 x 730 x $0.0368 = $53.73; 48 GB x $0.088 = $4.22
        expect(report.lines.map((l) => l.monthly)).to.deep.equal([53.73, 4.22]);
        const spot = res("aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["m7g.large"], capacityType: "SPOT", scalingConfig: { desiredSize: 1 }, diskSize: 20 });
        expect(estimateCost([spot], { region: "eu-west-1" }).lines[0]).to.include({ monthly: 22.79, assumption: "spot at 35% of on-demand" });
    });

    it("puts no ARM64 Fargate task on FARGATE_SPOT, and splits x86 tasks beyond the base by weight", () => {
        const task = (family: string, cpuArchitecture: string) => res("aws:ecs/taskDefinition:TaskDefinition", { family, cpu: "256", memory: "512", runtimePlatform: { cpuArchitecture } });
        const service = (family: string, desiredCount: number) =>
            res("aws:ecs/service:Service", {
                desiredCount,
                taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:1`,
                capacityProviderStrategies: [
                    { capacityProvider: "FARGATE", base: 0, weight: 1 },
                    { capacityProvider: "FARGATE_SPOT", weight: 3 },
                ],
            });
        // arm64, 1 task on demand: 730 x (0.25 x $0.03238 + 0.5 x $0.00356) = $5.91 + $1.30
        expect(fixedOf([task("arm", "ARM64"), service("arm", 1)])).to.equal(7.21);
        // x86, 4 tasks, 3 on spot at 30%: 4 x 730 x (0.25 x $0.04048 + 0.5 x $0.004445) x (0.25 + 0.75 x 0.3)
        const x86 = estimateCost([task("x86", "X86_64"), service("x86", 4)], { region: "eu-west-1" });
        expect(x86.fixedMonthly).to.be.closeTo(4 * 730 * (0.25 * 0.04048 + 0.5 * 0.004445) * 0.475, 0.01);
        expect(x86.lines[0].assumption).to.equal("75% on FARGATE_SPOT at 30% of the on-demand price");
    });

    it("prices one ALB per Ingress, and one for all Ingresses of an IngressGroup", () => {
        const ingress = (group?: string) =>
            res("kubernetes:networking.k8s.io/v1:Ingress", {
                metadata: { annotations: { "alb.ingress.kubernetes.io/scheme": "internal", ...(group ? { "alb.ingress.kubernetes.io/group.name": group } : {}) } },
                spec: { ingressClassName: "alb" },
            });
        expect(fixedOf([ingress(), ingress()])).to.equal(2 * 18.4);
        expect(fixedOf([ingress("shared"), ingress("shared")])).to.equal(18.4);
    });

    it("prices a provisioned Kinesis stream by shard and an on-demand one by stream-hour", () => {
        expect(fixedOf([res("aws:kinesis/stream:Stream", { shardCount: 1, streamModeDetails: { streamMode: "PROVISIONED" } })])).to.equal(12.05);
        expect(fixedOf([res("aws:kinesis/stream:Stream", { streamModeDetails: { streamMode: "ON_DEMAND" } })])).to.equal(32.12);
    });

    it("says when the region has no prices, and prices nothing rather than guessing", () => {
        const report = estimateCost([res("aws:kms/key:Key", {})], { region: "ap-south-1" });
        expect(report.regionPriced).to.equal(false);
        expect(report.fixedMonthly).to.equal(0);
        expect(formatCost(report)).to.contain("note: no prices for ap-south-1 in platform/offline/cost/prices.ts");
    });

    it("lists types without a catalog entry instead of pricing them at zero silently", () => {
        const report = estimateCost([res("aws:rds/instance:Instance", {})], { region: "eu-west-1" });
        expect(report.unpriced).to.deep.equal(["aws:rds/instance:Instance"]);
        expect(formatCost(report)).to.contain("not estimated (no entry in platform/offline/cost/catalog.ts): aws:rds/instance:Instance");
    });

    it("applies usage overrides to usage lines only", () => {
        const vpc = [res("awsx:ec2:Vpc", { natGateways: { strategy: "Single" } })];
        const report = estimateCost(vpc, { region: "eu-west-1", usage: { ...DEFAULT_USAGE, natGbPerMonth: 1000 } });
        expect(report.usageMonthly).to.equal(48);
        expect(report.fixedMonthly).to.equal(38.69);
    });
});
