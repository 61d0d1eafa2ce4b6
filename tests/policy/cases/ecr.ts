import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const GOOD_REPO = { name: "platform/web", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
const LIFECYCLE = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } }] });

export const ecrCases: PolicySuite[] = [
    {
        policy: "ecr-image-scanning",
        pass: [
            { name: "scanOnPush true", resources: () => single(T.ecrRepository, GOOD_REPO) },
            {
                name: "no repository setting but a continuous registry scan rule matching the repository",
                resources: () =>
                    stack((s) => {
                        s.add(T.ecrRepository, "repo", { name: "platform/web" });
                        s.add(T.ecrRegistryScanning, "scan", { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "platform/*", filterType: "WILDCARD" }] }] });
                    }),
            },
            {
                name: "engine view: an awsx repository whose aws repository is visible is checked through the child",
                resources: () =>
                    stack((s) => {
                        const component = s.add(T.awsxEcrRepository, "app", { repository: { urn: "child" } });
                        s.add(T.ecrRepository, "app", GOOD_REPO, { parent: component });
                    }),
            },
        ],
        fail: [
            {
                name: "engine view: the visible aws child of an awsx repository without scanning",
                resources: () =>
                    stack((s) => {
                        const component = s.add(T.awsxEcrRepository, "app", {});
                        s.add(T.ecrRepository, "app-child", { name: "platform/app" }, { parent: component });
                    }),
                messages: ["matches repository platform/app"],
                resource: "app-child",
            },
            {
                name: "imageScanningConfiguration omitted and no registry scanning",
                resources: () => single(T.ecrRepository, { name: "platform/web" }),
                messages: ["imageScanningConfiguration.scanOnPush is not set"],
                resource: "subject",
            },
            { name: "scanOnPush false", resources: () => single(T.ecrRepository, { name: "x", imageScanningConfiguration: { scanOnPush: false } }), messages: ["scanOnPush is false"] },
            {
                name: "a registry rule that does not match the repository, or scans only manually",
                resources: () =>
                    stack((s) => {
                        s.add(T.ecrRepository, "repo", { name: "team-b/api" });
                        s.add(T.ecrRegistryScanning, "scan", {
                            scanType: "BASIC",
                            rules: [
                                { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "platform/*", filterType: "WILDCARD" }] },
                                { scanFrequency: "MANUAL", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
                            ],
                        });
                    }),
                messages: ["matches repository team-b/api"],
            },
        ],
    },
    {
        policy: "ecr-tag-immutability",
        pass: [
            { name: "IMMUTABLE", resources: () => single(T.ecrRepository, GOOD_REPO) },
            { name: "awsx repository with IMMUTABLE", resources: () => single(T.awsxEcrRepository, { imageTagMutability: "IMMUTABLE" }) },
        ],
        fail: [
            { name: "omitted (MUTABLE by default)", resources: () => single(T.ecrRepository, { name: "x" }), messages: ['imageTagMutability is not set (MUTABLE by default); expected "IMMUTABLE"'] },
            { name: "MUTABLE on the awsx component", resources: () => single(T.awsxEcrRepository, { imageTagMutability: "MUTABLE" }), messages: ['imageTagMutability is "MUTABLE"'] },
        ],
    },
    {
        policy: "ecr-lifecycle-policy",
        pass: [
            {
                name: "a lifecycle policy depending on the repository",
                resources: () =>
                    stack((s) => {
                        const repo = s.add(T.ecrRepository, "repo", GOOD_REPO);
                        s.add(T.ecrLifecyclePolicy, "lp", { repository: "platform/web", policy: LIFECYCLE }, { dependsOn: [repo] });
                    }),
            },
            { name: "awsx repository (creates its own lifecycle policy)", resources: () => single(T.awsxEcrRepository, {}) },
        ],
        fail: [
            { name: "repository without lifecycle policy", resources: () => single(T.ecrRepository, GOOD_REPO), messages: ["has no aws.ecr.LifecyclePolicy"] },
            {
                name: "malformed lifecycle policy JSON",
                resources: () =>
                    stack((s) => {
                        const repo = s.add(T.ecrRepository, "repo", GOOD_REPO);
                        s.add(T.ecrLifecyclePolicy, "lp", { repository: "platform/web", policy: "{rules: [" }, { dependsOn: [repo] });
                    }),
                messages: [/policy is not valid JSON/],
                resource: "lp",
            },
            { name: "awsx repository skipping its lifecycle policy", resources: () => single(T.awsxEcrRepository, { lifecyclePolicy: { skip: true } }), messages: ["lifecyclePolicy.skip is true"] },
        ],
    },
    {
        policy: "ecr-repository-policy-not-public",
        pass: [
            {
                name: "account root and a Lambda grant scoped by aws:sourceArn",
                resources: () =>
                    single(T.ecrRepositoryPolicy, {
                        policy: doc(
                            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["ecr:BatchGetImage"] },
                            {
                                Effect: "Allow",
                                Principal: { Service: "lambda.amazonaws.com" },
                                Action: ["ecr:BatchGetImage"],
                                Condition: { StringLike: { "aws:sourceArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*` } },
                            },
                        ),
                    }),
            },
        ],
        fail: [
            {
                name: 'Principal "*" without condition',
                resources: () => single(T.ecrRepositoryPolicy, { policy: doc({ Sid: "Everyone", Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }) }),
                messages: ['policy: statement "Everyone" allows "ecr:BatchGetImage" to Principal "*"'],
            },
            { name: "malformed policy JSON", resources: () => single(T.ecrRepositoryPolicy, { policy: '{"Statement": [' }), messages: [/^policy is not valid JSON/] },
        ],
    },
];
