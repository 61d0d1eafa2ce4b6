import { T } from "../../../policy/lib/types";
import { single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const HTTPS_FROM_VPC = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] };
const WORLD_443 = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };

export const ec2Cases: PolicySuite[] = [
    {
        policy: "ec2-default-security-group-closed",
        pass: [
            {
                name: "awsx VPC whose default security group is adopted with no rules",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.awsxVpc, "vpc", { cidrBlock: "10.0.0.0/16" });
                        s.add(T.defaultSecurityGroup, "default", { vpcId: "vpc-1", ingress: [], egress: [] }, { dependsOn: [vpc] });
                    }),
            },
        ],
        fail: [
            { name: "a VPC without DefaultSecurityGroup", resources: () => single(T.vpc, { cidrBlock: "10.0.0.0/16" }, { name: "main" }), messages: ["VPC main has no aws.ec2.DefaultSecurityGroup"], resource: "main" },
            {
                name: "a default security group with rules",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.vpc, "main", { cidrBlock: "10.0.0.0/16" });
                        s.add(T.defaultSecurityGroup, "default", { vpcId: "vpc-1", ingress: [HTTPS_FROM_VPC], egress: [] }, { dependsOn: [vpc] });
                    }),
                messages: ["has 1 ingress and 0 egress rules"],
                resource: "default",
            },
        ],
    },
    {
        policy: "ec2-vpc-flow-logs",
        pass: [
            {
                name: "flow log of ALL traffic referencing the awsx VPC",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.awsxVpc, "vpc", {});
                        s.add(T.flowLog, "fl", { vpcId: "vpc-1", trafficType: "ALL" }, { dependsOn: [vpc] });
                    }),
            },
            {
                name: "flow log matched by vpcId on a VPC created inside the awsx component (engine view)",
                resources: () =>
                    stack((s) => {
                        const component = s.add(T.awsxVpc, "vpc", {});
                        s.add(T.vpc, "vpc", { cidrBlock: "10.0.0.0/16" }, { parent: component });
                        s.add(T.flowLog, "fl", { vpcId: "vpc-1", trafficType: "REJECT" }, { dependsOn: [component] });
                    }),
            },
        ],
        fail: [
            { name: "VPC without flow log", resources: () => single(T.awsxVpc, {}, { name: "vpc" }), messages: ["awsx VPC vpc has no aws.ec2.FlowLog"] },
            {
                name: "flow log of accepted traffic only",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.vpc, "main", {});
                        s.add(T.flowLog, "fl", { vpcId: "vpc-1", trafficType: "ACCEPT" }, { dependsOn: [vpc] });
                    }),
                messages: ['flow logs record trafficType "ACCEPT"'],
            },
        ],
    },
    {
        policy: "ec2-subnet-no-public-ip-on-launch",
        pass: [
            { name: "private subnet", resources: () => single(T.subnet, { cidrBlock: "10.0.0.0/19", mapPublicIpOnLaunch: false }) },
            { name: "designated public subnet (kubernetes.io/role/elb)", resources: () => single(T.subnet, { mapPublicIpOnLaunch: true, tags: { "kubernetes.io/role/elb": "1" } }) },
        ],
        fail: [
            { name: "untagged subnet mapping public IPs", resources: () => single(T.subnet, { mapPublicIpOnLaunch: true }), messages: ["mapPublicIpOnLaunch is true on a subnet not tagged as public"] },
            { name: "default subnet left at its default", resources: () => single(T.defaultSubnet, { availabilityZone: "eu-west-1a" }), messages: ["mapPublicIpOnLaunch is true by default"] },
        ],
    },
    {
        policy: "ec2-no-unrestricted-ingress",
        pass: [
            { name: "ingress from the VPC CIDR", resources: () => single(T.securityGroup, { ingress: [HTTPS_FROM_VPC] }) },
            {
                name: "443 from the internet on a load balancer's security group (standalone rule)",
                resources: () =>
                    stack((s) => {
                        const sg = s.add(T.securityGroup, "alb", { ingress: [] });
                        s.add(T.securityGroupIngressRule, "https", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, { dependsOn: [sg] });
                        s.add(T.loadBalancers[0], "alb", { securityGroups: ["sg-1"], subnets: ["a", "b"] }, { dependsOn: [sg] });
                    }),
            },
        ],
        fail: [
            {
                name: "443 from the internet on a group no load balancer uses",
                resources: () => single(T.securityGroup, { ingress: [WORLD_443] }, { name: "app" }),
                messages: ["ingress[0] admits tcp port 443 from 0.0.0.0/0 on a security group no load balancer uses"],
            },
            {
                name: "a load balancer group open on 8080 and all traffic over IPv6",
                resources: () =>
                    stack((s) => {
                        const sg = s.add(T.securityGroup, "alb", {
                            ingress: [
                                { protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"] },
                                { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
                            ],
                        });
                        s.add(T.loadBalancers[1], "alb", { securityGroups: ["sg-1"] }, { dependsOn: [sg] });
                    }),
                messages: ["ingress[0] admits tcp port 8080", "ingress[1] admits all traffic from ::/0"],
            },
            {
                name: "a standalone security group rule",
                resources: () => single(T.securityGroupRule, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-x" }, { name: "ssh" }),
                messages: ["rule ssh admits tcp port 22 from 0.0.0.0/0"],
            },
        ],
    },
    {
        policy: "ec2-no-high-risk-ports-open",
        pass: [
            { name: "443 from the internet", resources: () => single(T.securityGroup, { ingress: [WORLD_443] }) },
            { name: "SSH from a private range", resources: () => single(T.securityGroupRule, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }) },
        ],
        fail: [
            {
                name: "SSH and PostgreSQL in one range",
                resources: () => single(T.securityGroup, { ingress: [{ protocol: "tcp", fromPort: 20, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }),
                messages: [/including high-risk ports 20, 21, 22.* and 5432/],
            },
            {
                name: "RDP through a vpc ingress rule",
                resources: () => single(T.securityGroupIngressRule, { ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv6: "::/0" }),
                messages: ["including high-risk port 3389"],
            },
        ],
    },
    {
        policy: "ec2-nacl-no-admin-ports",
        pass: [
            { name: "allow 443 only", resources: () => single(T.networkAcl, { ingress: [{ protocol: "tcp", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 443, toPort: 443 }] }) },
            {
                name: "an earlier deny of 22 and 3389 before allow all",
                resources: () =>
                    single(T.networkAcl, {
                        ingress: [
                            { protocol: "tcp", ruleNo: 50, action: "deny", cidrBlock: "0.0.0.0/0", fromPort: 22, toPort: 22 },
                            { protocol: "tcp", ruleNo: 60, action: "deny", cidrBlock: "0.0.0.0/0", fromPort: 3389, toPort: 3389 },
                            { protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 },
                        ],
                    }),
            },
        ],
        fail: [
            {
                name: "allow all traffic from the internet",
                resources: () => single(T.networkAcl, { ingress: [{ protocol: "-1", ruleNo: 100, action: "allow", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 }] }),
                messages: ["including port 22", "including port 3389"],
            },
            {
                name: "a standalone rule allowing SSH",
                resources: () => single(T.networkAclRule, { networkAclId: "acl-1", ruleNumber: 10, egress: false, protocol: "6", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: 22, toPort: 22 }),
                messages: ["this rule (rule 10) allows tcp port 22"],
            },
        ],
    },
    {
        policy: "ec2-launch-template-no-public-ip",
        pass: [{ name: "no public IP", resources: () => single(T.launchTemplate, { networkInterfaces: [{ associatePublicIpAddress: "false" }] }) }],
        fail: [
            {
                name: 'associatePublicIpAddress "true"',
                resources: () => single(T.launchTemplate, { networkInterfaces: [{ associatePublicIpAddress: "true" }] }),
                messages: ["networkInterfaces[0].associatePublicIpAddress is true; expected false"],
            },
        ],
    },
    {
        policy: "ec2-imdsv2-required",
        pass: [
            { name: "launch template requiring tokens", resources: () => single(T.launchTemplate, { metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" } }) },
            { name: "managed node group component with enableIMDSv2", resources: () => single(T.eksManagedNodeGroup, { enableIMDSv2: true }) },
            { name: "aws node group on AL2023", resources: () => single(T.eksNodeGroup, { amiType: "AL2023_x86_64_STANDARD" }) },
            { name: "eks cluster without default node group", resources: () => single(T.eksComponentCluster, { skipDefaultNodeGroup: true }) },
        ],
        fail: [
            { name: "launch template without metadataOptions", resources: () => single(T.launchTemplate, {}), messages: ["metadataOptions.httpTokens is not set (IMDSv1 allowed)"] },
            { name: "instance with optional tokens", resources: () => single(T.instance, { metadataOptions: { httpTokens: "optional" } }), messages: ['metadataOptions.httpTokens is "optional"'] },
            { name: "managed node group component without enableIMDSv2", resources: () => single(T.eksManagedNodeGroup, {}), messages: ["enableIMDSv2 is not set; expected true"] },
            { name: "aws node group on AL2 without launch template", resources: () => single(T.eksNodeGroup, { amiType: "AL2_x86_64" }), messages: ['no launchTemplate and amiType is "AL2_x86_64"'] },
            { name: "eks cluster with its default node group", resources: () => single(T.eksComponentCluster, {}), messages: ["skipDefaultNodeGroup is not true"] },
            { name: "self-managed node group component", resources: () => single(T.eksSelfManagedNodeGroupV2, {}), messages: ["self-managed node group"] },
        ],
    },
    {
        policy: "ec2-vpc-interface-endpoints",
        pass: [
            {
                name: "ecr.api, ecr.dkr and ssm endpoints in the VPC",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.awsxVpc, "vpc", {});
                        for (const service of ["ecr.api", "ecr.dkr", "ssm"])
                            s.add(T.vpcEndpoint, service, { vpcId: "vpc-1", vpcEndpointType: "Interface", serviceName: `com.amazonaws.eu-west-1.${service}` }, { dependsOn: [vpc] });
                    }),
            },
            {
                name: "endpoints given to the awsx component",
                resources: () => single(T.awsxVpc, { vpcEndpointSpecs: ["ecr.api", "ecr.dkr", "ssm"].map((service) => ({ serviceName: `com.amazonaws.eu-west-1.${service}` })) }),
            },
        ],
        fail: [
            {
                name: "only gateway endpoints and ecr.api",
                resources: () =>
                    stack((s) => {
                        const vpc = s.add(T.awsxVpc, "vpc", {});
                        s.add(T.vpcEndpoint, "s3", { vpcId: "vpc-1", vpcEndpointType: "Gateway", serviceName: "com.amazonaws.eu-west-1.s3" }, { dependsOn: [vpc] });
                        s.add(T.vpcEndpoint, "api", { vpcId: "vpc-1", vpcEndpointType: "Interface", serviceName: "com.amazonaws.eu-west-1.ecr.api" }, { dependsOn: [vpc] });
                    }),
                messages: ["no interface endpoint for ecr.dkr (EC2.56) and ssm (EC2.57)"],
            },
        ],
    },
    {
        policy: "ec2-ebs-encryption",
        pass: [
            { name: "encrypted volume", resources: () => single("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", size: 20, encrypted: true }) },
            { name: "launch template with encrypted block devices", resources: () => single(T.launchTemplate, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, encrypted: "true" } }] }) },
        ],
        fail: [
            {
                name: "standalone volume without encryption",
                resources: () => single("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", size: 20 }),
                messages: ["encrypted is not set (unencrypted unless the account enables EBS encryption by default)"],
            },
            {
                name: "instance root and data volumes",
                resources: () => single(T.instance, { ami: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: false }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] }),
                messages: ["rootBlockDevice.encrypted is false", "ebsBlockDevices[0].encrypted is not set"],
            },
            {
                name: "launch template block device",
                resources: () => single(T.launchTemplate, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20 } }] }),
                messages: ["blockDeviceMappings[0].ebs.encrypted is not set"],
            },
        ],
    },
];
