import type { RecordedResource } from "../mock-cloud";
import { finding, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "./types";

/**
 * EC2 refuses a security group rule that repeats one the group already has (same direction,
 * protocol, ports and peer): AuthorizeSecurityGroupIngress/Egress fails with
 * InvalidPermission.Duplicate and `pulumi up` stops there. The mock cloud accepts both; this rule
 * finds them among the `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule` resources, e.g. an
 * `additionalSecurityGroupRules` entry that repeats a rule the platform derives from `egress`.
 */
export const securityGroupDuplicatesRule: ReadinessRule = {
    id: "security-group-duplicates",
    title: "no security group rule repeats another of the same group",
    doc: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
    check: checkDuplicates,
};

const DIRECTIONS: Record<string, string> = {
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
};
const PEERS = ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"] as const;

/** What EC2 compares, or undefined when a part is unknown at synth (then nothing can be said). */
function ruleKey(resource: RecordedResource): string | undefined {
    const { securityGroupId, ipProtocol, fromPort, toPort } = resource.inputs;
    const peer = PEERS.find((key) => resource.inputs[key] !== undefined);
    if (typeof securityGroupId !== "string" || typeof ipProtocol !== "string" || !peer || typeof resource.inputs[peer] !== "string") return undefined;
    // With every protocol ("-1") the ports are not part of the rule.
    const ports = ipProtocol === "-1" ? "all" : `${String(fromPort)}-${String(toPort)}`;
    return `${securityGroupId} ${DIRECTIONS[resource.type]} ${ipProtocol.toLowerCase()} ${ports} ${peer}=${String(resource.inputs[peer])}`;
}

function checkDuplicates(context: ReadinessContext): ReadinessFinding[] {
    const first = new Map<string, RecordedResource>();
    const findings: ReadinessFinding[] = [];
    for (const resource of context.resources) {
        if (!(resource.type in DIRECTIONS)) continue;
        const key = ruleKey(resource);
        if (key === undefined) continue;
        const earlier = first.get(key);
        if (!earlier) {
            first.set(key, resource);
            continue;
        }
        findings.push(finding(securityGroupDuplicatesRule, resource, "failure", `${resource.name} repeats ${earlier.name} (${key}): EC2 refuses it with InvalidPermission.Duplicate; drop one of them`));
    }
    return findings;
}
