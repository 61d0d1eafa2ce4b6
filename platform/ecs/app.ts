import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig } from "../config";
import type { EcsCluster } from "./cluster";
import type { AppBindings } from "./grants";
import { appLogsAndRoles } from "./roles";
import { type ContainerArgs, fargateTaskDefinition, PLACEHOLDER_IMAGE, placeholderCommand } from "./task";
import type { Transformable } from "../transform";
import { type AdditionalInputs, additionalRolePolicy } from "../extensions";

/**
 * What every ECS app is built from, a service behind a load balancer or a queue worker alike.
 * `additionalPolicyStatements` go to the task role (the app's code), `additionalSecurityGroupRules`
 * to the tasks' security group.
 */
export interface EcsAppArgs extends Transformable, AdditionalInputs {
    /** The app's name: the ECS service, container and log group are named after it. */
    app: string;
    /** The app spec (image tag, port, health paths, size, replicas, variables, secrets, jobs). */
    spec: AppConfig;
    /** Prefix of physical names, `<project>-<stack>`. */
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** The app's ECR repository: images come from there, tagged with `spec.imageTag`. */
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** The cluster, its capacity strategy and (when enabled) ECS Exec. */
    cluster: EcsCluster;
    /** Tasks run in the private subnets. */
    /** `vpcCidr`: what `egress: [{ to: vpc }]` reaches. */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; vpcCidr?: string };
    /** Container (and job) logs: the profile's retention, the platform's logs key. */
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /**
     * Pulumi `protect` on the app's log group: a year of application logs in prod must not go
     * with a `pulumi destroy` or a rename.
     * @default false
     */
    protect?: boolean;
    /** What the app's code may call and the variables that say where. */
    bindings: AppBindings;
    /** Alarms (and job failures) notify this topic. */
    alarmTopicArn: pulumi.Input<string>;
}

/** The app's container as its service runs it, before the service's port and log prefix are added: jobs reuse it. */
export type AppContainer = Omit<ContainerArgs, "command" | "port" | "logStreamPrefix" | "ecsExec">;

/** What `appTask` built. */
export interface AppTask {
    logGroup: aws.cloudwatch.LogGroup;
    taskRole: aws.iam.Role;
    executionRole: aws.iam.Role;
    container: AppContainer;
    taskDefinition: aws.ecs.TaskDefinition;
    /** Whether `spec.imageTag` is set; before that, the placeholder image runs. */
    released: boolean;
}

/**
 * An app's log group, roles and task definition: its image (or the placeholder before the first
 * release, serving 200 on `spec.port`), its variables (the spec's win over the platform's), its
 * secrets, hardened as `fargateTaskDefinition` does.
 */
export function appTask(name: string, args: EcsAppArgs, options: { logStreamPrefix: string; publishPort: boolean }, parent: pulumi.Resource): AppTask {
    const { app, spec, cluster } = args;
    const { logGroup, taskRole, executionRole } = appLogsAndRoles(
        name,
        {
            app,
            namePrefix: args.namePrefix,
            region: args.region,
            accountId: args.accountId,
            repository: args.repository,
            logs: args.logs,
            protect: args.protect,
            secrets: spec.secrets,
            secretsKmsKeyArn: spec.secretsKmsKeyArn,
            grants: args.bindings.grants,
            exec: cluster.exec,
        },
        parent,
    );
    // The user's own statements, on the role the app's code runs as (jobs share it).
    additionalRolePolicy(`${name}-task`, taskRole, args.additionalPolicyStatements, { parent });
    const released = spec.imageTag !== undefined;
    const container: AppContainer = {
        name: app,
        image: released ? pulumi.interpolate`${args.repository.url}:${spec.imageTag}` : PLACEHOLDER_IMAGE,
        user: spec.user,
        // The spec's own variables win over the platform's.
        environment: { AWS_REGION: args.region, ...args.bindings.environment, ...spec.environment },
        secrets: spec.secrets,
        logGroupName: logGroup.name,
        region: args.region,
        stopTimeoutSeconds: spec.stopTimeoutSeconds,
        writablePaths: spec.writablePaths,
    };
    const taskDefinition = fargateTaskDefinition(
        name,
        {
            family: `${args.namePrefix}-${app}`,
            cpu: spec.cpu,
            memory: spec.memory,
            architecture: spec.architecture,
            taskRoleArn: taskRole.arn,
            executionRoleArn: executionRole.arn,
            container: {
                ...container,
                ...(options.publishPort ? { port: spec.port } : {}),
                // Before the first release the placeholder serves 200 on the port (a worker's idles: nobody reaches it).
                command: released ? undefined : placeholderCommand(spec.port),
                logStreamPrefix: options.logStreamPrefix,
                ecsExec: cluster.exec !== undefined,
            },
        },
        { parent },
    );
    return { logGroup, taskRole, executionRole, container, taskDefinition, released };
}

/** The service's desired count as Application Auto Scaling's target, between `replicas.min` and `replicas.max`. */
export function scalableTarget(name: string, cluster: EcsCluster, service: aws.ecs.Service, replicas: { min: number; max: number }, opts: pulumi.CustomResourceOptions): aws.appautoscaling.Target {
    return new aws.appautoscaling.Target(
        name,
        {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
            minCapacity: replicas.min,
            maxCapacity: replicas.max,
        },
        opts,
    );
}

/**
 * A service's running task count from Container Insights, as a target tracking metric-math input
 * (`id` "tasks"): the divisor of every per-task metric. At zero tasks it has no datapoint.
 */
export function runningTasksMetric(cluster: EcsCluster, serviceName: pulumi.Input<string>): aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetric {
    return {
        id: "tasks",
        label: "Running tasks",
        returnData: false,
        metricStat: {
            stat: "Average",
            metric: {
                namespace: "ECS/ContainerInsights",
                metricName: "RunningTaskCount",
                dimensions: [
                    { name: "ClusterName", value: cluster.name },
                    { name: "ServiceName", value: serviceName },
                ],
            },
        },
    };
}

/** Target tracking on one metric: out fast, in slowly (a new task is ready in about a minute; removing one too early costs errors). */
export function trackingPolicy(
    name: string,
    target: aws.appautoscaling.Target,
    configuration: Omit<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration, "scaleOutCooldown" | "scaleInCooldown">,
    opts: pulumi.CustomResourceOptions,
): aws.appautoscaling.Policy {
    return new aws.appautoscaling.Policy(
        name,
        {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: { ...configuration, scaleOutCooldown: 60, scaleInCooldown: 300 },
        },
        opts,
    );
}
