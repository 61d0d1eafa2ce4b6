import { expect } from "chai";
import { DEFAULT_USAGE, eksAutoModeFeePerHour, estimateCost, formatCost, type CostResource } from "../../platform/offline/cost";

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

    it("takes a stack's first three dashboards by URN as the account's free ones, whatever order they were registered in", () => {
        const dashboards = ["a", "b", "c", "d"].map((name) => res("aws:cloudwatch/dashboard:Dashboard", {}, `dashboard-${name}`));
        const charged = (order: CostResource[]) =>
            estimateCost(order, { region: "eu-west-1" })
                .lines.filter((l) => l.monthly > 0)
                .map((l) => l.name);
        expect(charged(dashboards)).to.deep.equal(["dashboard-d"]);
        expect(charged([...dashboards].reverse())).to.deep.equal(["dashboard-d"]);
        expect(fixedOf(dashboards)).to.equal(fixedOf([...dashboards].reverse()));
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

    it("adds @pulumi/eks's default node group (2 x t3.medium, 20 GiB gp2 root volumes) unless skipped", () => {
        // 73 + 2 x 730 x $0.0416 = $60.74 + 40 GB x $0.10 gp2 = $4.00
        expect(fixedOf([res("eks:index:Cluster", { version: "1.35" })], "us-east-1")).to.equal(73 + 60.74 + 4);
        // eu-west-1: 2 x 730 x $0.0456 = $66.58; 40 GB x $0.11 = $4.40
        expect(fixedOf([res("eks:index:Cluster", { version: "1.35" })], "eu-west-1")).to.equal(73 + 66.58 + 4.4);
        expect(fixedOf([res("eks:index:Cluster", { version: "1.35", skipDefaultNodeGroup: true })], "eu-west-1")).to.equal(73);
    });

    it("prices one NAT gateway for 730 hours in us-west-2 and in eu-central-1 from their own rows", () => {
        const vpc = () => [res("awsx:ec2:Vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 3 })];
        // us-west-2: 730 x $0.045 = $32.85 + $3.65 address; 20 GB x $0.045 = $0.90
        const west = estimateCost(vpc(), { region: "us-west-2" });
        expect([west.fixedMonthly, west.usageMonthly]).to.deep.equal([36.5, 0.9]);
        // eu-central-1: 730 x $0.052 = $37.96 + $3.65; 20 GB x $0.052 = $1.04
        const frankfurt = estimateCost(vpc(), { region: "eu-central-1" });
        expect([frankfurt.fixedMonthly, frankfurt.usageMonthly]).to.deep.equal([41.61, 1.04]);
    });

    it("names the price rows not confirmed for the region, and the amount that rests on them", () => {
        // The NAT gateway rows are confirmed for us-west-2 but not for eu-central-1; the public IPv4 rate everywhere.
        const vpc = [res("awsx:ec2:Vpc", { natGateways: { strategy: "Single" } })];
        expect(estimateCost(vpc, { region: "us-west-2" }).unconfirmedPrices).to.deep.equal([]);
        const frankfurt = estimateCost(vpc, { region: "eu-central-1" });
        expect(frankfurt.unconfirmedPrices).to.deep.equal(["vpc.natGateway.gb", "vpc.natGateway.hour"]);
        expect(formatCost(frankfurt)).to.contain("note: $39.00 of it uses 2 price rows not confirmed for eu-central-1 against a readable page");
    });

    it("prices pods a Fargate profile takes: requests plus 256 MiB, rounded up to a Fargate size, x86", () => {
        const profile = res("aws:eks/fargateProfile:FargateProfile", { selectors: [{ namespace: "kube-system", labels: { "app.kubernetes.io/name": "karpenter" } }] });
        const release = (chart: string, requests: Record<string, string>, replicas: number) =>
            res("kubernetes:helm.sh/v3:Release", { chart, name: "karpenter", namespace: "kube-system", values: { replicas, controller: { resources: { requests } } } });
        // 250m / 512Mi -> 0.25 vCPU / 1 GB; 2 x 730 x (0.25 x $0.04048 + 1 x $0.004445) = $14.78 + $6.49
        const on = estimateCost([profile, release("oci://public.ecr.aws/karpenter/karpenter", { cpu: "250m", memory: "512Mi" }, 2)], { region: "eu-west-1" });
        expect(on.lines.map((l) => [l.priceId, l.monthly])).to.deep.equal([
            ["fargate.x86.vcpu", 14.78],
            ["fargate.x86.gb", 6.49],
        ]);
        // A chart the selector does not take runs on nodes priced elsewhere.
        expect(estimateCost([profile, release("metrics-server", { cpu: "100m", memory: "200Mi" }, 1)], { region: "eu-west-1" }).lines).to.deep.equal([]);
    });

    it("prices a Route 53 hosted zone, an HTTP API stage and an EBS-backed claim; a function URL is free", () => {
        const report = estimateCost(
            [
                res("aws:route53/zone:Zone", { name: "example.com" }),
                res("aws:apigatewayv2/stage:Stage", { name: "$default" }),
                res("kubernetes:core/v1:PersistentVolumeClaim", { spec: { resources: { requests: { storage: "10Gi" } } } }),
                res("aws:lambda/functionUrl:FunctionUrl", { authorizationType: "AWS_IAM" }),
            ],
            { region: "eu-west-1" },
        );
        // $0.50 zone; 0.1 M x $1.11 = $0.11; 10 GB x $0.088 = $0.88
        expect(report.lines.map((l) => [l.kind, l.priceId, l.monthly])).to.deep.equal([
            ["fixed", "route53.hostedZone.month", 0.5],
            ["usage", "apigateway.http.requests", 0.11],
            ["usage", "ebs.gp3.gb", 0.88],
        ]);
        expect(report.freeResources).to.equal(1);
    });

    it("prices an alarm per metric it evaluates: a metric-math alarm pays for each metric, not its expression", () => {
        const plain = res("aws:cloudwatch/metricAlarm:MetricAlarm", { metricName: "Errors" });
        const math = res("aws:cloudwatch/metricAlarm:MetricAlarm", {
            metricQueries: [
                { id: "e", expression: "a/b" },
                { id: "a", metric: { metricName: "5xx" } },
                { id: "b", metric: { metricName: "Requests" } },
            ],
        });
        expect(estimateCost([plain, math], { region: "eu-west-1" }).lines.map((l) => [l.quantity, l.monthly])).to.deep.equal([
            [1, 0.1],
            [2, 0.2],
        ]);
    });

    it("prices the tasks a workflow runs (runTask) as usage, and a task definition nothing runs as nothing", () => {
        const task = res("aws:ecs/taskDefinition:TaskDefinition", { family: "platform-dev-batch-item", cpu: "256", memory: "512", runtimePlatform: { cpuArchitecture: "ARM64" } });
        const machine = res("aws:sfn/stateMachine:StateMachine", {
            definition: JSON.stringify({
                States: { P: { Type: "Task", Resource: "arn:aws:states:::ecs:runTask.sync", Parameters: { TaskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/platform-dev-batch-item:1" } } },
            }),
        });
        // 5 task-hours x (0.25 x $0.03238 + 0.5 x $0.00356) = $0.04 + $0.01
        const lines = estimateCost([task, machine], { region: "eu-west-1" }).lines.filter((l) => l.type === task.type);
        expect(lines.map((l) => [l.kind, l.priceId, l.monthly])).to.deep.equal([
            ["usage", "fargate.arm64.vcpu", 0.04],
            ["usage", "fargate.arm64.gb", 0.01],
        ]);
        expect(estimateCost([task], { region: "eu-west-1" }).lines).to.deep.equal([]);
    });

    it("derives EKS Auto Mode's management fee from the instance's on-demand row", () => {
        // 12% of m7g.large: us-east-1 $0.0816 -> $0.009792; eu-west-1 $0.0892 -> $0.010704
        expect(eksAutoModeFeePerHour("m7g.large", "us-east-1")).to.equal(0.009792);
        expect(eksAutoModeFeePerHour("m7g.large", "eu-west-1")).to.equal(0.010704);
        expect(eksAutoModeFeePerHour("x9.huge", "eu-west-1")).to.equal(undefined);
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
