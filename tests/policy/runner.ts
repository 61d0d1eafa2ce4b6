import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runPolicies } from "../../policy/harness";
import { ALL_POLICIES, POLICY_REGISTRY } from "../../policy/policies";

/**
 * Table-driven policy tests: each policy gets compliant cases (no violation of that policy) and
 * violating cases (exactly the listed violations, each matched by its message).
 */

export interface PolicyCase {
    name: string;
    resources: () => RecordedResource[];
    /** Policy pack config for the run. */
    config?: Record<string, unknown>;
    /** A compliant case where the policy does not apply at all (e.g. another environment). */
    notApplicable?: boolean;
}

export interface ViolatingCase extends PolicyCase {
    /** One pattern per expected violation (a string matches as a substring). */
    messages: (string | RegExp)[];
    /** Name of the resource the violations must point at. */
    resource?: string;
}

export interface PolicySuite {
    policy: string;
    pass: PolicyCase[];
    fail: ViolatingCase[];
}

export function policyByName(name: string) {
    const policy = ALL_POLICIES.find((candidate) => candidate.name === name);
    if (!policy) throw new Error(`no policy ${name}`);
    return policy;
}

/** Runs one policy over the resources. */
export async function runOne(policy: string, resources: RecordedResource[], config: Record<string, unknown> = {}, preview = false) {
    return runPolicies(resources, { policies: [policyByName(policy)], config, preview });
}

const matches = (pattern: string | RegExp, message: string) => (typeof pattern === "string" ? message.includes(pattern) : pattern.test(message));

export function describePolicies(family: string, suites: PolicySuite[]): void {
    describe(`${family} policies`, () => {
        for (const suite of suites) {
            describe(suite.policy, () => {
                it("is registered with metadata", () => {
                    expect(POLICY_REGISTRY[suite.policy], `registry entry for ${suite.policy}`).to.not.equal(undefined);
                    expect(suite.pass.length, "compliant cases").to.be.greaterThan(0);
                    expect(suite.fail.length, "violating cases").to.be.greaterThan(0);
                });
                for (const testCase of suite.pass) {
                    it(`passes: ${testCase.name}`, async () => {
                        const resources = testCase.resources();
                        const report = await runOne(suite.policy, resources, testCase.config);
                        expect(
                            report.violations.map((v) => v.message),
                            "violations",
                        ).to.deep.equal([]);
                        const isStack = POLICY_REGISTRY[suite.policy].kind === "stack";
                        const applicable = isStack ? report.notApplicable === 0 : report.notApplicable < resources.length;
                        expect(applicable, "the policy applied to the case").to.equal(!testCase.notApplicable);
                    });
                }
                for (const testCase of suite.fail) {
                    it(`flags: ${testCase.name}`, async () => {
                        const report = await runOne(suite.policy, testCase.resources(), testCase.config);
                        const messages = report.violations.map((v) => v.message);
                        for (const pattern of testCase.messages) {
                            expect(
                                messages.some((message) => matches(pattern, message)),
                                `a violation matching ${String(pattern)} among ${JSON.stringify(messages)}`,
                            ).to.equal(true);
                        }
                        expect(messages, "exactly the expected violations").to.have.length(testCase.messages.length);
                        if (testCase.resource)
                            expect(
                                report.violations.map((v) => v.name),
                                "violating resources",
                            ).to.satisfy((names: string[]) => names.every((n) => n === testCase.resource));
                    });
                }
            });
        }
    });
}
