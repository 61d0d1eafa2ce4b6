import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withTransforms, type Transformable } from "../transform";

export interface RegionalWebAclArgs extends Transformable {
    description: string;
    /** Requests one client IP may send in 5 minutes before it is blocked for a while. */
    rateLimitPerIp: number;
    /** The resources it protects (API Gateway stage ARNs, load balancer ARNs). */
    protects: pulumi.Input<string>[];
    /**
     * Count, not block, bodies over the common rule set's 8 KB (`SizeRestrictions_BODY`): for
     * webhooks, which legitimately send larger bodies (API Gateway caps them at 10 MB).
     * @default false (the common set as AWS ships it, right for small JSON APIs)
     */
    allowLargeBodies?: boolean;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * A regional AWS WAF web ACL in front of a public endpoint (FSBP APIGateway.4): a per-IP rate
 * limit, AWS's common rule set and its known-bad-inputs set. `Api`'s `webAcl` option builds one
 * for its stage.
 *
 * Cost: $5 per month per web ACL, $1 per rule (3), $0.60 per million requests.
 */
export class RegionalWebAcl extends pulumi.ComponentResource {
    readonly webAcl: aws.wafv2.WebAcl;

    constructor(name: string, args: RegionalWebAclArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:RegionalWebAcl", name, {}, withTransforms(opts, args.transform));
        const limit = args.rateLimitPerIp;
        // WAF's rate-based rule accepts 10 to 2,000,000,000 requests per 5 minutes.
        if (!Number.isInteger(limit) || limit < 10 || limit > 2000000000) throw new Error(`${name}: the per-IP rate limit must be a whole number from 10 to 2000000000 requests per 5 minutes, got ${limit}`);
        const metric = name.replace(/[^A-Za-z0-9]/g, "");
        this.webAcl = new aws.wafv2.WebAcl(
            name,
            {
                description: args.description,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                visibilityConfig: visibility(metric),
                rules: [
                    { name: "rate-limit-per-ip", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { limit, aggregateKeyType: "IP" } }, visibilityConfig: visibility(`${metric}RateLimit`) },
                    {
                        name: "aws-common",
                        priority: 1,
                        overrideAction: { none: {} },
                        statement: {
                            managedRuleGroupStatement: {
                                vendorName: "AWS",
                                name: "AWSManagedRulesCommonRuleSet",
                                ...(args.allowLargeBodies ? { ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] } : {}),
                            },
                        },
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
