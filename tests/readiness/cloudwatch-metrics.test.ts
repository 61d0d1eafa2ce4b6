import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runReadiness } from "../../platform/offline/readiness";
import { catalogFromSpec, cloudwatchMetricsRule, dashboardMetrics, forgetMetricCatalog, metricCatalog, metricCatalogOrigin } from "../../platform/offline/readiness/cloudwatch-metrics";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { shippedStack } from "./stacks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("readiness rule cloudwatch-metrics: every alarm watches a published metric", function () {
    this.timeout(120_000);
    let dev: ReadinessContext;

    before(async () => {
        dev = await shippedStack("dev");
    });

    /** dev plus one alarm, a copy of its consumer's Errors alarm with `inputs` changed. */
    function withAlarm(inputs: Record<string, unknown>, remove: string[] = []): ReadinessContext {
        const template = dev.resources.find((r) => r.type === ALARM && r.name === "platform-dev-ingest-consumer-errors")!;
        const kept = Object.fromEntries(Object.entries(template.inputs).filter(([key]) => !remove.includes(key)));
        const alarm: RecordedResource = { ...template, urn: `${template.urn}-fixture`, name: "fixture", inputs: { ...kept, ...inputs } };
        return { ...dev, resources: [...dev.resources, alarm] };
    }
    const findingsOf = (context: ReadinessContext) => runReadiness(context, [cloudwatchMetricsRule]).filter((f) => f.name === "fixture");

    it("reads the catalog of @aws-cdk/aws-service-spec: Lambda's Errors by function, SQS's visible messages by queue", () => {
        expect([...metricCatalog().get("AWS/Lambda")!.get("Errors")!]).to.include("FunctionName");
        expect([...metricCatalog().get("AWS/SQS")!.get("ApproximateNumberOfMessagesVisible")!]).to.deep.equal(["QueueName"]);
        expect([...metricCatalog().get("AWS/ApplicationELB")!.get("HealthyHostCount")!]).to.include("LoadBalancer,TargetGroup");
    });

    it("keeps the derived catalog on disk and reads back exactly what the spec yields", () => {
        const fromSpec = catalogFromSpec();
        expect(fromSpec.get("AWS/SQS")!.get("ApproximateAgeOfOldestMessage")).to.deep.equal(new Set(["QueueName"]));
        forgetMetricCatalog();
        metricCatalog(); // from the spec when no current entry exists, which writes one
        forgetMetricCatalog();
        const fromDisk = metricCatalog();
        expect(metricCatalogOrigin()).to.equal("disk cache");
        expect(fromDisk).to.deep.equal(fromSpec);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: every alarm's namespace, metric and dimensions are published`, async () => {
            const context = await shippedStack(stack);
            expect(context.resources.filter((r) => r.type === ALARM).length).to.be.greaterThan(20);
            expect(runReadiness(context, [cloudwatchMetricsRule]).map((f) => `${f.name}: ${f.message}`)).to.deep.equal([]);
        });
    }

    describe("deliberately broken alarms", () => {
        it("fails an alarm on a metric the service does not publish (AWS/Lambda Errorz), naming the nearest one", () => {
            const [found] = findingsOf(withAlarm({ metricName: "Errorz" }));
            expect(found.severity).to.equal("failure");
            expect(found.message).to.contain("AWS/Lambda publishes no metric Errorz; did you mean Errors?");
        });

        it("fails a wrong dimension name, and a dimension set the metric is not published with", () => {
            const [wrongName] = findingsOf(withAlarm({ dimensions: { Function: "platform-dev-ingest-consumer" } }));
            expect(wrongName.severity).to.equal("failure");
            expect(wrongName.message).to.contain("published with the dimensions {FunctionName}").and.contain("never {Function}");
            const [extra] = findingsOf(withAlarm({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "q", Stage: "v1" } }));
            expect(extra.severity).to.equal("failure");
            expect(extra.message).to.contain("never {QueueName, Stage}");
        });

        it("checks each metric of a metric-math alarm", () => {
            const findings = findingsOf(
                withAlarm(
                    {
                        metricQueries: [
                            { id: "errors", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/x/1" }, period: 60, stat: "Sum" }, returnData: false },
                            { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCounts", dimensions: { LoadBalancer: "app/x/1" }, period: 60, stat: "Sum" }, returnData: false },
                            { id: "ratio", expression: "errors / requests", returnData: true },
                        ],
                    },
                    ["namespace", "metricName", "dimensions", "statistic", "period"],
                ),
            ).filter((f) => f.severity === "failure");
            expect(findings.map((f) => f.message)).to.have.length(1);
            expect(findings[0].message).to.contain("metricQueries[1] (requests)").and.contain("no metric RequestCounts; did you mean RequestCount?");
        });

        it("checks ECS Container Insights (not in the spec) against its documented metrics: the running count is per service", () => {
            const cluster = String(dev.resources.find((r) => r.type === "aws:ecs/cluster:Cluster")!.state.name);
            expect(findingsOf(withAlarm({ namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: { ClusterName: cluster, ServiceName: "worker" } }))).to.deep.equal([]);
            const [clusterOnly] = findingsOf(withAlarm({ namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: { ClusterName: cluster } }));
            expect(clusterOnly.severity).to.equal("failure");
            expect(clusterOnly.message).to.contain("published with the dimensions {ClusterName, ServiceName}");
            const [misspelt] = findingsOf(withAlarm({ namespace: "ECS/ContainerInsights", metricName: "RunningTasksCount", dimensions: { ClusterName: cluster, ServiceName: "worker" } }));
            expect(misspelt.message).to.contain("did you mean RunningTaskCount?");
        });

        it("warns (does not fail) on a namespace the catalog does not cover, and on a dimension naming no resource of the stack", () => {
            const [uncovered] = findingsOf(withAlarm({ namespace: "AWS/Scheduler", metricName: "TargetErrorCount", dimensions: {} }));
            expect(uncovered.severity).to.equal("warning");
            const [elsewhere] = findingsOf(withAlarm({ dimensions: { FunctionName: "platform-dev-no-such-function" } }));
            expect(elsewhere.severity).to.equal("warning");
            expect(elsewhere.message).to.contain("FunctionName = platform-dev-no-such-function names no Function of this stack");
        });
    });

    describe("dashboards", () => {
        it("reads every graph's metrics of the stack's dashboards, and warns (only) about one that is not published", () => {
            const dashboards = dev.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard");
            expect(dashboards.flatMap(dashboardMetrics).length).to.be.greaterThan(5);
            const template = dashboards[0];
            const body = {
                widgets: [
                    {
                        type: "metric",
                        properties: {
                            title: "fixture",
                            metrics: [
                                ["AWS/Lambda", "Errors", "FunctionName", "platform-dev-ingest-consumer", { stat: "Sum" }],
                                [".", "Errorz", ".", "."],
                            ],
                        },
                    },
                ],
            };
            const fixture: RecordedResource = { ...template, urn: `${template.urn}-fixture`, name: "fixture", inputs: { ...template.inputs, dashboardBody: JSON.stringify(body) } };
            const found = findingsOf({ ...dev, resources: [...dev.resources, fixture] });
            expect(found.map((f) => [f.severity, f.message])).to.deep.equal([
                ["warning", 'widgets[0] "fixture" metrics[1]: AWS/Lambda Errorz {FunctionName}: AWS/Lambda publishes no metric Errorz; did you mean Errors?'],
            ]);
        });
    });

    describe("custom metrics (Powertools EMF)", () => {
        it("accepts an alarm on a metric the code emits under the functions' namespace, with Powertools' service dimension", () => {
            expect(findingsOf(withAlarm({ namespace: "platform", metricName: "ConflictingDuplicate", dimensions: { service: "ingest" } }))).to.deep.equal([]);
        });

        it("fails a metric the code never emits, one without the service dimension, and a namespace nothing emits", () => {
            const [unknown] = findingsOf(withAlarm({ namespace: "platform", metricName: "ConflictingDuplicates", dimensions: { service: "ingest" } }));
            expect(unknown.message).to.contain("the code emits no metric ConflictingDuplicates under platform; did you mean ConflictingDuplicate?");
            const [noService] = findingsOf(withAlarm({ namespace: "platform", metricName: "ConflictingDuplicate", dimensions: {} }));
            expect(noService.message).to.contain("dimension service");
            const [namespace] = findingsOf(withAlarm({ namespace: "Platform", metricName: "ConflictingDuplicate", dimensions: { service: "ingest" } }));
            expect(namespace.message).to.contain("no function of this stack emits metrics under namespace Platform");
            for (const f of [unknown, noService, namespace]) expect(f.severity).to.equal("failure");
        });
    });
});
