import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { AppConfig } from "../config";
import { additionalSecurityGroupRules, validateAdditionalInputs } from "../extensions";
import { appTask, type EcsAppArgs, scalableTarget, trackingPolicy } from "./app";
import { appEgress } from "./egress";
import type { AppBindings } from "./grants";
import { withTransforms } from "../transform";

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
 */
export class EcsWorker extends pulumi.ComponentResource {
    readonly service: aws.ecs.Service;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly scalingPolicy: aws.appautoscaling.Policy;

    constructor(name: string, args: EcsWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAdditionalInputs(args.app, args);
        super("platform:ecs:Worker", name, {}, withTransforms(opts, args.transform));
        const consumes = args.bindings.consumes;
        if (!consumes) throw new Error(`EcsWorker ${name}: ${args.app} consumes no queue`);
        const queueName = pulumi.output(consumes.arn).apply((arn) => arn.split(":").pop() as string);

        this.taskDefinition = appTask(name, args, { logStreamPrefix: "worker", publishPort: false }, this).taskDefinition;
        this.securityGroup = this.createSecurityGroup(name, args);
        this.service = this.createService(name, args);
        this.scalingPolicy = this.createBacklogScaling(name, args, queueName, consumes.messagesPerTask);
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
    private createService(name: string, args: EcsWorkerArgs): aws.ecs.Service {
        const { app, spec, cluster } = args;
        return new aws.ecs.Service(
            name,
            {
                name: app,
                cluster: cluster.arn,
                taskDefinition: this.taskDefinition.arn,
                desiredCount: spec.replicas.min,
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
    private createBacklogScaling(name: string, args: EcsWorkerArgs, queueName: pulumi.Output<string>, messagesPerTask: number): aws.appautoscaling.Policy {
        const parent = { parent: this };
        const target = scalableTarget(name, args.cluster, this.service, args.spec.replicas, parent);
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
                                        { name: "ClusterName", value: args.cluster.name },
                                        { name: "ServiceName", value: this.service.name },
                                    ],
                                },
                            },
                        },
                        { id: "backlog", label: "Backlog per task", expression: "visible / tasks", returnData: true },
                    ],
                },
            },
            parent,
        );
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
