import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { AppConfig } from "../config";
import type { EcsCluster } from "./cluster";
import type { AppBindings } from "./grants";
import { appEgress } from "./egress";
import { appLogsAndRoles } from "./roles";
import { withTransforms, type Transformable } from "../transform";
import { fargateTaskDefinition, PLACEHOLDER_IMAGE, placeholderCommand } from "./task";

export interface EcsWorkerArgs extends Transformable {
    /** The app's name: the ECS service, container and log group are named after it. */
    app: string;
    /** The app spec; `consumes` is set. */
    spec: AppConfig;
    /** Prefix of physical names, `<project>-<stack>`. */
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    cluster: EcsCluster;
    /** Tasks run in the private subnets; nothing reaches them. */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; vpcCidr?: string };
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /** @default false */
    protect?: boolean;
    /** Grants and variables, with the consumed queue (`bindings.consumes`). */
    bindings: AppBindings;
    alarmTopicArn: pulumi.Input<string>;
}

/**
 * A queue worker on ECS Fargate: the app's image as a service without a load balancer or any
 * inbound rule, its task role limited to its bindings and its queue, scaled by target tracking on
 * the queue's backlog per running task (visible messages / running tasks, the metric AWS
 * recommends for SQS workers: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html).
 * A message the code fails on is received again after the visibility timeout and moves to the
 * queue's dead-letter queue (which alarms) after its maxReceiveCount.
 */
export class EcsWorker extends pulumi.ComponentResource {
    readonly service: aws.ecs.Service;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly scalingPolicy: aws.appautoscaling.Policy;

    constructor(name: string, args: EcsWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:Worker", name, {}, withTransforms(opts, args.transform));
        const { app, spec, cluster, bindings } = args;
        const parent = { parent: this };
        if (!bindings.consumes) throw new Error(`EcsWorker ${name}: ${app} consumes no queue`);
        const queueName = pulumi.output(bindings.consumes.arn).apply((arn) => arn.split(":").pop() as string);

        // Steps: logs and roles, the task, a security group with no inbound rule, the service, backlog scaling, alarms.
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
                grants: bindings.grants,
                exec: cluster.exec,
            },
            this,
        );
        const released = spec.imageTag !== undefined;
        this.taskDefinition = fargateTaskDefinition(
            name,
            {
                family: `${args.namePrefix}-${app}`,
                cpu: spec.cpu,
                memory: spec.memory,
                architecture: spec.architecture,
                taskRoleArn: taskRole.arn,
                executionRoleArn: executionRole.arn,
                container: {
                    name: app,
                    image: released ? pulumi.interpolate`${args.repository.url}:${spec.imageTag}` : PLACEHOLDER_IMAGE,
                    // Before the first release the placeholder idles (it serves HTTP nobody reaches and reads no message).
                    command: released ? undefined : placeholderCommand(spec.port),
                    user: spec.user,
                    environment: { AWS_REGION: args.region, ...bindings.environment, ...spec.environment },
                    secrets: spec.secrets,
                    logGroupName: logGroup.name,
                    logStreamPrefix: "worker",
                    region: args.region,
                    stopTimeoutSeconds: spec.stopTimeoutSeconds,
                    writablePaths: spec.writablePaths,
                    ecsExec: cluster.exec !== undefined,
                },
            },
            parent,
        );

        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.network.vpcId, description: `Queue worker ${app} (no inbound)`, tags: { Name: `${name}-tasks` } }, parent);
        appEgress(`${name}-tasks`, this.securityGroup.id, spec.egress, args.network.vpcCidr, parent, "HTTPS to SQS and other AWS APIs");

        this.service = new aws.ecs.Service(
            name,
            {
                name: app,
                cluster: cluster.arn,
                taskDefinition: this.taskDefinition.arn,
                desiredCount: spec.replicas.min,
                capacityProviderStrategies: cluster.strategyFor(spec.architecture),
                platformVersion: "LATEST",
                networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
                deploymentController: { type: "ECS" },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                availabilityZoneRebalancing: "ENABLED",
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: cluster.exec !== undefined,
                waitForSteadyState: false,
            },
            { parent: this, ignoreChanges: ["desiredCount"] },
        );

        const scaling = new aws.appautoscaling.Target(
            name,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${cluster.name}/${this.service.name}`,
                minCapacity: spec.replicas.min,
                maxCapacity: spec.replicas.max,
            },
            parent,
        );
        this.scalingPolicy = new aws.appautoscaling.Policy(
            `${name}-backlog`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: scaling.serviceNamespace,
                scalableDimension: scaling.scalableDimension,
                resourceId: scaling.resourceId,
                targetTrackingScalingPolicyConfiguration: {
                    targetValue: bindings.consumes.messagesPerTask,
                    customizedMetricSpecification: {
                        metrics: [
                            {
                                id: "visible",
                                label: "Visible messages",
                                returnData: false,
                                metricStat: { stat: "Sum", metric: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: [{ name: "QueueName", value: queueName }] } },
                            },
                            // Container Insights publishes the running count (both levels the cluster allows have it); the service keeps at least replicas.min (1 or more) running.
                            {
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
                                            { name: "ServiceName", value: this.service.name },
                                        ],
                                    },
                                },
                            },
                            { id: "backlog", label: "Backlog per task", expression: "visible / tasks", returnData: true },
                        ],
                    },
                    scaleOutCooldown: 60,
                    scaleInCooldown: 300,
                },
            },
            parent,
        );

        notifyingAlarm(
            `${name}-backlog`,
            args.alarmTopicArn,
            {
                alarmDescription: `${app}'s queue has held more than ${bindings.consumes.messagesPerTask * spec.replicas.max} visible messages for 15 minutes: the workers are at apps.${app}.replicas.max (${spec.replicas.max}) or failing. Check the service's logs and the dead-letter queue.`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queueName },
                statistic: "Minimum",
                period: 300,
                evaluationPeriods: 3,
                comparisonOperator: "GreaterThanThreshold",
                threshold: bindings.consumes.messagesPerTask * spec.replicas.max,
                treatMissingData: "notBreaching",
            },
            parent,
        );
        this.registerOutputs({ service: this.service.name });
    }
}
