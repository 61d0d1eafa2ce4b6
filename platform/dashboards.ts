import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EcsService } from "./ecs/service";
import { AppFunction } from "./lambda/function";
import { EksApp } from "./eks/workloads";
import { Api } from "./serverless/api";
import { LambdaFunction } from "./serverless/function";
import { Queue } from "./serverless/queue";
import { StateMachine } from "./serverless/state-machine";
import { Stream } from "./serverless/stream";
import { withTransforms, type Transformable } from "./transform";

/**
 * One graph: a title and its metrics, each `[namespace, metricName, ...dimension name/value pairs, { stat, label }]`
 * as the CloudWatch dashboard body takes them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export interface DashboardGraph {
    title: string;
    metrics: pulumi.Input<pulumi.Input<string | { stat?: string; label?: string }>[]>[];
}

/** The graphs of one app: what a person on call reads first (traffic, errors, latency, saturation, backlog). */
export interface AppSignals {
    app: string;
    graphs: DashboardGraph[];
}

export interface DashboardsArgs extends Transformable {
    /**
     * Prefix of every dashboard's name: `<prefix>-<region>` for the stack and `<prefix>-<region>-<app>`
     * per app. Dashboards are global in an account (not per region), so the region is part of the name.
     * @example "platform-prod"
     */
    namePrefix: string;
    /**
     * Whether each app also gets a dashboard of its own. The stack's dashboard is always made. An
     * account's first three dashboards are free; each further one costs $3/month.
     * @default true
     */
    perApp?: boolean;
    /** The region the graphs read their metrics from. @example "eu-west-1" */
    region: string;
    /**
     * The apps and what runs them: any object graph holding the platform's components (ECS services,
     * EKS apps, functions, queues, workflows, APIs, streams). Each key is an app.
     * @example { web: { ecs: ecsService, eks: eksApp }, translate: translateApp }
     */
    apps: Record<string, object | undefined>;
    /** The EKS cluster's name, for the Container Insights graphs of apps on EKS. @default none */
    eksClusterName?: pulumi.Input<string>;
    /** The ECS cluster's name, for the CPU and memory graphs of apps on ECS. @default none */
    ecsClusterName?: pulumi.Input<string>;
}

/** Dashboard names: 1 to 255 of A-Z, a-z, 0-9, "-" and "_" (PutDashboard). */
export function dashboardName(...parts: string[]): string {
    return parts
        .join("-")
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 255);
}

/**
 * A CloudWatch dashboard for the stack (one row of health graphs per app) and one per app with every
 * signal its runtimes have: requests, 5xx and latency behind the load balancer and CPU/memory on ECS;
 * pod CPU/memory and running pods on EKS (Container Insights); invocations, errors, throttles and
 * duration of functions; queue age and dead-letter depth; workflow failures; API errors and latency;
 * stream iterator age. Cost: $3 per dashboard per month beyond the account's first three.
 */
export class Dashboards extends pulumi.ComponentResource {
    readonly stack: aws.cloudwatch.Dashboard;
    readonly apps: Record<string, aws.cloudwatch.Dashboard> = {};

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Dashboards", name, {}, withTransforms(opts, args.transform));
        const signals = Object.entries(args.apps)
            .filter((entry): entry is [string, object] => entry[1] !== undefined)
            .map(([app, root]) => ({ app, graphs: appGraphs(root, args) }))
            .filter((s) => s.graphs.length > 0);

        for (const { app, graphs } of args.perApp === false ? [] : signals) {
            this.apps[app] = new aws.cloudwatch.Dashboard(
                `${name}-${app}`,
                { dashboardName: dashboardName(args.namePrefix, args.region, app), dashboardBody: dashboardBody(args.region, [{ heading: app, graphs }]) },
                { parent: this },
            );
        }
        // The stack view: each app's first two graphs (its traffic and its errors) side by side.
        this.stack = new aws.cloudwatch.Dashboard(
            name,
            {
                dashboardName: dashboardName(args.namePrefix, args.region),
                dashboardBody: dashboardBody(
                    args.region,
                    signals.map(({ app, graphs }) => ({ heading: app, graphs: graphs.slice(0, 4) })),
                ),
            },
            { parent: this },
        );
        this.registerOutputs({ stack: this.stack.dashboardName });
    }
}

/** The graphs of one app, found by walking what runs it (components nested in apps, runtimes and records). */
export function appGraphs(root: object, args: Pick<DashboardsArgs, "eksClusterName" | "ecsClusterName">): DashboardGraph[] {
    return collectComponents(root).flatMap((component) => graphsOf(component, args));
}

type Signaled = EcsService | EksApp | LambdaFunction | AppFunction | Queue | StateMachine | Api | Stream;

/** The components in an object graph that have signals, each once, in the order met. */
export function collectComponents(root: object): Signaled[] {
    const found: Signaled[] = [];
    const seen = new Set<object>();
    const visit = (value: unknown, depth: number) => {
        if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return;
        seen.add(value);
        if (
            value instanceof EcsService ||
            value instanceof EksApp ||
            value instanceof LambdaFunction ||
            value instanceof AppFunction ||
            value instanceof Queue ||
            value instanceof StateMachine ||
            value instanceof Api ||
            value instanceof Stream
        ) {
            found.push(value);
            return;
        }
        // Components and plain records hold what the app is made of; cloud resources and outputs do not.
        const walkable = value instanceof pulumi.ComponentResource || Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
        if (!walkable || value instanceof pulumi.CustomResource || pulumi.Output.isInstance(value)) return;
        for (const child of Object.values(value)) visit(child, depth + 1);
    };
    visit(root, 0);
    return found;
}

function graphsOf(component: Signaled, args: Pick<DashboardsArgs, "eksClusterName" | "ecsClusterName">): DashboardGraph[] {
    const p99 = { stat: "p99" };
    const sum = { stat: "Sum" };
    const max = { stat: "Maximum" };
    if (component instanceof EcsService) {
        // A blue/green, canary or linear release moves production traffic to the green target group and leaves it there
        // until the next release: each group gets its own line, so the graphs follow the traffic wherever it is.
        const groups = component.greenTargetGroup
            ? [
                  { label: " (blue)", group: component.targetGroup },
                  { label: " (green)", group: component.greenTargetGroup },
              ]
            : [{ label: "", group: component.targetGroup }];
        const perGroup = (metricName: string, stat: { stat: string }, label: string) =>
            groups.map(({ label: suffix, group }) => ["AWS/ApplicationELB", metricName, "LoadBalancer", component.loadBalancer.arnSuffix, "TargetGroup", group.arnSuffix, { ...stat, label: `${label}${suffix}` }]);
        const graphs: DashboardGraph[] = [
            { title: "ECS: requests and target 5xx", metrics: [...perGroup("RequestCount", sum, "Requests"), ...perGroup("HTTPCode_Target_5XX_Count", sum, "Target 5xx")] },
            { title: "ECS: target response time (p99, s)", metrics: perGroup("TargetResponseTime", p99, "p99") },
        ];
        if (args.ecsClusterName) {
            const service = ["ClusterName", args.ecsClusterName, "ServiceName", component.service.name];
            graphs.push({
                title: "ECS: CPU and memory (%)",
                metrics: [
                    ["AWS/ECS", "CPUUtilization", ...service, max],
                    ["AWS/ECS", "MemoryUtilization", ...service, max],
                ],
            });
        }
        return graphs;
    }
    if (component instanceof EksApp) {
        if (!args.eksClusterName) return [];
        const namespace = component.namespace.metadata.name;
        // Container Insights (the amazon-cloudwatch-observability add-on) publishes per Service and per Namespace.
        const service = ["ClusterName", args.eksClusterName, "Namespace", namespace, "Service", namespace];
        return [
            {
                title: "EKS: pod CPU and memory (%)",
                metrics: [
                    ["ContainerInsights", "pod_cpu_utilization", ...service, max],
                    ["ContainerInsights", "pod_memory_utilization", ...service, max],
                ],
            },
            { title: "EKS: running pods", metrics: [["ContainerInsights", "namespace_number_of_running_pods", "ClusterName", args.eksClusterName, "Namespace", namespace, { stat: "Minimum" }]] },
        ];
    }
    if (component instanceof LambdaFunction || component instanceof AppFunction) {
        const fn = ["FunctionName", component.functionName];
        return [
            {
                title: `${component.functionName}: invocations, errors, throttles`,
                metrics: [
                    ["AWS/Lambda", "Invocations", ...fn, sum],
                    ["AWS/Lambda", "Errors", ...fn, sum],
                    ["AWS/Lambda", "Throttles", ...fn, sum],
                ],
            },
            { title: `${component.functionName}: duration (p99, ms)`, metrics: [["AWS/Lambda", "Duration", ...fn, p99]] },
        ];
    }
    if (component instanceof Queue) {
        return [
            {
                title: "Queue: oldest message age (s) and dead letters",
                metrics: [
                    ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", component.queue.name, max],
                    ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", component.deadLetterQueue.name, { stat: "Maximum", label: "dead letters" }],
                ],
            },
        ];
    }
    if (component instanceof StateMachine) {
        const arn = ["StateMachineArn", component.arn];
        return [
            {
                title: "Workflow: started, failed, timed out",
                metrics: [
                    ["AWS/States", "ExecutionsStarted", ...arn, sum],
                    ["AWS/States", "ExecutionsFailed", ...arn, sum],
                    ["AWS/States", "ExecutionsTimedOut", ...arn, sum],
                ],
            },
        ];
    }
    if (component instanceof Api) {
        const api = ["ApiName", component.restApi.name, "Stage", component.stage.stageName];
        return [
            {
                title: "API: requests, 4xx, 5xx",
                metrics: [
                    ["AWS/ApiGateway", "Count", ...api, sum],
                    ["AWS/ApiGateway", "4XXError", ...api, sum],
                    ["AWS/ApiGateway", "5XXError", ...api, sum],
                ],
            },
            { title: "API: latency (p99, ms)", metrics: [["AWS/ApiGateway", "Latency", ...api, p99]] },
        ];
    }
    return [{ title: "Stream: iterator age (ms)", metrics: [["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", component.streamName, max]] }];
}

/** The dashboard body: a text heading per section, then its graphs two to a row (12 of 24 columns each). */
function dashboardBody(region: string, sections: { heading: string; graphs: DashboardGraph[] }[]): pulumi.Output<string> {
    const widgets: unknown[] = [];
    let y = 0;
    for (const { heading, graphs } of sections) {
        widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown: `## ${heading}` } });
        y += 1;
        graphs.forEach((graph, index) => {
            widgets.push({
                type: "metric",
                x: (index % 2) * 12,
                y: y + Math.floor(index / 2) * 6,
                width: 12,
                height: 6,
                properties: { title: graph.title, region, view: "timeSeries", period: 60, metrics: graph.metrics },
            });
        });
        y += Math.ceil(graphs.length / 2) * 6;
    }
    return pulumi.jsonStringify({ start: "-PT6H", widgets });
}
