import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { AppConfig } from "../config";
import { additionalSecurityGroupRules, validateAdditionalInputs } from "../extensions";
import { appTask, type EcsAppArgs, runningTasksMetric, scalableTarget, trackingPolicy } from "./app";
import { appEgress } from "./egress";
import type { AppBindings } from "./grants";
import { withTransforms } from "../transform";

/** The scale-from-zero step policy's cooldown: longer than a Fargate task takes to start and receive. */
export const SCALE_FROM_ZERO_COOLDOWN_SECONDS = 300;
/** How long a message may wait in a worker's queue before the scale-from-zero policy adds a task. */
export const SCALE_FROM_ZERO_WAIT_SECONDS = 30;

export interface EcsWorkerArgs extends EcsAppArgs {
    /** The app spec; `consumes` is set. */
    spec: AppConfig;
    /** Grants and variables, with the consumed queue (`bindings.consumes`). */
    bindings: AppBindings;
}

/**
 * A queue worker on ECS Fargate: the app's image as a service without a load balancer or any
 * inbound rule, its task role limited to its bindings and its queue, scaled by target tracking on
 * the queue's backlog per running task (visible messages / running tasks, the metric AWS
 * recommends for SQS workers: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html).
 * A message the code fails on is received again after the visibility timeout and moves to the
 * queue's dead-letter queue (which alarms) after its maxReceiveCount.
 *
 * With `consumes.scaleToZero` the service starts at, and may scale in to, zero tasks. Target
 * tracking then cannot start the first task: `visible / tasks` has no datapoint without a running
 * task, and a target tracking policy does not scale while its metric has insufficient data
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-considerations).
 * A step scaling policy on our own alarm does
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-step-scaling-policies.html):
 * see createScaleFromZero.
 */
export class EcsWorker extends pulumi.ComponentResource {
    readonly service: aws.ecs.Service;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly scalingPolicy: aws.appautoscaling.Policy;
    /** With `consumes.scaleToZero`: the step policy that adds a task when a message waits too long (the way out of zero tasks), and its alarm. */
    readonly scaleFromZero?: { policy: aws.appautoscaling.Policy; alarm: aws.cloudwatch.MetricAlarm };

    constructor(name: string, args: EcsWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAdditionalInputs(args.app, args);
        super("platform:ecs:Worker", name, {}, withTransforms(opts, args.transform));
        const consumes = args.bindings.consumes;
        if (!consumes) throw new Error(`EcsWorker ${name}: ${args.app} consumes no queue`);
        const queueName = pulumi.output(consumes.arn).apply((arn) => arn.split(":").pop() as string);

        this.taskDefinition = appTask(name, args, { logStreamPrefix: "worker", publishPort: false }, this).taskDefinition;
        this.securityGroup = this.createSecurityGroup(name, args);
        const replicas = { min: consumes.scaleToZero ? 0 : args.spec.replicas.min, max: args.spec.replicas.max };
        this.service = this.createService(name, args, replicas.min);
        const target = scalableTarget(name, args.cluster, this.service, replicas, { parent: this });
        this.scalingPolicy = this.createBacklogScaling(name, args, target, queueName, consumes.messagesPerTask);
        if (consumes.scaleToZero) this.scaleFromZero = this.createScaleFromZero(name, args, target, queueName);
        this.createBacklogAlarm(name, args, queueName, consumes.messagesPerTask);
        this.registerOutputs({ service: this.service.name });
    }

    /** HTTPS out (SQS and the other AWS APIs), nothing in. */
    private createSecurityGroup(name: string, args: EcsWorkerArgs): aws.ec2.SecurityGroup {
        const parent = { parent: this };
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.network.vpcId, description: `Queue worker ${args.app} (no inbound)`, tags: { Name: `${name}-tasks` } }, parent);
        appEgress(`${name}-tasks`, securityGroup.id, args.spec.egress, args.network.vpcCidr, parent, "HTTPS to SQS and other AWS APIs");
        additionalSecurityGroupRules(`${name}-tasks`, securityGroup.id, args.additionalSecurityGroupRules, parent);
        return securityGroup;
    }

    /** The service: rolling deployments (new tasks first), rolled back by the circuit breaker. */
    private createService(name: string, args: EcsWorkerArgs, desiredCount: number): aws.ecs.Service {
        const { app, spec, cluster } = args;
        return new aws.ecs.Service(
            name,
            {
                name: app,
                cluster: cluster.arn,
                taskDefinition: this.taskDefinition.arn,
                desiredCount,
                // Fargate Spot runs no ARM64 task: an arm64 worker gets the on-demand share alone.
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
    }

    /** Target tracking on visible messages per running task, at `messagesPerTask`. */
    private createBacklogScaling(name: string, args: EcsWorkerArgs, target: aws.appautoscaling.Target, queueName: pulumi.Output<string>, messagesPerTask: number): aws.appautoscaling.Policy {
        const parent = { parent: this };
        return trackingPolicy(
            `${name}-backlog`,
            target,
            {
                targetValue: messagesPerTask,
                customizedMetricSpecification: {
                    metrics: [
                        {
                            id: "visible",
                            label: "Visible messages",
                            returnData: false,
                            metricStat: { stat: "Sum", metric: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: [{ name: "QueueName", value: queueName }] } },
                        },
                        // Container Insights publishes the running count (both levels the cluster allows have it). At zero tasks the
                        // quotient has no datapoint and this policy does nothing: the step policy of createScaleFromZero starts the first task.
                        runningTasksMetric(args.cluster, this.service.name),
                        { id: "backlog", label: "Backlog per task", expression: "visible / tasks", returnData: true },
                    ],
                },
            },
            parent,
        );
    }

    /**
     * The way out of zero tasks: an alarm on "a message has waited longer than
     * SCALE_FROM_ZERO_WAIT_SECONDS and nothing received from the queue this minute" invokes a
     * step scaling policy that adds one task; target tracking takes over once a task runs and
     * publishes a count. The signal is the queue's own: the age of its oldest message while
     * messages are visible and none was received. SQS reports the first two whenever the queue
     * holds a message (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html:
     * ApproximateNumberOfMessagesVisible "if the queue is active", ApproximateAgeOfOldestMessage
     * "if the queue contains at least one active message"); in a comparison, metric math reads
     * a missing point of NumberOfMessagesReceived as 0 when the other series has one
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html),
     * so "no receives" holds whether SQS reports a 0 or nothing. Not a running-task count: a
     * service with no task may publish no Container Insights count at all.
     *
     * "Nothing received" keeps the policy out of normal operation: running tasks draining a
     * backlog (target tracking holds about messagesPerTask visible messages per task, so the
     * oldest is often older than the wait) receive every minute, and only target tracking sizes
     * the service; AWS warns that target tracking and step policies on the same target can
     * conflict (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html).
     * ChangeInCapacity +1, never ExactCapacity, for the cases where tasks run but receive
     * nothing (all failing, or one busy with a long message): +1 only ever adds, up to
     * replicas.max, where an exact capacity could lower what target tracking raised. An alarm
     * re-invokes its action every minute it stays in ALARM
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html), but
     * during the step policy's cooldown a repeat of the same +1 adds nothing: the task it added
     * counts toward the next adjustment (StepScalingPolicyConfiguration.Cooldown,
     * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html).
     * Five minutes covers a Fargate task's start, so from zero the first task is the only one it
     * adds. Target tracking keeps its scale-in: once the queue stays empty its low alarm (15
     * minutes below the target) takes the service back to minCapacity 0.
     */
    private createScaleFromZero(name: string, args: EcsWorkerArgs, target: aws.appautoscaling.Target, queueName: pulumi.Output<string>): { policy: aws.appautoscaling.Policy; alarm: aws.cloudwatch.MetricAlarm } {
        const parent = { parent: this };
        const policy = new aws.appautoscaling.Policy(
            `${name}-from-zero`,
            {
                policyType: "StepScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    metricAggregationType: "Maximum",
                    cooldown: SCALE_FROM_ZERO_COOLDOWN_SECONDS,
                    stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
                },
            },
            parent,
        );
        const queueMetric = (id: string, metricName: string, stat: string) => ({ id, metric: { namespace: "AWS/SQS", metricName, dimensions: { QueueName: queueName }, stat, period: 60 }, returnData: false });
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-from-zero`,
            {
                alarmDescription: `Adds a task to ${args.app}: a message in its queue has waited more than ${SCALE_FROM_ZERO_WAIT_SECONDS} s and nothing received from the queue for a minute (apps.${args.app}.consumes.scaleToZero starts the first task this way). A scaling trigger, not a notification: the backlog alarm reports a queue the workers do not drain.`,
                metricQueries: [
                    queueMetric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
                    queueMetric("age", "ApproximateAgeOfOldestMessage", "Maximum"),
                    queueMetric("received", "NumberOfMessagesReceived", "Sum"),
                    { id: "waiting", expression: "IF(visible > 0 AND received == 0, age, 0)", label: "Age of the oldest message while messages wait and none is received (s)", returnData: true },
                ],
                comparisonOperator: "GreaterThanThreshold",
                threshold: SCALE_FROM_ZERO_WAIT_SECONDS,
                evaluationPeriods: 1,
                // SQS publishes only for an active queue: no datapoint, no message waiting.
                treatMissingData: "notBreaching",
                actionsEnabled: true,
                alarmActions: [policy.arn],
            },
            parent,
        );
        return { policy, alarm };
    }

    /** The backlog stays above what `replicas.max` workers drain for 15 minutes. */
    private createBacklogAlarm(name: string, args: EcsWorkerArgs, queueName: pulumi.Output<string>, messagesPerTask: number): void {
        const { app, spec } = args;
        notifyingAlarm(
            `${name}-backlog`,
            args.alarmTopicArn,
            {
                alarmDescription: `${app}'s queue has held more than ${messagesPerTask * spec.replicas.max} visible messages for 15 minutes: the workers are at apps.${app}.replicas.max (${spec.replicas.max}) or failing. Check the service's logs and the dead-letter queue.`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queueName },
                statistic: "Minimum",
                period: 300,
                evaluationPeriods: 3,
                comparisonOperator: "GreaterThanThreshold",
                threshold: messagesPerTask * spec.replicas.max,
                treatMissingData: "notBreaching",
            },
            { parent: this },
        );
    }
}
