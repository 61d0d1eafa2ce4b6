import { list, num, rec, str } from "./props";

/**
 * Security group and network ACL rules in one shape, whichever resource declares them: inline
 * `ingress` blocks of aws:ec2/securityGroup, aws:ec2/securityGroupRule, the newer
 * aws:vpc/securityGroupIngressRule, and network ACL entries.
 */

export interface IngressRule {
    /** Where the rule is declared, for messages (e.g. `ingress[0]`). */
    where: string;
    protocol: string;
    /** Inclusive port range; all ports when the protocol is "all". */
    fromPort: number;
    toPort: number;
    /** The CIDRs the rule opens to (IPv4 and IPv6). */
    cidrs: string[];
}

/**
 * The internet, in any spelling: a /0 prefix covers all addresses whatever the address part
 * ("0.0.0.0/0", "::/0", "0::/0", "10.0.0.0/0"), and so, in effect, does a prefix shorter than
 * any private range: an IPv4 prefix under /8 ("0.0.0.0/1" plus "128.0.0.0/1" is the whole
 * internet) or an IPv6 prefix under /16 outside the unique-local and link-local ranges
 * ("2000::/3" is every global unicast address).
 */
export function isWorld(cidr: string): boolean {
    const match = /^([0-9a-f.:]*)\/(\d+)$/i.exec(cidr.trim());
    if (!match) return false;
    const [, address, prefixText] = match;
    const prefix = Number(prefixText);
    if (prefix === 0) return true;
    if (address.includes(":")) return prefix < 16 && !/^f[cde]/i.test(address.padStart(4, "0"));
    return prefix < 8;
}

/** "-1", "all" and protocol number -1 mean every protocol and port. */
export function isAllProtocols(protocol: string): boolean {
    return ["-1", "all"].includes(protocol.toLowerCase());
}

function normaliseProtocol(value: unknown): string {
    const protocol = (str(value) ?? "-1").toLowerCase();
    return { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" }[protocol] ?? protocol;
}

function range(protocol: string, from: unknown, to: unknown): { fromPort: number; toPort: number } {
    if (isAllProtocols(protocol)) return { fromPort: 0, toPort: 65535 };
    const fromPort = num(from);
    const toPort = num(to);
    // 0-0 or -1 with TCP/UDP in a security group means all ports.
    if (fromPort === undefined || toPort === undefined || fromPort < 0 || (fromPort === 0 && toPort === 0)) return { fromPort: 0, toPort: 65535 };
    return { fromPort, toPort };
}

/** Inline `ingress` blocks of a security group (also DefaultSecurityGroup). */
export function inlineIngressRules(props: Record<string, unknown>): IngressRule[] {
    return list(props.ingress).map((block, index) => {
        const rule = rec(block);
        const protocol = normaliseProtocol(rule.protocol);
        return { where: `ingress[${index}]`, protocol, ...range(protocol, rule.fromPort, rule.toPort), cidrs: [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)].map(String) };
    });
}

/** A standalone rule resource, or undefined when it is not an ingress rule. */
export function standaloneIngressRule(type: string, props: Record<string, unknown>): IngressRule | undefined {
    if (type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
        if (props.type !== "ingress") return undefined;
        const protocol = normaliseProtocol(props.protocol);
        return { where: "this rule", protocol, ...range(protocol, props.fromPort, props.toPort), cidrs: [...list(props.cidrBlocks), ...list(props.ipv6CidrBlocks)].map(String) };
    }
    if (type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
        const protocol = normaliseProtocol(props.ipProtocol);
        return { where: "this rule", protocol, ...range(protocol, props.fromPort, props.toPort), cidrs: [str(props.cidrIpv4), str(props.cidrIpv6)].filter((c): c is string => c !== undefined) };
    }
    return undefined;
}

/** True when the rule admits `port` over TCP (or every protocol). */
export function coversTcpPort(rule: { protocol: string; fromPort: number; toPort: number }, port: number): boolean {
    if (!isAllProtocols(rule.protocol) && rule.protocol !== "tcp") return false;
    return rule.fromPort <= port && port <= rule.toPort;
}

export function describePorts(rule: { protocol: string; fromPort: number; toPort: number }): string {
    if (isAllProtocols(rule.protocol)) return "all traffic";
    return rule.fromPort === rule.toPort ? `${rule.protocol} port ${rule.fromPort}` : `${rule.protocol} ports ${rule.fromPort}-${rule.toPort}`;
}
