/**
 * The stack config key that fixes a policy finding, when one exists: the pack's remediations are
 * written for any program ("set xrayTracingEnabled on the stage"), a user of this program turns a
 * config key instead. Each key is a path in the project namespace (platform/config/schema.ts); a test
 * checks every path exists in PlatformInputSchema and every policy in the pack.
 */
export const POLICY_CONFIG_KEYS: Record<string, { keys: string[]; how: string }> = {
    "elb-listeners-use-tls": { keys: ["ingress.certificateArn"], how: "set an ACM certificate in the stack's region; the listener then serves HTTPS and port 80 redirects" },
    "elb-deletion-protection": { keys: ["protection.deletionProtection"], how: "set it to true (on by default in staging and prod)" },
    "ec2-vpc-interface-endpoints": { keys: ["network.interfaceEndpoints"], how: "list the endpoints (ecr.api, ecr.dkr, logs, sts, ssm); each costs about $7/month per AZ" },
    "vpc-nat-gateway-per-az": { keys: ["network.natStrategy"], how: "set perAz" },
    "ecs-container-insights": { keys: ["ecs.containerInsights"], how: "set enabled or enhanced" },
    "ecs-service-high-availability": { keys: ["apps.<app>.replicas.min"], how: "set 2 or more" },
    "logs-retention": { keys: ["logs.retentionDays"], how: "raise it to the environment's minimum" },
    "lambda-log-retention": { keys: ["logs.retentionDays"], how: "raise it to the environment's minimum" },
    "apigateway-waf": { keys: ["translate.api.waf", "fanout.api.waf", "ingest.waf"], how: "set true (about $8/month per API; on by default in prod)" },
    "kinesis-retention": { keys: ["ingest.retentionHours"], how: "set 168 or more" },
    "eks-endpoint-private": { keys: ["eks.endpoint.publicAccessCidrs"], how: "remove it (or never 0.0.0.0/0)" },
    "eks-supported-version": { keys: ["eks.version"], how: "set a version EKS still supports" },
    "stateful-resources-protected": { keys: ["protection.protectStatefulResources"], how: "set true (on by default in prod)" },
};

/** The remediation a user of this program reads: the config key first, then the pack's own text. */
export function remediationFor(policy: string, project: string, packRemediation: string): string {
    const entry = POLICY_CONFIG_KEYS[policy];
    if (!entry) return packRemediation;
    return `${entry.keys.map((key) => `${project}:${key}`).join(" or ")}: ${entry.how}. (${packRemediation})`;
}
