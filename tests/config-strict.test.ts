import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { resolvePlatformConfig } from "../platform/config";
import { mergePolicyConfigs, policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../platform/offline/policy-gate";
import { loadStackFiles, StackFileError } from "../platform/offline/stack-files";
import { synthesize } from "../platform/offline/synth";
import { profileTagOf, resolveEnvironment } from "../policy/lib/environment";
import { configProblems, FIXTURE_STACKS, platformProgram, REPO_ROOT, runScript, sharedSynth } from "./helpers";

/** `npm run synth` in a child process, as a user runs it. */
function synthCli(...args: string[]) {
    const result = runScript("platform/offline/synth-cli.ts", args);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project directory holding a copy of the dev fixture stack as `Pulumi.<stack>.yaml`, edited by `edit`. */
function projectWith(stack: string, edit: (yaml: string) => string = (yaml) => yaml, projectName = "platform"): string {
    const dir = mkdtempSync(path.join(tmpdir(), "strict-config-"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), readFileSync(path.join(FIXTURE_STACKS, "Pulumi.yaml"), "utf8").replace(/^name: platform$/m, `name: ${projectName}`));
    writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edit(readFileSync(path.join(FIXTURE_STACKS, "Pulumi.dev.yaml"), "utf8")));
    return dir;
}

describe("config that is never ignored", function () {
    this.timeout(120_000);
    const resolve = (values: Record<string, unknown>, otherKeys: string[], project = "platform") => resolvePlatformConfig({ project, stack: "dev", values, region: "eu-west-1", otherKeys });

    it("refuses a key in an unknown namespace, suggesting the namespace it was meant for", () => {
        const problems = configProblems(() => resolve({ profile: "dev" }, ["aws:region", "platfrom:ecs", "kubernets:context"]));
        expect(problems.map((p) => p.key)).to.deep.equal(["platfrom:ecs", "kubernets:context"]);
        expect(problems[0].message).to.contain('did you mean "platform:ecs"?');
        expect(problems[1].message).to.contain('did you mean "kubernetes:context"?');
    });

    it("accepts the project's and the providers' namespaces", () => {
        expect(resolve({ profile: "dev" }, ["aws:region", "aws:profile", "pulumi:tags", "kubernetes:context"]).profile).to.equal("dev");
    });

    it("refuses a stack that sets no project key, and says how a rename causes it", () => {
        const problems = configProblems(() => resolve({}, ["aws:region", "platform:profile", "platform:apps"], "shop"));
        expect(problems.map((p) => p.key)).to.deep.equal(["platform:* (profile, apps)", "shop:*"]);
        expect(problems[0].message).to.match(/did you mean shop:<key>\? If the project was renamed in Pulumi\.yaml, rename the stack's keys to shop:<key> or restore the name "platform"/);
        expect(problems[1].message).to.contain("set at least shop:profile");
    });

    it('refuses imageTag "latest": tags are immutable, so it would never move', () => {
        const problems = configProblems(() => resolve({ profile: "dev", apps: { web: { imageTag: "latest" } } }, ["aws:region"]));
        expect(problems).to.have.length(1);
        expect(problems[0].key).to.equal("platform:apps.web.imageTag");
        expect(problems[0].message).to.contain("immutable");
        expect(resolve({ profile: "dev", apps: { web: { imageTag: "latest-1" } } }, ["aws:region"]).apps.web.imageTag).to.equal("latest-1");
    });

    it("refuses unquoted numbers that lose digits, naming the key and the quoted form; keeps exact ones", () => {
        const dir = projectWith("qa", (yaml) =>
            yaml.replace("  platform:profile: dev\n", "  platform:profile: dev\n  platform:accountId: 012345678901\n  platform:ingest:\n    batchSize: 100\n    maxRecordAgeSeconds: 99999999999999999999\n"),
        );
        writeFileSync(path.join(dir, "Pulumi.qa.yaml"), readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8").replace("  platform:ingest: {}\n", ""));
        expect(() => loadStackFiles(dir, "qa")).to.throw(StackFileError, /platform:accountId: the unquoted number 012345678901 reads as 12345678901; quote it: "012345678901"/);
        expect(() => loadStackFiles(dir, "qa")).to.throw(StackFileError, /platform:ingest\.maxRecordAgeSeconds: the unquoted number 99999999999999999999 reads as 100000000000000000000/);
        expect(() => loadStackFiles(dir, "qa")).to.not.throw(StackFileError, /batchSize/);
    });

    it("exits 2 with the key and a hint for a renamed project, a namespace typo and an unquoted account id", () => {
        const renamed = synthCli("--project", projectWith("dev", undefined, "shop"), "--stack", "dev");
        expect(renamed.code, renamed.stderr).to.equal(2);
        expect(renamed.stderr).to.contain("platform:* (profile, tags, apps,");
        expect(renamed.stderr).to.contain("If the project was renamed in Pulumi.yaml");

        const typo = synthCli(
            "--project",
            projectWith("dev", (yaml) => yaml.replace("platform:fanout:", "platfrom:fanout:")),
            "--stack",
            "dev",
        );
        expect(typo.code, typo.stderr).to.equal(2);
        expect(typo.stderr).to.contain('platfrom:fanout: namespace "platfrom" is neither');
        expect(typo.stderr).to.contain('did you mean "platform:fanout"?');

        const accountId = synthCli(
            "--project",
            projectWith("dev", (yaml) => yaml.replace("  platform:profile: dev\n", "  platform:profile: dev\n  platform:accountId: 012345678901\n")),
            "--stack",
            "dev",
        );
        expect(accountId.code, accountId.stderr).to.equal(2);
        expect(accountId.stderr).to.contain('platform:accountId: the unquoted number 012345678901 reads as 12345678901; quote it: "012345678901"');
        for (const run of [renamed, typo, accountId]) expect(run.stderr).to.not.match(/\n\s+at /);
    });

    it("validates the pack config before the program runs (exit 2, nothing synthesized)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "pack-config-"));
        const file = path.join(dir, "pack.json");
        writeFileSync(file, JSON.stringify({ "elb-listeners-use-tsl": "advisory" }));
        const run = synthCli("--project", "tests/fixtures/stacks", "--stack", "dev", "--policy-config", file);
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.contain("elb-listeners-use-tsl: no such policy in the pack");
        expect(run.stdout).to.not.contain("Synthesized");
    });
});

describe("the policy pack follows the stack's profile", function () {
    this.timeout(180_000);

    it("layers the profile's pack config under the stack's: levels and settings override, exemptions add up", () => {
        const merged = mergePolicyConfigs([
            { "elb-listeners-use-tls": { exemptions: [{ resource: "*-http", reason: "profile reason here" }] }, "logs-retention": "advisory" },
            { "elb-listeners-use-tls": { enforcementLevel: "advisory", exemptions: [{ resource: "legacy-*", reason: "stack reason here" }] }, "logs-retention": { minimumDays: 30 } },
        ]);
        expect(merged["elb-listeners-use-tls"]).to.deep.equal({
            enforcementLevel: "advisory",
            exemptions: [
                { resource: "*-http", reason: "profile reason here" },
                { resource: "legacy-*", reason: "stack reason here" },
            ],
        });
        expect(merged["logs-retention"]).to.deep.equal({ enforcementLevel: "advisory", minimumDays: 30 });
    });

    it("reads the environment from the AWS provider's Profile tag before the stack name", () => {
        const provider = { type: "pulumi:providers:aws", props: { defaultTags: JSON.stringify({ tags: { Profile: "dev" } }) } };
        expect(resolveEnvironment("auto", "urn:pulumi:sandbox::platform::aws:s3/bucket:Bucket::b", profileTagOf(provider))).to.equal("dev");
        expect(resolveEnvironment("auto", "urn:pulumi:sandbox::platform::aws:s3/bucket:Bucket::b", undefined)).to.equal("prod");
        expect(resolveEnvironment("staging", "urn:pulumi:sandbox::platform::aws:s3/bucket:Bucket::b", profileTagOf(provider))).to.equal("staging");
    });

    it("gates a copy of the dev stack under another name with exactly dev's findings", async () => {
        const dir = projectWith("sandbox");
        const files = loadStackFiles(dir, "sandbox");
        const sandbox = await synthesize({ project: files.project, stack: "sandbox", config: files.config, program: platformProgram });
        const dev = await sharedSynth("dev");
        expect(policyConfigFiles(dir, "sandbox", "dev").map((file) => path.relative(REPO_ROOT, file))).to.deep.equal([path.join("policy", "config", "dev.json")]);
        const findings = async (resources: typeof dev.cloud.resources, stack: string, profile: string) =>
            (await runPolicyGate(resources, stackPolicyConfig(policyConfigFiles(stack === "dev" ? FIXTURE_STACKS : dir, stack, profile), profile))).violations.map(
                (v) => `${v.exempted ? "exempted" : v.enforcementLevel} ${v.policy} ${v.name.replace(`-${stack}`, "-<stack>")}`,
            );
        const devFindings = await findings(dev.cloud.resources, "dev", "dev");
        expect(devFindings.length).to.be.greaterThan(0);
        expect(await findings(sandbox.cloud.resources, "sandbox", "dev")).to.deep.equal(devFindings);
    });
});

describe("npm run check:stacks (the user's own stack files)", function () {
    this.timeout(120_000);

    it("gates every stack file of a project and exits with the worst result, naming each stack", () => {
        const dir = projectWith("dev", (yaml) => yaml.replace("platform:fanout:", "platfrom:fanout:"));
        const run = runScript("platform/offline/check-stacks.ts", ["--project", dir]);
        expect(run.status, run.stderr).to.equal(2);
        expect(run.stdout).to.contain("=== dev (Pulumi.dev.yaml)");
        expect(run.stderr).to.contain('did you mean "platform:fanout"?');
        expect(run.stdout).to.contain("Stacks: dev config or program error");
    });
});
