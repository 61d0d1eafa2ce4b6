import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { effectiveVpcs, refersTo } from "../lib/graph";
import { coversTcpPort, describePorts, inlineIngressRules, IngressRule, isAllProtocols, isWorld, standaloneIngressRule } from "../lib/network";
import { bool, joinWords, list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

const vpcLabel = (vpc: PolicyResource) => `${vpc.type === T.awsxVpc ? "awsx VPC" : "VPC"} ${vpc.name}`;

export const ec2DefaultSecurityGroupClosed = defineStackPolicy({
    name: "ec2-default-security-group-closed",
    description: "Every VPC's default security group allows no traffic: it is adopted by an aws.ec2.DefaultSecurityGroup with no rules.",
    severity: "high",
    frameworks: ["FSBP EC2.2"],
    remediation: "Create an aws.ec2.DefaultSecurityGroup for the VPC with ingress: [] and egress: [] (adopting it strips AWS's default rules).",
    types: [T.vpc, T.awsxVpc, T.defaultSecurityGroup],
    validate: (stack, report) => {
        const groups = stack.ofType(T.defaultSecurityGroup);
        for (const group of groups) {
            stack.guard(() => {
                const ingress = list(group.props.ingress).length;
                const egress = list(group.props.egress).length;
                if (ingress + egress > 0) report(`the default security group has ${ingress} ingress and ${egress} egress rules; expected ingress: [] and egress: []`, group.urn);
            });
        }
        for (const vpc of effectiveVpcs(stack.resources)) {
            stack.guard(() => {
                if (!groups.some((group) => refersTo(group, vpc, ["vpcId"], ["id", "vpcId"]))) {
                    report(`${vpcLabel(vpc)} has no aws.ec2.DefaultSecurityGroup; AWS's default group allows all traffic between its members and all egress. Expected one with no rules`, vpc.urn);
                }
            });
        }
    },
});

export const ec2VpcFlowLogs = defineStackPolicy({
    name: "ec2-vpc-flow-logs",
    description: "Every VPC has a flow log that records at least rejected traffic.",
    severity: "medium",
    frameworks: ["FSBP EC2.6"],
    remediation: 'Add an aws.ec2.FlowLog with vpcId set to the VPC and trafficType "ALL" (or "REJECT").',
    types: [T.vpc, T.awsxVpc, T.flowLog],
    validate: (stack, report) => {
        const flowLogs = stack.ofType(T.flowLog);
        for (const vpc of effectiveVpcs(stack.resources)) {
            stack.guard(() => {
                const mine = flowLogs.filter((flowLog) => refersTo(flowLog, vpc, ["vpcId"], ["id", "vpcId"]));
                if (mine.length === 0) {
                    report(`${vpcLabel(vpc)} has no aws.ec2.FlowLog with vpcId set to it; expected one with trafficType "ALL" or "REJECT"`, vpc.urn);
                } else if (!mine.some((flowLog) => ["ALL", "REJECT"].includes(str(flowLog.props.trafficType) ?? ""))) {
                    report(`${vpcLabel(vpc)}'s flow logs record trafficType ${joinWords(mine.map((f) => show(f.props.trafficType)))}; expected "ALL" or "REJECT"`, vpc.urn);
                }
            });
        }
    },
});

export const ec2SubnetNoPublicIpOnLaunch = defineResourcePolicy<{ designatedPublicTags: string[] }>({
    name: "ec2-subnet-no-public-ip-on-launch",
    description: "Subnets do not give instances public IPs, except subnets designated public (load balancers and NAT gateways).",
    severity: "medium",
    frameworks: ["FSBP EC2.15"],
    remediation: "Set mapPublicIpOnLaunch: false, or tag the subnet as public (e.g. kubernetes.io/role/elb=1) if it is meant for internet-facing load balancers.",
    types: [T.subnet, T.defaultSubnet],
    config: {
        designatedPublicTags: {
            type: "array",
            items: { type: "string" },
            default: ["kubernetes.io/role/elb=1", "SubnetType=Public", "Tier=public"],
            description: "key=value tags (value case-insensitive) that designate a public subnet.",
        },
    },
    validate: ({ type, props, config }, report) => {
        // Default subnets map public IPs unless told otherwise.
        const mapsPublicIp = bool(props.mapPublicIpOnLaunch) ?? type === T.defaultSubnet;
        if (!mapsPublicIp) return;
        const tags = rec(props.tags);
        const designated = config.designatedPublicTags.some((entry) => {
            const [key, value] = entry.split("=");
            return str(tags[key])?.toLowerCase() === (value ?? "").toLowerCase();
        });
        if (!designated) {
            report(`mapPublicIpOnLaunch is ${props.mapPublicIpOnLaunch === undefined ? "true by default" : "true"} on a subnet not tagged as public (${joinWords(config.designatedPublicTags)}); expected false`);
        }
    },
});

interface RuleOf {
    rule: IngressRule;
    /** The resource declaring the rule (the group itself, or a standalone rule resource). */
    declaredBy: PolicyResource;
    group?: PolicyResource;
}

const RULE_TYPES = [T.securityGroupRule, T.securityGroupIngressRule];

/** Every ingress rule in the stack with the security group it belongs to (when in the stack). */
function ingressRules(stack: { ofType(...types: string[]): PolicyResource[]; guard(check: () => void): void }): RuleOf[] {
    const groups = stack.ofType(T.securityGroup);
    const rules: RuleOf[] = [];
    for (const group of groups) stack.guard(() => rules.push(...inlineIngressRules(group.props).map((rule) => ({ rule, declaredBy: group, group }))));
    for (const resource of stack.ofType(...RULE_TYPES)) {
        stack.guard(() => {
            const rule = standaloneIngressRule(resource.type, resource.props);
            if (rule) rules.push({ rule, declaredBy: resource, group: groups.find((group) => refersTo(resource, group, ["securityGroupId"], ["id"])) });
        });
    }
    return rules;
}

export const ec2NoUnrestrictedIngress = defineStackPolicy<{ authorizedPorts: number[] }>({
    name: "ec2-no-unrestricted-ingress",
    description: "Security groups admit 0.0.0.0/0 or ::/0 only on the authorized ports (80/443), and only on load balancers' security groups.",
    severity: "high",
    frameworks: ["FSBP EC2.18"],
    remediation: "Restrict the source to known CIDRs or security groups; put internet traffic behind a load balancer whose security group alone opens 80/443.",
    types: [T.securityGroup, T.securityGroupRule, T.securityGroupIngressRule, ...T.loadBalancers],
    config: { authorizedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "TCP ports a load balancer's security group may open to the internet." } },
    validate: (stack, report) => {
        const loadBalancers = stack.ofType(...T.loadBalancers);
        const fronts = (group: PolicyResource | undefined) => group !== undefined && loadBalancers.some((lb) => refersTo(lb, group, ["securityGroups"], ["id"]));
        for (const { rule, declaredBy, group } of ingressRules(stack)) {
            const world = rule.cidrs.filter(isWorld);
            if (world.length === 0) continue;
            const where = declaredBy === group ? rule.where : `rule ${declaredBy.name}`;
            stack.guard(() => {
                if (!fronts(group)) {
                    report(`${where} admits ${describePorts(rule)} from ${joinWords(world)} on a security group no load balancer uses; expected a restricted source`, declaredBy.urn);
                    return;
                }
                const authorized = !isAllProtocols(rule.protocol) && rule.protocol === "tcp" && rule.toPort - rule.fromPort < 1024;
                const ports = authorized ? Array.from({ length: rule.toPort - rule.fromPort + 1 }, (_, i) => rule.fromPort + i) : [];
                if (!authorized || ports.some((port) => !stack.config.authorizedPorts.includes(port))) {
                    report(`${where} admits ${describePorts(rule)} from ${joinWords(world)}; a load balancer may open only tcp ${joinWords(stack.config.authorizedPorts.map(String))} to the internet`, declaredBy.urn);
                }
            });
        }
    },
});

/** The ports FSBP EC2.19 calls high-risk. */
const HIGH_RISK_PORTS = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];

export const ec2NoHighRiskPortsOpen = defineResourcePolicy({
    name: "ec2-no-high-risk-ports-open",
    description: "No security group rule opens a high-risk port (SSH, RDP, databases, admin consoles) to 0.0.0.0/0 or ::/0.",
    severity: "medium",
    frameworks: ["FSBP EC2.19", "FSBP EC2.13", "FSBP EC2.14", "FSBP EC2.53", "FSBP EC2.54"],
    remediation: "Reach instances through SSM Session Manager or a bastion with a restricted source; never expose SSH/RDP/database ports to the internet.",
    types: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.securityGroupIngressRule],
    validate: ({ type, props }, report) => {
        const single = standaloneIngressRule(type, props);
        const rules = RULE_TYPES.includes(type as (typeof RULE_TYPES)[number]) ? (single ? [single] : []) : inlineIngressRules(props);
        for (const rule of rules) {
            const world = rule.cidrs.filter(isWorld);
            if (world.length === 0) continue;
            const ports = HIGH_RISK_PORTS.filter((port) => coversTcpPort(rule, port));
            if (ports.length > 0)
                report(`${rule.where} admits ${describePorts(rule)} from ${joinWords(world)}, including high-risk port${ports.length > 1 ? "s" : ""} ${joinWords(ports.map(String))}; expected a restricted source`);
        }
    },
});

interface AclEntry {
    where: string;
    ruleNumber: number;
    allow: boolean;
    protocol: string;
    fromPort: number;
    toPort: number;
    cidrs: string[];
}

function aclEntry(where: string, raw: Record<string, unknown>, actionKey: string, numberKey: string): AclEntry {
    const protocol = (str(raw.protocol) ?? "-1").toLowerCase().replace(/^6$/, "tcp");
    const all = isAllProtocols(protocol);
    const from = num(raw.fromPort) ?? 0;
    const to = num(raw.toPort) ?? 0;
    return {
        where,
        ruleNumber: num(raw[numberKey]) ?? 0,
        allow: (str(raw[actionKey]) ?? "").toLowerCase() === "allow",
        protocol,
        fromPort: all || (from === 0 && to === 0) ? 0 : from,
        toPort: all || (from === 0 && to === 0) ? 65535 : to,
        cidrs: [str(raw.cidrBlock), str(raw.ipv6CidrBlock)].filter((c): c is string => c !== undefined),
    };
}

export const ec2NaclNoAdminPorts = defineResourcePolicy({
    name: "ec2-nacl-no-admin-ports",
    description: "Network ACLs do not allow ingress from 0.0.0.0/0 or ::/0 to port 22 or 3389.",
    severity: "medium",
    frameworks: ["FSBP EC2.21"],
    remediation: "Deny (or do not allow) 22 and 3389 from the internet in the ACL; use SSM Session Manager for shell access.",
    types: [T.networkAcl, T.defaultNetworkAcl, T.networkAclRule],
    validate: ({ type, props }, report) => {
        const entries: AclEntry[] =
            type === T.networkAclRule
                ? bool(props.egress) === true
                    ? []
                    : [aclEntry("this rule", props, "ruleAction", "ruleNumber")]
                : list(props.ingress).map((raw, index) => aclEntry(`ingress[${index}]`, rec(raw), "action", "ruleNo"));
        // ACL entries are evaluated in rule-number order: an earlier deny wins.
        const ordered = [...entries].sort((a, b) => a.ruleNumber - b.ruleNumber);
        for (const port of [22, 3389]) {
            const first = ordered.find((entry) => entry.cidrs.some(isWorld) && coversTcpPort(entry, port));
            if (first?.allow) report(`${first.where} (rule ${first.ruleNumber}) allows ${describePorts(first)} from the internet, including port ${port}; expected a deny or a restricted source`);
        }
    },
});

export const ec2LaunchTemplateNoPublicIp = defineResourcePolicy({
    name: "ec2-launch-template-no-public-ip",
    description: "Launch templates, launch configurations, instances and Karpenter/EKS Auto Mode node classes do not assign public IP addresses to network interfaces.",
    severity: "high",
    frameworks: ["FSBP EC2.25", "FSBP EC2.9", "FSBP AutoScaling.5"],
    remediation: "Set associatePublicIpAddress (instances) and networkInterfaces[].associatePublicIpAddress (launch templates) to false or omit them, and launch into private subnets.",
    types: [T.launchTemplate, T.instance, T.launchConfiguration, T.karpenterNodeClass, T.autoModeNodeClass],
    validate: ({ type, props }, report) => {
        // Karpenter: spec.associatePublicIPAddress; EKS Auto Mode: spec.advancedNetworking.associatePublicIPAddress (both default to the subnet's setting).
        if (type === T.karpenterNodeClass) {
            if (bool(rec(props.spec).associatePublicIPAddress) === true) report("spec.associatePublicIPAddress is true; expected false (nodes in private subnets)");
            return;
        }
        if (type === T.autoModeNodeClass) {
            if (bool(rec(rec(props.spec).advancedNetworking).associatePublicIPAddress) === true) report("spec.advancedNetworking.associatePublicIPAddress is true; expected false (nodes in private subnets)");
            return;
        }
        if (bool(props.associatePublicIpAddress) === true) report("associatePublicIpAddress is true; expected false");
        for (const [index, nic] of list(props.networkInterfaces).entries()) {
            if (bool(rec(nic).associatePublicIpAddress) === true) report(`networkInterfaces[${index}].associatePublicIpAddress is true; expected false`);
        }
    },
});

const EBS_VOLUME = "aws:ebs/volume:Volume";

export const ec2EbsEncryption = defineResourcePolicy({
    name: "ec2-ebs-encryption",
    description: "EBS volumes are encrypted: standalone volumes, instance and launch configuration root and data volumes, and the block device mappings of launch templates and Karpenter node classes.",
    severity: "medium",
    frameworks: ["FSBP EC2.3", "FSBP EC2.181"],
    remediation: "Set encrypted: true (rootBlockDevice, ebsBlockDevices, blockDeviceMappings[].ebs, aws.ebs.Volume), optionally with a kmsKeyId; also turn on EBS encryption by default for the account.",
    types: [EBS_VOLUME, T.instance, T.launchConfiguration, T.launchTemplate, T.karpenterNodeClass],
    validate: ({ type, props }, report) => {
        const check = (where: string, device: Record<string, unknown>) => {
            // A volume restored from a snapshot takes the snapshot's encryption.
            if (device.snapshotId !== undefined) return;
            if (bool(device.encrypted) !== true)
                report(`${where}encrypted is ${show(device.encrypted)}${device.encrypted === undefined ? " (unencrypted unless the account enables EBS encryption by default)" : ""}; expected true`);
        };
        if (type === EBS_VOLUME) return check("", props);
        if (type === T.karpenterNodeClass) {
            // Without blockDeviceMappings Karpenter uses the AMI family's default, an encrypted gp3 root volume.
            for (const [index, mapping] of list(rec(props.spec).blockDeviceMappings).entries()) {
                const ebs = rec(rec(mapping).ebs);
                if (ebs.snapshotID === undefined && bool(ebs.encrypted) !== true) report(`spec.blockDeviceMappings[${index}].ebs.encrypted is ${show(ebs.encrypted)}; expected true`);
            }
            return;
        }
        if (type === T.instance || type === T.launchConfiguration) {
            if (props.launchTemplate !== undefined && props.rootBlockDevice === undefined && props.ebsBlockDevices === undefined) return; // the template is checked
            check("rootBlockDevice.", rec(props.rootBlockDevice));
            for (const [index, device] of list(props.ebsBlockDevices).entries()) check(`ebsBlockDevices[${index}].`, rec(device));
            return;
        }
        for (const [index, mapping] of list(props.blockDeviceMappings).entries()) {
            if (rec(mapping).ebs !== undefined) check(`blockDeviceMappings[${index}].ebs.`, rec(rec(mapping).ebs));
        }
    },
});

const IMDS_FIX = 'require IMDSv2 (metadataOptions.httpTokens: "required")';

export const ec2Imdsv2Required = defineResourcePolicy({
    name: "ec2-imdsv2-required",
    description: "Instances, launch templates and EKS node groups require IMDSv2 (session tokens) for the instance metadata service.",
    severity: "high",
    frameworks: ["FSBP EC2.8", "FSBP EC2.170", "FSBP AutoScaling.3"],
    remediation:
        'Launch templates and instances: metadataOptions: { httpTokens: "required" }. eks.ManagedNodeGroup: enableIMDSv2: true. aws.eks.NodeGroup: a launch template requiring IMDSv2 or an AL2023 AMI type. eks.Cluster: skipDefaultNodeGroup: true with managed node groups.',
    types: [T.launchTemplate, T.instance, T.launchConfiguration, T.karpenterNodeClass, T.eksNodeGroup, T.eksManagedNodeGroup, T.eksComponentCluster, T.eksSelfManagedNodeGroup, T.eksSelfManagedNodeGroupV2],
    validate: ({ type, props }, report) => {
        const metadata = rec(props.metadataOptions);
        switch (type) {
            case T.karpenterNodeClass: {
                // Karpenter v1 defaults httpTokens to "required"; only an explicit "optional" allows IMDSv1.
                const options = rec(rec(props.spec).metadataOptions);
                if (str(options.httpEndpoint) !== "disabled" && str(options.httpTokens) === "optional") report('spec.metadataOptions.httpTokens is "optional" (IMDSv1 allowed); expected "required"');
                return;
            }
            case T.launchTemplate:
            case T.launchConfiguration:
            case T.instance: {
                if (str(metadata.httpEndpoint) === "disabled") return;
                if (type === T.instance && props.launchTemplate !== undefined && props.metadataOptions === undefined) return; // the template is checked
                if (str(metadata.httpTokens) !== "required") report(`metadataOptions.httpTokens is ${show(metadata.httpTokens)} (IMDSv1 allowed); expected "required"`);
                return;
            }
            case T.eksNodeGroup: {
                // Without a launch template, EKS builds one; only AL2023 AMIs refuse IMDSv1 on their own.
                if (props.launchTemplate !== undefined) return;
                const amiType = str(props.amiType);
                if (!amiType?.startsWith("AL2023")) report(`no launchTemplate and amiType is ${show(amiType)}; expected a launch template that requires IMDSv2, or an AL2023 AMI type`);
                return;
            }
            case T.eksManagedNodeGroup: {
                if (props.launchTemplate !== undefined) return; // its template is an aws.ec2.LaunchTemplate, checked on its own
                if (props.enableIMDSv2 !== true) report(`enableIMDSv2 is ${show(props.enableIMDSv2)}; expected true to ${IMDS_FIX} on the node group's launch template`);
                return;
            }
            case T.eksComponentCluster: {
                if (props.skipDefaultNodeGroup === true || props.fargate || rec(props.autoMode).enabled === true) return;
                report(
                    "skipDefaultNodeGroup is not true: the default self-managed node group's metadata options cannot be set through eks.Cluster; expected skipDefaultNodeGroup: true and eks.ManagedNodeGroup with enableIMDSv2: true",
                );
                return;
            }
            default:
                report(`${type} is a self-managed node group whose metadata options cannot be set through its inputs; expected eks.ManagedNodeGroup with enableIMDSv2: true`);
        }
    },
});

/** Interface endpoints FSBP expects in every VPC, with their control IDs. */
const ENDPOINT_CONTROLS: Record<string, string> = { "ecr.api": "EC2.55", "ecr.dkr": "EC2.56", ssm: "EC2.57" };

export const ec2VpcInterfaceEndpoints = defineStackPolicy<{ requiredServices: string[] }>({
    name: "ec2-vpc-interface-endpoints",
    description: "Every VPC has interface endpoints for the ECR API, ECR Docker registry and Systems Manager.",
    severity: "medium",
    enforcementLevel: "advisory",
    advisoryBecause: "each interface endpoint costs about $7.50 a month per AZ plus data processing; NAT egress works without them.",
    frameworks: ["FSBP EC2.55", "FSBP EC2.56", "FSBP EC2.57"],
    remediation: "Add aws.ec2.VpcEndpoint resources (vpcEndpointType Interface, privateDnsEnabled) for com.amazonaws.<region>.ecr.api, ecr.dkr and ssm (about $7.50/month per endpoint per AZ).",
    types: [T.vpc, T.awsxVpc, T.vpcEndpoint],
    config: { requiredServices: { type: "array", items: { type: "string" }, default: Object.keys(ENDPOINT_CONTROLS), description: "Service suffixes (after com.amazonaws.<region>.) each VPC needs." } },
    validate: (stack, report) => {
        const endpoints = stack.ofType(T.vpcEndpoint);
        const suffix = (serviceName: unknown) => (str(serviceName) ?? "").replace(/^com\.amazonaws\.[a-z0-9-]+\./, "");
        for (const vpc of effectiveVpcs(stack.resources)) {
            stack.guard(() => {
                const present = new Set<string>();
                for (const endpoint of endpoints) {
                    if (str(endpoint.props.vpcEndpointType) === "Interface" && refersTo(endpoint, vpc, ["vpcId"], ["id", "vpcId"])) present.add(suffix(endpoint.props.serviceName));
                }
                // awsx creates the endpoints it is given in vpcEndpointSpecs.
                for (const spec of list(vpc.props.vpcEndpointSpecs)) present.add(suffix(rec(spec).serviceName));
                const missing = stack.config.requiredServices.filter((service) => !present.has(service));
                if (missing.length > 0) {
                    const labelled = missing.map((service) => (ENDPOINT_CONTROLS[service] ? `${service} (${ENDPOINT_CONTROLS[service]})` : service));
                    report(`${vpcLabel(vpc)} has no interface endpoint for ${joinWords(labelled)}; expected one per required service`, vpc.urn);
                }
            });
        }
    },
});

export const ec2Policies = [
    ec2DefaultSecurityGroupClosed,
    ec2VpcFlowLogs,
    ec2SubnetNoPublicIpOnLaunch,
    ec2NoUnrestrictedIngress,
    ec2NoHighRiskPortsOpen,
    ec2NaclNoAdminPorts,
    ec2LaunchTemplateNoPublicIp,
    ec2Imdsv2Required,
    ec2VpcInterfaceEndpoints,
    ec2EbsEncryption,
];
