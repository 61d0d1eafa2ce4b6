import { expect } from "chai";
import { oneAccountRule } from "../../platform/offline/readiness/one-account";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import type { SynthResult } from "../../platform/offline/synth";
import { runScript, sharedSynth, synthPlatform } from "../helpers";

function contextOf(stack: string, result: SynthResult): ReadinessContext {
    return { project: "platform", stack, region: result.cloud.options.region, accountId: result.cloud.options.accountId, resources: result.cloud.resources, bundles: [] };
}

const FANOUT = { fanout: { enabled: true } };

describe("readiness: one account, many stacks", function () {
    this.timeout(180_000);

    it("finds no collision between dev, staging and prod deployed into one account and region", async () => {
        const contexts: ReadinessContext[] = [];
        for (const stack of ["dev", "staging", "prod"]) contexts.push(contextOf(stack, await sharedSynth(stack)));
        expect(new Set(contexts.map((c) => `${c.accountId}:${c.region}`)).size, "the shipped stacks share one account and region").to.equal(1);
        expect(oneAccountRule.checkAccount(contexts)).to.deep.equal([]);
        // Exactly one of them (prod) owns the account's singletons.
        expect(contexts.filter((c) => c.resources.some((r) => r.type === "aws:apigateway/account:Account")).map((c) => c.stack)).to.deep.equal(["prod"]);
    });

    it("catches two stacks that share a repository name (one ECR namespace)", async () => {
        const dev = contextOf("dev", await synthPlatform("dev", { apps: { web: {} }, registry: { namespace: "shared" } }));
        const staging = contextOf("staging", await synthPlatform("staging", { apps: { web: {} }, registry: { namespace: "shared" } }));
        const findings = oneAccountRule.checkAccount([dev, staging]);
        expect(findings.map((f) => [f.type, f.severity])).to.deep.equal([["aws:ecr/repository:Repository", "failure"]]);
        expect(findings[0].message).to.contain('stack staging claims name "shared/web"').and.contain("which stack dev also claims");
        expect(findings[0].doc).to.equal("https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html");
    });

    it("catches two account owners: the registry settings and API Gateway's account setting exist once per region", async () => {
        const owner = { account: { owner: true }, registry: { pullThroughCache: true, enhancedScanning: true }, ...FANOUT };
        const a = contextOf("dev", await synthPlatform("dev", owner));
        const b = contextOf("staging", await synthPlatform("staging", owner));
        expect(
            oneAccountRule
                .checkAccount([a, b])
                .map((f) => f.type)
                .sort(),
        ).to.deep.equal([
            "aws:apigateway/account:Account",
            "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
            "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
        ]);
    });

    it("fails stacks that log API executions when none of them sets the account's CloudWatch role", async () => {
        const dev = contextOf("dev", await synthPlatform("dev", FANOUT));
        const findings = oneAccountRule.checkAccount([dev]);
        expect(findings.length).to.be.greaterThan(0);
        for (const f of findings) {
            expect(f).to.include({ severity: "failure", type: "aws:apigateway/methodSettings:MethodSettings" });
            expect(f.message).to.contain("platform:account.owner: true");
        }
        // On its own, the stack only warns: it may rely on an owner stack deployed first.
        expect(oneAccountRule.check(dev).map((f) => f.severity)).to.deep.equal(findings.map(() => "warning"));
    });

    it("catches one stack claiming a region-unique name twice (a rule on the default bus)", () => {
        const rule = (name: string) => ({
            urn: `urn:pulumi:dev::platform::aws:cloudwatch/eventRule:EventRule::${name}`,
            type: "aws:cloudwatch/eventRule:EventRule",
            name,
            custom: true,
            remote: false,
            inputs: { name: "nightly" },
            protect: false,
            retainOnDelete: false,
            dependsOn: [],
            ignoreChanges: [],
            state: {},
        });
        const findings = oneAccountRule.check({ project: "platform", stack: "dev", region: "eu-west-1", accountId: "123456789012", resources: [rule("a"), rule("b")], bundles: [] });
        expect(findings.map((f) => f.name)).to.deep.equal(["b"]);
        expect(findings[0].message).to.contain("the default event bus of eu-west-1");
    });

    it("runs as a command over every stack file of a project: npm run synth -- --all-stacks", () => {
        const cli = runScript("platform/offline/synth-cli.ts", ["--all-stacks", "--program", "tests/fixtures/projects/long-names/index.ts"], 120_000);
        expect(cli.status, cli.stderr).to.equal(0);
        expect(cli.stdout).to.match(/Synthesized 1 stacks of tests\/fixtures\/projects\/long-names offline/);
        expect(cli.stdout).to.match(/prod-eu-central \(eu-central-1, account 123456789012\): \d+ resources; deploy readiness 0 failures/);
        expect(cli.stdout).to.contain("One account, many stacks: 0 failures");
    });
});
