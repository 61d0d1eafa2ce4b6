import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import type { RecordedResource } from "../mock-cloud";
import { BuildCache } from "../../build-cache";
import { REPO_ROOT } from "../../serverless/bundle";
import { workloadsOf } from "./code-iam";
import { CONTAINER_INSIGHTS_ECS } from "./container-insights-ecs";
import { CONTAINER_INSIGHTS_EKS } from "./container-insights-eks";
import { scanEntries } from "./sdk-calls";
import { finding, ReadinessContext, ReadinessFinding, ReadinessRule } from "./types";

/**
 * Readiness rule "CloudWatch metrics": every `aws.cloudwatch.MetricAlarm` (and each metric of a
 * metric-math alarm) watches a metric that exists; dashboard graphs are checked the same way, as
 * warnings (an empty graph breaks nothing). CloudWatch accepts an alarm on any namespace,
 * name and dimensions; one that matches no metric stays in INSUFFICIENT_DATA forever, and with
 * `treatMissingData: notBreaching` it looks healthy forever.
 *
 * - AWS namespaces: the metric and its exact set of dimension names (CloudWatch matches the whole
 *   set) must be one the service publishes, per the CloudWatch metrics of
 *   @aws-cdk/aws-service-spec (db.json.gz: metrics and dimension sets per resource type, compiled
 *   from the CloudWatch documentation), for EKS's `ContainerInsights`, which it lacks, per the
 *   CloudWatch agent's declarations (container-insights-eks.ts), and for `ECS/ContainerInsights`
 *   per its documentation (container-insights-ecs.ts). A namespace none covers is a warning.
 * - Dimension values that name a resource (FunctionName, QueueName, ApiName, ...) should name one
 *   this stack creates: a warning otherwise (it may live in another stack).
 * - Custom namespaces: the metric must be one the code emits (Powertools metrics' `addMetric`
 *   in a function's bundle, under its POWERTOOLS_METRICS_NAMESPACE), with dimensions among
 *   Powertools' `service` and those the code adds; or the namespace is declared as emitted
 *   elsewhere (EXTERNALLY_EMITTED_NAMESPACES).
 */
export const cloudwatchMetricsRule: ReadinessRule = {
    id: "cloudwatch-metrics",
    title: "every alarm watches a metric (namespace, name, dimension names) that is published",
    doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/aws-services-cloudwatch-metrics.html",
    check: checkAlarms,
};

/** Namespaces emitted by software outside this repository (an agent, a vendor); alarms on them are not checked. */
export const EXTERNALLY_EMITTED_NAMESPACES: string[] = [];

/** Namespaces owned by AWS that do not start with `AWS/`. */
const AWS_OWNED = new Set(["CWAgent", "ECS/ContainerInsights", "ContainerInsights", "CloudWatchSynthetics", "LambdaInsights"]);

/** namespace -> metric name -> the dimension-name sets it is published with (each sorted, joined by ","). */
export type MetricCatalog = Map<string, Map<string, Set<string>>>;

let catalog: MetricCatalog | undefined;
let catalogOrigin: "disk cache" | "spec" | undefined;

/** The catalog as stored on disk: namespace -> metric -> dimension-name sets. */
type StoredCatalog = Record<string, Record<string, string[]>>;
const SPEC_PACKAGE = "@aws-cdk/aws-service-spec";
const specDir = () => path.dirname(require.resolve(`${SPEC_PACKAGE}/package.json`));
const repoRelative = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join("/");
/**
 * What the catalog is derived from: the spec package (a published version never changes, so its
 * package.json stands for its db.json.gz), this file and the two Container Insights tables.
 */
const catalogInputs = () => [repoRelative(path.join(specDir(), "package.json")), ...[__filename, "container-insights-ecs.ts", "container-insights-eks.ts"].map((file) => repoRelative(path.resolve(__dirname, file)))];
/**
 * The derived catalog, kept on disk beside the code scans (PLATFORM_SCAN_CACHE=off turns both
 * off): reading the spec (gunzip and parse of the whole AWS service model) was about 0.4 s of
 * CPU in every synth, the catalog it yields a few milliseconds to read.
 */
const catalogCache = new BuildCache<StoredCatalog>(
    () => (process.env.PLATFORM_SCAN_CACHE === "off" ? false : path.join(REPO_ROOT, "out", ".cache", "metric-catalog")),
    () => ({ data: { format: 1 }, files: [] }),
);

/** The CloudWatch metrics of @aws-cdk/aws-service-spec (and the Container Insights tables), loaded once, from the disk cache when it is current. */
export function metricCatalog(): MetricCatalog {
    if (catalog) return catalog;
    const stored = catalogCache.read("catalog");
    if (stored) {
        catalog = new Map(Object.entries(stored).map(([namespace, metrics]) => [namespace, new Map(Object.entries(metrics).map(([metric, sets]) => [metric, new Set(sets)]))]));
        catalogOrigin = "disk cache";
        return catalog;
    }
    catalog = catalogFromSpec();
    catalogOrigin = "spec";
    const serialisable: StoredCatalog = Object.fromEntries([...catalog].map(([namespace, metrics]) => [namespace, Object.fromEntries([...metrics].map(([metric, sets]) => [metric, [...sets]]))]));
    catalogCache.write("catalog", serialisable, catalogInputs());
    return catalog;
}

/** Where this process's catalog came from (undefined before the first use); forgetMetricCatalog makes the next use load it again (tests). */
export function metricCatalogOrigin(): "disk cache" | "spec" | undefined {
    return catalogOrigin;
}

export function forgetMetricCatalog(): void {
    catalog = undefined;
    catalogOrigin = undefined;
}

/** The catalog read from the spec itself (about half a second). */
export function catalogFromSpec(): MetricCatalog {
    const file = path.join(specDir(), "db.json.gz");
    const schema = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")).schema as SpecSchema;
    const sets = new Map(
        schema.dimensionSet.entities.map((set) => [
            set.$id,
            set.dimensions
                .map((d) => d.name)
                .sort()
                .join(","),
        ]),
    );
    const uses = schema.usesDimensionSet.forward;
    const derived: MetricCatalog = new Map();
    const add = (namespace: string, metric: string, set: string) => {
        const metrics = derived.get(namespace) ?? new Map<string, Set<string>>();
        derived.set(namespace, metrics);
        metrics.set(metric, (metrics.get(metric) ?? new Set()).add(set));
    };
    for (const metric of schema.metric.entities) {
        const used = uses[metric.$id] ?? [];
        if (used.length === 0) add(metric.namespace, metric.name, "");
        for (const ref of used) add(metric.namespace, metric.name, sets.get(ref.$ref ?? ref.$id ?? "") ?? "");
    }
    // The older per-resource augmentations (SQS, SNS, Lambda, RDS, VPN): one dimension set each.
    for (const augmentation of schema.augmentations.entities) {
        const set = Object.keys(augmentation.metrics.dimensions).sort().join(",");
        for (const metric of augmentation.metrics.metrics) add(augmentation.metrics.namespace, metric.name, set);
    }
    // EKS Container Insights, which the spec does not cover (container-insights-eks.ts).
    if (!derived.has("ContainerInsights")) {
        for (const { metrics, dimensions } of CONTAINER_INSIGHTS_EKS) for (const metric of metrics) for (const set of dimensions) add("ContainerInsights", metric, [...set].sort().join(","));
    }
    // ECS Container Insights, which the spec does not cover either (container-insights-ecs.ts).
    if (!derived.has("ECS/ContainerInsights")) {
        for (const { metrics, dimensions } of CONTAINER_INSIGHTS_ECS) for (const metric of metrics) for (const set of dimensions) add("ECS/ContainerInsights", metric, [...set].sort().join(","));
    }
    return derived;
}

interface SpecSchema {
    metric: { entities: { $id: string; name: string; namespace: string }[] };
    dimensionSet: { entities: { $id: string; dimensions: { name: string }[] }[] };
    usesDimensionSet: { forward: Record<string, { $ref?: string; $id?: string }[]> };
    augmentations: { entities: { metrics: { namespace: string; dimensions: Record<string, string>; metrics: { name: string }[] } }[] };
}

/** One metric an alarm watches. */
export interface WatchedMetric {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    /** `metricQueries[1]` for a metric-math alarm's metric. */
    where?: string;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const rec = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const dims = (value: unknown): Record<string, string> => Object.fromEntries(Object.entries(rec(value)).map(([key, v]) => [key, typeof v === "string" ? v : JSON.stringify(v)]));

/** The metrics an alarm watches: its own, or each `metric` of its metric queries. */
export function watchedMetrics(alarm: RecordedResource): WatchedMetric[] {
    const inputs = alarm.inputs;
    if (str(inputs.metricName) || str(inputs.namespace)) return [{ namespace: str(inputs.namespace) ?? "", metricName: str(inputs.metricName) ?? "", dimensions: dims(inputs.dimensions) }];
    const queries = Array.isArray(inputs.metricQueries) ? inputs.metricQueries : [];
    return queries.flatMap((query, index) => {
        const metric = rec(rec(query).metric);
        if (!str(metric.metricName)) return [];
        return [{ namespace: str(metric.namespace) ?? "", metricName: str(metric.metricName)!, dimensions: dims(metric.dimensions), where: `metricQueries[${index}] (${str(rec(query).id) ?? "?"})` }];
    });
}

/** Dimensions whose value names a resource: the type and the values it is known by. */
const RESOURCE_DIMENSIONS: Record<string, { type: string; values: (resource: RecordedResource) => unknown[] }> = {
    FunctionName: { type: "aws:lambda/function:Function", values: (r) => [r.state.name, r.inputs.name] },
    QueueName: { type: "aws:sqs/queue:Queue", values: (r) => [r.state.name, r.inputs.name] },
    TopicName: { type: "aws:sns/topic:Topic", values: (r) => [r.state.name, r.inputs.name] },
    ApiName: { type: "aws:apigateway/restApi:RestApi", values: (r) => [r.state.name, r.inputs.name] },
    StateMachineArn: { type: "aws:sfn/stateMachine:StateMachine", values: (r) => [r.state.arn] },
    StreamName: { type: "aws:kinesis/stream:Stream", values: (r) => [r.state.name, r.inputs.name] },
    TableName: { type: "aws:dynamodb/table:Table", values: (r) => [r.state.name, r.inputs.name] },
    RuleName: { type: "aws:cloudwatch/eventRule:EventRule", values: (r) => [r.state.name, r.inputs.name] },
    ClusterName: { type: "aws:ecs/cluster:Cluster", values: (r) => [r.state.name, r.inputs.name] },
    // The ARN suffixes CloudWatch uses: app/<name>/<id> and targetgroup/<name>/<id>.
    LoadBalancer: { type: "aws:lb/loadBalancer:LoadBalancer", values: (r) => [r.state.arnSuffix, str(r.state.arn)?.split(":loadbalancer/")[1]] },
    TargetGroup: { type: "aws:lb/targetGroup:TargetGroup", values: (r) => [r.state.arnSuffix, str(r.state.arn)?.split(":")[5]] },
};

/** What the code of this stack's functions emits under each custom namespace. */
interface Emitted {
    metrics: Set<string>;
    dimensions: Set<string>;
}

function emittedMetrics(context: ReadinessContext): Map<string, Emitted> {
    const emitted = new Map<string, Emitted>();
    const workloads = workloadsOf(context).filter((workload) => workload.kind === "function");
    const scans = scanEntries(workloads.map((workload) => workload.entry));
    for (const workload of workloads) {
        const namespace = workload.environment.POWERTOOLS_METRICS_NAMESPACE;
        const scan = scans.get(workload.entry)!;
        if (!namespace || scan.metricNames.length === 0) continue;
        const entry = emitted.get(namespace) ?? { metrics: new Set<string>(), dimensions: new Set<string>(["service"]) };
        emitted.set(namespace, entry);
        for (const metric of scan.metricNames) entry.metrics.add(metric);
        for (const dimension of scan.dimensionNames) entry.dimensions.add(dimension);
    }
    return emitted;
}

/**
 * The metrics a dashboard's graphs show: `properties.metrics` rows of its widgets,
 * `[namespace, metricName, dimension name, value, ..., { options }]`, where "." repeats the row
 * above (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 */
export function dashboardMetrics(dashboard: RecordedResource): WatchedMetric[] {
    let body: unknown;
    try {
        body = typeof dashboard.inputs.dashboardBody === "string" ? JSON.parse(dashboard.inputs.dashboardBody) : dashboard.inputs.dashboardBody;
    } catch {
        return [];
    }
    const watched: WatchedMetric[] = [];
    const widgets = rec(body).widgets;
    (Array.isArray(widgets) ? widgets : []).forEach((widget, w) => {
        const rows = rec(rec(widget).properties).metrics;
        let previous: unknown[] = [];
        (Array.isArray(rows) ? rows : []).forEach((row, r) => {
            if (!Array.isArray(row)) return;
            const values = row.filter((item) => typeof item === "string").map((item, i) => (item === "." ? previous[i] : item));
            previous = values;
            if (values.length < 2 || values.some((value) => typeof value !== "string")) return;
            const [namespace, metricName, ...pairs] = values as string[];
            const dimensions: Record<string, string> = {};
            for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
            watched.push({ namespace, metricName, dimensions, where: `widgets[${w}] "${str(rec(rec(widget).properties).title) ?? ""}" metrics[${r}]` });
        });
    });
    return watched;
}

function checkAlarms(context: ReadinessContext): ReadinessFinding[] {
    const alarms = context.resources.filter((resource) => resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    const dashboards = context.resources.filter((resource) => resource.type === "aws:cloudwatch/dashboard:Dashboard");
    if (alarms.length === 0 && dashboards.length === 0) return [];
    const metrics = metricCatalog();
    let emitted: Map<string, Emitted> | undefined;
    const findings: ReadinessFinding[] = [];
    const watching = [
        ...alarms.map((alarm) => ({ resource: alarm, watched: watchedMetrics(alarm), graph: false })),
        // A graph of a metric that does not exist is empty, not a broken deployment: warnings only.
        ...dashboards.map((dashboard) => ({ resource: dashboard, watched: dashboardMetrics(dashboard), graph: true })),
    ];
    for (const { resource: alarm, watched, graph } of watching) {
        if (watched.length === 0 && !graph) findings.push(finding(cloudwatchMetricsRule, alarm, "failure", "the alarm names no metric (neither metricName nor a metric query with a metric)"));
        for (const metric of watched) {
            const at = `${metric.where ? `${metric.where}: ` : ""}${metric.namespace} ${metric.metricName} {${Object.keys(metric.dimensions).join(", ")}}`;
            const fail = (message: string, severity: "failure" | "warning" = "failure") => findings.push(finding(cloudwatchMetricsRule, alarm, graph ? "warning" : severity, `${at}: ${message}`));
            if (metric.namespace.startsWith("AWS/") || AWS_OWNED.has(metric.namespace)) {
                const known = metrics.get(metric.namespace);
                if (!known) {
                    // Graphs of namespaces the catalog does not cover (Container Insights) stay unchecked rather than noisy.
                    if (!graph) fail(`the CloudWatch metrics catalog (@aws-cdk/aws-service-spec) does not cover ${metric.namespace}; check the metric against the service's documentation`, "warning");
                    continue;
                }
                const sets = known.get(metric.metricName);
                if (!sets) {
                    fail(`${metric.namespace} publishes no metric ${metric.metricName}${closest(metric.metricName, [...known.keys()])}`);
                    continue;
                }
                const set = Object.keys(metric.dimensions).sort().join(",");
                if (!sets.has(set))
                    fail(
                        `${metric.namespace} ${metric.metricName} is published with the dimensions ${[...sets].map((s) => `{${s.split(",").filter(Boolean).join(", ")}}`).join(" or ")}, never {${set.split(",").filter(Boolean).join(", ")}}: CloudWatch matches the whole set, so the alarm would see no data`,
                    );
                for (const [name, value] of Object.entries(metric.dimensions)) {
                    const dimension = RESOURCE_DIMENSIONS[name];
                    if (!dimension) continue;
                    const names = context.resources.filter((resource) => resource.type === dimension.type).flatMap(dimension.values);
                    if (!names.includes(value)) fail(`dimension ${name} = ${value} names no ${dimension.type.split(":").pop()} of this stack (fine only if it lives in another stack)`, "warning");
                }
            } else if (!EXTERNALLY_EMITTED_NAMESPACES.includes(metric.namespace)) {
                emitted ??= emittedMetrics(context);
                const custom = emitted.get(metric.namespace);
                if (!custom) {
                    fail(`no function of this stack emits metrics under namespace ${metric.namespace} (POWERTOOLS_METRICS_NAMESPACE): ${[...emitted.keys()].join(", ") || "none"} do`);
                } else if (!custom.metrics.has(metric.metricName)) {
                    fail(`the code emits no metric ${metric.metricName} under ${metric.namespace}${closest(metric.metricName, [...custom.metrics])}`);
                } else if (!("service" in metric.dimensions)) {
                    fail(`Powertools publishes every metric with the dimension service (POWERTOOLS_SERVICE_NAME); CloudWatch matches the whole set, so an alarm without it sees no data`);
                } else {
                    const extra = Object.keys(metric.dimensions).filter((name) => !custom.dimensions.has(name));
                    if (extra.length > 0) fail(`the code emits ${metric.metricName} with the dimensions ${[...custom.dimensions].join(", ")}, never ${extra.join(", ")}`);
                }
            }
        }
    }
    return findings;
}

/** `; did you mean Errors?` for the nearest name (case-insensitive edit distance at most 3). */
function closest(name: string, candidates: string[]): string {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
        if (distance <= 3 && (!best || distance < best.distance)) best = { candidate, distance };
    }
    return best ? `; did you mean ${best.candidate}?` : "";
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
    }
    return previous[b.length];
}
