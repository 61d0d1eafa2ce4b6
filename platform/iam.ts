import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * IAM documents are built as typed `aws.iam.PolicyDocument` values and serialised here, so every
 * policy reaches AWS (and the policy pack) as the same JSON string, with ARNs resolved.
 */
export function policyJson(document: aws.iam.PolicyDocument): pulumi.Output<string> {
    return pulumi.jsonStringify(document);
}

/**
 * A trust policy for an AWS service, scoped to this account (and optionally to source ARNs) so
 * that the service cannot be used as a confused deputy by another account.
 */
export function serviceTrustPolicy(service: string, accountId: pulumi.Input<string>, sourceArnLike?: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ...(sourceArnLike ? { ArnLike: { "aws:SourceArn": sourceArnLike } } : {}),
                },
            },
        ],
    });
}
