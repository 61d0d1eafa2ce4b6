import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError } from "../../platform/config";
import { readFileSync } from "node:fs";
import { COST_CATALOG, estimateCost, isComponentType, loadUsage } from "../../platform/offline/cost";
import { benchmark, costBlock, withCostBlock } from "../../platform/offline/cost/readme";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runPolicies } from "../../policy/harness";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { synthesize } from "../../platform/offline/synth";
import { only, parseJson, platformProgram, REPO_ROOT, sharedSynth, statementsOf, synthPlatform } from "../helpers";

describe("cost of the shipped stacks", function () {
    this.timeout(240_000);
    const stacks: Record<string, RecordedResource[]> = {};
    const regions: Record<string, string> = {};

    before(async () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const { cloud } = await sharedSynth(stack);
            stacks[stack] = cloud.resources;
            regions[stack] = cloud.options.region;
        }
    });

    it("has a catalog entry (priced or free) for every type the program registers", () => {
        const types = new Set(Object.values(stacks).flatMap((resources) => resources.map((r) => r.type)));
        const missing = [...types].filter((type) => !isComponentType(type) && !(type in COST_CATALOG)).sort();
        expect(missing, "types with no entry in platform/offline/cost/catalog.ts").to.deep.equal([]);
    });

    it("prices every stack in its region with no unpriced type and no instance type missing from the table", () => {
        for (const [stack, resources] of Object.entries(stacks)) {
            const report = estimateCost(resources, { region: regions[stack] });
            expect(report.regionPriced, stack).to.equal(true);
            expect(report.unpriced, stack).to.deep.equal([]);
            expect(
                report.lines.filter((l) => l.what.includes("no price row")).map((l) => l.what),
                stack,
            ).to.deep.equal([]);
            expect(report.fixedMonthly, stack).to.be.greaterThan(0);
        }
    });

    it("has README.md's cost block as the shipped stacks produce it (npm run docs:cost)", () => {
        const shipped = Object.entries(stacks).map(([stack, resources]) => ({ stack, region: regions[stack], resources }));
        const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const current = withCostBlock(readme, costBlock(shipped, benchmark(shipped[0])));
        expect(current === readme, "README.md's cost block is stale: run npm run docs:cost").to.equal(true);
    });

    it("benchmarks dev against the same platform on the anchors' defaults, which costs more", () => {
        const bench = benchmark({ stack: "dev", region: regions.dev, resources: stacks.dev });
        const types = (report: typeof bench.anchors) => report.fixedByType.map((g) => g.key);
        // The anchors' NAT gateways per AZ and default node group replace the NAT instance and managed groups.
        expect(types(bench.anchors)).to.not.include("aws:ec2/instance:Instance");
        expect(types(bench.anchors)).to.not.include("aws:eks/nodeGroup:NodeGroup");
        expect(bench.anchors.lines.some((l) => l.what === "default node group: t3.medium ON_DEMAND x2")).to.equal(true);
        expect(bench.anchors.lines.some((l) => l.what === "default node group volumes x2: 40 GB gp2")).to.equal(true);
        // One ALB per app per runtime: each ECS service behind a load balancer and each ALB Ingress.
        const fronted = stacks.dev.filter((r) => r.type === "aws:ecs/service:Service" && ((r.inputs.loadBalancers as unknown[]) ?? []).length > 0).length;
        const ingresses = stacks.dev.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" || r.type === "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding").length;
        const albs = bench.anchors.lines.filter((l) => l.kind === "fixed" && l.priceId === "elb.alb.hour").length;
        expect(albs)
            .to.equal(fronted + ingresses)
            .and.to.be.greaterThan(1);
        // Pods on the platform's Fargate profile run on the default node group instead.
        expect(types(bench.anchors)).to.not.include("kubernetes:helm.sh/v3:Release");
        expect(bench.anchors.lines.some((l) => l.what === "2 NAT gateways (strategy OnePerAz, 2 AZs)")).to.equal(true);
        expect(bench.ratio).to.be.lessThan(1);
    });

    it("keeps staging and prod above dev (dev takes the profile's cheaper options)", () => {
        const fixed = (stack: string) => estimateCost(stacks[stack], { region: regions[stack] }).fixedMonthly;
        expect(fixed("dev")).to.be.lessThan(fixed("staging"));
        expect(fixed("staging")).to.be.lessThan(fixed("prod"));
    });
});

describe("platform:cost.monthlyBudget in the program", function () {
    this.timeout(120_000);

    it("creates a monthly COST budget for the stack that notifies the alarm topic, which Budgets may publish to and whose key it may use", async () => {
        const { cloud } = await synthPlatform("dev", { cost: { monthlyBudget: 150 } });
        const budget = only(cloud.resources, "aws:budgets/budget:Budget");
        const topic = only(cloud.resources, "aws:sns/topic:Topic", "-alarms");
        expect(budget.inputs).to.deep.include({ budgetType: "COST", timeUnit: "MONTHLY", limitAmount: "150.00", limitUnit: "USD", costFilters: [{ name: "TagKeyValue", values: ["user:Stack$dev"] }] });
        const notifications = budget.inputs.notifications as Record<string, unknown>[];
        expect(notifications.map((n) => [n.notificationType, n.threshold])).to.deep.equal([
            ["ACTUAL", 80],
            ["ACTUAL", 100],
            ["FORECASTED", 100],
        ]);
        const topicArn = topic.state.arn;
        for (const n of notifications) expect(n.subscriberSnsTopicArns).to.deep.equal([topicArn]);

        const topicPolicy = statementsOf(only(cloud.resources, "aws:sns/topicPolicy:TopicPolicy", "-alarms"));
        const budgets = topicPolicy.find((s) => s.Principal?.Service === "budgets.amazonaws.com");
        expect(budgets, "topic policy statement for Budgets").to.deep.include({ Effect: "Allow", Action: "sns:Publish", Resource: topicArn });
        expect(budgets.Condition.ArnLike["aws:SourceArn"]).to.equal("arn:aws:budgets::123456789012:*");

        // The topic is encrypted with the data key (a customer-managed key, as Budgets requires): it must admit Budgets.
        expect(topic.inputs.kmsMasterKeyId).to.match(/^arn:aws:kms:/);
        const statements = parseJson(only(cloud.resources, "aws:kms/key:Key", "-data").inputs.policy).Statement as Record<string, any>[];
        const keyUse = statements.find((s) => s.Principal?.Service === "budgets.amazonaws.com");
        expect(keyUse?.Action).to.include.members(["kms:GenerateDataKey", "kms:Decrypt"]);
    });

    it("creates no budget, and lets no Budgets principal in, when no budget is set", async () => {
        const { cloud } = await synthPlatform("dev", { profile: "dev" });
        expect(cloud.ofType("aws:budgets/budget:Budget")).to.deep.equal([]);
        expect(JSON.stringify(only(cloud.resources, "aws:sns/topicPolicy:TopicPolicy", "-alarms").inputs)).to.not.contain("budgets.amazonaws.com");
    });

    it("refuses a budget that is not a positive number, naming the key", async () => {
        const error = await synthPlatform("dev", { cost: { monthlyBudget: -5 } }).then(
            () => undefined,
            (err: { cause?: unknown }) => err.cause ?? err,
        );
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message)
            .to.contain("platform:cost.monthlyBudget")
            .and.to.contain("expected a monthly budget above 0 (USD)");
    });

    it("fails the gate with the figure and the top three drivers when the budget is below the estimate", async () => {
        // The shipped dev stack (every runtime and app), with a budget far below its estimate.
        const files = loadStackFiles(REPO_ROOT, "dev");
        const { cloud } = await synthesize({ project: files.project, stack: "dev", config: { ...files.config, "platform:cost": JSON.stringify({ monthlyBudget: 50 }) }, program: platformProgram });
        const report = await runPolicies(cloud.resources, {});
        expect(report.indeterminate, "indeterminate checks").to.deep.equal([]);
        const violation = report.violations.find((v) => v.policy === "cost-within-budget");
        expect(violation?.enforcementLevel).to.equal("mandatory");
        const estimate = estimateCost(cloud.resources, { region: "eu-west-1" });
        expect(violation?.message)
            .to.contain(`the estimated $${estimate.totalMonthly.toFixed(2)}/month`)
            .and.to.contain("of the monthly budget $50.00");
        const drivers = /top drivers: (.*)$/.exec(violation!.message)?.[1].split("; ") ?? [];
        expect(drivers).to.have.length(3);
        expect(drivers[0]).to.match(/^EKS control plane/);
    });
});

describe("usage file", () => {
    const project = (content: string | undefined) => {
        const dir = mkdtempSync(path.join(tmpdir(), "usage-"));
        if (content !== undefined) {
            mkdirSync(path.join(dir, "cost"));
            writeFileSync(path.join(dir, "cost", "usage.dev.yaml"), content);
        }
        return dir;
    };

    it("applies the file's figures over the defaults and says which it set", () => {
        const loaded = loadUsage(project("version: 1\nusage:\n  natGbPerMonth: 200\n"), "dev");
        expect(loaded.usage.natGbPerMonth).to.equal(200);
        expect(loaded.usage.lambdaAverageMs).to.equal(300);
        expect(loaded.overridden).to.deep.equal(["natGbPerMonth"]);
        expect(loaded.file).to.equal(path.join("cost", "usage.dev.yaml"));
    });

    it("uses the defaults when the stack has no file", () => {
        expect(loadUsage(project(undefined), "dev").file).to.equal(undefined);
    });

    it("refuses a misspelt key, a negative figure and a missing version, naming each", () => {
        const problems = (content: string) => {
            try {
                loadUsage(project(content), "dev");
            } catch (err) {
                expect(err).to.be.instanceOf(ConfigError);
                return (err as ConfigError).problems;
            }
            throw new Error("expected a ConfigError");
        };
        const [misspelt] = problems("version: 1\nusage:\n  natGbPerMnth: 5\n");
        expect(misspelt.key).to.equal("cost/usage.dev.yaml: usage");
        expect(misspelt.message).to.contain("natGbPerMnth").and.to.contain("accepted keys: natGbPerMonth");
        expect(problems("version: 1\nusage:\n  lcuPerHour: -1\n")).to.deep.equal([{ key: "cost/usage.dev.yaml: usage.lcuPerHour", message: "expected zero or more (lcuPerHour)" }]);
        expect(problems("usage: {}\n")[0]).to.deep.include({ key: "cost/usage.dev.yaml: version" });
    });
});
