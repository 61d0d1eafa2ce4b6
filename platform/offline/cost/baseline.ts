import type { CostResource } from "./catalog";

/**
 * The same platform on the anchors' defaults, for the cost benchmark: what the program would
 * register with awsx's Vpc default (a NAT gateway per AZ), @pulumi/eks's default node group
 * (skipDefaultNodeGroup unset: 2 x t2.medium) instead of the platform's managed node groups, one
 * ALB per app and runtime (as the platform already does), and an on-demand Kinesis stream (the
 * stream's other capacity mode). Everything else (runtimes, apps, alarms, keys) is unchanged.
 */
export function anchorBaseline(resources: CostResource[]): CostResource[] {
    const natInstances = new Set(resources.filter((r) => r.type === "aws:ec2/instance:Instance" && r.inputs.sourceDestCheck === false).map((r) => r.urn));
    return resources
        .filter((r) => !natInstances.has(r.urn) && !(r.parent !== undefined && [...natInstances].some((urn) => r.parent === parentOf(resources, urn))))
        .filter((r) => r.type !== "aws:eks/nodeGroup:NodeGroup")
        .map((r) => {
            switch (r.type) {
                case "awsx:ec2:Vpc":
                    return { ...r, inputs: { ...r.inputs, natGateways: { strategy: "OnePerAz" } } };
                case "eks:index:Cluster":
                    return { ...r, inputs: { ...r.inputs, skipDefaultNodeGroup: false } };
                case "aws:kinesis/stream:Stream":
                    return { ...r, inputs: { ...r.inputs, shardCount: undefined, streamModeDetails: { streamMode: "ON_DEMAND" } } };
                default:
                    return r;
            }
        });
}

/** The NAT instance's component (its alarms are its siblings under it). */
function parentOf(resources: CostResource[], urn: string): string | undefined {
    return resources.find((r) => r.urn === urn)?.parent;
}
