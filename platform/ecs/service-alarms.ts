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
    /** `LoadBalancer` and `TargetGroup` ARN suffixes of the app's target group. */
    dimensions: Record<string, pulumi.Input<string>>;
}

/**
 * What clients see of the app, from the load balancer's metrics: a 5xx rate above 5% (which also
 * rolls a deployment back), a task failing its readiness check, and no healthy task at all.
 */
export function createTrafficAlarms(name: string, args: TrafficAlarmArgs, opts: pulumi.CustomResourceOptions): { errors: aws.cloudwatch.MetricAlarm } {
    const { app, spec, dimensions } = args;
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
    return { errors };
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
