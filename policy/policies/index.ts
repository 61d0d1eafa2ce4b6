import { PackPolicy, PolicyInfo, policyInfo } from "../lib/define";
import { apiGatewayPolicies } from "./apigateway";
import { costPolicies } from "./cost";
import { dynamodbPolicies } from "./dynamodb";
import { ec2Policies } from "./ec2";
import { ecrPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { eksPolicies } from "./eks";
import { elbPolicies } from "./elb";
import { iamPolicies } from "./iam";
import { kinesisPolicies } from "./kinesis";
import { kmsPolicies } from "./kms";
import { kubernetesPolicies } from "./kubernetes";
import { lambdaPolicies } from "./lambda";
import { logsPolicies } from "./logs";
import { messagingPolicies } from "./messaging";
import { reliabilityPolicies } from "./reliability";
import { s3Policies } from "./s3";
import { secretsPolicies } from "./secrets";
import { stepFunctionsPolicies } from "./stepfunctions";

/** Every policy of the pack, grouped by resource family. */
export const POLICY_FAMILIES: Record<string, PackPolicy[]> = {
    ecr: ecrPolicies,
    ecs: ecsPolicies,
    eks: eksPolicies,
    kubernetes: kubernetesPolicies,
    lambda: lambdaPolicies,
    messaging: messagingPolicies,
    stepfunctions: stepFunctionsPolicies,
    apigateway: apiGatewayPolicies,
    s3: s3Policies,
    dynamodb: dynamodbPolicies,
    kinesis: kinesisPolicies,
    kms: kmsPolicies,
    iam: iamPolicies,
    ec2: ec2Policies,
    elb: elbPolicies,
    logs: logsPolicies,
    secrets: secretsPolicies,
    reliability: reliabilityPolicies,
    cost: costPolicies,
};

export const ALL_POLICIES: PackPolicy[] = Object.values(POLICY_FAMILIES).flat();

/** What the gate reads: policy name -> severity, frameworks, remediation, default enforcement. */
export const POLICY_REGISTRY: Readonly<Record<string, PolicyInfo & { family: string }>> = Object.freeze(
    Object.fromEntries(
        Object.entries(POLICY_FAMILIES).flatMap(([family, policies]) =>
            policies.map((policy) => {
                const info = policyInfo(policy);
                if (!info) throw new Error(`policy ${policy.name} was not built with defineResourcePolicy/defineStackPolicy`);
                return [policy.name, { ...info, family }];
            }),
        ),
    ),
);

const duplicates = ALL_POLICIES.map((policy) => policy.name).filter((name, index, names) => names.indexOf(name) !== index);
if (duplicates.length > 0) throw new Error(`duplicate policy names: ${duplicates.join(", ")}`);
