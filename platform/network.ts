import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { InterfaceEndpoint, NatStrategy } from "./config";
import { policyJson, serviceTrustPolicy } from "./iam";
import { NatInstance } from "./nat-instance";
import { withTransforms, type Transformable } from "./transform";

export interface NetworkArgs extends Transformable {
    /** The VPC's IPv4 block, e.g. `10.30.0.0/16`. */
    cidr: string;
    /** How many availability zones the subnets span (2-4). */
    azCount: number;
    /**
     * Explicit zone names, for regions where a zone lacks an instance type you need.
     * @default the region's first `azCount` zones
     */
    availabilityZoneNames?: string[];
    /**
     * Private subnet CIDRs, one per AZ, in AZ order. Computed from fixed slots by the config
     * (`layoutSubnets`), so adding an AZ appends a subnet and replaces none.
     */
    privateSubnetCidrs: string[];
    /** Public subnet CIDRs, one per AZ, in AZ order (load balancers and NAT gateways only). */
    publicSubnetCidrs: string[];
    /**
     * `none`: private subnets have no route to the internet (use interface endpoints);
     * `instance`: one NAT instance for all AZs (cheapest: about $8/month; one AZ, EC2 auto-recovery);
     * `single`: one NAT gateway for all AZs (cheap, one AZ's outage cuts egress);
     * `perAz`: one NAT gateway per AZ (resilient; about $33/month each plus data).
     */
    natStrategy: NatStrategy;
    /**
     * The NAT instance (`natStrategy: instance`): its type and architecture, and the topic its
     * status-check alarms notify.
     */
    natInstance?: { instanceType: string; architecture: "arm64" | "x86_64"; alarmTopicArn: pulumi.Input<string> };
    /**
     * Interface endpoints in the private subnets, so image pulls, logs and STS calls stay off
     * the NAT. About $7.50/month per endpoint per AZ.
     * @default []
     */
    interfaceEndpoints?: InterfaceEndpoint[];
    /** VPC flow logs to CloudWatch Logs. */
    flowLogs: {
        /** @default "ALL" */
        trafficType?: "ALL" | "ACCEPT" | "REJECT";
        /** Days CloudWatch keeps the flow logs (a value CloudWatch accepts). */
        retentionDays: number;
        /** @default 600 */
        aggregationIntervalSeconds?: 60 | 600;
        /** KMS key that encrypts the log group; its policy must admit CloudWatch Logs. */
        kmsKeyArn: pulumi.Input<string>;
    };
    /**
     * Value of the `karpenter.sh/discovery` tag on private subnets and the cluster name the AWS
     * Load Balancer Controller looks for, so both find their subnets without configuration.
     */
    clusterName: string;
    /** The stack's region, for endpoint service names. */
    region: string;
    /** The account, to scope the flow-log role's trust policy. */
    accountId: pulumi.Input<string>;
    /**
     * Protect the flow-log group (an audit record) from deletion.
     * @default false
     */
    protect?: boolean;
}

/**
 * The platform's VPC: public and private subnets across the profile's AZs, NAT per the strategy,
 * flow logs, gateway endpoints for S3 and DynamoDB, optional interface endpoints, and a default
 * security group that allows nothing. The VPC itself is an awsx component; everything a policy
 * checks beyond its inputs (flow logs, endpoints, default SG) is created here with @pulumi/aws so
 * it stays visible offline.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpc: awsx.ec2.Vpc;
    readonly vpcId: pulumi.Output<string>;
    readonly cidr: string;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly flowLogGroup: aws.cloudwatch.LogGroup;
    readonly flowLog: aws.ec2.FlowLog;
    readonly defaultSecurityGroup: aws.ec2.DefaultSecurityGroup;
    readonly gatewayEndpoints: aws.ec2.VpcEndpoint[];
    readonly interfaceEndpoints: aws.ec2.VpcEndpoint[];
    readonly endpointSecurityGroup?: aws.ec2.SecurityGroup;
    readonly natInstance?: NatInstance;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, withTransforms(opts, args.transform));
        if (args.privateSubnetCidrs.length !== args.azCount || args.publicSubnetCidrs.length !== args.azCount) {
            throw new Error(`Network ${name}: expected ${args.azCount} private and public subnet CIDRs (one per AZ), got ${args.privateSubnetCidrs.length} and ${args.publicSubnetCidrs.length}`);
        }
        this.cidr = args.cidr;

        this.vpc = new awsx.ec2.Vpc(
            name,
            {
                cidrBlock: args.cidr,
                ...(args.availabilityZoneNames ? { availabilityZoneNames: args.availabilityZoneNames } : { numberOfAvailabilityZones: args.azCount }),
                enableDnsHostnames: true,
                enableDnsSupport: true,
                subnetStrategy: "Auto",
                subnetSpecs: [
                    {
                        type: "Private",
                        name: "private",
                        cidrBlocks: args.privateSubnetCidrs,
                        tags: { "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": args.clusterName, [`kubernetes.io/cluster/${args.clusterName}`]: "shared" },
                    },
                    {
                        type: "Public",
                        name: "public",
                        cidrBlocks: args.publicSubnetCidrs,
                        tags: { "kubernetes.io/role/elb": "1", [`kubernetes.io/cluster/${args.clusterName}`]: "shared" },
                    },
                ],
                natGateways: { strategy: ({ none: "None", instance: "None", single: "Single", perAz: "OnePerAz" } as const)[args.natStrategy] },
                tags: { Name: name },
            },
            { parent: this },
        );
        this.vpcId = this.vpc.vpcId;
        this.privateSubnetIds = this.vpc.privateSubnetIds;
        this.publicSubnetIds = this.vpc.publicSubnetIds;

        if (args.natStrategy === "instance") {
            if (!args.natInstance) throw new Error(`Network ${name}: natStrategy "instance" needs natInstance (type and alarm topic)`);
            this.natInstance = new NatInstance(
                `${name}-nat`,
                {
                    vpcId: this.vpcId,
                    vpcCidr: args.cidr,
                    publicSubnetId: this.publicSubnetIds.apply((ids) => ids[0]),
                    privateRouteTableIds: Array.from({ length: args.azCount }, (_, index) => this.privateRouteTableIds().apply((ids) => ids[index])),
                    instanceType: args.natInstance.instanceType,
                    architecture: args.natInstance.architecture,
                    alarmTopicArn: args.natInstance.alarmTopicArn,
                    region: args.region,
                },
                { parent: this },
            );
        }

        // Adopting the default security group strips its rules: nothing can use it by accident (EC2.2).
        this.defaultSecurityGroup = new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: this.vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-deny-all` } }, { parent: this });

        this.flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/${name}/vpc-flow-logs`, retentionInDays: args.flowLogs.retentionDays, kmsKeyId: args.flowLogs.kmsKeyArn },
            { parent: this, protect: args.protect },
        );
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                description: `Lets VPC Flow Logs write ${name}'s flow logs to CloudWatch Logs`,
                assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", args.accountId, pulumi.interpolate`arn:aws:ec2:${args.region}:${args.accountId}:vpc-flow-log/*`),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: flowLogRole.name,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteThisVpcsFlowLogGroup",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [this.flowLogGroup.arn, pulumi.interpolate`${this.flowLogGroup.arn}:*`],
                        },
                    ],
                }),
            },
            { parent: this },
        );
        this.flowLog = new aws.ec2.FlowLog(
            name,
            {
                vpcId: this.vpcId,
                trafficType: args.flowLogs.trafficType ?? "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: this.flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                maxAggregationInterval: args.flowLogs.aggregationIntervalSeconds ?? 600,
                tags: { Name: `${name}-flow-log` },
            },
            { parent: this },
        );

        // Gateway endpoints are free: S3 and DynamoDB traffic skips the NAT and its per-GB charge.
        const routeTableIds = this.vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id)));
        this.gatewayEndpoints = (["s3", "dynamodb"] as const).map(
            (service) =>
                new aws.ec2.VpcEndpoint(
                    `${name}-${service}`,
                    { vpcId: this.vpcId, serviceName: `com.amazonaws.${args.region}.${service}`, vpcEndpointType: "Gateway", routeTableIds, tags: { Name: `${name}-${service}` } },
                    { parent: this },
                ),
        );

        const endpoints = args.interfaceEndpoints ?? [];
        this.interfaceEndpoints = [];
        if (endpoints.length > 0) {
            this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
                `${name}-endpoints`,
                {
                    vpcId: this.vpcId,
                    description: "HTTPS from inside the VPC to its interface endpoints",
                    ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr] }],
                    egress: [],
                    tags: { Name: `${name}-endpoints` },
                },
                { parent: this },
            );
            for (const service of endpoints) {
                this.interfaceEndpoints.push(
                    new aws.ec2.VpcEndpoint(
                        `${name}-${service.replace(/\./g, "-")}`,
                        {
                            vpcId: this.vpcId,
                            serviceName: `com.amazonaws.${args.region}.${service}`,
                            vpcEndpointType: "Interface",
                            privateDnsEnabled: true,
                            subnetIds: this.privateSubnetIds,
                            securityGroupIds: [this.endpointSecurityGroup.id],
                            tags: { Name: `${name}-${service}` },
                        },
                        { parent: this },
                    ),
                );
            }
        }

        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds, flowLogGroup: this.flowLogGroup.name });
    }

    /** The private subnets' route tables, in AZ order (awsx makes one per subnet). */
    private privateRouteTableIds(): pulumi.Output<string[]> {
        const pairs = this.vpc.routeTableAssociations.apply((associations) => pulumi.all(associations.map((a) => pulumi.all([pulumi.output(a.subnetId), pulumi.output(a.routeTableId)]))));
        return pulumi.all([this.privateSubnetIds, pairs]).apply(([subnetIds, associations]) =>
            subnetIds.map((subnetId) => {
                const routeTableId = associations.find(([associated]) => associated === subnetId)?.[1];
                if (!routeTableId) throw new Error(`no route table is associated with private subnet ${subnetId}`);
                return routeTableId;
            }),
        );
    }
}
