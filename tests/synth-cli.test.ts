import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { SynthReport } from "../platform/offline/synth";
import { REPO_ROOT } from "./helpers";

/** Runs `npm run synth -- <args>` as a user would (through the project's loader, in a child process). */
function synthCli(...args: string[]) {
    const result = spawnSync(process.execPath, ["--require", "./platform/runtime/register.js", "platform/offline/synth-cli.ts", ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run synth (the offline main job)", function () {
    this.timeout(90_000);
    const outDir = mkdtempSync(path.join(tmpdir(), "synth-"));

    it("synthesizes the prod stack, prints the inventory and timing, and writes the JSON report", () => {
        const reportFile = path.join(outDir, "prod.json");
        const { code, stdout, stderr } = synthCli("--project", "tests/fixtures/stacks", "--stack", "prod", "--json", reportFile);
        expect(code, stderr).to.equal(0);
        expect(stdout).to.contain("platform:network:Network  platform-prod");
        expect(stdout).to.match(/awsx:ec2:Vpc {2}platform-prod {2}\[remote component/);
        // prod protects the cluster (protection.protectStatefulResources).
        expect(stdout).to.match(/eks:index:Cluster {2}platform-prod-eks {2}\[protected; remote component/);
        expect(stdout).to.match(/Resources by type:\n/);
        expect(stdout).to.match(/\d+ resources \(\d+ cloud resources, \d+ components, 2 remote components\) in \d+\.\d\d s/);

        const report = JSON.parse(readFileSync(reportFile, "utf8")) as SynthReport;
        expect(report.stack).to.equal("prod");
        expect(report.program).to.equal("index.ts");
        expect(report.violations).to.deep.equal([]);
        expect(report.resources.length).to.be.greaterThan(20);
        for (const resource of report.resources) {
            expect(resource).to.have.all.keys("urn", "type", "name", "parent", "inputs", "protect", "dependsOn", "provider");
        }
        const repo = report.resources.find((r) => r.type === "aws:ecr/repository:Repository")!;
        expect(repo.protect).to.equal(true);
        expect(repo.parent).to.equal("urn:pulumi:prod::platform::platform:registry:Registry::platform-prod");
        expect(repo.provider).to.match(/^urn:pulumi:prod::platform::pulumi:providers:aws::aws::/);
        expect(new Set(report.resources.map((r) => r.urn)).size).to.equal(report.resources.length);

        // Every function's esbuild bundle, with its size, in the output and the report.
        const functions = report.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => r.name);
        expect(functions.length).to.be.greaterThan(0);
        const bundles = (report as SynthReport & { bundles: { functionName: string; codeBytes: number; sha256: string }[] }).bundles;
        expect(bundles.map((b) => b.functionName).sort()).to.deep.equal([...functions].sort());
        for (const name of functions) expect(stdout).to.match(new RegExp(`\\n  ${name} +\\d+\\.\\d (KiB|MiB) code +\\d+\\.\\d (KiB|MiB) map  apps/`));
        for (const bundle of bundles)
            expect((report.resources.find((r) => r.name === bundle.functionName && r.type === "aws:lambda/function:Function")!.inputs.tags as Record<string, string>)["bundle-sha256"]).to.equal(bundle.sha256);
    });

    it("exits 2 on a broken stack file and names every bad key, without a stack trace", () => {
        const { code, stdout, stderr } = synthCli("--stack", "broken", "--program", "tests/fixtures/projects/broken/index.ts");
        expect(code).to.equal(2);
        expect(stderr).to.contain('Invalid configuration for stack "broken" (3 problems)');
        expect(stderr).to.contain("platform:network.cidr:");
        expect(stderr).to.contain("platform:network.natStrategy:");
        expect(stderr).to.contain("platform:apps.Web_App:");
        expect(stderr).to.not.match(/\n\s+at /);
        expect(stdout).to.equal("");
    });

    it("exits 2 naming the stacks that exist when the stack file is missing", () => {
        const { code, stderr } = synthCli("--project", "tests/fixtures/stacks", "--stack", "qa");
        expect(code).to.equal(2);
        expect(stderr).to.match(/Pulumi\.qa\.yaml: no such stack file; stacks here: dev, prod, staging/);
    });

    it("synthesizes another Pulumi program with --program and the stack's config", () => {
        const reportFile = path.join(outDir, "queue.json");
        const { code, stdout, stderr } = synthCli("--project", "tests/fixtures/stacks", "--stack", "dev", "--program", "tests/fixtures/programs/queue/index.ts", "--json", reportFile);
        expect(code, stderr).to.equal(0);
        expect(stdout).to.contain('queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-');
        const report = JSON.parse(readFileSync(reportFile, "utf8")) as SynthReport;
        expect(report.program).to.equal(path.join("tests", "fixtures", "programs", "queue", "index.ts"));
        expect(report.resources.filter((r) => r.type === "aws:sqs/queue:Queue").map((r) => r.name)).to.have.members(["orders", "orders-dlq"]);
    });
});
