import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { buildPlatform, platformOutputs } from "../platform";
import { loadPlatformConfig } from "../platform/config";
import { type AdditionalInputs, type AdditionalSecurityGroupRule, type PlatformExtensions, validateAdditionalInputs, validatePlatformExtensions } from "../platform/extensions";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../platform/offline/policy-gate";
import { runReadiness } from "../platform/offline/readiness";
import { rolePermissions } from "../platform/offline/readiness/code-iam";
import { bundleRecords } from "../platform/serverless/bundle";
import { loadStackFiles } from "../platform/offline/stack-files";
import { synthesize } from "../platform/offline/synth";
import { LambdaFunction } from "../platform/serverless";
import { EksApp } from "../platform/eks/workloads";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { captureWarnings, FIXTURE_STACKS, parseJson, REPO_ROOT } from "./helpers";
import { synthConstructs, testContext } from "./serverless/fixtures";

const READ_FEED = { Sid: "ReadPartnerFeed", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::partner-feed/exports/*" };
const TO_DATABASE: AdditionalSecurityGroupRule = {
    direction: "egress",
    protocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
    referencedSecurityGroupId: "sg-0123456789abcdef0",
    description: "PostgreSQL of the orders database",
};
const METRICS_IN: AdditionalSecurityGroupRule = { direction: "ingress", protocol: "tcp", fromPort: 9090, toPort: 9090, cidrIpv4: "10.0.0.0/16", description: "Prometheus in the VPC" };

const PARTNER_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner-api-AbCdEf";
const DB_GROUP_ID = "sg-0123456789abcdef0";
/** The `extend` examples of docs/transform.md, as written there: tsc checks each against the types. */
export const DOCUMENTED_EXTEND: PlatformExtensions[] = [
    { apps: { web: { policyStatements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::partner-feed/exports/*" }] } } },
    { apps: { worker: { securityGroupRules: [{ direction: "ingress", protocol: "tcp", fromPort: 9090, toPort: 9090, cidrIpv4: "10.0.0.0/16", description: "Prometheus" }] } } },
];
/** The component examples of docs/transform.md. */
export const DOCUMENTED_INPUTS: AdditionalInputs[] = [
    { additionalPolicyStatements: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: PARTNER_SECRET_ARN }] },
    { additionalSecurityGroupRules: [{ direction: "egress", protocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: DB_GROUP_ID, description: "orders" }] },
];

/** The dev fixture stack (web on ECS, EKS and, released, Lambda; the worker on ECS and EKS), built with `extend`. */
async function devWith(extend: PlatformExtensions | undefined): Promise<RecordedResource[]> {
    const files = loadStackFiles(FIXTURE_STACKS, "dev");
    const apps = JSON.parse(files.config["platform:apps"]);
    apps.web.imageTag = "1.4.2";
    const config = { ...files.config, "platform:apps": JSON.stringify(apps) };
    const { result } = await captureWarnings(() =>
        synthesize({ project: files.project, stack: "dev", config, secretKeys: files.secretKeys, program: () => platformOutputs(buildPlatform(loadPlatformConfig(), { extend })) }),
    );
    return result.cloud.resources;
}

/** The URNs `after` has and `before` lacks, and the URNs of both whose inputs differ. */
function difference(before: RecordedResource[], after: RecordedResource[]) {
    const old = new Map(before.map((r) => [r.urn, JSON.stringify(r.inputs)]));
    return {
        removed: before.filter((r) => !after.some((a) => a.urn === r.urn)).map((r) => r.name),
        added: after.filter((r) => !old.has(r.urn)),
        changed: after.filter((r) => old.has(r.urn) && old.get(r.urn) !== JSON.stringify(r.inputs)).map((r) => `${r.type} ${r.name}`),
    };
}

/** What a program registered besides the stack itself. */
const beyondStack = (resources: RecordedResource[]) => resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
const roleArnOf = (resources: RecordedResource[], roleName: string) => resources.find((r) => r.type === "aws:iam/role:Role" && r.name === roleName)!.state.arn as string;

describe("additional* inputs: extra IAM statements and security group rules", function () {
    this.timeout(300_000);
    let baseline: RecordedResource[];
    let extended: RecordedResource[];

    before(async () => {
        baseline = await devWith(undefined);
        extended = await devWith({ apps: { web: { policyStatements: [READ_FEED], securityGroupRules: [TO_DATABASE] }, worker: { policyStatements: [READ_FEED], securityGroupRules: [METRICS_IN] } } });
    });

    it("each input on each runtime adds exactly one clearly named child and changes nothing else", () => {
        const { removed, added, changed } = difference(baseline, extended);
        expect(removed).to.deep.equal([]);
        expect(changed).to.deep.equal([]);
        expect(added.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal(
            [
                // web: statements on its ECS task role, its EKS pods' role and its Lambda function's role; the egress rule on its
                // ECS tasks' group and on its scheduled jobs' group (the jobs run the same code).
                "aws:iam/rolePolicy:RolePolicy platform-dev-web-task-additional",
                "aws:iam/rolePolicy:RolePolicy platform-dev-eks-web-pods-additional",
                "aws:iam/rolePolicy:RolePolicy platform-dev-lambda-web-additional",
                "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule platform-dev-web-tasks-additional-egress-0",
                "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule platform-dev-web-jobs-additional-egress-0",
                // worker: ECS and EKS.
                "aws:iam/rolePolicy:RolePolicy platform-dev-worker-task-additional",
                "aws:iam/rolePolicy:RolePolicy platform-dev-eks-worker-pods-additional",
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule platform-dev-worker-tasks-additional-ingress-0",
            ].sort(),
        );
    });

    it("the statements go on the right role as written, and code-iam reads them as grants of that role", () => {
        for (const [policyName, roleName] of [
            ["platform-dev-web-task-additional", "platform-dev-web-task"],
            ["platform-dev-eks-web-pods-additional", "platform-dev-eks-web-pods"],
            ["platform-dev-lambda-web-additional", "platform-dev-lambda-web"],
        ]) {
            const policy = extended.find((r) => r.name === policyName)!;
            const role = extended.find((r) => r.type === "aws:iam/role:Role" && r.name === roleName)!;
            expect(policy.inputs.role, policyName).to.equal(role.state.name);
            expect(parseJson(policy.inputs.policy).Statement).to.deep.equal([READ_FEED]);
            const granted = rolePermissions(extended, roleArnOf(extended, roleName))!.statements;
            expect(
                granted.some((s) => s.actions.includes("s3:GetObject") && s.resources.includes(READ_FEED.Resource)),
                roleName,
            ).to.equal(true);
            const before = rolePermissions(baseline, roleArnOf(baseline, roleName))!.statements;
            expect(before.some((s) => s.actions.includes("s3:GetObject"))).to.equal(false);
        }
    });

    it("the rules land on the tasks' security groups with their peer, ports and description", () => {
        const egress = extended.find((r) => r.name === "platform-dev-web-tasks-additional-egress-0")!;
        const group = extended.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "platform-dev-web-tasks")!;
        expect(egress.inputs).to.deep.include({
            securityGroupId: group.state.id,
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            referencedSecurityGroupId: "sg-0123456789abcdef0",
            description: TO_DATABASE.description,
        });
        // The same egress on the group of web's scheduled jobs, which run web's code.
        const jobsEgress = extended.find((r) => r.name === "platform-dev-web-jobs-additional-egress-0")!;
        const jobsGroup = extended.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "platform-dev-web-jobs")!;
        expect(jobsEgress.inputs).to.deep.include({ securityGroupId: jobsGroup.state.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-0123456789abcdef0" });
        const ingress = extended.find((r) => r.name === "platform-dev-worker-tasks-additional-ingress-0")!;
        const workerGroup = extended.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "platform-dev-worker-tasks")!;
        expect(ingress.inputs).to.deep.include({ securityGroupId: workerGroup.state.id, cidrIpv4: "10.0.0.0/16", fromPort: 9090 });
    });

    it("the policy gate finds nothing more in the extended stack than in the plain one", async () => {
        const config = stackPolicyConfig(policyConfigFiles(FIXTURE_STACKS, "dev", "dev"), "dev");
        const summary = async (resources: RecordedResource[]) => (await runPolicyGate(resources, config)).violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.name}`).sort();
        expect(await summary(extended)).to.deep.equal(await summary(baseline));
    });

    it("the deploy-readiness rules (code-iam, physical names, ...) find nothing more either", () => {
        const findings = (resources: RecordedResource[]) =>
            runReadiness({ project: "platform", stack: "dev", region: "eu-west-1", accountId: "123456789012", resources, bundles: bundleRecords() }).map((f) => `${f.severity} ${f.rule} ${f.name}: ${f.message}`);
        expect(findings(extended)).to.deep.equal(findings(baseline));
    });
});

describe("additional* inputs: refused forms and unknown apps, before anything is created", function () {
    this.timeout(60_000);

    /** What buildPlatform registers with `extend`, and the error it throws. */
    async function refused(extend: PlatformExtensions): Promise<{ error: string; registered: number }> {
        let error = "";
        const files = loadStackFiles(FIXTURE_STACKS, "dev");
        const { result } = await captureWarnings(() =>
            synthesize({
                project: files.project,
                stack: "dev",
                config: files.config,
                secretKeys: files.secretKeys,
                program: () => {
                    try {
                        buildPlatform(loadPlatformConfig(), { extend });
                    } catch (err) {
                        error = String(err);
                    }
                },
            }),
        );
        return { error, registered: beyondStack(result.cloud.resources).length };
    }

    it("an unknown app fails listing the apps that exist", async () => {
        const { error, registered } = await refused({ apps: { wbe: { policyStatements: [READ_FEED] } } });
        expect(error).to.contain("extend.apps.wbe: no app wbe in platform:apps; the apps are web, worker");
        expect(registered).to.equal(0);
    });

    it('a statement with Action "*" or NotAction fails naming the input', async () => {
        const star = await refused({ apps: { web: { policyStatements: [READ_FEED, { Effect: "Allow", Action: "*", Resource: "*" }] } } });
        expect(star.error).to.match(/extend\.apps\.web\.policyStatements\[1\]: Action "\*" grants every action/);
        expect(star.registered).to.equal(0);
        const not = await refused({ apps: { worker: { policyStatements: [{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }] } } });
        expect(not.error).to.match(/extend\.apps\.worker\.policyStatements\[0\]: NotAction/);
        expect(not.registered).to.equal(0);
    });

    it("ingress from 0.0.0.0/0 or ::/0 fails naming the input; egress there is accepted", async () => {
        for (const world of [{ cidrIpv4: "0.0.0.0/0" }, { cidrIpv6: "::/0" }]) {
            const { error, registered } = await refused({ apps: { web: { securityGroupRules: [{ direction: "ingress", protocol: "tcp", fromPort: 8080, toPort: 8080, description: "anyone", ...world }] } } });
            expect(error).to.match(/extend\.apps\.web\.securityGroupRules\[0\] \(anyone\): ingress from .* opens the tasks to the whole internet/);
            expect(registered).to.equal(0);
        }
        const egress = await refused({ apps: { web: { securityGroupRules: [{ direction: "egress", protocol: "tcp", fromPort: 8443, toPort: 8443, cidrIpv4: "0.0.0.0/0", description: "partner API on 8443" }] } } });
        expect(egress.error).to.equal("");
    });

    it("a rule AWS would reject fails naming the input: no peer or two, a bad CIDR, ports out of range, a description EC2 refuses", () => {
        const base = { direction: "egress", protocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS" } as const;
        const cases: [AdditionalSecurityGroupRule, RegExp][] = [
            [base as unknown as AdditionalSecurityGroupRule, /expected exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId; got none/],
            [{ ...base, cidrIpv4: "10.0.0.0/8", prefixListId: "pl-1" }, /got cidrIpv4, prefixListId/],
            [{ ...base, cidrIpv4: "10.0.0.300/8" }, /cidrIpv4 10\.0\.0\.300\/8 is not an IPv4 CIDR block/],
            [{ ...base, cidrIpv4: "10.0.0.0/8", toPort: 70000 }, /toPort 70000 is outside 0-65535 for tcp/],
            [{ ...base, cidrIpv4: "10.0.0.0/8", fromPort: 444 }, /fromPort 444 is above toPort 443/],
            [{ ...base, cidrIpv4: "10.0.0.0/8", protocol: "-1" }, /protocol "-1" \(every protocol\) takes no fromPort or toPort/],
            [{ ...base, cidrIpv4: "10.0.0.0/8", description: "to <db>" }, /description must be 1 to 255 characters/],
        ];
        for (const [rule, message] of cases) {
            const refuse = () => validatePlatformExtensions({ web: { runtimes: ["ecs"] } }, { apps: { web: { securityGroupRules: [rule] } } });
            expect(refuse, String(message)).to.throw(/extend\.apps\.web\.securityGroupRules\[0\]/);
            expect(refuse, String(message)).to.throw(message);
        }
        // ICMP echo request (type 8, every code) is a valid rule.
        expect(() =>
            validatePlatformExtensions(
                { web: { runtimes: ["ecs"] } },
                { apps: { web: { securityGroupRules: [{ direction: "ingress", protocol: "icmp", fromPort: 8, toPort: -1, cidrIpv4: "10.0.0.0/16", description: "ping" }] } } },
            ),
        ).not.to.throw();
    });

    it("security group rules for an app that does not run on ECS fail: pods follow the namespace's NetworkPolicy", async () => {
        const files = loadStackFiles(FIXTURE_STACKS, "dev");
        const apps = JSON.parse(files.config["platform:apps"]);
        const apps2 = { ...apps, worker: { ...apps.worker, runtimes: ["eks"] } };
        let error = "";
        await captureWarnings(() =>
            synthesize({
                project: files.project,
                stack: "dev",
                config: { ...files.config, "platform:apps": JSON.stringify(apps2) },
                program: () => {
                    try {
                        buildPlatform(loadPlatformConfig(), { extend: { apps: { worker: { securityGroupRules: [METRICS_IN] } } } });
                    } catch (err) {
                        error = String(err);
                    }
                },
            }),
        );
        expect(error).to.contain("extend.apps.worker.securityGroupRules: worker runs on eks, not ECS");
        expect(error).to.contain("apps.worker.egress");
    });

    it("the components refuse the same forms before they register: the serverless Function and the EKS app", async () => {
        let fnError = "";
        const fn = await synthConstructs(() => {
            try {
                new LambdaFunction("t-fn", { ctx: testContext(), entry: "apps/fanout/src/auditor.ts", description: "t", additionalPolicyStatements: [{ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: "*" }] });
            } catch (err) {
                fnError = String(err);
            }
        });
        expect(fnError).to.match(/t-fn: additionalPolicyStatements\[0\]: Action "\*"/);
        expect(beyondStack(fn.cloud.resources)).to.deep.equal([]);
        let eksError = "";
        const eks = await synthConstructs(() => {
            try {
                new EksApp("t-app", { app: "web", additionalPolicyStatements: [{ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }] } as unknown as ConstructorParameters<typeof EksApp>[1]);
            } catch (err) {
                eksError = String(err);
            }
        });
        expect(eksError).to.match(/web: additionalPolicyStatements\[0\]: NotAction/);
        expect(beyondStack(eks.cloud.resources)).to.deep.equal([]);
    });

    it("the serverless Function takes statements as one inline policy of its own", async () => {
        const plain = await synthConstructs(() => new LambdaFunction("t-fn", { ctx: testContext(), entry: "apps/fanout/src/auditor.ts", description: "t" }));
        const extended = await synthConstructs(() => new LambdaFunction("t-fn", { ctx: testContext(), entry: "apps/fanout/src/auditor.ts", description: "t", additionalPolicyStatements: [READ_FEED] }));
        const { removed, added, changed } = difference(plain.cloud.resources, extended.cloud.resources);
        expect([removed, changed]).to.deep.equal([[], []]);
        expect(added.map((r) => `${r.type} ${r.name}`)).to.deep.equal(["aws:iam/rolePolicy:RolePolicy t-fn-additional"]);
        expect(pulumi.Output.isInstance(added[0].inputs.policy)).to.equal(false);
        expect(parseJson(added[0].inputs.policy).Statement).to.deep.equal([READ_FEED]);
    });
});

describe("docs/transform.md: the extend and additional* examples", () => {
    it("each is one of the compiled examples above, and each passes validation", () => {
        const documented = [...readFileSync(path.join(REPO_ROOT, "docs", "transform.md"), "utf8").matchAll(/^\| `(?:extend\.apps|additional)[^|]*` \| `(\{.*\})` \|$/gm)].map((m) => m[1]);
        expect(documented).to.have.length(DOCUMENTED_EXTEND.length + DOCUMENTED_INPUTS.length);
        const source = readFileSync(__filename, "utf8");
        for (const example of documented) expect(source, example).to.contain(`    ${example},`);
        for (const extend of DOCUMENTED_EXTEND) expect(() => validatePlatformExtensions({ web: { runtimes: ["ecs"] }, worker: { runtimes: ["ecs"] } }, extend)).not.to.throw();
        for (const inputs of DOCUMENTED_INPUTS) expect(() => validateAdditionalInputs("web", inputs)).not.to.throw();
    });
});
