import type { RecordedResource } from "../mock-cloud";
import { finding, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "./types";

const EKS_CLUSTER = "eks:index:Cluster";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

/** A rule that admits TCP 443 from some network: a CIDR, a prefix list, or another group's members. */
function admitsHttps(rule: RecordedResource): boolean {
    const inputs = rule.inputs;
    if (rule.type === LEGACY_RULE && inputs.type !== "ingress") return false;
    const protocol = [inputs.ipProtocol, inputs.protocol].find((value): value is string => typeof value === "string") ?? "";
    const allProtocols = protocol === "-1" || protocol === "all";
    if (!allProtocols && protocol !== "tcp" && protocol !== "6") return false;
    const from = Number(inputs.fromPort ?? 0);
    const to = Number(inputs.toPort ?? 65535);
    const coversPort = allProtocols || (from <= 443 && 443 <= to);
    const source = [inputs.cidrIpv4, inputs.cidrIpv6, inputs.prefixListId, inputs.referencedSecurityGroupId, inputs.sourceSecurityGroupId, ...((inputs.cidrBlocks as unknown[]) ?? [])].some(
        (value) => typeof value === "string" && value !== "",
    );
    return coversPort && source;
}

/**
 * The deploy path: `pulumi up` talks to the Kubernetes API (Helm releases, manifests). With the
 * public endpoint off, the runner reaches the private endpoint only if a security group of the
 * control plane admits 443 from its network; the group EKS creates admits only the cluster's
 * own members. Checks the groups the program attaches (`clusterSecurityGroup`) and the
 * EKS-created group, against the ingress rules the program registers.
 */
export const DEPLOY_PATH: ReadinessRule = {
    id: "deploy-path",
    title: "A private EKS API endpoint is reachable on 443 from some deployer network",
    doc: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
    check(context: ReadinessContext): ReadinessFinding[] {
        const findings: ReadinessFinding[] = [];
        const rules = context.resources.filter((r) => r.custom && (r.type === INGRESS_RULE || r.type === LEGACY_RULE) && admitsHttps(r));
        for (const cluster of context.resources.filter((r) => r.type === EKS_CLUSTER)) {
            const publicCidrs = (cluster.inputs.publicAccessCidrs as string[] | undefined) ?? [];
            // A public endpoint defaults to 0.0.0.0/0 (other rules refuse that); with CIDRs it is a deploy path of its own.
            if (cluster.inputs.endpointPublicAccess === true && publicCidrs.length > 0) continue;
            const attached = (cluster.inputs.clusterSecurityGroup as { urn?: string } | undefined)?.urn;
            const attachedGroup = context.resources.find((r) => r.type === SECURITY_GROUP && r.urn === attached);
            const eksCreated = (cluster.state.eksCluster as { vpcConfig?: { clusterSecurityGroupId?: string } } | undefined)?.vpcConfig?.clusterSecurityGroupId;
            const groupIds = [attachedGroup?.state.id ?? attachedGroup?.id, eksCreated].filter((id): id is string => typeof id === "string");
            // Inline rules of the attached group count too (the component asks for none, but AWS would honour them).
            const inline = ((attachedGroup?.inputs.ingress as Record<string, unknown>[] | undefined) ?? []).some((rule) => admitsHttps({ ...attachedGroup!, type: INGRESS_RULE, inputs: rule }));
            const open = inline || rules.some((rule) => groupIds.includes(String(rule.inputs.securityGroupId)));
            if (!open) {
                findings.push(
                    finding(
                        DEPLOY_PATH,
                        cluster,
                        "failure",
                        "the API endpoint is private and no security group rule of the control plane admits 443 from a deployer network: `pulumi up` times out at the first Kubernetes resource. " +
                            "Attach a group (clusterSecurityGroup) with an ingress rule for the VPC CIDR and the networks where `pulumi up` runs (platform:eks.endpoint.privateAccessCidrs)",
                    ),
                );
            }
        }
        return findings;
    },
};
