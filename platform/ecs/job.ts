import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { Architecture, JobConfig } from "../config";
import { policyJson } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { ServiceKeyUsers } from "../kms";
import type { EcsCluster } from "./cluster";
import { serviceRole } from "./roles";
import { ContainerArgs, fargateTaskDefinition } from "./task";
import { withTransforms, type Transformable } from "../transform";

export interface ScheduledJobArgs extends Transformable {
    /** The app and job names, for descriptions and notifications. */
    app: string;
    job: string;
    /** Schedule, time zone, command and size. */
    spec: JobConfig;
    /** Task definition family. */
    family: string;
    /** The app's container, as its service runs it; the job overrides the command and publishes no port (nor allows ECS Exec). */
    container: Omit<ContainerArgs, "command" | "port" | "logStreamPrefix" | "ecsExec">;
    architecture: Architecture;
    /** The app's roles: the job runs with the same permissions as the app, and Scheduler may pass exactly these two. */
    taskRole: aws.iam.Role;
    executionRole: aws.iam.Role;
    cluster: EcsCluster;
    /** Private subnets and a security group without ingress. */
    subnetIds: pulumi.Input<string[]>;
    securityGroupId: pulumi.Input<string>;
    /** The stack's schedule group; the Scheduler role trusts only schedules in it. */
    scheduleGroupName: pulumi.Input<string>;
    /**
     * Create the schedule disabled: before the app's first release its image is a placeholder
     * that cannot run the job's command.
     * @default false
     */
    paused?: boolean;
    /** Encrypts the dead-letter queue (SQS.1). */
    kmsKeyArn: pulumi.Input<string>;
    /** That key's policy: EventBridge (the failure rule) writes to the dead-letter queue, so it is admitted there. */
    keyUsers: ServiceKeyUsers;
    /** Failed runs and dead letters are announced here. */
    alarmTopicArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
}

/**
 * A task run on a schedule by EventBridge Scheduler (ECS RunTask). Two ways a run fails, both
 * announced on the alarm topic: Scheduler cannot start it (after its retries, the event lands in
 * the dead-letter queue, which alarms), or the task starts and fails (an EventBridge rule on the
 * task's STOPPED event with a non-zero exit code, or a failure to start, notifies directly).
 */
export class ScheduledJob extends pulumi.ComponentResource {
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly schedule: aws.scheduler.Schedule;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly role: aws.iam.Role;

    constructor(name: string, args: ScheduledJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:ScheduledJob", name, {}, withTransforms(opts, args.transform));
        this.taskDefinition = this.createTaskDefinition(name, args);
        // Kept 14 days (the SQS maximum): long enough to notice and replay a failed run by hand.
        this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, { name: nameWithin(`${name}-dlq`, NAME_LIMITS.sqsQueue), kmsMasterKeyId: args.kmsKeyArn, messageRetentionSeconds: 14 * 24 * 3600 }, { parent: this });
        this.role = this.createSchedulerRole(name, args);
        this.schedule = this.createSchedule(name, args);
        const failures = this.createFailureRule(name, args);
        this.admitDeadLetters(name, args, failures);
        this.createDeadLetterAlarm(name, args);
        this.registerOutputs({ schedule: this.schedule.arn, deadLetterQueue: this.deadLetterQueue.url });
    }

    /** The app's container with the job's command and size. */
    private createTaskDefinition(name: string, args: ScheduledJobArgs): aws.ecs.TaskDefinition {
        const { spec } = args;
        return fargateTaskDefinition(
            name,
            {
                family: args.family,
                cpu: spec.cpu,
                memory: spec.memory,
                architecture: args.architecture,
                taskRoleArn: args.taskRole.arn,
                executionRoleArn: args.executionRole.arn,
                container: { ...args.container, command: spec.command, logStreamPrefix: args.job },
            },
            { parent: this },
        );
    }

    /** Scheduler's role: run this job's task definition in this cluster, pass its two roles, dead-letter to its queue. */
    private createSchedulerRole(name: string, args: ScheduledJobArgs): aws.iam.Role {
        const { cluster } = args;
        const dlq = this.deadLetterQueue;
        return serviceRole(
            `${name}-scheduler`,
            {
                description: `Lets EventBridge Scheduler run ${args.app}'s ${args.job} job`,
                service: "scheduler.amazonaws.com",
                accountId: args.accountId,
                sourceArnLike: pulumi.interpolate`arn:aws:scheduler:${args.region}:${args.accountId}:schedule/${args.scheduleGroupName}/*`,
                statements: [
                    {
                        Sid: "RunThisJobInThisCluster",
                        Effect: "Allow",
                        Action: "ecs:RunTask",
                        Resource: pulumi.interpolate`arn:aws:ecs:${args.region}:${args.accountId}:task-definition/${args.family}:*`,
                        Condition: { ArnEquals: { "ecs:cluster": cluster.arn } },
                    },
                    {
                        Sid: "PassThisJobsRolesToEcs",
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: [args.taskRole.arn, args.executionRole.arn],
                        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
                    },
                    {
                        // RunTask with tags (managed and propagated) needs tag-on-create permission.
                        Sid: "TagTheTasksItStarts",
                        Effect: "Allow",
                        Action: "ecs:TagResource",
                        Resource: pulumi.interpolate`arn:aws:ecs:${args.region}:${args.accountId}:task/${cluster.name}/*`,
                        Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
                    },
                    // Scheduler delivers dead letters with this role, into a KMS-encrypted queue.
                    { Sid: "DeadLetterToThisJobsQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlq.arn },
                    {
                        Sid: "EncryptDeadLetters",
                        Effect: "Allow",
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: args.kmsKeyArn,
                        Condition: { StringEquals: { "kms:ViaService": `sqs.${args.region}.amazonaws.com` } },
                    },
                ],
            },
            { parent: this },
        );
    }

    /** RunTask at the schedule in the cluster's capacity mix, private subnets, retried for an hour, then dead-lettered. */
    private createSchedule(name: string, args: ScheduledJobArgs): aws.scheduler.Schedule {
        const { spec, cluster } = args;
        return new aws.scheduler.Schedule(
            name,
            {
                // Schedules are autonamed up to 255 characters; Scheduler takes 64.
                name: nameWithin(name, NAME_LIMITS.schedule),
                description: `${args.app}: ${args.job} (${spec.command.join(" ")})`,
                groupName: args.scheduleGroupName,
                scheduleExpression: spec.schedule,
                scheduleExpressionTimezone: spec.timezone,
                flexibleTimeWindow: { mode: "OFF" },
                state: args.paused ? "DISABLED" : "ENABLED",
                target: {
                    arn: cluster.arn,
                    roleArn: this.role.arn,
                    ecsParameters: {
                        taskDefinitionArn: this.taskDefinition.arn,
                        taskCount: 1,
                        capacityProviderStrategies: cluster.strategyFor(args.architecture),
                        networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
                        enableEcsManagedTags: true,
                        propagateTags: "TASK_DEFINITION",
                    },
                    // RunTask errors (capacity, throttling) are retried for up to an hour, then dead-lettered.
                    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                    deadLetterConfig: { arn: this.deadLetterQueue.arn },
                },
            },
            { parent: this },
        );
    }

    /** An EventBridge rule on this job's STOPPED tasks that failed, announcing each on the alarm topic in one readable line. */
    private createFailureRule(name: string, args: ScheduledJobArgs): aws.cloudwatch.EventRule {
        const { cluster } = args;
        const failures = new aws.cloudwatch.EventRule(
            `${name}-failed`,
            {
                name: nameWithin(`${name}-failed`, NAME_LIMITS.eventRule),
                description: `${args.app}'s ${args.job} job stopped with a non-zero exit code or did not start`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.ecs"],
                    "detail-type": ["ECS Task State Change"],
                    detail: {
                        clusterArn: [cluster.arn],
                        lastStatus: ["STOPPED"],
                        taskDefinitionArn: [{ prefix: pulumi.interpolate`arn:aws:ecs:${args.region}:${args.accountId}:task-definition/${args.family}:` }],
                        $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
                    },
                }),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-failed`,
            {
                rule: failures.name,
                targetId: nameWithin(`${name}-failed`, NAME_LIMITS.eventTarget),
                arn: args.alarmTopicArn,
                inputTransformer: {
                    inputPaths: { task: "$.detail.taskArn", stopCode: "$.detail.stopCode", reason: "$.detail.stoppedReason" },
                    // A JSON string: the notification is this one readable line, with the event's values filled in.
                    inputTemplate: pulumi.jsonStringify(
                        pulumi.interpolate`Scheduled job ${args.app}/${args.job} failed: task <task> stopped (<stopCode>: <reason>). Its logs are in ${args.container.logGroupName} under ${args.job}/.`,
                    ),
                },
                retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                deadLetterConfig: { arn: this.deadLetterQueue.arn },
            },
            { parent: this },
        );
        return failures;
    }

    /** The queue admits exactly this job's Scheduler role and this job's failure rule (and the key, EventBridge). */
    private admitDeadLetters(name: string, args: ScheduledJobArgs, failures: aws.cloudwatch.EventRule): void {
        const dlq = this.deadLetterQueue;
        args.keyUsers.allowService("events.amazonaws.com");
        new aws.sqs.QueuePolicy(
            `${name}-dlq`,
            {
                queueUrl: dlq.url,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "ThisJobsScheduler", Effect: "Allow", Principal: { AWS: this.role.arn }, Action: "sqs:SendMessage", Resource: dlq.arn },
                        {
                            Sid: "ThisJobsFailureRule",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sqs:SendMessage",
                            Resource: dlq.arn,
                            Condition: { ArnEquals: { "aws:SourceArn": failures.arn } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
    }

    /** Any dead letter: the job could not be started (or its failure not announced) even after retries. */
    private createDeadLetterAlarm(name: string, args: ScheduledJobArgs): void {
        notifyingAlarm(
            `${name}-dead-letters`,
            args.alarmTopicArn,
            {
                alarmDescription: `${args.app}'s ${args.job} job could not be started (or its failure not announced) even after retries: read the message in its dead-letter queue.`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: this.deadLetterQueue.name },
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                // SQS stops publishing for an idle queue; no data means no dead letters.
                treatMissingData: "notBreaching",
            },
            { parent: this },
        );
    }
}
