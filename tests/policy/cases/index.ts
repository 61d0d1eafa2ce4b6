import { apiGatewayCases } from "./apigateway";
import { dynamodbCases } from "./dynamodb";
import { ec2Cases } from "./ec2";
import { ecrCases } from "./ecr";
import { ecsCases } from "./ecs";
import { eksCases } from "./eks";
import { elbCases } from "./elb";
import { iamCases } from "./iam";
import { kinesisCases } from "./kinesis";
import { kmsCases } from "./kms";
import { kubernetesCases } from "./kubernetes";
import { lambdaCases } from "./lambda";
import { logsCases } from "./logs";
import { messagingCases } from "./messaging";
import { reliabilityCases } from "./reliability";
import { s3Cases } from "./s3";
import { secretsCases } from "./secrets";
import { stepFunctionsCases } from "./stepfunctions";
import type { PolicySuite } from "../runner";

/** Every family's table of compliant and violating cases; coverage.test.ts checks none is missing. */
export const FAMILY_CASES: Record<string, PolicySuite[]> = {
    ecr: ecrCases,
    ecs: ecsCases,
    eks: eksCases,
    kubernetes: kubernetesCases,
    lambda: lambdaCases,
    messaging: messagingCases,
    stepfunctions: stepFunctionsCases,
    apigateway: apiGatewayCases,
    s3: s3Cases,
    dynamodb: dynamodbCases,
    kinesis: kinesisCases,
    kms: kmsCases,
    iam: iamCases,
    ec2: ec2Cases,
    elb: elbCases,
    logs: logsCases,
    secrets: secretsCases,
    reliability: reliabilityCases,
};
