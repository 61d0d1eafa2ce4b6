import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface RegionalWebAclArgs {
    description: string;
    /** Requests one client IP may send in 5 minutes before it is blocked for a while. */
    rateLimitPerIp: number;
    /** The resources it protects (API Gateway stage ARNs, load balancer ARNs). */
    protects: pulumi.Input<string>[];
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * A regional AWS WAF web ACL in front of a public endpoint (FSBP APIGateway.4): a per-IP rate
 * limit, AWS's common rule set and its known-bad-inputs set. The common set's 8 KB body limit is
 * counted, not enforced: webhooks legitimately send larger bodies (API Gateway caps them at 10 MB).
 * That override is why the ingest webhook uses this instead of `Api`'s own `webAcl` option, which
 * keeps the common set as is (right for the JSON APIs it serves).
 *
 * Cost: $5 per month per web ACL, $1 per rule (3), $0.60 per million requests.
 */
export class RegionalWebAcl extends pulumi.ComponentResource {
    readonly webAcl: aws.wafv2.WebAcl;

    constructor(name: string, args: RegionalWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:RegionalWebAcl", name, {}, opts);
        const metric = name.replace(/[^A-Za-z0-9]/g, "");
        this.webAcl = new aws.wafv2.WebAcl(
            name,
            {
                description: args.description,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                visibilityConfig: visibility(metric),
                rules: [
                    { name: "rate-limit-per-ip", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { limit: args.rateLimitPerIp, aggregateKeyType: "IP" } }, visibilityConfig: visibility(`${metric}RateLimit`) },
                    {
                        name: "aws-common",
                        priority: 1,
                        overrideAction: { none: {} },
                        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] } },
                        visibilityConfig: visibility(`${metric}Common`),
                    },
                    {
                        name: "aws-known-bad-inputs",
                        priority: 2,
                        overrideAction: { none: {} },
                        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } },
                        visibilityConfig: visibility(`${metric}KnownBadInputs`),
                    },
                ],
            },
            { parent: this },
        );
        args.protects.forEach((resourceArn, index) => new aws.wafv2.WebAclAssociation(`${name}-${index}`, { resourceArn, webAclArn: this.webAcl.arn }, { parent: this }));
        this.registerOutputs({ arn: this.webAcl.arn });
    }
}
