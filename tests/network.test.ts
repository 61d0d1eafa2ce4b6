import { expect } from "chai";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import type { SynthResult } from "../platform/offline/synth";
import { only, parseJson, synthPlatform } from "./helpers";

describe("network", () => {
    let dev: SynthResult;
    let prod: SynthResult;
    before(async () => {
        dev = await synthPlatform("dev", { profile: "dev" });
        prod = await synthPlatform("prod", { profile: "prod" });
    });
    const vpcOf = (result: SynthResult) => only(result.cloud.resources, "awsx:ec2:Vpc");

    it("spans 2 AZs in dev with a NAT instance instead of a NAT gateway", () => {
        const vpc = vpcOf(dev);
        expect(vpc.inputs.numberOfAvailabilityZones).to.equal(2);
        expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "None" });
        expect((vpc.state.natGateways as unknown[]).length).to.equal(0);
        expect(dev.cloud.ofType("aws:ec2/instance:Instance").map((i) => i.name)).to.deep.equal(["platform-dev-nat"]);
    });

    it("builds the NAT instance to forward: smallest arm64 type, AMI from the public SSM parameter, source/dest check off, in a public subnet, routes from every private route table", () => {
        const vpc = vpcOf(dev);
        const instance = only(dev.cloud.resources, "aws:ec2/instance:Instance", "-nat");
        expect(instance.inputs).to.deep.include({ instanceType: "t4g.nano", sourceDestCheck: false, associatePublicIpAddress: true, subnetId: (vpc.state.publicSubnetIds as string[])[0] });
        expect(instance.inputs.ami).to.match(/^ami-[0-9a-f]{17}$/);
        expect(dev.cloud.invokes.map((i) => i.inputs.name)).to.include("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
        expect(instance.inputs.metadataOptions).to.deep.include({ httpTokens: "required" });
        expect(instance.inputs.rootBlockDevice).to.deep.include({ encrypted: true });
        expect(instance.inputs.userData).to.contain("net.ipv4.ip_forward = 1").and.to.contain("-s 10.10.0.0/16 -j MASQUERADE");

        const sg = only(dev.cloud.resources, "aws:ec2/securityGroup:SecurityGroup", "-nat");
        expect(instance.inputs.vpcSecurityGroupIds).to.deep.equal([sg.state.id ?? sg.id]);
        expect((sg.inputs.ingress as Record<string, unknown>[]).map((rule) => rule.cidrBlocks)).to.deep.equal([["10.10.0.0/16"]]);

        // Each private subnet's route table (not the public ones) sends 0.0.0.0/0 to the instance.
        const privateSubnets = vpc.state.privateSubnetIds as string[];
        const associations = vpc.state.routeTableAssociations as { subnetId: string; routeTableId: string }[];
        const privateTables = privateSubnets.map((id) => associations.find((a) => a.subnetId === id)!.routeTableId);
        const routes = dev.cloud.ofType("aws:ec2/route:Route");
        expect(routes.map((r) => r.inputs.routeTableId).sort()).to.deep.equal([...privateTables].sort());
        for (const route of routes) expect(route.inputs).to.deep.include({ destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: instance.state.primaryNetworkInterfaceId });

        // Monitored: a failed system check recovers the instance and notifies; a failed instance check notifies.
        const topic = only(dev.cloud.resources, "aws:sns/topic:Topic", "-alarms").state.arn;
        const systemCheck = only(dev.cloud.resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "-nat-system-check");
        expect(systemCheck.inputs.alarmActions).to.deep.equal(["arn:aws:automate:eu-west-1:ec2:recover", topic]);
        expect(only(dev.cloud.resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "-nat-instance-check").inputs.alarmActions).to.deep.equal([topic]);
    });

    it("spans 3 AZs with one NAT gateway per AZ in prod", () => {
        const vpc = vpcOf(prod);
        expect(vpc.inputs.numberOfAvailabilityZones).to.equal(3);
        expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
        expect((vpc.state.natGateways as unknown[]).length).to.equal(3);
        expect((vpc.state.privateSubnetIds as unknown[]).length).to.equal(3);
    });

    it("creates no NAT gateway when the strategy is none", async () => {
        const result = await synthPlatform("dev", { network: { natStrategy: "none" } });
        expect(vpcOf(result).inputs.natGateways).to.deep.equal({ strategy: "None" });
        expect(vpcOf(result).state.natGateways).to.deep.equal([]);
    });

    it("passes explicit zone names through instead of a count", async () => {
        const result = await synthPlatform("dev", { network: { availabilityZoneNames: ["eu-west-1b", "eu-west-1c"] } });
        expect(vpcOf(result).inputs.availabilityZoneNames).to.deep.equal(["eu-west-1b", "eu-west-1c"]);
        expect(vpcOf(result).inputs).to.not.have.property("numberOfAvailabilityZones");
    });

    it("lays subnets out in fixed slots of the profile's VPC CIDR", () => {
        const vpc = vpcOf(prod);
        expect(vpc.inputs.cidrBlock).to.equal("10.30.0.0/16");
        const specs = vpc.inputs.subnetSpecs as { type: string; cidrBlocks: string[] }[];
        expect(specs.find((s) => s.type === "Private")!.cidrBlocks).to.deep.equal(["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]);
        expect(specs.find((s) => s.type === "Public")!.cidrBlocks).to.deep.equal(["10.30.128.0/21", "10.30.136.0/21", "10.30.144.0/21"]);
        expect(vpc.inputs.enableDnsHostnames).to.equal(true);
    });

    it("tags subnets for the AWS Load Balancer Controller and Karpenter discovery", () => {
        const specs = vpcOf(dev).inputs.subnetSpecs as { type: string; tags: Record<string, string> }[];
        const privateTags = specs.find((s) => s.type === "Private")!.tags;
        const publicTags = specs.find((s) => s.type === "Public")!.tags;
        expect(privateTags).to.include({ "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": "platform-dev" });
        expect(publicTags).to.include({ "kubernetes.io/role/elb": "1" });
        expect(publicTags).to.not.have.property("karpenter.sh/discovery");
    });

    for (const [stack, retention] of [
        ["dev", 14],
        ["prod", 365],
    ] as const) {
        it(`sends flow logs of all traffic to a KMS-encrypted log group kept ${retention} days in ${stack}`, () => {
            const result = stack === "dev" ? dev : prod;
            const resources = result.cloud.resources;
            const group = only(resources, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs");
            const flowLog = only(resources, "aws:ec2/flowLog:FlowLog");
            const logsKey = only(resources, "aws:kms/key:Key", "-logs");
            expect(group.inputs.retentionInDays).to.equal(retention);
            expect(group.inputs.kmsKeyId).to.equal(logsKey.state.arn);
            expect(flowLog.inputs).to.include({ trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.state.arn, vpcId: vpcOf(result).state.vpcId });
            expect(flowLog.inputs.iamRoleArn).to.equal(only(resources, "aws:iam/role:Role", "-flow-logs").state.arn);
        });
    }

    it("protects the flow-log group in prod only", () => {
        expect(only(prod.cloud.resources, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs").protect).to.equal(true);
        expect(only(dev.cloud.resources, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs").protect).to.equal(false);
    });

    it("lets only VPC Flow Logs of this account assume the flow-log role, and only write to its own log group", () => {
        const resources = dev.cloud.resources;
        const trust = parseJson(only(resources, "aws:iam/role:Role", "-flow-logs").inputs.assumeRolePolicy);
        expect(trust.Statement).to.have.length(1);
        expect(trust.Statement[0].Principal).to.deep.equal({ Service: "vpc-flow-logs.amazonaws.com" });
        expect(trust.Statement[0].Condition.StringEquals).to.deep.equal({ "aws:SourceAccount": "123456789012" });
        const policy = parseJson(only(resources, "aws:iam/rolePolicy:RolePolicy", "-flow-logs").inputs.policy);
        const groupArn = only(resources, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs").state.arn;
        expect(policy.Statement[0].Resource).to.deep.equal([groupArn, `${String(groupArn)}:*`]);
        expect(policy.Statement[0].Action).to.not.include("logs:*");
    });

    it("keys the logs KMS key to CloudWatch Logs of this region and account only", () => {
        const keyPolicy = parseJson(only(dev.cloud.resources, "aws:kms/key:Key", "-logs").inputs.policy);
        const logsStatement = keyPolicy.Statement.find((s: any) => s.Principal?.Service === "logs.eu-west-1.amazonaws.com");
        expect(logsStatement.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.equal("arn:aws:logs:eu-west-1:123456789012:log-group:*");
        expect(only(dev.cloud.resources, "aws:kms/key:Key", "-logs").inputs.enableKeyRotation).to.equal(true);
    });

    it("strips every rule from the default security group", () => {
        const defaultSg = only(dev.cloud.resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        expect(defaultSg.inputs.ingress).to.deep.equal([]);
        expect(defaultSg.inputs.egress).to.deep.equal([]);
    });

    it("routes S3 and DynamoDB through gateway endpoints on every route table", () => {
        const endpoints = dev.cloud.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Gateway");
        expect(endpoints.map((e) => e.inputs.serviceName)).to.have.members(["com.amazonaws.eu-west-1.s3", "com.amazonaws.eu-west-1.dynamodb"]);
        const tableIds = (vpcOf(dev).state.routeTables as { id: string }[]).map((t) => t.id);
        expect(tableIds).to.have.length(4);
        for (const endpoint of endpoints) expect(endpoint.inputs.routeTableIds).to.deep.equal(tableIds);
    });

    it("adds no interface endpoints in dev (cost) and the configured ones in prod, private and HTTPS-only", () => {
        const interfaceEndpoints = (result: SynthResult) => result.cloud.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface");
        expect(interfaceEndpoints(dev)).to.deep.equal([]);
        const prodEndpoints: RecordedResource[] = interfaceEndpoints(prod);
        expect(prodEndpoints.map((e) => e.inputs.serviceName)).to.have.members(["ecr.api", "ecr.dkr", "logs", "sts", "ssm"].map((s) => `com.amazonaws.eu-west-1.${s}`));
        const sg = only(prod.cloud.resources, "aws:ec2/securityGroup:SecurityGroup", "-endpoints");
        expect(sg.inputs.ingress).to.deep.equal([{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.30.0.0/16"] }]);
        for (const endpoint of prodEndpoints) {
            expect(endpoint.inputs.privateDnsEnabled).to.equal(true);
            expect(endpoint.inputs.subnetIds).to.deep.equal(vpcOf(prod).state.privateSubnetIds);
            expect(endpoint.inputs.securityGroupIds).to.deep.equal([sg.state.id]);
        }
    });
});
