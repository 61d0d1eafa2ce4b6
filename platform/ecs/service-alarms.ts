import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { AppConfig } from "../config";

/** ALB metric dimensions are the ARN suffixes: `app/<name>/<id>` and `targetgroup/<name>/<id>`. */
export const ELB_NAMESPACE = "AWS/ApplicationELB";

export interface TrafficAlarmArgs {
    app: string;
    spec: AppConfig;
    alarmTopicArn: pulumi.Input<string>;
    /** The load balancer's ARN suffix (`app/<name>/<id>`). */
    loadBalancer: pulumi.Input<string>;
    /**
     * The ARN suffixes of the app's target groups: one, or blue and green for a traffic-shifting
     * release. Production traffic is on either after a release, so the alarms watch both.
     */
    targetGroups: pulumi.Input<string>[];
}

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/** One query per target group (`<id>0`, `<id>1`) of an ELB metric, not returned: an expression combines them. */
function perTargetGroup(id: string, metricName: string, stat: string, args: TrafficAlarmArgs): MetricQuery[] {
    return args.targetGroups.map((targetGroup, index) => ({
        id: `${id}${index}`,
        metric: { namespace: ELB_NAMESPACE, metricName, dimensions: { LoadBalancer: args.loadBalancer, TargetGroup: targetGroup }, stat, period: 60 },
        returnData: false,
    }));
}

/** `FILL(a0, 0) + FILL(a1, 0)`: a target group without traffic this minute adds nothing. */
const sumOf = (id: string, count: number) => Array.from({ length: count }, (_, index) => `FILL(${id}${index}, 0)`).join(" + ");

/**
 * What clients see of the app, from the load balancer's metrics: a 5xx rate above 5% (which also
 * rolls a deployment back), a task failing its readiness check, and no healthy task at all.
 */
export function createTrafficAlarms(name: string, args: TrafficAlarmArgs, opts: pulumi.CustomResourceOptions): { errors: aws.cloudwatch.MetricAlarm; latency: aws.cloudwatch.MetricAlarm } {
    if (args.targetGroups.length > 1) return createShiftingTrafficAlarms(name, args, opts);
    const { app, spec } = args;
    const dimensions = { LoadBalancer: args.loadBalancer, TargetGroup: args.targetGroups[0] };
    const errors = notifyingAlarm(
        `${name}-5xx`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app} answers more than 5% of requests with a 5xx (3 of the last 5 minutes, at 20+ requests a minute). Check its logs and the latest deployment; this alarm also rolls a deployment back.`,
            metricQueries: [
                { id: "errors", metric: { namespace: ELB_NAMESPACE, metricName: "HTTPCode_Target_5XX_Count", dimensions, stat: "Sum", period: 60 }, returnData: false },
                { id: "requests", metric: { namespace: ELB_NAMESPACE, metricName: "RequestCount", dimensions, stat: "Sum", period: 60 }, returnData: false },
                // ELB publishes no 5xx count in a minute without errors; below 20 requests one error is noise.
                { id: "rate", expression: "IF(FILL(requests, 0) >= 20, 100 * FILL(errors, 0) / requests, 0)", label: "5xx rate (%)", returnData: true },
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            // No traffic is not an error rate.
            treatMissingData: "notBreaching",
        },
        opts,
    );
    notifyingAlarm(
        `${name}-unhealthy`,
        args.alarmTopicArn,
        {
            alarmDescription: `A ${app} task fails its readiness check (${spec.healthCheck.readinessPath}) for 3 of the last 5 minutes. Look at the target group's health reasons and the task's logs.`,
            namespace: ELB_NAMESPACE,
            metricName: "UnHealthyHostCount",
            dimensions,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            // ELB reports this every minute while targets are registered; silence is not a sick task.
            treatMissingData: "notBreaching",
        },
        opts,
    );
    notifyingAlarm(
        `${name}-no-healthy-tasks`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app} has no healthy task behind its load balancer: clients get 503. Check the service's events and stopped tasks.`,
            namespace: ELB_NAMESPACE,
            metricName: "HealthyHostCount",
            dimensions,
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: 2,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // No data here means no registered targets at all: as bad as none healthy.
            treatMissingData: "breaching",
        },
        opts,
    );
    const latency = latencyAlarm(name, args, [{ id: "p95", metric: { namespace: ELB_NAMESPACE, metricName: "TargetResponseTime", dimensions, stat: "p95", period: 60 }, returnData: true }], opts);
    return { errors, latency };
}

/** The same three alarms over blue and green together (metric math), and the latency alarm. */
function createShiftingTrafficAlarms(name: string, args: TrafficAlarmArgs, opts: pulumi.CustomResourceOptions): { errors: aws.cloudwatch.MetricAlarm; latency: aws.cloudwatch.MetricAlarm } {
    const { app, spec } = args;
    const count = args.targetGroups.length;
    const errors = notifyingAlarm(
        `${name}-5xx`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app} answers more than 5% of requests with a 5xx (3 of the last 5 minutes, at 20+ requests a minute, blue and green together). Check its logs and the latest deployment; this alarm also rolls a deployment back.`,
            metricQueries: [
                ...perTargetGroup("errors", "HTTPCode_Target_5XX_Count", "Sum", args),
                ...perTargetGroup("requests", "RequestCount", "Sum", args),
                { id: "rate", expression: `IF((${sumOf("requests", count)}) >= 20, 100 * (${sumOf("errors", count)}) / (${sumOf("requests", count)}), 0)`, label: "5xx rate (%)", returnData: true },
            ],
            comparisonOperator: "GreaterThanThreshold",
            threshold: 5,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: "notBreaching",
        },
        opts,
    );
    notifyingAlarm(
        `${name}-unhealthy`,
        args.alarmTopicArn,
        {
            alarmDescription: `A ${app} task fails its readiness check (${spec.healthCheck.readinessPath}) for 3 of the last 5 minutes, in either target group. Look at the target groups' health reasons and the task's logs.`,
            metricQueries: [
                ...perTargetGroup("unhealthy", "UnHealthyHostCount", "Maximum", args),
                { id: "worst", expression: `MAX([${args.targetGroups.map((_, index) => `FILL(unhealthy${index}, 0)`).join(", ")}])`, label: "Unhealthy tasks", returnData: true },
            ],
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
        },
        opts,
    );
    notifyingAlarm(
        `${name}-no-healthy-tasks`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app} has no healthy task in either target group: clients get 503. Check the service's events and stopped tasks.`,
            metricQueries: [...perTargetGroup("healthy", "HealthyHostCount", "Minimum", args), { id: "total", expression: sumOf("healthy", count), label: "Healthy tasks", returnData: true }],
            evaluationPeriods: 2,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // No data means no registered targets in either group: as bad as none healthy.
            treatMissingData: "breaching",
        },
        opts,
    );
    const p95 = perTargetGroup("p95", "TargetResponseTime", "p95", args);
    const slowest = `MAX([${args.targetGroups.map((_, index) => `p95${index}`).join(", ")}])`;
    const latency = latencyAlarm(name, args, [...p95, { id: "slowest", expression: slowest, label: "p95 response time (s)", returnData: true }], opts);
    return { errors, latency };
}

/**
 * p95 target response time above `release.latencyThresholdMs` for 3 of the last 5 minutes: slow
 * for on-call, and a deployment's rollback signal next to the 5xx rate.
 */
function latencyAlarm(name: string, args: TrafficAlarmArgs, metricQueries: MetricQuery[], opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    const thresholdMs = args.spec.release.latencyThresholdMs;
    return notifyingAlarm(
        `${name}-latency`,
        args.alarmTopicArn,
        {
            alarmDescription: `${args.app} answers slower than ${thresholdMs} ms at p95 for 3 of the last 5 minutes. Check its logs, its dependencies and the latest deployment (apps.${args.app}.release.latencyThresholdMs); this alarm also rolls a deployment back.`,
            metricQueries,
            comparisonOperator: "GreaterThanThreshold",
            // ELB reports TargetResponseTime in seconds.
            threshold: thresholdMs / 1000,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            // No requests, no response time: not slow.
            treatMissingData: "notBreaching",
        },
        opts,
    );
}

/** Tasks running hot for 5 minutes: autoscaling is at its maximum or not keeping up. */
export function createCpuAlarm(
    name: string,
    args: { app: string; spec: AppConfig; alarmTopicArn: pulumi.Input<string>; clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
    const { app, spec } = args;
    return notifyingAlarm(
        `${name}-cpu`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app}'s tasks average above 85% CPU for 5 minutes: autoscaling is at its maximum (${spec.replicas.max}) or not keeping up. Raise apps.${app}.replicas.max or cpu.`,
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions: { ClusterName: args.clusterName, ServiceName: args.serviceName },
            statistic: "Average",
            period: 60,
            evaluationPeriods: 5,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 85,
            // ECS publishes every minute while tasks run; a service with no tasks is the no-healthy-tasks alarm's case.
            treatMissingData: "notBreaching",
        },
        opts,
    );
}
