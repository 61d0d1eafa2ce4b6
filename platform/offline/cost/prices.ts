/**
 * The price table the cost estimate reads: AWS on-demand list prices in USD for the regions the
 * shipped stacks use, one row per price dimension, each citing the AWS pricing page it comes from
 * (`source`) and recording which regions' figures were confirmed against a readable page, which
 * page, and when (`checks`). No network at run time: the table is data, dated, and checked for shape
 * by tests/cost/prices.test.ts.
 *
 * Figures are public list prices (Linux, no free tier, no Savings Plans or Reserved Instances). AWS's
 * own pricing pages render their regional tables with scripts, so a region's figure is confirmed only
 * where a readable page states it (AWS's page where it prints the figure, else a dated third-party
 * page quoting it; `checks[].page` names which). A region no check covers keeps its compiled figure
 * and is reported as unconfirmed: `unconfirmedRegions()` here, `unconfirmedPrices` in the report and
 * a note in the synth's cost section. To refresh: read each row's `source` for every region, update
 * the figures, add a check with the page and day.
 */

export const PRICED_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"] as const;
export type PricedRegion = (typeof PRICED_REGIONS)[number];

/** Hours in the average month, as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

/** One confirmation of a row's figures: the page read, the day, and the regions whose figure it states. */
export interface PriceCheck {
    page: string;
    /** YYYY-MM-DD the page was read. */
    on: string;
    regions: readonly PricedRegion[];
    /** What the page states, when it is not simply the row's figure (a range, a US-only table). */
    note?: string;
}

export interface PriceRow {
    /** What one unit is, e.g. "hour", "GB-month", "million requests". */
    unit: string;
    description: string;
    /** The AWS pricing page the figures come from. */
    source: string;
    /** USD per unit, per region. */
    usd: Record<PricedRegion, number>;
    /** Which regions' figures were confirmed, where and when; an empty list: none confirmed yet. */
    checks: readonly PriceCheck[];
}

/** When the figures were last read from the sources (YYYY-MM-DD). */
export const PRICES_CHECKED = "2026-12-05";

const same = (usd: number): Record<PricedRegion, number> => ({ "us-east-1": usd, "us-west-2": usd, "eu-west-1": usd, "eu-central-1": usd });
const by = (usEast1: number, usWest2: number, euWest1: number, euCentral1: number): Record<PricedRegion, number> => ({ "us-east-1": usEast1, "us-west-2": usWest2, "eu-west-1": euWest1, "eu-central-1": euCentral1 });
const check = (page: string, regions: readonly PricedRegion[], note?: string): PriceCheck => ({ page, on: PRICES_CHECKED, regions, ...(note ? { note } : {}) });
const US_EAST_1 = ["us-east-1"] as const;

const EKS = "https://aws.amazon.com/eks/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const FARGATE = "https://aws.amazon.com/fargate/pricing/";
const KINESIS = "https://aws.amazon.com/kinesis/data-streams/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const WAF = "https://aws.amazon.com/waf/pricing/";
const SECRETS = "https://aws.amazon.com/secrets-manager/pricing/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const APIGW = "https://aws.amazon.com/api-gateway/pricing/";
const SQS = "https://aws.amazon.com/sqs/pricing/";
const SNS = "https://aws.amazon.com/sns/pricing/";
const DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const SFN = "https://aws.amazon.com/step-functions/pricing/";
const EVENTBRIDGE = "https://aws.amazon.com/eventbridge/pricing/";
const ECR = "https://aws.amazon.com/ecr/pricing/";
const ROUTE53 = "https://aws.amazon.com/route53/pricing/";

// Pages read to confirm figures (on PRICES_CHECKED).
const READ = {
    eks: "https://cloudburn.io/blog/amazon-eks-pricing",
    eksAutoMode: "https://www.factualminds.com/blog/amazon-eks-pricing-control-plane-addons-auto-mode/",
    nat: "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/",
    ipv4: "https://www.haufe-akademie.de/en/skill-it/blog/aws-gebuehren-ipv4-adressen",
    alb: "https://cal53.calculator.city/aws-alb-cost-calculator/",
    ec2: "https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
    ec2Calculator: "https://cal53.calculator.city/calculate-cost-of-amazon-ec2/",
    gpFrankfurt: "https://hendric-jabs.de/2023/11/02/gp3-in-2-minuten/",
    fargate: "https://www.vantage.sh/blog/fargate-pricing",
    kms: "https://aws.amazon.com/kms/pricing/",
    kmsRequests: "https://www.wring.co/blog/aws-kms-pricing-guide",
    cloudwatch: "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/",
    cloudwatchUs: "https://cloudburn.io/blog/amazon-cloudwatch-pricing",
    metrics: "https://signoz.io/guides/cloudwatch-pricing",
    waf: "https://c3x.dev/blog/aws-waf-cost-explained/",
    lambda: "https://cloudchipr.com/blog/aws-lambda-pricing",
    apigw: "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html",
    route53: "https://ns1.com/resources/aws-dns",
} as const;

export const PRICES = {
    "eks.cluster.standard": {
        unit: "cluster-hour",
        description: "EKS control plane, version in standard support",
        source: EKS,
        usd: same(0.1),
        checks: [check(READ.eks, US_EAST_1, "$0.10 per cluster-hour at US East (N. Virginia) rates; the page says rates vary by region")],
    },
    "eks.cluster.extended": {
        unit: "cluster-hour",
        description: "EKS control plane, version in extended support",
        source: EKS,
        usd: same(0.6),
        checks: [check(READ.eks, US_EAST_1, "$0.60 per cluster-hour ($0.10 + $0.50 extended support) at US East rates")],
    },
    "vpc.natGateway.hour": {
        unit: "hour",
        description: "NAT gateway",
        source: VPC,
        usd: by(0.045, 0.045, 0.048, 0.052),
        checks: [check(READ.nat, ["us-east-1", "us-west-2"], "$0.045 in US East and US West (Oregon); Europe (Ireland, Frankfurt, London) only as a range, ~$0.048-$0.052")],
    },
    "vpc.natGateway.gb": {
        unit: "GB",
        description: "NAT gateway data processed",
        source: VPC,
        usd: by(0.045, 0.045, 0.048, 0.052),
        checks: [check(READ.nat, ["us-east-1", "us-west-2"], "$0.045/GB in US East and US West (Oregon); Europe only as a range, ~$0.048-$0.052")],
    },
    "vpc.publicIpv4.hour": {
        unit: "address-hour",
        description: "Public IPv4 address (in use or idle)",
        source: VPC,
        usd: same(0.005),
        checks: [check(READ.ipv4, PRICED_REGIONS, "$0.005 per address-hour since 2024-02-01, in every region without exception")],
    },
    "vpc.interfaceEndpoint.hour": { unit: "endpoint-AZ-hour", description: "Interface VPC endpoint, per AZ", source: "https://aws.amazon.com/privatelink/pricing/", usd: by(0.01, 0.01, 0.011, 0.012), checks: [] },
    "ec2.t4g.nano": { unit: "instance-hour", description: "EC2 t4g.nano, Linux on-demand", source: EC2, usd: by(0.0042, 0.0042, 0.0046, 0.0048), checks: [] },
    "ec2.t4g.micro": { unit: "instance-hour", description: "EC2 t4g.micro, Linux on-demand", source: EC2, usd: by(0.0084, 0.0084, 0.0092, 0.0096), checks: [] },
    "ec2.t4g.small": { unit: "instance-hour", description: "EC2 t4g.small, Linux on-demand", source: EC2, usd: by(0.0168, 0.0168, 0.0184, 0.0192), checks: [] },
    "ec2.t4g.medium": { unit: "instance-hour", description: "EC2 t4g.medium, Linux on-demand", source: EC2, usd: by(0.0336, 0.0336, 0.0368, 0.0384), checks: [] },
    "ec2.t3.medium": {
        unit: "instance-hour",
        description: "EC2 t3.medium, Linux on-demand",
        source: EC2,
        usd: by(0.0416, 0.0416, 0.0456, 0.048),
        checks: [check(READ.ec2Calculator, US_EAST_1, "t3.medium in us-east-1 at $0.0416/hour")],
    },
    "ec2.t2.medium": { unit: "instance-hour", description: "EC2 t2.medium, Linux on-demand", source: EC2, usd: by(0.0464, 0.0464, 0.05, 0.0536), checks: [] },
    "ec2.m7g.large": {
        unit: "instance-hour",
        description: "EC2 m7g.large, Linux on-demand",
        source: EC2,
        usd: by(0.0816, 0.0816, 0.0892, 0.0967),
        checks: [check(READ.ec2, US_EAST_1, "m7g.large Linux in us-east-1 at $0.0816/hour (June 2026)")],
    },
    "ec2.m7g.xlarge": { unit: "instance-hour", description: "EC2 m7g.xlarge, Linux on-demand", source: EC2, usd: by(0.1632, 0.1632, 0.1784, 0.1934), checks: [] },
    "ec2.m6g.large": { unit: "instance-hour", description: "EC2 m6g.large, Linux on-demand", source: EC2, usd: by(0.077, 0.077, 0.086, 0.092), checks: [] },
    "ec2.m6g.xlarge": { unit: "instance-hour", description: "EC2 m6g.xlarge, Linux on-demand", source: EC2, usd: by(0.154, 0.154, 0.172, 0.184), checks: [] },
    "ec2.c7g.large": { unit: "instance-hour", description: "EC2 c7g.large, Linux on-demand", source: EC2, usd: by(0.0725, 0.0725, 0.0798, 0.0826), checks: [] },
    "ebs.gp3.gb": {
        unit: "GB-month",
        description: "EBS gp3 volume storage",
        source: EBS,
        usd: by(0.08, 0.08, 0.088, 0.0952),
        checks: [check(READ.ec2Calculator, US_EAST_1, "gp3 at $0.08/GB-month"), check(READ.gpFrankfurt, ["eu-central-1"], "gp3 in eu-central-1 at $0.0952/GB-month")],
    },
    "ebs.gp2.gb": {
        unit: "GB-month",
        description: "EBS gp2 volume storage (@pulumi/eks's default node root volume type)",
        source: EBS,
        usd: by(0.1, 0.1, 0.11, 0.119),
        checks: [check(READ.gpFrankfurt, ["eu-central-1"], "gp2 in eu-central-1 at $0.119/GB-month")],
    },
    "elb.alb.hour": {
        unit: "ALB-hour",
        description: "Application Load Balancer",
        source: ELB,
        usd: by(0.0225, 0.0225, 0.0252, 0.027),
        checks: [check(READ.alb, ["us-east-1", "eu-west-1"], "US East (N. Virginia) $0.0225, Europe (Ireland) $0.0252 per ALB-hour")],
    },
    "elb.alb.lcu": { unit: "LCU-hour", description: "Application Load Balancer capacity unit", source: ELB, usd: by(0.008, 0.008, 0.008, 0.0088), checks: [] },
    "fargate.x86.vcpu": {
        unit: "vCPU-hour",
        description: "Fargate Linux/x86 vCPU",
        source: FARGATE,
        usd: by(0.04048, 0.04048, 0.04048, 0.04656),
        checks: [check(READ.fargate, US_EAST_1, "Linux/x86 $0.04048 per vCPU-hour in us-east-1")],
    },
    "fargate.x86.gb": {
        unit: "GB-hour",
        description: "Fargate Linux/x86 memory",
        source: FARGATE,
        usd: by(0.004445, 0.004445, 0.004445, 0.00511),
        checks: [check(READ.fargate, US_EAST_1, "Linux/x86 $0.004445 per GB-hour in us-east-1")],
    },
    "fargate.arm64.vcpu": {
        unit: "vCPU-hour",
        description: "Fargate Linux/ARM vCPU",
        source: FARGATE,
        usd: by(0.03238, 0.03238, 0.03238, 0.03725),
        checks: [check(READ.fargate, US_EAST_1, "Linux/ARM $0.03238 per vCPU-hour in us-east-1")],
    },
    "fargate.arm64.gb": {
        unit: "GB-hour",
        description: "Fargate Linux/ARM memory",
        source: FARGATE,
        usd: by(0.00356, 0.00356, 0.00356, 0.00409),
        checks: [check(READ.fargate, US_EAST_1, "Linux/ARM $0.00356 per GB-hour in us-east-1")],
    },
    "kinesis.onDemand.streamHour": { unit: "stream-hour", description: "Kinesis on-demand stream", source: KINESIS, usd: by(0.04, 0.04, 0.044, 0.048), checks: [] },
    "kinesis.onDemand.gbIn": { unit: "GB", description: "Kinesis on-demand data in", source: KINESIS, usd: by(0.08, 0.08, 0.088, 0.096), checks: [] },
    "kinesis.provisioned.shardHour": { unit: "shard-hour", description: "Kinesis provisioned shard", source: KINESIS, usd: by(0.015, 0.015, 0.0165, 0.018), checks: [] },
    "kinesis.provisioned.putUnits": { unit: "million PUT payload units", description: "Kinesis provisioned PUT payload units (25 KB each)", source: KINESIS, usd: by(0.014, 0.014, 0.0154, 0.0168), checks: [] },
    "kms.key.month": {
        unit: "key-month",
        description: "KMS customer-managed key (first year; rotation adds $1 for each of the first two yearly rotations)",
        source: KMS,
        usd: same(1),
        checks: [check(READ.kms, PRICED_REGIONS, "each KMS key costs $1/month, one price with no regional table; each newly generated backing key of a rotated key adds $1/month")],
    },
    "kms.requests": { unit: "10,000 requests", description: "KMS API requests", source: KMS, usd: same(0.03), checks: [check(READ.kmsRequests, US_EAST_1, "$0.03 per 10,000 symmetric requests after 20,000 free")] },
    "cloudwatch.alarm.standard": {
        unit: "alarm-month",
        description: "CloudWatch standard-resolution metric alarm",
        source: CLOUDWATCH,
        usd: same(0.1),
        checks: [check(READ.cloudwatchUs, US_EAST_1, "US East (N. Virginia) rates; other regions 10-25% higher on some dimensions")],
    },
    "cloudwatch.logs.ingestGb": {
        unit: "GB",
        description: "CloudWatch Logs standard ingestion",
        source: CLOUDWATCH,
        usd: by(0.5, 0.5, 0.57, 0.63),
        checks: [check(READ.cloudwatch, US_EAST_1, "Logs ingestion $0.50/GB")],
    },
    "cloudwatch.logs.storageGb": { unit: "GB-month", description: "CloudWatch Logs archived storage", source: CLOUDWATCH, usd: by(0.03, 0.03, 0.03, 0.0324), checks: [] },
    "cloudwatch.dashboard.month": {
        unit: "dashboard-month",
        description: "CloudWatch dashboard (after the first three per account)",
        source: CLOUDWATCH,
        usd: same(3),
        checks: [check(READ.cloudwatch, US_EAST_1, "dashboards at $3 each; the pricing page's free tier: 3 custom dashboards")],
    },
    "cloudwatch.metric.month": {
        unit: "metric-month",
        description: "CloudWatch custom metric (first 10,000)",
        source: CLOUDWATCH,
        usd: same(0.3),
        checks: [check(READ.metrics, US_EAST_1, "$0.30/month for the first 10,000")],
    },
    "waf.webAcl.month": { unit: "web ACL-month", description: "AWS WAF web ACL", source: WAF, usd: same(5), checks: [check(READ.waf, US_EAST_1, "$5/month per web ACL (region not stated)")] },
    "waf.rule.month": { unit: "rule-month", description: "AWS WAF rule", source: WAF, usd: same(1), checks: [check(READ.waf, US_EAST_1, "$1/month per rule (region not stated)")] },
    "waf.requests": { unit: "million requests", description: "AWS WAF requests inspected", source: WAF, usd: same(0.6), checks: [check(READ.waf, US_EAST_1, "$0.60 per million requests (region not stated)")] },
    "secretsmanager.secret.month": { unit: "secret-month", description: "Secrets Manager secret", source: SECRETS, usd: same(0.4), checks: [] },
    "lambda.requests": { unit: "million requests", description: "Lambda requests", source: LAMBDA, usd: same(0.2), checks: [check(READ.lambda, US_EAST_1, "$0.20 per million requests, US East (N. Virginia)")] },
    "lambda.arm64.gbSecond": { unit: "GB-second", description: "Lambda duration, arm64", source: LAMBDA, usd: same(0.0000133334), checks: [check(READ.lambda, US_EAST_1, "Arm first tier $0.0000133334 per GB-second")] },
    "lambda.x86.gbSecond": { unit: "GB-second", description: "Lambda duration, x86", source: LAMBDA, usd: same(0.0000166667), checks: [check(READ.lambda, US_EAST_1, "x86 first tier $0.0000166667 per GB-second")] },
    "apigateway.rest.requests": {
        unit: "million requests",
        description: "API Gateway REST API requests (first 333 million)",
        source: APIGW,
        usd: by(3.5, 3.5, 3.5, 3.7),
        checks: [check(READ.apigw, US_EAST_1, "REST: first 333 million requests $3.50 per million")],
    },
    "apigateway.http.requests": {
        unit: "million requests",
        description: "API Gateway HTTP API requests (first 300 million, metered in 512 KB increments)",
        source: APIGW,
        usd: by(1.0, 1.0, 1.11, 1.2),
        checks: [check(READ.apigw, US_EAST_1, "HTTP (us-east-1): first 300 million requests $1.00 per million")],
    },
    "sqs.requests": { unit: "million requests", description: "SQS standard queue requests", source: SQS, usd: by(0.4, 0.4, 0.4, 0.4), checks: [] },
    "sns.requests": { unit: "million publishes", description: "SNS standard topic publishes", source: SNS, usd: same(0.5), checks: [] },
    "dynamodb.onDemand.writes": { unit: "million write request units", description: "DynamoDB on-demand writes", source: DYNAMODB, usd: by(0.625, 0.625, 0.7068, 0.7625), checks: [] },
    "dynamodb.onDemand.reads": { unit: "million read request units", description: "DynamoDB on-demand reads", source: DYNAMODB, usd: by(0.125, 0.125, 0.1413, 0.1525), checks: [] },
    "dynamodb.storage.gb": { unit: "GB-month", description: "DynamoDB Standard table storage", source: DYNAMODB, usd: by(0.25, 0.25, 0.283, 0.306), checks: [] },
    "s3.standard.gb": { unit: "GB-month", description: "S3 Standard storage (first 50 TB)", source: S3, usd: by(0.023, 0.023, 0.023, 0.0245), checks: [] },
    "sfn.standard.transitions": { unit: "1,000 state transitions", description: "Step Functions Standard workflows", source: SFN, usd: by(0.025, 0.025, 0.025, 0.025), checks: [] },
    "sfn.express.requests": { unit: "million requests", description: "Step Functions Express workflows", source: SFN, usd: same(1), checks: [] },
    "eventbridge.events": { unit: "million events", description: "EventBridge custom events published", source: EVENTBRIDGE, usd: same(1), checks: [] },
    "ecr.storage.gb": { unit: "GB-month", description: "ECR private repository storage", source: ECR, usd: same(0.1), checks: [] },
    "route53.hostedZone.month": {
        unit: "hosted zone-month",
        description: "Route 53 hosted zone (first 25; Route 53 is a global service)",
        source: ROUTE53,
        usd: same(0.5),
        checks: [check(READ.route53, PRICED_REGIONS, "$0.50 per hosted zone per month for the first 25; a global service, one price")],
    },
} as const satisfies Record<string, PriceRow>;

export type PriceId = keyof typeof PRICES;

/**
 * Assumptions the estimate states with every line that uses them; none is a price read from a page.
 * - Spot: EC2 Spot prices move with supply and differ per AZ; AWS publishes only "up to 90% off"
 *   (https://aws.amazon.com/ec2/spot/pricing/). The estimate takes a fixed 65% saving, the middle of
 *   what the Spot Instance Advisor (https://aws.amazon.com/ec2/spot/instance-advisor/) shows for
 *   Graviton general-purpose types, so a spot line is on-demand x 0.35.
 * - Fargate Spot: "up to 70% off" Fargate on-demand (https://www.wring.co/blog/aws-fargate-pricing-guide,
 *   read on PRICES_CHECKED); the estimate takes that maximum (x 0.3), so spot-heavy x86 services are
 *   an optimistic figure.
 * - EKS Auto Mode: a management fee per instance-hour on top of EC2, priced per instance type on the
 *   EKS page; it is about 12% of the instance's on-demand price
 *   (https://www.factualminds.com/blog/amazon-eks-pricing-control-plane-addons-auto-mode/), which the
 *   estimate derives from the EC2 row rather than tabulating per type.
 */
export const ASSUMPTIONS = {
    /** Spot instance-hour as a fraction of on-demand. */
    ec2SpotFraction: 0.35,
    /** Fargate Spot as a fraction of Fargate on-demand. */
    fargateSpotFraction: 0.3,
    /**
     * EKS Auto Mode's management fee per instance-hour as a fraction of the instance's on-demand
     * price: the EKS pricing page (https://aws.amazon.com/eks/pricing/, "EKS Auto Mode") lists a fee
     * per instance type, about 12% of its on-demand price; the fee is the same for spot instances.
     */
    eksAutoModeFeeFraction: 0.12,
    /** Nodes an Auto Mode cluster keeps for the apps' pods while idle, and their type (the platform NodePool's smallest Graviton general purpose). */
    eksAutoModeIdleNodes: 1,
    eksAutoModeIdleNodeType: "m7g.large",
    /** Root volume of a NAT instance (Amazon Linux 2023 arm64 AMI), GB. */
    natInstanceRootGb: 8,
} as const;

/**
 * EKS end of standard support per Kubernetes minor version (the EKS user guide's version calendar,
 * https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). A cluster whose
 * upgrade policy is EXTENDED pays the extended rate after this date.
 */
export const EKS_STANDARD_SUPPORT_ENDS: Record<string, string> = {
    "1.31": "2025-11-26",
    "1.32": "2026-03-23",
    "1.33": "2026-07-29",
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
};

/** The price of one row in a region, or undefined when the table has no figures for the region. */
export function priceOf(id: PriceId, region: string): number | undefined {
    return (PRICES[id].usd as Record<string, number>)[region];
}

export function isPricedRegion(region: string): region is PricedRegion {
    return (PRICED_REGIONS as readonly string[]).includes(region);
}

/** Regions whose figure for a row no check confirms (the synth's cost section names them). */
export function unconfirmedRegions(id: PriceId): PricedRegion[] {
    const confirmed = new Set<string>(PRICES[id].checks.flatMap((c: PriceCheck) => c.regions));
    return PRICED_REGIONS.filter((region) => !confirmed.has(region));
}

/** Whether a row's figure for a region was confirmed against a readable page. */
export function isConfirmed(id: PriceId, region: string): boolean {
    return isPricedRegion(region) && !unconfirmedRegions(id).includes(region);
}

/**
 * EKS Auto Mode's management fee for one instance-hour of a type, derived from the type's on-demand
 * row (ASSUMPTIONS.eksAutoModeFeeFraction); undefined when the table has no row for the type.
 */
export function eksAutoModeFeePerHour(instanceType: string, region: string): number | undefined {
    const id = `ec2.${instanceType}`;
    if (!(id in PRICES)) return undefined;
    const onDemand = priceOf(id as PriceId, region);
    return onDemand === undefined ? undefined : Math.round(onDemand * ASSUMPTIONS.eksAutoModeFeeFraction * 1e6) / 1e6;
}
