import { expect } from "chai";
import { ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "../platform/registry";
import type { SynthResult } from "../platform/offline/synth";
import { only, parseJson, synthPlatform } from "./helpers";

const CI_ROLE = "arn:aws:iam::123456789012:role/ci-image-push";

describe("registry", () => {
    let dev: SynthResult;
    let prod: SynthResult;
    before(async () => {
        dev = await synthPlatform("dev", { apps: { web: {}, worker: {} } });
        prod = await synthPlatform("prod", { apps: { web: {} }, account: { owner: true }, registry: { ciPushRoleArn: CI_ROLE, untaggedImageExpiryDays: 10, keepTaggedImages: 42 } });
    });

    it("creates one repository per declared app, named <namespace>/<app>, the namespace <project>-<stack> by default", () => {
        // Per stack: dev, staging and prod in one account must not claim the same repositories.
        expect(dev.cloud.ofType("aws:ecr/repository:Repository").map((r) => r.inputs.name)).to.have.members(["platform-dev/web", "platform-dev/worker"]);
        expect(prod.cloud.ofType("aws:ecr/repository:Repository").map((r) => r.inputs.name)).to.deep.equal(["platform-prod/web"]);
    });

    it("honours a configured namespace", async () => {
        const result = await synthPlatform("dev", { apps: { web: {} }, registry: { namespace: "team-a" } });
        expect(only(result.cloud.resources, "aws:ecr/repository:Repository").inputs.name).to.equal("team-a/web");
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`makes ${stack} repositories immutable, scanned on push and encrypted with the platform data key`, () => {
            const result = stack === "dev" ? dev : prod;
            const dataKey = only(result.cloud.resources, "aws:kms/key:Key", "-data");
            for (const repository of result.cloud.ofType("aws:ecr/repository:Repository")) {
                expect(repository.inputs.imageTagMutability).to.equal("IMMUTABLE");
                expect(repository.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });
                expect(repository.inputs.encryptionConfigurations).to.deep.equal([{ encryptionType: "KMS", kmsKey: dataKey.state.arn }]);
            }
        });
    }

    it("takes the lifecycle rules from config: untagged expiry days and tagged images kept", () => {
        const rules = parseJson(only(prod.cloud.resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy).rules;
        expect(rules[0].selection).to.deep.equal({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 10 });
        expect(rules[1].selection).to.deep.equal({ tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 42 });
        expect(rules.map((r: any) => r.action.type)).to.deep.equal(["expire", "expire"]);
    });

    it("uses the profile's lifecycle defaults when config is silent (dev: 7 days, 20 images)", () => {
        const rules = parseJson(dev.cloud.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy")[0].inputs.policy).rules;
        expect(rules[0].selection.countNumber).to.equal(7);
        expect(rules[1].selection.countNumber).to.equal(20);
    });

    it("grants pull to the account and push to the CI role only, with the exact ECR actions", () => {
        const statements = parseJson(only(prod.cloud.resources, "aws:ecr/repositoryPolicy:RepositoryPolicy").inputs.policy).Statement;
        const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
        expect(bySid.AccountRuntimesPull.Principal).to.deep.equal({ AWS: "arn:aws:iam::123456789012:root" });
        expect(bySid.AccountRuntimesPull.Action).to.deep.equal(ECR_PULL_ACTIONS);
        expect(bySid.CiPush.Principal).to.deep.equal({ AWS: CI_ROLE });
        expect(bySid.CiPush.Action).to.deep.equal(ECR_PUSH_ACTIONS);
        // web runs on ECS only here: Lambda's service principal is not admitted at all.
        expect(bySid.LambdaPullForOwnFunction).to.equal(undefined);
        for (const statement of statements) {
            expect(
                statement.Action.some((action: string) => action.includes("*")),
                statement.Sid,
            ).to.equal(false);
        }
    });

    it("admits Lambda's service principal to pull an app's image for that app's own function only (and its versions)", async () => {
        const result = await synthPlatform("prod", { accountId: "123456789012", apps: { web: { runtimes: ["ecs", "lambda"] }, api: {} } });
        const policyOf = (app: string) => parseJson(only(result.cloud.resources, "aws:ecr/repositoryPolicy:RepositoryPolicy", `-${app}`).inputs.policy).Statement;
        const lambda = policyOf("web").find((s: any) => s.Sid === "LambdaPullForOwnFunction");
        expect(lambda.Principal).to.deep.equal({ Service: "lambda.amazonaws.com" });
        expect(lambda.Action).to.deep.equal(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
        const fn = "arn:aws:lambda:eu-west-1:123456789012:function:platform-prod-web-lambda";
        expect(lambda.Condition).to.deep.equal({ StringLike: { "aws:sourceArn": [fn, `${fn}:*`] } });
        expect(policyOf("api").map((s: any) => s.Sid)).to.not.include("LambdaPullForOwnFunction");
    });

    it("grants no push at all when no CI role is configured", () => {
        const statements = parseJson(dev.cloud.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy")[0].inputs.policy).Statement;
        expect(statements.map((s: any) => s.Sid)).to.not.include("CiPush");
        expect(statements.flatMap((s: any) => s.Action)).to.not.include("ecr:PutImage");
    });

    it("protects repositories in prod and force-deletes them (with their images) in dev", () => {
        const prodRepo = only(prod.cloud.resources, "aws:ecr/repository:Repository");
        expect(prodRepo.protect).to.equal(true);
        expect(prodRepo.inputs.forceDelete).to.equal(false);
        for (const repo of dev.cloud.ofType("aws:ecr/repository:Repository")) {
            expect(repo.protect).to.equal(false);
            expect(repo.inputs.forceDelete).to.equal(true);
        }
    });

    it("turns on continuous enhanced scanning of the whole registry in the account owner's stack (prod profile) only", () => {
        const scanning = only(prod.cloud.resources, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
        expect(scanning.inputs.scanType).to.equal("ENHANCED");
        // One setting per registry: it must cover the other stacks' repositories and the cached images too.
        expect(scanning.inputs.rules).to.deep.equal([{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]);
        expect(dev.cloud.ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")).to.deep.equal([]);
    });

    it("creates no registry-wide setting in a prod-profile stack that does not own the account", async () => {
        const notOwner = await synthPlatform("prod", { apps: { web: {} } });
        for (const type of ["aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"]) {
            expect(notOwner.cloud.ofType(type), type).to.deep.equal([]);
        }
    });

    it("caches ECR Public through the registry when enabled, with a creation template for the cached repositories", () => {
        const rule = only(prod.cloud.resources, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
        expect(rule.inputs).to.include({ ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" });
        const template = only(prod.cloud.resources, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate");
        expect(template.inputs.appliedFors).to.deep.equal(["PULL_THROUGH_CACHE"]);
        expect(dev.cloud.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")).to.deep.equal([]);
    });
});
