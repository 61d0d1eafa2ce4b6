import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { definePublicAccessPolicy } from "../lib/documents";
import { effectiveResources, refersTo } from "../lib/graph";
import { readJson } from "../lib/json";
import { bool, globMatch, isRecord, list, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/** Registry scanning frequencies that scan without anyone asking (MANUAL does not). */
const AUTOMATIC_SCAN = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

export const ecrImageScanning = defineStackPolicy({
    name: "ecr-image-scanning",
    description: "ECR repositories scan images: scanOnPush, or a registry scanning rule that covers the repository.",
    severity: "high",
    frameworks: ["FSBP ECR.1"],
    remediation: "Set imageScanningConfiguration: { scanOnPush: true } on the repository, or add an aws.ecr.RegistryScanningConfiguration rule (SCAN_ON_PUSH or CONTINUOUS_SCAN) whose filter matches it.",
    types: [T.ecrRepository, T.awsxEcrRepository, T.ecrRegistryScanning],
    validate: (stack, report) => {
        // Gathered unguarded: a rule unknown at preview must not read as "no rule".
        const filters: string[] = [];
        for (const config of stack.ofType(T.ecrRegistryScanning)) {
            for (const rule of list(config.props.rules)) {
                if (!AUTOMATIC_SCAN.includes(str(rec(rule).scanFrequency) ?? "")) continue;
                for (const filter of list(rec(rule).repositoryFilters)) filters.push(str(rec(filter).filter) ?? "");
            }
        }
        for (const repository of effectiveResources(stack.resources, T.ecrRepository, T.awsxEcrRepository)) {
            stack.guard(() => {
                const scanOnPush = rec(repository.props.imageScanningConfiguration).scanOnPush;
                if (bool(scanOnPush) === true) return;
                const name = str(repository.props.name);
                // An auto-named repository's name is unknown offline: only a "*" filter surely covers it.
                if (filters.some((filter) => (name ? globMatch(filter, name) : filter === "*"))) return;
                report(
                    `imageScanningConfiguration.scanOnPush is ${show(scanOnPush)} and no RegistryScanningConfiguration rule (SCAN_ON_PUSH or CONTINUOUS_SCAN) matches repository ${name ?? "(auto-named)"}; ` +
                        "expected scanOnPush: true or a registry scanning rule covering it",
                    repository.urn,
                );
            });
        }
    },
});

const IMMUTABLE = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrTagImmutability = defineResourcePolicy({
    name: "ecr-tag-immutability",
    description: "ECR repositories have immutable tags, so a tag always names the same image.",
    severity: "medium",
    frameworks: ["FSBP ECR.2"],
    remediation: 'Set imageTagMutability: "IMMUTABLE" and publish every build under a new tag.',
    types: [T.ecrRepository, T.awsxEcrRepository],
    validate: ({ props, parentType }, report) => {
        if (parentType === T.awsxEcrRepository) return;
        const mutability = str(props.imageTagMutability);
        if (!IMMUTABLE.includes(mutability ?? "MUTABLE")) {
            report(`imageTagMutability is ${mutability === undefined ? "not set (MUTABLE by default)" : show(mutability)}; expected "IMMUTABLE"`);
        }
    },
});

export const ecrLifecyclePolicy = defineStackPolicy({
    name: "ecr-lifecycle-policy",
    description: "Every ECR repository has a lifecycle policy with at least one rule, so old images expire.",
    severity: "medium",
    frameworks: ["FSBP ECR.3"],
    remediation: "Add an aws.ecr.LifecyclePolicy for the repository (e.g. expire untagged images after 14 days, keep the last N tagged images).",
    types: [T.ecrRepository, T.awsxEcrRepository, T.ecrLifecyclePolicy],
    validate: (stack, report) => {
        const policies = stack.ofType(T.ecrLifecyclePolicy);
        for (const policy of policies) {
            stack.guard(() => {
                const document = readJson(policy.props.policy, "policy");
                if (document.state === "invalid") report(document.message, policy.urn);
                else if (document.state === "ok" && list(rec(document.value).rules).length === 0) report("policy has no rules; expected at least one expiry rule", policy.urn);
            });
        }
        for (const repository of effectiveResources(stack.resources, T.ecrRepository, T.awsxEcrRepository)) {
            stack.guard(() => {
                if (repository.type === T.awsxEcrRepository) {
                    // awsx creates a default lifecycle policy unless told to skip it.
                    const lifecycle = repository.props.lifecyclePolicy;
                    if (isRecord(lifecycle) && lifecycle.skip === true) report("lifecyclePolicy.skip is true; expected the component's lifecycle policy (or explicit rules)", repository.urn);
                } else if (!policies.some((policy) => refersTo(policy, repository, ["repository"]))) {
                    report(`repository ${str(repository.props.name) ?? repository.name} has no aws.ecr.LifecyclePolicy; expected one that expires old images`, repository.urn);
                }
            });
        }
    },
});

export const ecrRepositoryPolicyNotPublic = definePublicAccessPolicy({
    name: "ecr-repository-policy-not-public",
    description: "ECR repository and registry policies do not grant access to anyone.",
    severity: "critical",
    frameworks: ["WA SEC03-BP07"],
    remediation: "Grant pull/push to named principals (account root, roles) or add a condition on aws:SourceArn / aws:PrincipalOrgID.",
    types: [T.ecrRepositoryPolicy, "aws:ecr/registryPolicy:RegistryPolicy", "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"],
});

export const ecrPolicies = [ecrImageScanning, ecrTagImmutability, ecrLifecyclePolicy, ecrRepositoryPolicyNotPublic];
