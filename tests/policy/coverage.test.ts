import { readFileSync } from "node:fs";
import { expect } from "chai";
import { POLICY_FAMILIES, POLICY_REGISTRY } from "../../policy/policies";
import { FAMILY_CASES } from "./cases";
import { README, withGeneratedSections } from "./coverage-table";

/**
 * The controls of /work/shared/reference/security-controls.md the pack answers to (FSBP controls
 * of the services the program creates or will create, deploy-time CIS EKS checks, Pod Security
 * Standards controls, the 13 reliability rules). Each must be named by some policy's frameworks.
 */
const REQUIRED_CONTROLS = [
    ...["ECR.1", "ECR.2", "ECR.3"],
    ...["ECS.1", "ECS.2", "ECS.3", "ECS.4", "ECS.5", "ECS.8", "ECS.9", "ECS.10", "ECS.12"],
    ...["EKS.1", "EKS.2", "EKS.8"],
    ...["Lambda.1", "Lambda.2", "Lambda.5"],
    ...["SQS.1", "SQS.3", "SNS.1", "SNS.4", "EventBridge.3", "StepFunctions.1"],
    ...["APIGateway.1", "APIGateway.3", "APIGateway.4", "APIGateway.5", "APIGateway.8", "APIGateway.9"],
    ...["S3.2", "S3.3", "S3.5", "S3.6", "S3.8", "S3.9", "S3.10", "S3.12", "S3.13"],
    ...["DynamoDB.1", "DynamoDB.2", "DynamoDB.6", "Kinesis.1", "Kinesis.3"],
    ...["KMS.1", "KMS.2", "KMS.4", "KMS.5", "IAM.1", "IAM.2", "IAM.21"],
    ...["EC2.2", "EC2.6", "EC2.15", "EC2.18", "EC2.19", "EC2.21", "EC2.25", "EC2.55", "EC2.56", "EC2.57", "EC2.170"],
    ...["ELB.1", "ELB.4", "ELB.5", "ELB.6", "ELB.12", "ELB.13", "ELB.17", "ELB.18"],
].map((id) => `FSBP ${id}`);
const REQUIRED_CIS = ["2.1.1", "5.1.3", "5.1.4", "5.2.1", "5.3.1", "5.4.1", "5.4.2", "5.4.3"].map((id) => `CIS EKS ${id}`);
const REQUIRED_PSS = [
    ...["HostProcess", "Host Namespaces", "Privileged Containers", "Capabilities", "HostPath Volumes", "Host Ports", "AppArmor", "SELinux", "/proc Mount Type", "Seccomp", "Sysctls"].map((c) => `PSS baseline: ${c}`),
    ...["Volume Types", "Privilege Escalation", "Running as Non-root", "Running as Non-root user", "Seccomp", "Capabilities"].map((c) => `PSS restricted: ${c}`),
];
const REQUIRED_RELIABILITY = Array.from({ length: 13 }, (_, i) => `Reliability ${i + 1}`);

describe("policy coverage", () => {
    const named = new Set(Object.values(POLICY_REGISTRY).flatMap((info) => info.frameworks));

    for (const [label, controls] of [
        ["FSBP control", REQUIRED_CONTROLS],
        ["deploy-time CIS EKS check", REQUIRED_CIS],
        ["Pod Security Standards control", REQUIRED_PSS],
        ["reliability rule", REQUIRED_RELIABILITY],
    ] as const) {
        it(`names every ${label} of the reference in some policy`, () => {
            expect(
                controls.filter((control) => !named.has(control)),
                `${label}s without a policy`,
            ).to.deep.equal([]);
        });
    }

    it("has a test table for every policy, in its family, with compliant and violating cases", () => {
        expect(Object.keys(FAMILY_CASES).sort(), "families").to.deep.equal(Object.keys(POLICY_FAMILIES).sort());
        for (const [family, policies] of Object.entries(POLICY_FAMILIES)) {
            const suites = FAMILY_CASES[family];
            expect(
                suites.map((suite) => suite.policy),
                `${family} test tables`,
            ).to.deep.equal(policies.map((policy) => policy.name));
            for (const suite of suites) {
                expect(suite.pass.length, `${suite.policy} compliant cases`).to.be.greaterThan(0);
                expect(suite.fail.length, `${suite.policy} violating cases`).to.be.greaterThan(0);
            }
        }
    });

    it("keeps the README's coverage table and config reference up to date (npx tsx tests/policy/coverage-table.ts --write)", () => {
        const readme = readFileSync(README, "utf8");
        expect(readme, "policy/README.md").to.equal(withGeneratedSections(readme));
    });
});
