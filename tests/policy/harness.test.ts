import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { blockingViolations, evaluatePolicies, formatViolation, PolicyConfigError, runPolicies, UNKNOWN_STRING, validatePackConfig } from "../../policy/harness";
import { T } from "../../policy/lib/types";
import { POLICY_REGISTRY } from "../../policy/policies";
import { ACCOUNT, doc, single, stack } from "./fixtures";
import { policyByName, runOne } from "./runner";

describe("policy harness", () => {
    describe("as the engine runs a pack", () => {
        it("runs remediations first and validates the remediated inputs", async () => {
            const remediate: ResourceValidationPolicy = {
                name: "test-remediate-tags",
                description: "adds an Owner tag",
                enforcementLevel: "remediate",
                remediateResource: (args) => ({ ...args.props, tags: { Owner: "platform" } }),
            };
            const seen: unknown[] = [];
            const validate: ResourceValidationPolicy = {
                name: "test-sees-tags",
                description: "records tags",
                enforcementLevel: "mandatory",
                validateResource: (args) => void seen.push(args.props.tags),
            };
            await runPolicies(single(T.sqsQueue, {}), { policies: [remediate, validate] });
            expect(seen, "tags seen by validations (stack resource, then queue)").to.deep.equal([{ Owner: "platform" }, { Owner: "platform" }]);
        });

        it("calls every function of a validateResource array, with type, name, URN, options, provider and isType/asType", async () => {
            const calls: string[] = [];
            const policy: ResourceValidationPolicy = {
                name: "test-array",
                description: "two validations",
                enforcementLevel: "advisory",
                validateResource: [
                    (args) => {
                        if (!args.isType(aws.ecr.Repository)) args.notApplicable("not a repository");
                        const repository = args.asType(aws.ecr.Repository);
                        calls.push(`first ${args.type} ${args.name} ${String(repository?.name)} protect=${String(args.opts.protect)} provider=${args.provider?.name}`);
                    },
                    (args, report) => {
                        calls.push(`second ${args.urn.split("::").pop()}`);
                        if (args.type === T.ecrRepository) report("second saw it");
                    },
                ],
            };
            const resources = stack((s) => {
                const provider = s.add("pulumi:providers:aws", "aws", { region: "eu-west-1" }, { component: false });
                s.add(T.ecrRepository, "repo", { name: "platform/web" }, { protect: true, provider });
            });
            const report = await runPolicies(resources, { policies: [policy] });
            expect(calls, "validation calls").to.include("first aws:ecr/repository:Repository repo platform/web protect=true provider=aws");
            expect(
                calls.filter((c) => c.startsWith("second")),
                "second validation on every resource",
            ).to.deep.equal(["second platform-prod", "second aws", "second repo"]);
            expect(report.notApplicable, "not-applicable calls (stack and provider)").to.equal(2);
            expect(
                report.violations.map((v) => [v.policy, v.name, v.message]),
                "violations",
            ).to.deep.equal([["test-array", "repo", "second saw it"]]);
        });

        it("gives stack policies every resource with its parent and dependencies linked", async () => {
            let observed: string[] = [];
            const policy: StackValidationPolicy = {
                name: "test-stack",
                description: "inspects links",
                enforcementLevel: "mandatory",
                validateStack: (args) => {
                    const lifecycle = args.resources.find((r) => r.type === T.ecrLifecyclePolicy)!;
                    observed = [lifecycle.parent?.type ?? "no parent", ...lifecycle.dependencies.map((d) => d.name), String(args.resources.length)];
                },
            };
            const resources = stack((s) => {
                const component = s.add("platform:registry:Registry", "registry");
                const repo = s.add(T.ecrRepository, "repo", {}, { parent: component });
                s.add(T.ecrLifecyclePolicy, "lp", { repository: "r" }, { parent: component, dependsOn: [repo] });
            });
            await runPolicies(resources, { policies: [policy] });
            expect(observed, "parent type, dependencies, resource count").to.deep.equal(["platform:registry:Registry", "repo", "4"]);
        });

        it("applies a policy's configSchema defaults in getConfig, under the user's values", async () => {
            const configs: unknown[] = [];
            const policy: ResourceValidationPolicy = {
                name: "test-config",
                description: "reads config",
                enforcementLevel: "advisory",
                configSchema: { properties: { threshold: { type: "integer", default: 7 }, label: { type: "string", default: "x" } } },
                validateResource: (args) => void configs.push(args.getConfig()),
            };
            await runPolicies(single(T.sqsQueue, {}), { policies: [policy], config: { "test-config": { enforcementLevel: "mandatory", label: "y" } } });
            expect(configs[0], "resolved config").to.deep.equal({ threshold: 7, label: "y" });
        });

        it("reports a policy that throws, naming the policy and the resource", async () => {
            const policy: ResourceValidationPolicy = {
                name: "test-throws",
                description: "broken",
                validateResource: () => {
                    throw new Error("boom");
                },
            };
            const error = await runPolicies(single(T.sqsQueue, {}), { policies: [policy] }).then(
                () => undefined,
                (err: Error) => err,
            );
            expect(error?.message, "error").to.match(/^policy test-throws failed on urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod: boom/);
        });

        it("returns violations with the registry's metadata, and formats them for logs", async () => {
            const [violation] = await evaluatePolicies(single(T.ecrRepository, { name: "x", imageScanningConfiguration: { scanOnPush: true } }), { policies: [policyByName("ecr-tag-immutability")] });
            expect(violation, "violation").to.deep.include({
                policy: "ecr-tag-immutability",
                type: T.ecrRepository,
                name: "subject",
                enforcementLevel: "mandatory",
                severity: "medium",
                frameworks: ["FSBP ECR.2"],
            });
            expect(violation.urn, "urn").to.equal("urn:pulumi:prod::platform::pulumi:pulumi:Stack$aws:ecr/repository:Repository::subject");
            expect(violation.remediation, "remediation").to.contain("IMMUTABLE");
            expect(formatViolation(violation), "log line").to.equal(
                '[mandatory] ecr-tag-immutability (medium; FSBP ECR.2) aws:ecr/repository:Repository subject: imageTagMutability is not set (MUTABLE by default); expected "IMMUTABLE"',
            );
        });

        it("points a stack-wide finding without a URN at the stack", async () => {
            const policy: StackValidationPolicy = { name: "test-stack-wide", description: "d", enforcementLevel: "advisory", validateStack: (_args, report) => report("the whole stack") };
            const [violation] = await evaluatePolicies(single(T.sqsQueue, {}), { policies: [policy] });
            expect([violation.type, violation.name, violation.message], "violation").to.deep.equal(["pulumi:pulumi:Stack", "platform-prod", "the whole stack"]);
        });
    });

    describe("enforcement overrides", () => {
        const resources = () => single(T.ecrRepository, { name: "x" });

        it("uses each policy's default level (mandatory from medium up, advisory for low severity and cost-driven controls)", async () => {
            const mixed = () =>
                stack((s) => {
                    s.add(T.ecrRepository, "repo", { name: "x" });
                    s.add(T.lambdaFunction, "fn", { runtime: "nodejs22.x", handler: "index.handler" });
                    s.add(T.ecsCluster, "cluster", {});
                });
            const violations = await evaluatePolicies(mixed(), { policies: [policyByName("ecr-lifecycle-policy"), policyByName("lambda-explicit-timeout-memory"), policyByName("ecs-container-insights")] });
            expect(violations.map((v) => [v.policy, v.enforcementLevel]).sort(), "levels").to.deep.equal([
                ["ecr-lifecycle-policy", "mandatory"],
                ["ecs-container-insights", "advisory"],
                ["lambda-explicit-timeout-memory", "advisory"],
            ]);
        });

        it("lets the config override one policy (string or object form) and all policies, the specific setting winning", async () => {
            const violations = await evaluatePolicies(resources(), {
                policies: [policyByName("ecr-tag-immutability"), policyByName("ecr-lifecycle-policy"), policyByName("ecr-image-scanning")],
                config: { all: "advisory", "ecr-lifecycle-policy": "mandatory", "ecr-image-scanning": { enforcementLevel: "disabled" } },
            });
            expect(
                violations.map((v) => [v.policy, v.enforcementLevel]),
                "levels",
            ).to.deep.equal([
                ["ecr-tag-immutability", "advisory"],
                ["ecr-lifecycle-policy", "mandatory"],
            ]);
            expect(
                blockingViolations(violations).map((v) => v.policy),
                "blocking",
            ).to.deep.equal(["ecr-lifecycle-policy"]);
        });
    });

    describe("exemptions", () => {
        const repositories = () =>
            stack((s) => {
                s.add(T.ecrRepository, "legacy-web", { name: "legacy/web" });
                s.add(T.ecrRepository, "legacy-api", { name: "legacy/api" });
                s.add(T.ecrRepository, "web", { name: "platform/web" });
            });

        it("still reports an exempted violation, as advisory with the reason and the level it would have had", async () => {
            const violations = await evaluatePolicies(repositories(), {
                policies: [policyByName("ecr-tag-immutability")],
                config: { "ecr-tag-immutability": { exemptions: [{ resource: "legacy-*", reason: "pull-through mirror of upstream tags until Q3 migration" }] } },
            });
            expect(
                violations.map((v) => [v.name, v.enforcementLevel, v.exempted?.reason, v.exempted?.enforcementLevel]),
                "violations",
            ).to.deep.equal([
                ["legacy-web", "advisory", "pull-through mirror of upstream tags until Q3 migration", "mandatory"],
                ["legacy-api", "advisory", "pull-through mirror of upstream tags until Q3 migration", "mandatory"],
                ["web", "mandatory", undefined, undefined],
            ]);
            expect(violations[0].message, "message of an exempted violation").to.equal('imageTagMutability is not set (MUTABLE by default); expected "IMMUTABLE"');
            expect(
                blockingViolations(violations).map((v) => v.name),
                "blocking",
            ).to.deep.equal(["web"]);
            expect(formatViolation(violations[0]), "log line").to.match(/^\[exempted \(pull-through mirror/);
        });

        it("exempts stack-policy findings by the URN they point at", async () => {
            const violations = await evaluatePolicies(repositories(), {
                policies: [policyByName("ecr-lifecycle-policy")],
                config: { "ecr-lifecycle-policy": { exemptions: [{ resource: "urn:pulumi:prod::platform::*::web", reason: "images are rebuilt nightly and expired by CI" }] } },
            });
            expect(
                violations.filter((v) => v.exempted).map((v) => v.name),
                "exempted",
            ).to.deep.equal(["web"]);
            expect(
                violations.filter((v) => !v.exempted).map((v) => v.name),
                "not exempted",
            ).to.deep.equal(["legacy-web", "legacy-api"]);
        });

        it("ignores an expired exemption and says so", async () => {
            const [violation] = await evaluatePolicies(single(T.ecrRepository, { name: "x" }), {
                policies: [policyByName("ecr-tag-immutability")],
                config: { "ecr-tag-immutability": { exemptions: [{ resource: "subject", reason: "temporary during the migration", expires: "2000-01-31" }] } },
            });
            expect([violation.enforcementLevel, violation.exempted], "not exempted").to.deep.equal(["mandatory", undefined]);
            expect(violation.message, "message").to.match(/\(the exemption for subject expired on 2000-01-31\)$/);
        });

        it("rejects an exemption without a reason, an unknown policy, a bad level and an unknown property", async () => {
            const config = {
                "ecr-tag-immutability": { exemptions: [{ resource: "x" }], threshold: 3 },
                "no-such-policy": "mandatory",
                "ecr-image-scanning": "blocking",
            };
            expect(validatePackConfig(config), "problems").to.deep.equal([
                "ecr-tag-immutability.exemptions[0].reason: required",
                "ecr-tag-immutability.threshold: unknown property",
                "no-such-policy: no such policy in the pack",
                'ecr-image-scanning.enforcementLevel: expected one of advisory, mandatory, remediate, disabled, got "blocking"',
            ]);
            const error = await runPolicies(single(T.ecrRepository, {}), { config }).catch((err: unknown) => err);
            expect(error, "error").to.be.instanceOf(PolicyConfigError);
        });

        it("validates thresholds against their schema (a per-environment map or one value)", () => {
            expect(validatePackConfig({ "logs-retention": { minimumDays: { prod: "a year" } } }), "bad map value").to.deep.equal(['logs-retention.minimumDays.prod: expected integer, got string "a year"']);
            expect(validatePackConfig({ "logs-retention": { minimumDays: 90, environment: "prod" } }), "one value").to.deep.equal([]);
        });
    });

    describe("unknown values (preview)", () => {
        it("makes a policy indeterminate, not violated, when the value it reads is unknown", async () => {
            const report = await runOne("iam-no-admin-access", single("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: UNKNOWN_STRING }), {}, true);
            expect(report.violations, "violations").to.deep.equal([]);
            expect(
                report.indeterminate.map((i) => i.message),
                "indeterminate",
            ).to.deep.equal(["can't run policy iam-no-admin-access during preview: string value at .policy can't be known during preview"]);
        });

        it("keeps checking the other resources of a stack policy when one resource has an unknown value", async () => {
            const resources = stack((s) => {
                s.add(T.ecrRepository, "known", { name: "a" });
                s.add(T.ecrRepository, "unknown", { name: "b", imageScanningConfiguration: UNKNOWN_STRING });
            });
            const report = await runOne("ecr-image-scanning", resources, {}, true);
            expect(
                report.violations.map((v) => v.name),
                "violations",
            ).to.deep.equal(["known"]);
            expect(
                report.indeterminate.map((i) => i.policy),
                "indeterminate",
            ).to.deep.equal(["ecr-image-scanning"]);
        });

        it("does not conclude that something is missing from a reference that is unknown", async () => {
            // The target's dead-letter ARN is unknown at preview: the queue may well be its DLQ.
            const resources = stack((s) => {
                s.add(T.sqsQueue, "dlq", { messageRetentionSeconds: 1_209_600 });
                s.add(T.eventTarget, "target", { rule: "r", arn: "a", deadLetterConfig: { arn: UNKNOWN_STRING } });
            });
            const report = await runOne("sqs-dead-letter-queue", resources, {}, true);
            expect(report.violations, "violations").to.deep.equal([]);
            expect(
                report.indeterminate.map((i) => i.policy),
                "indeterminate",
            ).to.deep.equal(["sqs-dead-letter-queue"]);
        });

        it("does not let an unknown value in an unrelated property affect a policy", async () => {
            const report = await runOne("ecr-tag-immutability", single(T.ecrRepository, { name: UNKNOWN_STRING, imageTagMutability: "IMMUTABLE" }), {}, true);
            expect([report.violations.length, report.indeterminate.length], "violations and indeterminate").to.deep.equal([0, 0]);
        });

        it("refuses an unknown value outside a preview, where it would hide a check", async () => {
            const error = await runOne("iam-no-admin-access", single("aws:iam/policy:Policy", { policy: UNKNOWN_STRING })).catch((err: Error) => err);
            expect((error as Error).message, "error").to.match(/policy iam-no-admin-access failed on .*an unknown value outside a preview/);
        });
    });

    describe("JSON-string documents", () => {
        const TRUST = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
        /** Every policy that parses a JSON document: the resource to build around the document, and the property's name. */
        const JSON_POLICIES: [policy: string, type: string, inputs: (document: string) => Record<string, unknown>, property: string][] = [
            ["ecr-lifecycle-policy", T.ecrLifecyclePolicy, (d) => ({ repository: "r", policy: d }), "policy"],
            ["ecr-repository-policy-not-public", T.ecrRepositoryPolicy, (d) => ({ repository: "r", policy: d }), "policy"],
            ["iam-no-admin-access", "aws:iam/rolePolicy:RolePolicy", (d) => ({ role: "r", policy: d }), "policy"],
            ["iam-no-wildcard-actions-sensitive-services", "aws:iam/policy:Policy", (d) => ({ policy: d }), "policy"],
            ["iam-no-service-wildcard-actions", "aws:iam/groupPolicy:GroupPolicy", (d) => ({ group: "g", policy: d }), "policy"],
            ["iam-no-kms-decrypt-all-keys", T.iamRole, (d) => ({ assumeRolePolicy: TRUST, inlinePolicies: [{ name: "p", policy: d }] }), "inlinePolicies[0].policy"],
            ["iam-actions-exist", T.iamRole, (d) => ({ assumeRolePolicy: d }), "assumeRolePolicy"],
            ["iam-trust-policy-not-public", T.iamRole, (d) => ({ assumeRolePolicy: d }), "assumeRolePolicy"],
            ["kms-key-policy-not-public", T.kmsKey, (d) => ({ policy: d }), "policy"],
            ["sqs-queue-policy-not-public", T.sqsQueuePolicy, (d) => ({ queueUrl: "u", policy: d }), "policy"],
            ["sqs-dead-letter-queue", T.sqsQueue, (d) => ({ redrivePolicy: d }), "redrivePolicy"],
            ["sns-topic-policy-not-public", T.snsTopic, (d) => ({ policy: d }), "policy"],
            ["sns-subscription-redrive", T.snsSubscription, (d) => ({ protocol: "sqs", redrivePolicy: d }), "redrivePolicy"],
            ["eventbridge-bus-policy-not-public", T.eventBusPolicy, (d) => ({ policy: d }), "policy"],
            ["s3-bucket-not-public", T.s3BucketPolicy, (d) => ({ bucket: "b", policy: d }), "policy"],
            ["s3-require-tls", T.s3Buckets[0], (d) => ({ bucket: "b", policy: d }), "policy"],
            ["s3-no-cross-account-admin-actions", T.s3BucketPolicy, (d) => ({ bucket: "b", policy: d }), "policy"],
            ...[
                "ecs-secure-networking-mode",
                "ecs-no-host-pid",
                "ecs-no-privileged-containers",
                "ecs-readonly-root-filesystem",
                "ecs-no-secrets-in-environment",
                "ecs-container-logging",
                "container-images-approved-registries",
            ].map((policy): [string, string, (d: string) => Record<string, unknown>, string] => [policy, T.ecsTaskDefinition, (d) => ({ family: "f", containerDefinitions: d }), "containerDefinitions"]),
            ["sfn-retry-and-catch", T.stateMachine, (d) => ({ definition: d }), "definition"],
            ["sfn-timeouts", T.stateMachine, (d) => ({ definition: d }), "definition"],
        ];

        for (const [policy, type, inputs, property] of JSON_POLICIES) {
            it(`${policy}: malformed JSON in ${property} is a violation naming the property`, async () => {
                const report = await runOne(policy, single(type, inputs('{"Statement": [')));
                expect(
                    report.violations.map((v) => v.message),
                    "violations",
                ).to.satisfy((messages: string[]) => messages.length === 1 && messages[0].includes(`${property} is not valid JSON`));
            });
            it(`${policy}: an unknown ${property} at preview is indeterminate, not a violation or a crash`, async () => {
                const report = await runOne(policy, single(type, inputs(UNKNOWN_STRING)), {}, true);
                expect(report.violations, "violations").to.deep.equal([]);
                expect(
                    report.indeterminate.map((i) => i.policy),
                    "indeterminate",
                ).to.deep.equal([policy]);
            });
        }
    });

    describe("robustness", () => {
        it("runs every policy of the pack over minimal and odd-shaped inputs of every type without throwing", async () => {
            const types = [...new Set(Object.values(POLICY_REGISTRY).flatMap((info) => info.types))];
            const shapes: Record<string, unknown>[] = [{}, { policy: "[1,2", spec: "x", metadata: 3, tags: null, rules: {}, ingress: "0.0.0.0/0", containerDefinitions: "{}", definition: "[]" }];
            for (const inputs of shapes) {
                const resources = stack((s) => types.forEach((type, index) => s.add(type, `r${index}`, inputs)));
                const report = await runPolicies(resources);
                expect(report.indeterminate, "indeterminate").to.deep.equal([]);
                expect(report.violations.length, "some violations for the bare resources").to.be.greaterThan(0);
            }
        });

        it("reports a JSON document that is not an IAM policy as a violation", async () => {
            const report = await runOne("iam-no-admin-access", single("aws:iam/policy:Policy", { policy: JSON.stringify({ Version: "2012-10-17" }) }));
            expect(
                report.violations.map((v) => v.message),
                "violations",
            ).to.deep.equal(["policy has no Statement"]);
            const effect = await runOne("sqs-queue-policy-not-public", single(T.sqsQueuePolicy, { policy: doc({ Effect: "Permit", Principal: { AWS: ACCOUNT }, Action: "sqs:SendMessage" }) }));
            expect(
                effect.violations.map((v) => v.message),
                "violations",
            ).to.deep.equal(['policy: Statement 1 has Effect "Permit"; expected "Allow" or "Deny"']);
        });
    });
});
