import type { CostResource } from "./catalog";

/**
 * The same platform on the anchors' defaults, for the cost benchmark (`npm run bench:cost`): every
 * runtime, app, stream, table, alarm and key the program registers, with the three choices the
 * anchors make by default in place of the platform's:
 *
 * - awsx's `ec2.Vpc`: a NAT gateway in every AZ (`natGateways.strategy` defaults to `OnePerAz`,
 *   https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/awsx/variables/ec2.NatGatewayStrategy-1.html),
 *   each with an elastic IP, instead of the platform's NAT choice. The AZ count stays the platform's:
 *   awsx's default of 3 AZs would add a third gateway and a third load-balancer address, and the
 *   benchmark does not count an AZ the platform does not use.
 * - @pulumi/eks's `Cluster` without `skipDefaultNodeGroup`: its default node group (2 x t3.medium
 *   on demand, 20 GiB gp2 root volumes; PULUMI_EKS_DEFAULT_NODE_GROUP in catalog.ts, from
 *   nodejs/eks/nodes/nodegroup.ts of github.com/pulumi/pulumi-eks) runs every pod, instead of the
 *   platform's managed node groups and Fargate profiles.
 * - One ALB per app per runtime (awsx's `ecs.FargateService` examples and the AWS
 *   Load Balancer Controller both create one per service or Ingress unless grouped): an ALB for each
 *   ECS service behind a load balancer and for each EKS Ingress or TargetGroupBinding, instead of
 *   whatever the platform shares.
 *
 * Nothing else changes: the comparison is what the platform's own choices save, not a different
 * platform. Kinesis keeps the platform's capacity mode (no anchor has a stream default).
 */
export function anchorBaseline(resources: CostResource[]): CostResource[] {
    const natComponents = new Set(resources.filter((r) => r.type === "aws:ec2/instance:Instance" && r.inputs.sourceDestCheck === false).map((r) => r.parent ?? r.urn));
    const kept = resources
        // The NAT instance, its security group, routes and alarms: the VPC's NAT gateways replace them.
        .filter((r) => !(r.parent !== undefined && natComponents.has(r.parent)) && !natComponents.has(r.urn))
        // The managed node groups and Fargate profiles: the default node group replaces them.
        .filter((r) => r.type !== "aws:eks/nodeGroup:NodeGroup" && r.type !== "aws:eks/fargateProfile:FargateProfile")
        // Shared load balancers: replaced below by one per app and runtime.
        .filter((r) => r.type !== "aws:lb/loadBalancer:LoadBalancer")
        .map((r): CostResource => {
            switch (r.type) {
                case "awsx:ec2:Vpc":
                    return { ...r, inputs: { ...r.inputs, natGateways: { strategy: "OnePerAz" } } };
                case "eks:index:Cluster":
                    return { ...r, inputs: { ...r.inputs, skipDefaultNodeGroup: false } };
                case "kubernetes:networking.k8s.io/v1:Ingress":
                    return ungroupedIngress(r);
                default:
                    return r;
            }
        });
    return [...kept, ...onePerAppAndRuntime(resources)];
}

/** An Ingress with its own ALB (no IngressGroup), of the scheme the platform gave it. */
function ungroupedIngress(ingress: CostResource): CostResource {
    const metadata = (ingress.inputs.metadata ?? {}) as Record<string, unknown>;
    const annotations = { ...((metadata.annotations ?? {}) as Record<string, unknown>) };
    delete annotations["alb.ingress.kubernetes.io/group.name"];
    return { ...ingress, inputs: { ...ingress.inputs, metadata: { ...metadata, annotations } } };
}

/**
 * An ALB for each ECS service behind a load balancer and each EKS TargetGroupBinding, facing where
 * the platform's own load balancer faces (internet-facing when it has none).
 */
function onePerAppAndRuntime(resources: CostResource[]): CostResource[] {
    const internal = resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")?.inputs.internal === true;
    const fronted = resources.filter(
        (r) => (r.type === "aws:ecs/service:Service" && Array.isArray(r.inputs.loadBalancers) && r.inputs.loadBalancers.length > 0) || r.type === "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    );
    return fronted.map((r) => ({
        urn: `${r.urn}-anchor-alb`,
        type: "aws:lb/loadBalancer:LoadBalancer",
        name: `${r.name} (anchor ALB)`,
        ...(r.parent ? { parent: r.parent } : {}),
        inputs: { loadBalancerType: "application", internal },
    }));
}
