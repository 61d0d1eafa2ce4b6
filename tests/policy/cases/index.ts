import { apiGatewayCases } from "./apigateway";
import { costCases } from "./cost";
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
import { FORM_CASES } from "./forms";

/** Every family's table of compliant and violating cases; coverage.test.ts checks none is missing. */
const TABLES: Record<string, PolicySuite[]> = {
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
    cost: costCases,
};

/** Every family's table, with the "same defect, another form" cases of forms.ts added to their policies. */
export const FAMILY_CASES: Record<string, PolicySuite[]> = Object.fromEntries(
    Object.entries(TABLES).map(([family, suites]) => [
        family,
        suites.map((suite) => ({ ...suite, pass: [...suite.pass, ...(FORM_CASES[suite.policy]?.pass ?? [])], fail: [...suite.fail, ...(FORM_CASES[suite.policy]?.fail ?? [])] })),
    ]),
);

const unknownForms = Object.keys(FORM_CASES).filter((policy) => !Object.values(TABLES).some((suites) => suites.some((suite) => suite.policy === policy)));
if (unknownForms.length > 0) throw new Error(`forms.ts names policies without a table: ${unknownForms.join(", ")}`);
