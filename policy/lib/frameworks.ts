import { KICS_KUBERNETES_CHECKS } from "../catalog/kics";

/**
 * The control frameworks policies name in `frameworks`, each ID with its text and a link. A
 * policy may name only a control defined here (tests/policy/frameworks.test.ts): an ID nobody
 * defined would be a claim nobody can check. The catalogs of external checks (FSBP, CIS EKS, Pod
 * Security Standards, Checkov, KICS) live in policy/catalog/; this module resolves any ID to its
 * documentation link.
 */

export interface Control {
    id: string;
    title: string;
    url: string;
}

/**
 * The platform's own reliability and no-data-loss rules (the pack's "Reliability N" IDs). The
 * text is the rule; the link is the AWS guidance it rests on.
 */
export const RELIABILITY_CONTROLS: Control[] = [
    {
        id: "Reliability 1",
        title: "A queue consumed by Lambda has a visibility timeout of at least 6 times the function timeout.",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig",
    },
    {
        id: "Reliability 2",
        title: "Every queue redrives to a dead-letter queue after a bounded number of receives, and the dead-letter queue keeps messages longer than its source.",
        url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
    },
    {
        id: "Reliability 3",
        title: "Asynchronous Lambda invocations have an on-failure destination or dead-letter queue, at most 2 retries and a bounded event age.",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
    },
    {
        id: "Reliability 4",
        title: "Stream and queue event source mappings report batch item failures; stream mappings also bisect on error, bound retries and record age, and send failures to a destination.",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-errors.html",
    },
    {
        id: "Reliability 5",
        title: "SNS subscriptions have a redrive policy; EventBridge targets have a dead-letter queue and a retry policy.",
        url: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html",
    },
    {
        id: "Reliability 6",
        title: "Stored data survives mistakes: Kinesis keeps 7 days in prod, DynamoDB has point-in-time recovery, S3 buckets are versioned with a lifecycle.",
        url: "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_backing_up_data_identified_backups_data.html",
    },
    {
        id: "Reliability 7",
        title: "Step Functions Task, Map and Parallel states retry transient errors and catch States.ALL; executions and states have timeouts.",
        url: "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
    },
    {
        id: "Reliability 8",
        title: "ECS services roll back failed deployments (circuit breaker) and run at least 2 tasks in prod across subnets in 2 or more AZs.",
        url: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html",
    },
    {
        id: "Reliability 9",
        title: "EKS node groups set maxUnavailable and keep at least 2 nodes in prod; workloads run 2 or more replicas with a PodDisruptionBudget that allows some disruption.",
        url: "https://docs.aws.amazon.com/eks/latest/best-practices/application.html",
    },
    {
        id: "Reliability 10",
        title: "Prod is multi-AZ everywhere (subnets, load balancers, functions in a VPC), with a NAT gateway per AZ.",
        url: "https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/use-fault-isolation-to-protect-your-workload.html",
    },
    {
        id: "Reliability 11",
        title: "Stateful resources (tables, buckets, streams, keys, log archives) are protected from deletion in prod: protect or retainOnDelete, and the service's own deletion protection.",
        url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    },
    {
        id: "Reliability 12",
        title: "Lambda functions set timeout and memory deliberately, reserved concurrency where a downstream must be protected, and log retention.",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html",
    },
    {
        id: "Reliability 13",
        title: "API stages set throttling (REST method settings, HTTP API default route settings).",
        url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
    },
];

/** Single controls from other sources that a policy answers to. */
export const OTHER_CONTROLS: Control[] = [
    { id: "WA SEC03-BP07", title: "Well-Architected: analyze public and cross-account access.", url: "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_permissions_analyze_cross_account.html" },
    { id: "IAM Access Analyzer policy validation", title: "IAM Access Analyzer: policy grammar and action checks.", url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html" },
    {
        id: "NIST CloudWatch.16",
        title: "CloudWatch log groups are retained for a specified time period (NIST 800-53 in Security Hub).",
        url: "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-16",
    },
    {
        id: "EKS Best Practices: access entries",
        title: "Manage cluster access with EKS access entries instead of the aws-auth ConfigMap.",
        url: "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    },
    { id: "Platform brief: API-driven Lambda", title: "Functions behind API Gateway time out before the 29-second integration timeout.", url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html" },
    {
        id: "Platform: sensitive logs use KMS",
        title: "Log groups holding sensitive data are encrypted with a customer-managed KMS key.",
        url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    },
    { id: "Common practice: no default namespace", title: "Workloads run in a dedicated namespace, not default.", url: "https://kubernetes.io/docs/concepts/security/multi-tenancy/" },
    { id: "Common practice: pinned images", title: "Images are pinned to a version tag or digest, never latest.", url: "https://kubernetes.io/docs/concepts/containers/images/#image-names" },
    { id: "Common practice: probes", title: "Long-running containers have liveness and readiness probes.", url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/" },
    { id: "Common practice: read-only root filesystem", title: "Containers run with a read-only root filesystem.", url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/" },
    {
        id: "Platform: cost within budget",
        title: "A stack's estimated monthly cost stays within the budget its AWS Budgets cost budget declares.",
        url: "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-managing-costs.html",
    },
    { id: "Common practice: requests and limits", title: "Containers set CPU and memory requests and limits.", url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/" },
];

/** Security Hub documents each service's controls on one page, anchored by control ID. */
function fsbpUrl(control: string): string {
    const [service, number] = control.toLowerCase().split(".");
    return `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${service}-${number}`;
}

/** KICS documents each query on a page named by its UUID, under its platform. */
function kicsUrl(id: string): string {
    const kubernetes = KICS_KUBERNETES_CHECKS.some((check) => check.id === id);
    return `https://docs.kics.io/latest/queries/${kubernetes ? "kubernetes-queries" : "terraform-queries/aws"}/${id}/`;
}

const PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/** The documentation link of a control ID, or undefined when no framework defines the form of the ID. */
export function controlUrl(id: string): string | undefined {
    const known = [...RELIABILITY_CONTROLS, ...OTHER_CONTROLS].find((control) => control.id === id);
    if (known) return known.url;
    if (id.startsWith("FSBP ")) return fsbpUrl(id.slice(5));
    if (id.startsWith("CIS EKS ")) return "https://docs.aws.amazon.com/eks/latest/userguide/cis.html";
    if (id.startsWith("PSS baseline: ")) return `${PSS_URL}#baseline`;
    if (id.startsWith("PSS restricted: ")) return `${PSS_URL}#restricted`;
    if (id.startsWith("Checkov ")) return `https://www.checkov.io/5.Policy%20Index/all.html#${id.slice(8)}`;
    if (id.startsWith("KICS ")) return kicsUrl(id.slice(5));
    return undefined;
}
