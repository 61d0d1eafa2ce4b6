import { expect } from "chai";
import { dashboardName } from "../../platform/dashboards";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { synth, WEB } from "../eks/fixtures";
import { parseJson } from "../helpers";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

/** Every metric line of a dashboard's graphs, as `namespace/metric` with its dimensions. */
function metricsOf(dashboard: RecordedResource): { id: string; dimensions: Record<string, string> }[] {
    const body = parseJson(dashboard.inputs.dashboardBody);
    return body.widgets
        .filter((widget: { type: string }) => widget.type === "metric")
        .flatMap((widget: { properties: { metrics: unknown[][] } }) =>
            widget.properties.metrics.map((line) => {
                const [namespace, metric, ...rest] = line as string[];
                const pairs = rest.filter((item) => typeof item === "string");
                const dimensions: Record<string, string> = {};
                for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
                return { id: `${namespace}/${metric}`, dimensions };
            }),
        );
}

/** web on ECS and EKS in a dev stack that asks for a dashboard per app. */
let perApp: ReturnType<typeof synth> | undefined;
const withPerApp = () => (perApp ??= synth("dev", { apps: { web: WEB }, translate: { enabled: true }, observability: { dashboards: "perApp" } }));

describe("Dashboards: one per stack and one per app", function () {
    this.timeout(60_000);

    it("dev's default is the stack's dashboard only (an account's first three are free); none makes none", async () => {
        const dev = await synth("dev", { apps: { web: WEB } });
        expect(dev.all(DASHBOARD).map((d) => d.inputs.dashboardName)).to.deep.equal(["platform-dev-eu-west-1"]);
        const none = await synth("dev", { apps: { web: WEB }, observability: { dashboards: "none" } });
        expect(none.all(DASHBOARD)).to.have.length(0);
        const prod = await synth("prod", { apps: { web: WEB } });
        expect(prod.all(DASHBOARD).map((d) => d.inputs.dashboardName)).to.include("platform-prod-eu-west-1-web");
    });

    it("refuses an unknown dashboard scope, naming the key", async () => {
        let error: unknown;
        try {
            await synth("dev", { observability: { dashboards: "all" } });
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/observability\.dashboards.*expected one of perApp, stack, none/s);
    });

    it("names dashboards per stack, region and app (dashboards are global in an account) within PutDashboard's rules", async () => {
        const stack = await withPerApp();
        const all = (type: string) => stack.all(type);
        const names = all(DASHBOARD).map((d) => d.inputs.dashboardName as string);
        expect(names).to.include("platform-dev-eu-west-1");
        expect(names).to.include("platform-dev-eu-west-1-web");
        for (const name of names) expect(name).to.match(/^[A-Za-z0-9_-]{1,255}$/);
        expect(new Set(names).size).to.equal(names.length);
        expect(dashboardName("a.b", "c/d")).to.equal("a-b-c-d");
        expect(dashboardName("x".repeat(300))).to.have.length(255);
    });

    it("graphs web on both runtimes: the ALB and ECS service metrics, and Container Insights for its namespace", async () => {
        const stack = await withPerApp();
        const all = (type: string) => stack.all(type);
        const one = (type: string, suffix?: string) => stack.one(type, suffix);
        const web = all(DASHBOARD).find((d) => d.inputs.dashboardName === "platform-dev-eu-west-1-web")!;
        const metrics = metricsOf(web);
        const ids = metrics.map((m) => m.id);
        expect(ids).to.include.members([
            "AWS/ApplicationELB/RequestCount",
            "AWS/ApplicationELB/HTTPCode_Target_5XX_Count",
            "AWS/ApplicationELB/TargetResponseTime",
            "AWS/ECS/CPUUtilization",
            "ContainerInsights/pod_cpu_utilization",
        ]);
        const requests = metrics.find((m) => m.id === "AWS/ApplicationELB/RequestCount")!;
        // The load balancer of web's ECS service (dev's shared one), by its ARN suffix.
        const lb = one("aws:lb/loadBalancer:LoadBalancer");
        expect(requests.dimensions.LoadBalancer).to.equal(lb.state.arnSuffix);
        const cpu = metrics.find((m) => m.id === "AWS/ECS/CPUUtilization")!;
        expect(cpu.dimensions).to.have.all.keys("ClusterName", "ServiceName");
        const pods = metrics.find((m) => m.id === "ContainerInsights/pod_cpu_utilization")!;
        expect(pods.dimensions).to.deep.include({ Namespace: "web", Service: "web" });
    });

    it("the stack dashboard has a section per app with graphs", async () => {
        const stack = await withPerApp();
        const all = (type: string) => stack.all(type);
        const overview = all(DASHBOARD).find((d) => d.inputs.dashboardName === "platform-dev-eu-west-1")!;
        const body = parseJson(overview.inputs.dashboardBody);
        const headings = body.widgets.filter((w: { type: string }) => w.type === "text").map((w: { properties: { markdown: string } }) => w.properties.markdown);
        expect(headings).to.include("## web");
        const appDashboards = all(DASHBOARD).filter((d) => d.inputs.dashboardName !== "platform-dev-eu-west-1");
        expect(headings).to.have.length(appDashboards.length);
    });

    it("graphs a serverless app's functions, queue backlog and dead letters, and its API", async () => {
        const stack = await withPerApp();
        const all = (type: string) => stack.all(type);
        const translate = all(DASHBOARD).find((d) => d.inputs.dashboardName === "platform-dev-eu-west-1-translate")!;
        const metrics = metricsOf(translate);
        const functions = all("aws:lambda/function:Function").filter((f) => f.name.includes("translate"));
        expect(functions.length).to.be.greaterThan(0);
        for (const fn of functions) {
            const errors = metrics.filter((m) => m.id === "AWS/Lambda/Errors" && m.dimensions.FunctionName === fn.inputs.name);
            expect(errors, `Errors graph of ${fn.name}`).to.have.length(1);
        }
        const dlqs = all("aws:sqs/queue:Queue").filter((q) => q.name.includes("translate") && q.name.endsWith("-dlq"));
        const deadLetters = metrics.filter((m) => m.id === "AWS/SQS/ApproximateNumberOfMessagesVisible").map((m) => m.dimensions.QueueName);
        expect(deadLetters.length).to.be.greaterThan(0);
        for (const name of deadLetters) expect(dlqs.map((q) => q.state.name)).to.include(name);
        expect(metrics.map((m) => m.id)).to.include.members(["AWS/ApiGateway/5XXError", "AWS/ApiGateway/Latency", "AWS/SQS/ApproximateAgeOfOldestMessage"]);
    });

    it("graphs an ECS app's traffic on both target groups when it releases blue/green, so the graphs follow a release's switch", async () => {
        const targetGroupsOf = (stack: Awaited<ReturnType<typeof synth>>, metric: string) =>
            [
                ...new Set(
                    stack.all(DASHBOARD).flatMap((dashboard) =>
                        metricsOf(dashboard)
                            .filter((line) => line.id === `AWS/ApplicationELB/${metric}`)
                            .map((line) => line.dimensions.TargetGroup),
                    ),
                ),
            ].sort();
        const arnSuffixes = (stack: Awaited<ReturnType<typeof synth>>) =>
            stack
                .all("aws:lb/targetGroup:TargetGroup")
                .filter((group) => group.name.includes("-web"))
                .map((group) => group.state.arnSuffix as string)
                .sort();
        // prod releases blue/green: production traffic is on the green group after a release, until the next one.
        const prod = await synth("prod", { apps: { web: WEB } });
        expect(arnSuffixes(prod)).to.have.length(2);
        for (const metric of ["RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"]) expect(targetGroupsOf(prod, metric), metric).to.deep.equal(arnSuffixes(prod));
        // A rolling release keeps one group, graphed once.
        const rolling = await synth("prod", { apps: { web: { ...WEB, release: { strategy: "rolling" } } } });
        expect(arnSuffixes(rolling)).to.have.length(1);
        expect(targetGroupsOf(rolling, "RequestCount")).to.deep.equal(arnSuffixes(rolling));
    });
});
