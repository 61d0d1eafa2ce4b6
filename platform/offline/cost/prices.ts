/**
 * The price table the cost estimate reads: AWS on-demand list prices in USD for the regions the
 * shipped stacks use, one row per price dimension, each citing the AWS pricing page it comes from.
 * No network at run time: the table is data, dated, and checked for shape by
 * tests/cost/prices.test.ts. To refresh it, read each row's `source` page for every region, update
 * the figures and `checked`.
 *
 * Figures are the public list prices as published on the cited pages (Linux, no free tier, no
 * Savings Plans or Reserved Instances). Regional figures were compiled from those pages and
 * cross-checked on 2026-12-05 against published us-east-1 figures (EKS $0.10/$0.60 per cluster-hour,
 * NAT gateway $0.045 per hour and per GB, ALB $0.0225 per hour and $0.008 per LCU-hour, public IPv4
 * $0.005 per hour).
 */

export const PRICED_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"] as const;
export type PricedRegion = (typeof PRICED_REGIONS)[number];

/** Hours in the average month, as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

export interface PriceRow {
    /** What one unit is, e.g. "hour", "GB-month", "million requests". */
    unit: string;
    description: string;
    /** The AWS pricing page the figures come from. */
    source: string;
    /** USD per unit, per region. */
    usd: Record<PricedRegion, number>;
}

/** When the figures were last read from the sources (YYYY-MM-DD). */
export const PRICES_CHECKED = "2026-12-05";

const same = (usd: number): Record<PricedRegion, number> => ({ "us-east-1": usd, "us-west-2": usd, "eu-west-1": usd, "eu-central-1": usd });
const by = (usEast1: number, usWest2: number, euWest1: number, euCentral1: number): Record<PricedRegion, number> => ({ "us-east-1": usEast1, "us-west-2": usWest2, "eu-west-1": euWest1, "eu-central-1": euCentral1 });

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

export const PRICES = {
    "eks.cluster.standard": { unit: "cluster-hour", description: "EKS control plane, version in standard support", source: EKS, usd: same(0.1) },
    "eks.cluster.extended": { unit: "cluster-hour", description: "EKS control plane, version in extended support", source: EKS, usd: same(0.6) },
    "vpc.natGateway.hour": { unit: "hour", description: "NAT gateway", source: VPC, usd: by(0.045, 0.045, 0.048, 0.052) },
    "vpc.natGateway.gb": { unit: "GB", description: "NAT gateway data processed", source: VPC, usd: by(0.045, 0.045, 0.048, 0.052) },
    "vpc.publicIpv4.hour": { unit: "address-hour", description: "Public IPv4 address (in use or idle)", source: VPC, usd: same(0.005) },
    "vpc.interfaceEndpoint.hour": { unit: "endpoint-AZ-hour", description: "Interface VPC endpoint, per AZ", source: "https://aws.amazon.com/privatelink/pricing/", usd: by(0.01, 0.01, 0.011, 0.012) },
    "ec2.t4g.nano": { unit: "instance-hour", description: "EC2 t4g.nano, Linux on-demand", source: EC2, usd: by(0.0042, 0.0042, 0.0046, 0.0048) },
    "ec2.t4g.micro": { unit: "instance-hour", description: "EC2 t4g.micro, Linux on-demand", source: EC2, usd: by(0.0084, 0.0084, 0.0092, 0.0096) },
    "ec2.t4g.small": { unit: "instance-hour", description: "EC2 t4g.small, Linux on-demand", source: EC2, usd: by(0.0168, 0.0168, 0.0184, 0.0192) },
    "ec2.t4g.medium": { unit: "instance-hour", description: "EC2 t4g.medium, Linux on-demand", source: EC2, usd: by(0.0336, 0.0336, 0.0368, 0.0384) },
    "ec2.t3.medium": { unit: "instance-hour", description: "EC2 t3.medium, Linux on-demand", source: EC2, usd: by(0.0416, 0.0416, 0.0456, 0.048) },
    "ec2.t2.medium": { unit: "instance-hour", description: "EC2 t2.medium, Linux on-demand", source: EC2, usd: by(0.0464, 0.0464, 0.05, 0.0536) },
    "ec2.m7g.large": { unit: "instance-hour", description: "EC2 m7g.large, Linux on-demand", source: EC2, usd: by(0.0816, 0.0816, 0.0892, 0.0967) },
    "ec2.m7g.xlarge": { unit: "instance-hour", description: "EC2 m7g.xlarge, Linux on-demand", source: EC2, usd: by(0.1632, 0.1632, 0.1784, 0.1934) },
    "ec2.m6g.large": { unit: "instance-hour", description: "EC2 m6g.large, Linux on-demand", source: EC2, usd: by(0.077, 0.077, 0.086, 0.092) },
    "ec2.m6g.xlarge": { unit: "instance-hour", description: "EC2 m6g.xlarge, Linux on-demand", source: EC2, usd: by(0.154, 0.154, 0.172, 0.184) },
    "ec2.c7g.large": { unit: "instance-hour", description: "EC2 c7g.large, Linux on-demand", source: EC2, usd: by(0.0725, 0.0725, 0.0798, 0.0826) },
    "ebs.gp3.gb": { unit: "GB-month", description: "EBS gp3 volume storage", source: EBS, usd: by(0.08, 0.08, 0.088, 0.0952) },
    "elb.alb.hour": { unit: "ALB-hour", description: "Application Load Balancer", source: ELB, usd: by(0.0225, 0.0225, 0.0252, 0.027) },
    "elb.alb.lcu": { unit: "LCU-hour", description: "Application Load Balancer capacity unit", source: ELB, usd: by(0.008, 0.008, 0.008, 0.0088) },
    "fargate.x86.vcpu": { unit: "vCPU-hour", description: "Fargate Linux/x86 vCPU", source: FARGATE, usd: by(0.04048, 0.04048, 0.04048, 0.04656) },
    "fargate.x86.gb": { unit: "GB-hour", description: "Fargate Linux/x86 memory", source: FARGATE, usd: by(0.004445, 0.004445, 0.004445, 0.00511) },
    "fargate.arm64.vcpu": { unit: "vCPU-hour", description: "Fargate Linux/ARM vCPU", source: FARGATE, usd: by(0.03238, 0.03238, 0.03238, 0.03725) },
    "fargate.arm64.gb": { unit: "GB-hour", description: "Fargate Linux/ARM memory", source: FARGATE, usd: by(0.00356, 0.00356, 0.00356, 0.00409) },
    "kinesis.onDemand.streamHour": { unit: "stream-hour", description: "Kinesis on-demand stream", source: KINESIS, usd: by(0.04, 0.04, 0.044, 0.048) },
    "kinesis.onDemand.gbIn": { unit: "GB", description: "Kinesis on-demand data in", source: KINESIS, usd: by(0.08, 0.08, 0.088, 0.096) },
    "kinesis.provisioned.shardHour": { unit: "shard-hour", description: "Kinesis provisioned shard", source: KINESIS, usd: by(0.015, 0.015, 0.0165, 0.018) },
    "kinesis.provisioned.putUnits": { unit: "million PUT payload units", description: "Kinesis provisioned PUT payload units (25 KB each)", source: KINESIS, usd: by(0.014, 0.014, 0.0154, 0.0168) },
    "kms.key.month": { unit: "key-month", description: "KMS customer-managed key", source: KMS, usd: same(1) },
    "kms.requests": { unit: "10,000 requests", description: "KMS API requests", source: KMS, usd: same(0.03) },
    "cloudwatch.alarm.standard": { unit: "alarm-month", description: "CloudWatch standard-resolution metric alarm", source: CLOUDWATCH, usd: same(0.1) },
    "cloudwatch.logs.ingestGb": { unit: "GB", description: "CloudWatch Logs standard ingestion", source: CLOUDWATCH, usd: by(0.5, 0.5, 0.57, 0.63) },
    "cloudwatch.logs.storageGb": { unit: "GB-month", description: "CloudWatch Logs archived storage", source: CLOUDWATCH, usd: by(0.03, 0.03, 0.03, 0.0324) },
    "cloudwatch.dashboard.month": { unit: "dashboard-month", description: "CloudWatch dashboard (after the first three per account)", source: CLOUDWATCH, usd: same(3) },
    "cloudwatch.metric.month": { unit: "metric-month", description: "CloudWatch custom metric (first 10,000)", source: CLOUDWATCH, usd: same(0.3) },
    "waf.webAcl.month": { unit: "web ACL-month", description: "AWS WAF web ACL", source: WAF, usd: same(5) },
    "waf.rule.month": { unit: "rule-month", description: "AWS WAF rule", source: WAF, usd: same(1) },
    "waf.requests": { unit: "million requests", description: "AWS WAF requests inspected", source: WAF, usd: same(0.6) },
    "secretsmanager.secret.month": { unit: "secret-month", description: "Secrets Manager secret", source: SECRETS, usd: same(0.4) },
    "lambda.requests": { unit: "million requests", description: "Lambda requests", source: LAMBDA, usd: same(0.2) },
    "lambda.arm64.gbSecond": { unit: "GB-second", description: "Lambda duration, arm64", source: LAMBDA, usd: same(0.0000133334) },
    "lambda.x86.gbSecond": { unit: "GB-second", description: "Lambda duration, x86", source: LAMBDA, usd: same(0.0000166667) },
    "apigateway.http.requests": { unit: "million requests", description: "API Gateway HTTP API requests (first 300 million)", source: APIGW, usd: by(1.0, 1.0, 1.11, 1.2) },
    "apigateway.rest.requests": { unit: "million requests", description: "API Gateway REST API requests (first 333 million)", source: APIGW, usd: by(3.5, 3.5, 3.5, 3.7) },
    "sqs.requests": { unit: "million requests", description: "SQS standard queue requests", source: SQS, usd: by(0.4, 0.4, 0.4, 0.4) },
    "sns.requests": { unit: "million publishes", description: "SNS standard topic publishes", source: SNS, usd: same(0.5) },
    "dynamodb.onDemand.writes": { unit: "million write request units", description: "DynamoDB on-demand writes", source: DYNAMODB, usd: by(0.625, 0.625, 0.7068, 0.7625) },
    "dynamodb.onDemand.reads": { unit: "million read request units", description: "DynamoDB on-demand reads", source: DYNAMODB, usd: by(0.125, 0.125, 0.1413, 0.1525) },
    "dynamodb.storage.gb": { unit: "GB-month", description: "DynamoDB Standard table storage", source: DYNAMODB, usd: by(0.25, 0.25, 0.283, 0.306) },
    "s3.standard.gb": { unit: "GB-month", description: "S3 Standard storage (first 50 TB)", source: S3, usd: by(0.023, 0.023, 0.023, 0.0245) },
    "sfn.standard.transitions": { unit: "1,000 state transitions", description: "Step Functions Standard workflows", source: SFN, usd: by(0.025, 0.025, 0.025, 0.025) },
    "sfn.express.requests": { unit: "million requests", description: "Step Functions Express workflows", source: SFN, usd: same(1) },
    "eventbridge.events": { unit: "million events", description: "EventBridge custom events published", source: EVENTBRIDGE, usd: same(1) },
    "ecr.storage.gb": { unit: "GB-month", description: "ECR private repository storage", source: ECR, usd: same(0.1) },
} as const satisfies Record<string, PriceRow>;

export type PriceId = keyof typeof PRICES;

/**
 * Assumptions the estimate states with every line that uses them. Spot: EC2 and Fargate Spot
 * prices move with supply; the estimate uses a typical discount from the Spot Instance Advisor
 * (https://aws.amazon.com/ec2/spot/instance-advisor/) and Fargate's page.
 */
export const ASSUMPTIONS = {
    /** Spot instance-hour as a fraction of on-demand (a typical 60-70% saving for Graviton general purpose). */
    ec2SpotFraction: 0.35,
    /** Fargate Spot as a fraction of Fargate on-demand ("up to 70% off"). */
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
