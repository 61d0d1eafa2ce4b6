import { ASSUMPTIONS, EKS_STANDARD_SUPPORT_ENDS, HOURS_PER_MONTH, PriceId, PRICES, priceOf } from "./prices";
import type { Usage } from "./defaults";

/**
 * How each resource type the program registers is priced: `fixed` lines are paid while the
 * resource exists (idle included), `usage` lines depend on traffic and state their assumption.
 * Types with neither are listed as free (IAM, policies, routes, Kubernetes objects that run on
 * nodes priced elsewhere). tests/cost/catalog.test.ts fails when a shipped stack registers a type
 * this catalog does not name.
 */

/** What the estimator reads of a resource: the offline synth's record or a policy's view of it. */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
    id?: string;
}

export interface LineItem {
    kind: "fixed" | "usage";
    urn: string;
    type: string;
    name: string;
    /** What is paid for, e.g. "NAT gateway" or "t4g.medium ON_DEMAND x1". */
    what: string;
    quantity: number;
    unit: string;
    priceId: PriceId;
    /** USD per unit; undefined when the region has no figure. */
    unitPrice?: number;
    monthly: number;
    /** The assumption behind a usage line or an estimated figure (spot discount, AZ count). */
    assumption?: string;
}

export interface EstimateContext {
    region: string;
    usage: Usage;
    /** The day the estimate is for (EKS support windows). */
    date: string;
    all: CostResource[];
}

export interface TypeEntry {
    /** `priced`: has fixed or usage lines; `free`: costs nothing by itself (say why). */
    kind: "priced" | "free";
    why?: string;
    lines?: (resource: CostResource, ctx: EstimateContext) => Omit<LineItem, "urn" | "type" | "name" | "monthly" | "unitPrice">[];
}

type Draft = Omit<LineItem, "urn" | "type" | "name" | "monthly" | "unitPrice">;

const fixed = (priceId: PriceId, quantity: number, what: string, unit: string, assumption?: string): Draft => ({ kind: "fixed", priceId, quantity, what, unit, ...(assumption ? { assumption } : {}) });
const usage = (priceId: PriceId, quantity: number, what: string, unit: string, assumption: string): Draft => ({ kind: "usage", priceId, quantity, what, unit, assumption });
const hours = (count: number) => count * HOURS_PER_MONTH;
const num = (value: unknown, fallback: number): number =>
    typeof value === "number" && Number.isFinite(value) ? value : typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : fallback;
const rec = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const text = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The EC2 price row of an instance type, when the table has it. */
export function instancePriceId(instanceType: string): PriceId | undefined {
    const id = `ec2.${instanceType}`;
    return id in PRICES ? (id as PriceId) : undefined;
}

/** AZs the VPC spans (from the awsx Vpc's inputs), for per-AZ items whose subnets are outputs. */
function azCount(ctx: EstimateContext): number {
    const vpc = ctx.all.find((r) => r.type === "awsx:ec2:Vpc");
    if (!vpc) return 2;
    const names = arr(vpc.inputs.availabilityZoneNames);
    return names.length > 0 ? names.length : num(vpc.inputs.numberOfAvailabilityZones, 3);
}

function publicIps(count: number, what: string): Draft {
    return fixed("vpc.publicIpv4.hour", hours(count), `${count} public IPv4 address${count === 1 ? "" : "es"} (${what})`, "address-hour");
}

function instanceLines(instanceType: string, count: number, capacity: "ON_DEMAND" | "SPOT", what: string): Draft[] {
    const priceId = instancePriceId(instanceType);
    if (!priceId) return [fixed("ec2.m7g.large", 0, `${what}: ${instanceType} x${count} (no price row for ${instanceType}; add one to prices.ts)`, "instance-hour")];
    const spot = capacity === "SPOT";
    return [
        {
            ...fixed(priceId, hours(count) * (spot ? ASSUMPTIONS.ec2SpotFraction : 1), `${what}: ${instanceType} ${capacity} x${count}`, "instance-hour"),
            ...(spot ? { assumption: `spot at ${Math.round(ASSUMPTIONS.ec2SpotFraction * 100)}% of on-demand` } : {}),
        },
    ];
}

function ebsGb(gb: number, what: string, volumeType: "gp3" | "gp2" = "gp3"): Draft {
    return fixed(`ebs.${volumeType}.gb`, gb, `${what}: ${gb} GB ${volumeType}`, "GB-month");
}

/**
 * @pulumi/eks's default node group when `skipDefaultNodeGroup` is unset: `desiredCapacity` 2 nodes
 * of `instanceType` t3.medium, each with a `nodeRootVolumeSize` 20 GiB root volume of
 * `nodeRootVolumeType` gp2 (nodejs/eks/nodes/nodegroup.ts and nodes/instances.ts
 * DEFAULT_INSTANCE_TYPE in github.com/pulumi/pulumi-eks).
 */
export const PULUMI_EKS_DEFAULT_NODE_GROUP = { instanceType: "t3.medium", desiredCapacity: 2, rootVolumeGb: 20, rootVolumeType: "gp2" } as const;

/**
 * The Fargate size EKS bills a pod at: its requests plus 256 MiB of memory for the Kubernetes
 * components, rounded up to the next vCPU and memory combination Fargate offers
 * (https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html).
 */
export function eksFargatePodSize(cpuRequest: number, memoryMiB: number): { vcpu: number; gb: number } {
    const combos: [number, number[]][] = [
        [0.25, [0.5, 1, 2]],
        [0.5, [1, 2, 3, 4]],
        [1, [2, 3, 4, 5, 6, 7, 8]],
        [2, Array.from({ length: 13 }, (_, i) => i + 4)],
        [4, Array.from({ length: 23 }, (_, i) => i + 8)],
    ];
    const gbNeeded = (memoryMiB + 256) / 1024;
    for (const [vcpu, memories] of combos) {
        if (vcpu < cpuRequest) continue;
        const gb = memories.find((m) => m >= gbNeeded);
        if (gb !== undefined) return { vcpu, gb };
    }
    return { vcpu: 4, gb: 30 };
}

/** Kubernetes CPU quantity ("250m", "1") in vCPU, memory quantity ("512Mi", "1Gi") in MiB. */
function cpuOf(quantity: unknown): number {
    const q = typeof quantity === "string" || typeof quantity === "number" ? String(quantity) : "0";
    return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q) || 0;
}
function mibOf(quantity: unknown): number {
    const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)?$/.exec(typeof quantity === "string" || typeof quantity === "number" ? String(quantity) : "0");
    if (!match) return 0;
    const value = Number(match[1]);
    return match[2] === "Gi" || match[2] === "G" ? value * 1024 : value;
}

/**
 * The Fargate profile whose selector takes a Helm release's pods: same namespace, and every label the
 * selector names carried by the chart's pods (charts label them app.kubernetes.io/name = the chart's
 * name and app.kubernetes.io/instance = the release's name).
 */
function fargateProfileOf(release: CostResource, ctx: EstimateContext): CostResource | undefined {
    const chart = text(release.inputs.chart, "").split("/").pop() ?? "";
    const podLabels: Record<string, string> = { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": text(release.inputs.name, release.name) };
    return ctx.all.find(
        (profile) =>
            profile.type === "aws:eks/fargateProfile:FargateProfile" &&
            arr(profile.inputs.selectors)
                .map(rec)
                .some((selector) => selector.namespace === release.inputs.namespace && Object.entries(rec(selector.labels)).every(([key, value]) => podLabels[key] === value)),
    );
}

/** The launch template a node group uses: by its id, else the one with the node group's name. */
function launchTemplateOf(group: CostResource, ctx: EstimateContext): CostResource | undefined {
    const id = rec(group.inputs.launchTemplate).id;
    const templates = ctx.all.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
    return templates.find((t) => t.id !== undefined && t.id === id) ?? templates.find((t) => t.name === group.name);
}

/**
 * An EKS Auto Mode NodePool: Auto Mode keeps no node when nothing is scheduled, but the apps' pods
 * keep ASSUMPTIONS.eksAutoModeIdleNodes up, spot where the pool allows it, plus the Auto Mode fee,
 * charged per instance-hour at on-demand rates whatever the capacity type. A Karpenter NodePool adds
 * nodes only beyond the priced node groups (usage).
 */
function autoModeNodePoolLines(pool: CostResource): Draft[] {
    const template = rec(rec(rec(pool.inputs.spec).template).spec);
    if (rec(template.nodeClassRef).group !== "eks.amazonaws.com") return [];
    const capacity = arr(template.requirements)
        .map(rec)
        .find((r) => r.key === "karpenter.sh/capacity-type");
    const spot = arr(capacity?.values).includes("spot");
    const count = ASSUMPTIONS.eksAutoModeIdleNodes;
    const instanceType = ASSUMPTIONS.eksAutoModeIdleNodeType;
    const priceId = instancePriceId(instanceType)!;
    const assumption = `${count} node kept up by the apps' pods (eksAutoModeIdleNodes), priced as ${instanceType}`;
    return [
        {
            ...instanceLines(instanceType, count, spot ? "SPOT" : "ON_DEMAND", "EKS Auto Mode nodes")[0],
            assumption: spot ? `${assumption}; spot at ${Math.round(ASSUMPTIONS.ec2SpotFraction * 100)}% of on-demand` : assumption,
        },
        {
            ...fixed(priceId, hours(count) * ASSUMPTIONS.eksAutoModeFeeFraction, `EKS Auto Mode management fee: ${instanceType} x${count}`, "instance-hour"),
            assumption: `${Math.round(ASSUMPTIONS.eksAutoModeFeeFraction * 100)}% of the on-demand price (https://aws.amazon.com/eks/pricing/)`,
        },
    ];
}

function nodeGroupLines(group: CostResource, ctx: EstimateContext): Draft[] {
    const scaling = rec(group.inputs.scalingConfig);
    const count = num(scaling.desiredSize, num(scaling.minSize, 0));
    const types = arr(group.inputs.instanceTypes).map(String);
    const instanceType = types[0] ?? "t3.medium";
    const capacity = group.inputs.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND";
    if (count === 0) return [];
    const template = launchTemplateOf(group, ctx);
    const disks = template ? arr(template.inputs.blockDeviceMappings).map((m) => num(rec(rec(m).ebs).volumeSize, 0)) : [num(group.inputs.diskSize, 20)];
    const diskGb = disks.reduce((a, b) => a + b, 0);
    return [...instanceLines(instanceType, count, capacity, "node group"), ...(diskGb > 0 ? [ebsGb(diskGb * count, `node volumes x${count}`)] : [])];
}

/** Fargate task size of an ECS service or job: CPU units, MiB and architecture from its task definition. */
function taskSize(taskDefinitionRef: unknown, ctx: EstimateContext): { vcpu: number; gb: number; arm: boolean } | undefined {
    const ref = text(taskDefinitionRef, "");
    const family = /task-definition\/([^:]+)/.exec(ref)?.[1] ?? ref;
    const task = ctx.all.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.inputs.family === family);
    if (!task) return undefined;
    return { vcpu: num(task.inputs.cpu, 256) / 1024, gb: num(task.inputs.memory, 512) / 1024, arm: rec(task.inputs.runtimePlatform).cpuArchitecture === "ARM64" };
}

function fargateLines(size: { vcpu: number; gb: number; arm: boolean }, taskHours: number, spotShare: number, what: string, kind: "fixed" | "usage", assumption?: string): Draft[] {
    const arch = size.arm ? "arm64" : "x86";
    const factor = 1 - spotShare + spotShare * ASSUMPTIONS.fargateSpotFraction;
    const spotNote = spotShare > 0 ? `${Math.round(spotShare * 100)}% on FARGATE_SPOT at ${Math.round(ASSUMPTIONS.fargateSpotFraction * 100)}% of the on-demand price` : undefined;
    const note = [assumption, spotNote].filter(Boolean).join("; ") || undefined;
    const make = (priceId: PriceId, quantity: number, unit: string, part: string): Draft => ({ kind, priceId, quantity, unit, what: `${what} (${part}, ${arch})`, ...(note ? { assumption: note } : {}) });
    return [make(`fargate.${arch}.vcpu`, size.vcpu * taskHours * factor, "vCPU-hour", `${size.vcpu} vCPU`), make(`fargate.${arch}.gb`, size.gb * taskHours * factor, "GB-hour", `${size.gb} GB`)];
}

/**
 * Share of an ECS service's tasks on FARGATE_SPOT: tasks beyond the base split by weight.
 * Fargate Spot runs no ARM64 tasks, so an arm64 service's spot share is 0.
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)
 */
function spotShareOf(service: CostResource, tasks: number, arm: boolean): number {
    if (arm || tasks === 0) return 0;
    const strategies = arr(service.inputs.capacityProviderStrategies).map(rec);
    const onDemand = strategies.find((s) => s.capacityProvider === "FARGATE");
    const spot = strategies.find((s) => s.capacityProvider === "FARGATE_SPOT");
    if (!spot) return 0;
    // The base tasks run first, on the provider that declares them; the rest split by weight.
    const spotBase = Math.min(num(spot.base, 0), tasks);
    const onDemandBase = Math.min(num(onDemand?.base, 0), tasks - spotBase);
    const weighted = tasks - spotBase - onDemandBase;
    const spotWeight = num(spot.weight, 0);
    const total = spotWeight + num(onDemand?.weight, 0);
    return (spotBase + (total === 0 ? 0 : weighted * (spotWeight / total))) / tasks;
}

/** ALB-backed Ingresses share one load balancer per `group.name`; one without a group has its own. */
function ingressLoadBalancerKey(ingress: CostResource): string | undefined {
    const spec = rec(ingress.inputs.spec);
    const metadata = rec(ingress.inputs.metadata);
    const annotations = rec(metadata.annotations);
    const className = spec.ingressClassName ?? annotations["kubernetes.io/ingress.class"];
    if (className !== "alb") return undefined;
    const group = annotations["alb.ingress.kubernetes.io/group.name"];
    return typeof group === "string" ? `group:${group}` : `ingress:${ingress.urn}`;
}

const FREE = (why: string): TypeEntry => ({ kind: "free", why });

const NAT_PER_STRATEGY = { None: 0, Single: 1 } as const;

export const COST_CATALOG: Record<string, TypeEntry> = {
    // --- Compute and networking with a fixed price -------------------------------------------
    "eks:index:Cluster": {
        kind: "priced",
        lines: (cluster, ctx) => {
            const version = text(cluster.inputs.version, "");
            const supportType = rec(cluster.inputs.upgradePolicy).supportType ?? "EXTENDED";
            const standardEnds = EKS_STANDARD_SUPPORT_ENDS[version];
            const extended = supportType === "EXTENDED" && standardEnds !== undefined && ctx.date > standardEnds;
            const lines: Draft[] = [
                fixed(
                    extended ? "eks.cluster.extended" : "eks.cluster.standard",
                    hours(1),
                    `EKS control plane ${version} (${extended ? "extended" : "standard"} support)`,
                    "cluster-hour",
                    standardEnds && ctx.date > standardEnds && !extended ? `standard support for ${version} ended ${standardEnds}; upgrade policy STANDARD lets EKS upgrade the cluster` : undefined,
                ),
            ];
            // @pulumi/eks creates its default node group unless told not to.
            if (cluster.inputs.skipDefaultNodeGroup !== true && cluster.inputs.fargate === undefined) {
                const d = PULUMI_EKS_DEFAULT_NODE_GROUP;
                const count = num(cluster.inputs.desiredCapacity, d.desiredCapacity);
                const instanceType = text(cluster.inputs.instanceType, d.instanceType);
                const volumeType = cluster.inputs.nodeRootVolumeType === "gp3" ? "gp3" : d.rootVolumeType;
                lines.push(
                    ...instanceLines(instanceType, count, "ON_DEMAND", "default node group"),
                    ebsGb(num(cluster.inputs.nodeRootVolumeSize, d.rootVolumeGb) * count, `default node group volumes x${count}`, volumeType),
                );
            }
            return lines;
        },
    },
    "awsx:ec2:Vpc": {
        kind: "priced",
        lines: (vpc, ctx) => {
            // awsx's default is a NAT gateway per AZ; its children are not visible offline.
            const strategy = text(rec(vpc.inputs.natGateways).strategy, "OnePerAz");
            const zones = azCount(ctx);
            const count = strategy in NAT_PER_STRATEGY ? NAT_PER_STRATEGY[strategy as keyof typeof NAT_PER_STRATEGY] : zones;
            if (count === 0) return [];
            return [
                fixed("vpc.natGateway.hour", hours(count), `${count} NAT gateway${count === 1 ? "" : "s"} (strategy ${strategy}, ${zones} AZs)`, "hour"),
                publicIps(count, "NAT gateway elastic IPs"),
                usage("vpc.natGateway.gb", count * ctx.usage.natGbPerMonth, "NAT gateway data processed", "GB", `${ctx.usage.natGbPerMonth} GB per gateway per month (natGbPerMonth)`),
            ];
        },
    },
    "aws:ec2/natGateway:NatGateway": {
        kind: "priced",
        lines: (_r, ctx) => [
            fixed("vpc.natGateway.hour", hours(1), "NAT gateway", "hour"),
            usage("vpc.natGateway.gb", ctx.usage.natGbPerMonth, "NAT gateway data processed", "GB", `${ctx.usage.natGbPerMonth} GB per month (natGbPerMonth)`),
        ],
    },
    "aws:ec2/eip:Eip": { kind: "priced", lines: () => [publicIps(1, "elastic IP")] },
    "aws:ec2/instance:Instance": {
        kind: "priced",
        lines: (instance, ctx) => {
            const instanceType = text(instance.inputs.instanceType, "");
            const root = num(rec(instance.inputs.rootBlockDevice).volumeSize, ASSUMPTIONS.natInstanceRootGb);
            const isNat = instance.inputs.sourceDestCheck === false;
            return [
                ...instanceLines(instanceType, 1, "ON_DEMAND", isNat ? "NAT instance" : "instance"),
                ebsGb(root, "root volume"),
                ...(instance.inputs.associatePublicIpAddress === true ? [publicIps(1, "instance public IP")] : []),
                ...(isNat ? [usage("vpc.natGateway.gb", 0, "NAT instance data processed (no per-GB charge)", "GB", `${ctx.usage.natGbPerMonth} GB per month, no processing fee`)] : []),
            ];
        },
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        kind: "priced",
        lines: (endpoint, ctx) => {
            if (endpoint.inputs.vpcEndpointType !== "Interface") return [];
            const subnets = arr(endpoint.inputs.subnetIds).length || azCount(ctx);
            return [fixed("vpc.interfaceEndpoint.hour", hours(subnets), `interface endpoint ${text(endpoint.inputs.serviceName, "")} in ${subnets} AZs`, "endpoint-AZ-hour")];
        },
    },
    "aws:eks/nodeGroup:NodeGroup": { kind: "priced", lines: nodeGroupLines },
    "aws:lb/loadBalancer:LoadBalancer": {
        kind: "priced",
        lines: (lb, ctx) => {
            const subnets = arr(lb.inputs.subnets).length || azCount(ctx);
            return [
                fixed("elb.alb.hour", hours(1), `${text(lb.inputs.loadBalancerType, "application")} load balancer`, "ALB-hour"),
                ...(lb.inputs.internal === true ? [] : [publicIps(subnets, "internet-facing load balancer, one per AZ")]),
                usage("elb.alb.lcu", hours(ctx.usage.lcuPerHour), "load balancer capacity units", "LCU-hour", `${ctx.usage.lcuPerHour} LCU on average (lcuPerHour)`),
            ];
        },
    },
    "kubernetes:networking.k8s.io/v1:Ingress": {
        kind: "priced",
        lines: (ingress, ctx) => {
            const key = ingressLoadBalancerKey(ingress);
            if (!key) return [];
            // Ingresses of one group share an ALB: price it once, on the first of the group.
            const first = ctx.all.find((r) => r.type === ingress.type && ingressLoadBalancerKey(r) === key);
            if (first?.urn !== ingress.urn) return [];
            const annotations = rec(rec(ingress.inputs.metadata).annotations);
            const internetFacing = annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing";
            const zones = azCount(ctx);
            return [
                fixed("elb.alb.hour", hours(1), "application load balancer (Kubernetes Ingress)", "ALB-hour"),
                ...(internetFacing ? [publicIps(zones, "internet-facing load balancer, one per AZ")] : []),
                usage("elb.alb.lcu", hours(ctx.usage.lcuPerHour), "load balancer capacity units", "LCU-hour", `${ctx.usage.lcuPerHour} LCU on average (lcuPerHour)`),
            ];
        },
    },
    "kubernetes:core/v1:Service": {
        kind: "priced",
        lines: (service, ctx) =>
            rec(service.inputs.spec).type === "LoadBalancer"
                ? [fixed("elb.alb.hour", hours(1), "network load balancer (Service type LoadBalancer)", "NLB-hour", "NLB hourly price taken as the ALB's"), publicIps(azCount(ctx), "load balancer, one per AZ")]
                : [],
    },
    "aws:ecs/service:Service": {
        kind: "priced",
        lines: (service, ctx) => {
            const tasks = num(service.inputs.desiredCount, 1);
            const size = taskSize(service.inputs.taskDefinition, ctx);
            if (!size || tasks === 0) return [];
            return fargateLines(size, hours(tasks), spotShareOf(service, tasks, size.arm), `Fargate tasks x${tasks}`, "fixed");
        },
    },
    "aws:scheduler/schedule:Schedule": {
        kind: "priced",
        lines: (schedule, ctx) => {
            const target = rec(typeof schedule.inputs.target === "string" ? JSON.parse(schedule.inputs.target) : schedule.inputs.target);
            const ecs = rec(target.ecsParameters);
            const size = ecs.taskDefinitionArn !== undefined ? taskSize(ecs.taskDefinitionArn, ctx) : undefined;
            if (!size) return [];
            return fargateLines(size, ctx.usage.jobTaskHoursPerJob, 0, "scheduled ECS job", "usage", `${ctx.usage.jobTaskHoursPerJob} task-hours per month (jobTaskHoursPerJob)`);
        },
    },
    "aws:kinesis/stream:Stream": {
        kind: "priced",
        lines: (stream, ctx) => {
            const mode = rec(stream.inputs.streamModeDetails).streamMode ?? (stream.inputs.shardCount !== undefined ? "PROVISIONED" : "ON_DEMAND");
            if (mode === "ON_DEMAND") {
                return [
                    fixed("kinesis.onDemand.streamHour", hours(1), "Kinesis on-demand stream", "stream-hour"),
                    usage("kinesis.onDemand.gbIn", ctx.usage.kinesisGbInPerStream, "Kinesis data in", "GB", `${ctx.usage.kinesisGbInPerStream} GB per month (kinesisGbInPerStream)`),
                ];
            }
            const shards = num(stream.inputs.shardCount, 1);
            const putUnits = (ctx.usage.kinesisGbInPerStream * 1024 * 1024) / 25 / 1e6;
            return [
                fixed("kinesis.provisioned.shardHour", hours(shards), `Kinesis provisioned stream, ${shards} shard${shards === 1 ? "" : "s"}`, "shard-hour"),
                usage("kinesis.provisioned.putUnits", putUnits, "Kinesis PUT payload units", "million units", `${ctx.usage.kinesisGbInPerStream} GB per month in 25 KB units (kinesisGbInPerStream)`),
            ];
        },
    },
    "aws:kms/key:Key": {
        kind: "priced",
        lines: (_key, ctx) => [
            fixed("kms.key.month", 1, "customer-managed key", "key-month"),
            usage("kms.requests", ctx.usage.kmsRequestsPerKey / 10_000, "KMS requests", "10,000 requests", `${ctx.usage.kmsRequestsPerKey} requests per month (kmsRequestsPerKey)`),
        ],
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        kind: "priced",
        // CloudWatch bills an alarm per metric it evaluates: a metric-math alarm pays for each metric query
        // (expressions are free). The account's 10 free alarm metrics are not deducted.
        lines: (alarm) => {
            const metrics = arr(alarm.inputs.metricQueries).filter((q) => rec(q).metric !== undefined).length || 1;
            return [fixed("cloudwatch.alarm.standard", metrics, metrics === 1 ? "metric alarm" : `metric alarm over ${metrics} metrics`, "alarm metric-month")];
        },
    },
    "aws:wafv2/webAcl:WebAcl": {
        kind: "priced",
        lines: (acl, ctx) => {
            const rules = arr(acl.inputs.rules).length;
            return [
                fixed("waf.webAcl.month", 1, "WAF web ACL", "web ACL-month"),
                ...(rules > 0 ? [fixed("waf.rule.month", rules, `${rules} WAF rule${rules === 1 ? "" : "s"}`, "rule-month")] : []),
                usage("waf.requests", ctx.usage.wafRequestsPerAcl / 1e6, "WAF requests", "million requests", `${ctx.usage.wafRequestsPerAcl} requests per month (wafRequestsPerAcl)`),
            ];
        },
    },
    "aws:secretsmanager/secret:Secret": { kind: "priced", lines: () => [fixed("secretsmanager.secret.month", 1, "secret", "secret-month")] },

    // --- Usage-priced -------------------------------------------------------------------------
    "aws:lambda/function:Function": {
        kind: "priced",
        lines: (fn, ctx) => {
            const gb = num(fn.inputs.memorySize, 128) / 1024;
            const arm = arr(fn.inputs.architectures).includes("arm64");
            const requests = ctx.usage.lambdaRequestsPerFunction;
            return [
                usage("lambda.requests", requests / 1e6, "Lambda requests", "million requests", `${requests} requests per month (lambdaRequestsPerFunction)`),
                usage(
                    arm ? "lambda.arm64.gbSecond" : "lambda.x86.gbSecond",
                    requests * (ctx.usage.lambdaAverageMs / 1000) * gb,
                    `Lambda duration at ${gb * 1024} MB`,
                    "GB-second",
                    `${ctx.usage.lambdaAverageMs} ms on average (lambdaAverageMs)`,
                ),
            ];
        },
    },
    "aws:apigateway/stage:Stage": {
        kind: "priced",
        lines: (_stage, ctx) => [usage("apigateway.rest.requests", ctx.usage.apiRequestsPerApi / 1e6, "REST API requests", "million requests", `${ctx.usage.apiRequestsPerApi} requests per month (apiRequestsPerApi)`)],
    },
    "aws:apigatewayv2/stage:Stage": {
        kind: "priced",
        lines: (_stage, ctx) => [usage("apigateway.http.requests", ctx.usage.apiRequestsPerApi / 1e6, "HTTP API requests", "million requests", `${ctx.usage.apiRequestsPerApi} requests per month (apiRequestsPerApi)`)],
    },
    "aws:sqs/queue:Queue": {
        kind: "priced",
        lines: (_q, ctx) => [usage("sqs.requests", ctx.usage.sqsRequestsPerQueue / 1e6, "SQS requests", "million requests", `${ctx.usage.sqsRequestsPerQueue} requests per month (sqsRequestsPerQueue)`)],
    },
    "aws:sns/topic:Topic": {
        kind: "priced",
        lines: (_t, ctx) => [usage("sns.requests", ctx.usage.snsPublishesPerTopic / 1e6, "SNS publishes", "million publishes", `${ctx.usage.snsPublishesPerTopic} publishes per month (snsPublishesPerTopic)`)],
    },
    "aws:dynamodb/table:Table": {
        kind: "priced",
        lines: (_t, ctx) => [
            usage("dynamodb.onDemand.writes", ctx.usage.dynamodbWritesPerTable / 1e6, "DynamoDB writes", "million WRU", `${ctx.usage.dynamodbWritesPerTable} write units per month (dynamodbWritesPerTable)`),
            usage("dynamodb.onDemand.reads", ctx.usage.dynamodbReadsPerTable / 1e6, "DynamoDB reads", "million RRU", `${ctx.usage.dynamodbReadsPerTable} read units per month (dynamodbReadsPerTable)`),
            usage("dynamodb.storage.gb", ctx.usage.dynamodbGbPerTable, "DynamoDB storage", "GB-month", `${ctx.usage.dynamodbGbPerTable} GB (dynamodbGbPerTable)`),
        ],
    },
    "aws:s3/bucket:Bucket": { kind: "priced", lines: (_b, ctx) => [usage("s3.standard.gb", ctx.usage.s3GbPerBucket, "S3 Standard storage", "GB-month", `${ctx.usage.s3GbPerBucket} GB (s3GbPerBucket)`)] },
    "aws:cloudwatch/logGroup:LogGroup": {
        kind: "priced",
        lines: (_g, ctx) => [
            usage("cloudwatch.logs.ingestGb", ctx.usage.logsIngestGbPerGroup, "log ingestion", "GB", `${ctx.usage.logsIngestGbPerGroup} GB per month (logsIngestGbPerGroup)`),
            usage("cloudwatch.logs.storageGb", ctx.usage.logsStoredGbPerGroup, "log storage", "GB-month", `${ctx.usage.logsStoredGbPerGroup} GB kept (logsStoredGbPerGroup)`),
        ],
    },
    "aws:sfn/stateMachine:StateMachine": {
        kind: "priced",
        lines: (machine, ctx) =>
            machine.inputs.type === "EXPRESS"
                ? [
                      usage(
                          "sfn.express.requests",
                          ctx.usage.sfnRequestsPerExpressMachine / 1e6,
                          "Express workflow requests",
                          "million requests",
                          `${ctx.usage.sfnRequestsPerExpressMachine} per month (sfnRequestsPerExpressMachine)`,
                      ),
                  ]
                : [
                      usage(
                          "sfn.standard.transitions",
                          ctx.usage.sfnTransitionsPerStandardMachine / 1000,
                          "Standard workflow state transitions",
                          "1,000 transitions",
                          `${ctx.usage.sfnTransitionsPerStandardMachine} per month (sfnTransitionsPerStandardMachine)`,
                      ),
                  ],
    },
    "aws:cloudwatch/eventBus:EventBus": {
        kind: "priced",
        lines: (_b, ctx) => [usage("eventbridge.events", ctx.usage.eventsPerBus / 1e6, "custom events", "million events", `${ctx.usage.eventsPerBus} per month (eventsPerBus)`)],
    },
    "aws:ecr/repository:Repository": {
        kind: "priced",
        lines: (_r, ctx) => [usage("ecr.storage.gb", ctx.usage.ecrGbPerRepository, "image storage", "GB-month", `${ctx.usage.ecrGbPerRepository} GB (ecrGbPerRepository)`)],
    },

    // --- Free by themselves --------------------------------------------------------------------
    "pulumi:pulumi:Stack": FREE("the stack"),
    "pulumi:providers:aws": FREE("a provider"),
    "pulumi:providers:kubernetes": FREE("a provider"),
    "aws:iam/role:Role": FREE("IAM is free"),
    "aws:iam/rolePolicy:RolePolicy": FREE("IAM is free"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": FREE("IAM is free"),
    "aws:iam/policy:Policy": FREE("IAM is free"),
    "aws:iam/instanceProfile:InstanceProfile": FREE("IAM is free"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": FREE("IAM is free"),
    "aws:kms/alias:Alias": FREE("aliases are free"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": FREE("security groups are free"),
    "aws:ec2/securityGroup:SecurityGroup": FREE("security groups are free"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": FREE("security group rules are free"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": FREE("security group rules are free"),
    "aws:ec2/route:Route": FREE("routes are free"),
    "aws:ec2/flowLog:FlowLog": FREE("flow logs are paid as log ingestion of their log group"),
    "aws:ec2/launchTemplate:LaunchTemplate": FREE("priced through the node group that uses it"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": FREE("configuration"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": FREE("configuration"),
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": FREE("configuration"),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": FREE("cached images are paid as repository storage"),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": FREE("enhanced scanning is billed by Amazon Inspector per image scanned (usage)"),
    "aws:ecs/cluster:Cluster": FREE("ECS clusters are free; Container Insights metrics are usage"),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": FREE("configuration"),
    "aws:ecs/taskDefinition:TaskDefinition": {
        kind: "priced",
        // Services and scheduled jobs price their own tasks; a task definition a workflow runs (runTask) is priced here, as usage.
        lines: (taskDefinition, ctx) => {
            const family = text(taskDefinition.inputs.family, "");
            const runByWorkflow = ctx.all.some(
                (r) =>
                    r.type === "aws:sfn/stateMachine:StateMachine" && typeof r.inputs.definition === "string" && r.inputs.definition.includes("ecs:runTask") && r.inputs.definition.includes(`task-definition/${family}:`),
            );
            if (!runByWorkflow || family === "") return [];
            const size = { vcpu: num(taskDefinition.inputs.cpu, 256) / 1024, gb: num(taskDefinition.inputs.memory, 512) / 1024, arm: rec(taskDefinition.inputs.runtimePlatform).cpuArchitecture === "ARM64" };
            const taskHours = ctx.usage.workflowTaskHoursPerTaskDefinition;
            return fargateLines(size, taskHours, 0, "ECS tasks a workflow runs", "usage", `${taskHours} task-hours per month (workflowTaskHoursPerTaskDefinition)`);
        },
    },
    "aws:appautoscaling/target:Target": FREE("configuration"),
    "aws:appautoscaling/policy:Policy": FREE("its alarms are created by Application Auto Scaling (about $0.20/month per policy, not modelled)"),
    "aws:lb/listener:Listener": FREE("priced through the load balancer"),
    "aws:lb/listenerRule:ListenerRule": FREE("priced through the load balancer (rule evaluations are part of LCUs)"),
    "aws:lb/targetGroup:TargetGroup": FREE("priced through the load balancer"),
    "aws:eks/accessEntry:AccessEntry": FREE("configuration"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": FREE("configuration"),
    "aws:eks/addon:Addon": FREE("add-ons run on the nodes priced above"),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": FREE("configuration"),
    "aws:eks/fargateProfile:FargateProfile": FREE("pods it runs are Fargate usage"),
    "aws:apigateway/account:Account": FREE("configuration"),
    "aws:apigateway/deployment:Deployment": FREE("configuration"),
    "aws:apigateway/integration:Integration": FREE("configuration"),
    "aws:apigateway/integrationResponse:IntegrationResponse": FREE("configuration"),
    "aws:apigateway/method:Method": FREE("configuration"),
    "aws:apigateway/methodResponse:MethodResponse": FREE("configuration"),
    "aws:apigateway/methodSettings:MethodSettings": FREE("configuration"),
    "aws:apigateway/model:Model": FREE("configuration"),
    "aws:apigateway/requestValidator:RequestValidator": FREE("configuration"),
    "aws:apigateway/resource:Resource": FREE("configuration"),
    "aws:apigateway/response:Response": FREE("configuration"),
    "aws:apigateway/restApi:RestApi": FREE("requests are priced on its stage"),
    "aws:apigateway/usagePlan:UsagePlan": FREE("configuration"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": FREE("priced through the web ACL"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": FREE("paid as log ingestion"),
    "aws:cloudwatch/eventArchive:EventArchive": FREE("archived events are billed per GB stored (usage, not modelled: small at these volumes)"),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": FREE("configuration"),
    "aws:cloudwatch/eventRule:EventRule": FREE("rules are free; events are priced on the bus"),
    "aws:cloudwatch/eventTarget:EventTarget": FREE("configuration"),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": FREE("configuration"),
    "aws:cloudwatch/dashboard:Dashboard": {
        kind: "priced",
        // The first three dashboards of an account are free: the stack's first three by URN are taken as
        // those, so the estimate names the same ones whatever order the program registered them in.
        lines: (dashboard, ctx) => {
            const urns = ctx.all
                .filter((r) => r.type === dashboard.type)
                .map((r) => r.urn)
                .sort();
            const index = urns.indexOf(dashboard.urn);
            return index < 3 ? [] : [fixed("cloudwatch.dashboard.month", 1, "CloudWatch dashboard (beyond the account's three free ones)", "dashboard-month")];
        },
    },
    "aws:dynamodb/resourcePolicy:ResourcePolicy": FREE("configuration"),
    "aws:lambda/eventSourceMapping:EventSourceMapping": FREE("configuration"),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": FREE("configuration"),
    "aws:lambda/permission:Permission": FREE("configuration"),
    "aws:lambda/functionUrl:FunctionUrl": FREE("function URLs cost nothing: requests and duration are the function's (https://aws.amazon.com/lambda/pricing/)"),
    "aws:apigatewayv2/api:Api": FREE("requests are priced on its stage"),
    "aws:apigatewayv2/integration:Integration": FREE("configuration"),
    "aws:apigatewayv2/route:Route": FREE("configuration"),
    "aws:apigatewayv2/authorizer:Authorizer": FREE("configuration"),
    "aws:route53/zone:Zone": { kind: "priced", lines: () => [fixed("route53.hostedZone.month", 1, "Route 53 hosted zone", "hosted zone-month")] },
    "aws:route53/record:Record": FREE("records are free; queries are usage (alias queries to AWS resources are free)"),
    "kubernetes:core/v1:PersistentVolumeClaim": {
        kind: "priced",
        // An EBS-backed claim provisions a volume of its requested size (gp3 with the platform's storage class).
        lines: (claim) => {
            const gb = mibOf(rec(rec(rec(claim.inputs.spec).resources).requests).storage) / 1024;
            return gb > 0 ? [usage("ebs.gp3.gb", gb, "persistent volume (EBS gp3)", "GB-month", `${gb} GB requested by the claim, bound while it exists`)] : [];
        },
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": FREE("configuration"),
    "aws:s3/bucketLogging:BucketLogging": FREE("log objects are storage of the log bucket"),
    "aws:s3/bucketNotification:BucketNotification": FREE("configuration"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": FREE("configuration"),
    "aws:s3/bucketPolicy:BucketPolicy": FREE("configuration"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": FREE("configuration"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": FREE("configuration"),
    "aws:s3/bucketVersioning:BucketVersioning": FREE("old versions are storage (usage)"),
    "aws:scheduler/scheduleGroup:ScheduleGroup": FREE("configuration"),
    "aws:sns/topicPolicy:TopicPolicy": FREE("configuration"),
    "aws:sns/topicSubscription:TopicSubscription": FREE("deliveries are priced on the topic"),
    "aws:sqs/queuePolicy:QueuePolicy": FREE("configuration"),
    "aws:sqs/redrivePolicy:RedrivePolicy": FREE("configuration"),
    "aws:budgets/budget:Budget": FREE("the first two budgets of an account are free (https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/)"),
    "aws:ssm/parameter:Parameter": FREE("standard parameters are free"),
    "kubernetes:apps/v1:Deployment": FREE("pods run on the nodes priced above"),
    "kubernetes:apps/v1:DaemonSet": FREE("pods run on the nodes priced above"),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": FREE("configuration"),
    "kubernetes:batch/v1:CronJob": FREE("pods run on the nodes priced above"),
    "kubernetes:core/v1:Namespace": FREE("configuration"),
    "kubernetes:core/v1:ServiceAccount": FREE("configuration"),
    "kubernetes:core/v1:ConfigMap": FREE("configuration"),
    "kubernetes:helm.sh/v3:Release": {
        kind: "priced",
        // Pods on nodes are priced with the nodes; pods a Fargate profile takes are billed per pod.
        lines: (release, ctx) => {
            if (!fargateProfileOf(release, ctx)) return [];
            const values = rec(release.inputs.values);
            const replicas = num(values.replicas ?? values.replicaCount, 1);
            const requests = rec(rec(rec(values.controller).resources ?? values.resources).requests);
            const size = eksFargatePodSize(cpuOf(requests.cpu), mibOf(requests.memory));
            const what = `EKS Fargate pods of ${text(release.inputs.name, release.name)} x${replicas}`;
            // EKS on Fargate runs x86_64 pods only.
            return fargateLines({ ...size, arm: false }, hours(replicas), 0, what, "fixed", "requests plus 256 MiB, rounded up to a Fargate size");
        },
    },
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": FREE("configuration"),
    "kubernetes:storage.k8s.io/v1:StorageClass": FREE("configuration; the volumes it provisions are usage (EBS gp3 per GB-month)"),
    "kubernetes:networking.k8s.io/v1:IngressClass": FREE("configuration"),
    "kubernetes:eks.amazonaws.com/v1:IngressClassParams": FREE("configuration; the load balancers Ingresses get are priced through the Ingress"),
    "kubernetes:eks.amazonaws.com/v1:NodeClass": FREE("configuration"),
    // Auto Mode's NodePool (its nodeClassRef names the eks.amazonaws.com group): the nodes the apps keep up, and Auto Mode's fee on them.
    "kubernetes:karpenter.sh/v1:NodePool": { kind: "priced", lines: autoModeNodePoolLines },
    "kubernetes:keda.sh/v1alpha1:ScaledObject": FREE("configuration; the pods it starts run on the nodes priced above"),
    "kubernetes:keda.sh/v1alpha1:TriggerAuthentication": FREE("configuration"),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": FREE("configuration"),
    "kubernetes:policy/v1:PodDisruptionBudget": FREE("configuration"),
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": FREE("priced through the load balancer"),
};

/**
 * The program's own components own no cloud object themselves: their children are priced.
 * Remote components (awsx, eks) are not: their children are invisible offline, so each needs an
 * entry that prices it from its inputs.
 */
export function isComponentType(type: string): boolean {
    return type.startsWith("platform:");
}

/** The price of a row in a region (undefined: the table has no figure for that region). */
export function unitPrice(priceId: PriceId, region: string): number | undefined {
    return priceOf(priceId, region);
}
