import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withTransforms, type Transformable } from "./transform";

/**
 * Amazon Linux 2023 AMIs by architecture, as public SSM parameters: the instance always gets the
 * region's current image without a hand-kept AMI map.
 * (https://docs.aws.amazon.com/linux/al2023/ug/ec2.html#launch-from-ssm-parameter)
 */
export const AL2023_AMI_PARAMETERS = {
    arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
} as const;

export interface NatInstanceArgs extends Transformable {
    vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: the only sources the instance forwards (and masquerades) for. */
    vpcCidr: string;
    /** A public subnet to run in (it needs the internet gateway route). */
    publicSubnetId: pulumi.Input<string>;
    /** Route tables of the private subnets: each gets `0.0.0.0/0` through the instance. */
    privateRouteTableIds: pulumi.Input<string>[];
    /**
     * EC2 instance type. Graviton burstable types are the cheapest that forward a dev stack's
     * traffic (t4g.nano: 2 vCPU burst, up to 5 Gbit/s).
     * @default "t4g.nano"
     */
    instanceType?: string;
    /** CPU architecture of `instanceType`, to pick the AMI. @default "arm64" */
    architecture?: "arm64" | "x86_64";
    /** Topic the status-check alarms notify. */
    alarmTopicArn: pulumi.Input<string>;
    region: string;
}

/**
 * A NAT instance: the cheap egress for dev (about $8/month with its volume and address, against
 * about $39 for a NAT gateway). One instance in one AZ, so like `natStrategy: single` an AZ outage
 * cuts egress; EC2 auto-recovery restarts it on failed hardware, and the alarms notify on-call.
 * Source/destination checking is off (it forwards other hosts' packets), it accepts traffic only
 * from the VPC, metadata needs IMDSv2, the root volume is encrypted.
 * See https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html
 */
export class NatInstance extends pulumi.ComponentResource {
    readonly instance: aws.ec2.Instance;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly routes: aws.ec2.Route[];

    constructor(name: string, args: NatInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:NatInstance", name, {}, withTransforms(opts, args.transform));
        const architecture = args.architecture ?? "arm64";

        this.securityGroup = new aws.ec2.SecurityGroup(
            name,
            {
                vpcId: args.vpcId,
                description: "NAT instance: forwards traffic from the VPC to the internet",
                ingress: [{ description: "Anything from inside the VPC, to forward", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [args.vpcCidr] }],
                // Egress is what a NAT is for: the private subnets' traffic leaves from here.
                egress: [{ description: "Forwarded traffic to the internet", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: name },
            },
            { parent: this },
        );

        const ami = aws.ssm.getParameterOutput({ name: AL2023_AMI_PARAMETERS[architecture] }, { parent: this });
        this.instance = new aws.ec2.Instance(
            name,
            {
                ami: ami.value,
                instanceType: args.instanceType ?? "t4g.nano",
                subnetId: args.publicSubnetId,
                vpcSecurityGroupIds: [this.securityGroup.id],
                associatePublicIpAddress: true,
                sourceDestCheck: false,
                metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
                rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 8, deleteOnTermination: true },
                userData: natUserData(args.vpcCidr),
                userDataReplaceOnChange: true,
                tags: { Name: name },
            },
            // A new AMI in the parameter must not replace a running NAT under everyone's feet.
            { parent: this, ignoreChanges: ["ami"] },
        );

        this.routes = args.privateRouteTableIds.map(
            (routeTableId, index) => new aws.ec2.Route(`${name}-private-${index + 1}`, { routeTableId, destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: this.instance.primaryNetworkInterfaceId }, { parent: this }),
        );

        // Failed hardware: EC2 recovers the instance (same ID, IP and volume) and on-call hears of it.
        new aws.cloudwatch.MetricAlarm(
            `${name}-system-check`,
            {
                alarmDescription: `NAT instance ${name} failed its system status check: EC2 is recovering it; private subnets have no internet egress until it is back.`,
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed_System",
                dimensions: { InstanceId: this.instance.id },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "missing",
                actionsEnabled: true,
                alarmActions: [pulumi.interpolate`arn:aws:automate:${args.region}:ec2:recover`, args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-instance-check`,
            {
                alarmDescription: `NAT instance ${name} failed its instance status check (OS or network configuration): private subnets may have no internet egress. Reboot it or replace it with pulumi up --target.`,
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed_Instance",
                dimensions: { InstanceId: this.instance.id },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 3,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "breaching",
                actionsEnabled: true,
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        this.registerOutputs({ instanceId: this.instance.id });
    }
}

/** Turns on forwarding and masquerades the VPC's traffic behind the instance's address, at every boot. */
export function natUserData(vpcCidr: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "dnf install -y iptables-services",
        "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf",
        "sysctl --system",
        "IFACE=\"$(ip route show default | awk '{print $5; exit}')\"",
        `iptables -t nat -A POSTROUTING -o "$IFACE" -s ${vpcCidr} -j MASQUERADE`,
        "iptables -F FORWARD",
        "service iptables save",
        "systemctl enable --now iptables",
        "",
    ].join("\n");
}
