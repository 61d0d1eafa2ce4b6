import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_EGRESS, type EgressRule } from "../config/egress";

/**
 * An app's egress (`apps.<name>.egress`) as security group egress rules: one
 * `aws.vpc.SecurityGroupEgressRule` per rule, to a CIDR, a managed prefix list or the VPC's CIDR.
 * Rules to another app (`to: <app>`) reference that app's load balancer security group, which may
 * not exist yet while the services are built: `appEgressToApps` adds them once every service does.
 * Unset, the default keeps its historical resource name (`<name>-https-out`), so stacks that
 * never set `egress` see no change.
 */
export function appEgress(
    name: string,
    securityGroupId: pulumi.Input<string>,
    egress: EgressRule[] | undefined,
    vpcCidr: string | undefined,
    opts: pulumi.CustomResourceOptions,
    defaultDescription = "HTTPS to AWS APIs and the internet",
): aws.vpc.SecurityGroupEgressRule[] {
    if (egress === undefined) {
        const [https] = DEFAULT_EGRESS;
        return [
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-https-out`,
                { securityGroupId, description: defaultDescription, ipProtocol: https.protocol, fromPort: https.port, toPort: https.port, cidrIpv4: (https as { cidr: string }).cidr },
                opts,
            ),
        ];
    }
    return egress.flatMap((rule, index) => {
        if ("to" in rule && rule.to !== "vpc") return [];
        if (!("cidr" in rule) && !("prefixList" in rule) && vpcCidr === undefined) throw new Error(`${name}: egress to vpc needs the VPC CIDR`);
        const destination = "cidr" in rule ? { cidrIpv4: rule.cidr } : "prefixList" in rule ? { prefixListId: rule.prefixList } : { cidrIpv4: vpcCidr };
        return [new aws.vpc.SecurityGroupEgressRule(`${name}-egress-${index}`, { securityGroupId, description: describe(rule), ipProtocol: rule.protocol, fromPort: rule.port, toPort: rule.port, ...destination }, opts)];
    });
}

/** The `to: <app>` rules of one app: to each target's load balancer security group, on its listener ports. */
export function appEgressToApps(
    name: string,
    securityGroupId: pulumi.Input<string>,
    egress: EgressRule[] | undefined,
    targets: Record<string, { securityGroupId: pulumi.Input<string>; ports: number[] }>,
    opts: pulumi.CustomResourceOptions,
): aws.vpc.SecurityGroupEgressRule[] {
    return (egress ?? []).flatMap((rule, index) => {
        if (!("to" in rule) || rule.to === "vpc") return [];
        const target = targets[rule.to];
        // Config validation admits only apps with a load balancer on ECS; reaching here means the two disagree.
        if (!target) throw new Error(`${name}: egress to ${rule.to}, which has no load balancer on ECS`);
        return target.ports.map(
            (port) =>
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-egress-${index}-${port}`,
                    {
                        securityGroupId,
                        description: `${rule.protocol.toUpperCase()} ${port} to the ${rule.to} load balancer`,
                        ipProtocol: rule.protocol,
                        fromPort: port,
                        toPort: port,
                        referencedSecurityGroupId: target.securityGroupId,
                    },
                    opts,
                ),
        );
    });
}

/** EC2 refuses apostrophes in rule descriptions; these have none. */
function describe(rule: EgressRule): string {
    const where = "cidr" in rule ? rule.cidr : "prefixList" in rule ? `prefix list ${rule.prefixList}` : "the VPC";
    return `${rule.protocol.toUpperCase()} ${rule.port} to ${where}`;
}
