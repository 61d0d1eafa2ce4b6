import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BATCH_ITEM_VARIABLE, type EcsItemProcessor } from "../../apps/batch/workflow";
import type { ContainerInsights } from "../config";
import type { BatchTaskConfig } from "../config/data-apps";
import { EcsCluster } from "../ecs/cluster";
import { appLogsAndRoles } from "../ecs/roles";
import { fargateTaskDefinition, PLACEHOLDER_IMAGE } from "../ecs/task";
import type { Grant, Grantee } from "../grants";
import type { Bucket } from "../serverless/bucket";
import type { ServerlessContext } from "../serverless/common";

/** The batch image's repository in the stack's registry (`<namespace>/batch`), keyed like an app's. */
export const BATCH_REPOSITORY = "batch";
/** The container of the batch task; `apps/batch/src/main.ts` is its code (what code-iam scans). */
export const BATCH_CONTAINER = "batch";
/** The image's user (distroless' numeric nonroot; apps/batch/Dockerfile). */
export const BATCH_USER = "65532";
/**
 * The EventBridge rule Step Functions manages in the account to learn that an ECS task it started
 * has stopped (`.sync`); the state machine's role creates and updates it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html).
 */
export const SFN_ECS_EVENTS_RULE = "StepFunctionsGetEventsForECSTaskRule";

export interface BatchEcsProcessorArgs {
    ctx: ServerlessContext;
    /** The batch bucket: the task reads the objects under `prefix`. */
    bucket: Bucket;
    /** The input prefix the task may read. */
    prefix: string;
    /** Task size and release. @example { cpu: 256, memory: 512, imageTag: "3f9c2e1" } */
    task: BatchTaskConfig;
    /** Where the tasks run: the VPC's private subnets (egress through the stack's NAT and endpoints). */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]> };
    /** The batch image's repository in the stack's registry (`<namespace>/batch`). */
    repository: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
    /** Container Insights on the batch cluster, as on the platform's ECS cluster (ECS.12). */
    containerInsights: ContainerInsights;
    /** Physical-name prefix, `<project>-<stack>`: the log group is `/<namePrefix>/ecs/batch`. */
    namePrefix: string;
}

/**
 * The batch map's ECS item processor: a Fargate cluster of its own (clusters cost nothing; the map's
 * tasks never compete with the apps' services), a task definition built with the platform's ECS
 * conventions (fargateTaskDefinition: read-only root filesystem, non-root user, no capabilities,
 * non-blocking logs to a KMS-encrypted log group; appLogsAndRoles: an execution role that pulls only
 * the batch image and writes only its log group, a task role that reads only the input prefix),
 * and a security group with HTTPS egress only. `targets()` is what the workflow's ECS state names;
 * `grantRunTask()` gives the state machine exactly what `ecs:runTask.sync` calls.
 */
export class BatchEcsProcessor extends pulumi.ComponentResource {
    readonly cluster: EcsCluster;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly taskRole: aws.iam.Role;
    readonly executionRole: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** The task definition family: RunTask is granted on its revisions. */
    readonly family: string;
    private readonly args: BatchEcsProcessorArgs;
    private readonly clusterName: string;

    /** `name` is `<project>-<stack>-batch-item`; it names the cluster and the family. */
    constructor(name: string, args: BatchEcsProcessorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:BatchEcsProcessor", name, {}, opts);
        const parent = { parent: this };
        this.args = args;
        this.clusterName = name;
        this.family = name;

        this.cluster = this.createCluster(name, args);
        ({ logGroup: this.logGroup, taskRole: this.taskRole, executionRole: this.executionRole } = this.createLogsAndRoles(name, args));
        this.taskDefinition = this.createTaskDefinition(name, args);
        this.securityGroup = new aws.ec2.SecurityGroup(name, { vpcId: args.network.vpcId, description: "Batch item tasks (no inbound)", tags: { Name: name } }, parent);
        // S3 (gateway endpoint or NAT), ECR, CloudWatch Logs: all HTTPS; nothing else leaves the task.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-https-out`,
            { securityGroupId: this.securityGroup.id, description: "HTTPS to AWS APIs", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
            parent,
        );
        if (!args.task.imageTag) {
            void pulumi.log.warn(
                `batch: processor ecs has no batch.task.imageTag, so each item's task runs ${PLACEHOLDER_IMAGE}, which fails the item ("no release"); build apps/batch/Dockerfile, push it to the batch repository and set the tag to process items.`,
                this,
            );
        }
        this.registerOutputs({ clusterArn: this.cluster.arn, taskDefinitionArn: this.taskDefinition.arn });
    }

    /** What the workflow's ECS state names, once the cluster, task definition and group exist. */
    targets(): pulumi.Output<EcsItemProcessor> {
        return pulumi.all([this.cluster.arn, this.taskDefinition.arn, this.args.network.privateSubnetIds, this.securityGroup.id]).apply(([clusterArn, taskDefinitionArn, subnetIds, securityGroupId]) => ({
            clusterArn,
            taskDefinitionArn,
            containerName: BATCH_CONTAINER,
            subnetIds,
            securityGroupIds: [securityGroupId],
        }));
    }

    /**
     * Exactly what `arn:aws:states:::ecs:runTask.sync` calls with the state machine's role
     * (https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html): RunTask of this family's
     * revisions in this cluster; StopTask and DescribeTasks of this cluster's tasks (the ids are
     * unknown before the run); the managed EventBridge rule; PassRole of exactly the task and
     * execution roles, to ECS tasks only.
     */
    ecsGrants(): Grant[] {
        const { region, accountId } = this.args.ctx;
        return [
            {
                sid: "RunBatchItemTask",
                actions: ["ecs:RunTask"],
                resources: [pulumi.interpolate`arn:aws:ecs:${region}:${accountId}:task-definition/${this.family}:*`],
                conditions: { ArnEquals: { "ecs:cluster": this.cluster.arn } },
            },
            { sid: "TrackBatchItemTasks", actions: ["ecs:StopTask", "ecs:DescribeTasks"], resources: [pulumi.interpolate`arn:aws:ecs:${region}:${accountId}:task/${this.clusterName}/*`] },
            { sid: "ManageEcsTaskEventsRule", actions: ["events:PutTargets", "events:PutRule", "events:DescribeRule"], resources: [pulumi.interpolate`arn:aws:events:${region}:${accountId}:rule/${SFN_ECS_EVENTS_RULE}`] },
            {
                sid: "PassBatchTaskRoles",
                actions: ["iam:PassRole"],
                resources: [this.taskRole.arn, this.executionRole.arn],
                conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            },
        ];
    }

    grantRunTask(workflow: Grantee): void {
        for (const grant of this.ecsGrants()) workflow.addGrant(grant);
    }

    private createCluster(name: string, args: BatchEcsProcessorArgs): EcsCluster {
        // RunTask names LaunchType FARGATE: the capacity strategy is never used for these tasks.
        return new EcsCluster(name, { clusterName: name, containerInsights: args.containerInsights, capacity: { fargateBase: 0, fargateWeight: 1, fargateSpotWeight: 0 } }, { parent: this });
    }

    private createLogsAndRoles(name: string, args: BatchEcsProcessorArgs) {
        // The same statements Bucket.grantRead gives a function: GetObject under the prefix, the data key through S3.
        const grants: Grant[] = [];
        const collector: Grantee = { roleName: pulumi.output(""), roleArn: pulumi.output(""), addGrant: (grant) => grants.push(grant) };
        args.bucket.grantRead(collector, "ReadBatchInput", args.prefix);
        return appLogsAndRoles(
            name,
            {
                app: BATCH_CONTAINER,
                namePrefix: args.namePrefix,
                region: args.ctx.region,
                accountId: args.ctx.accountId,
                repository: args.repository,
                logs: { retentionDays: args.ctx.logRetentionDays, kmsKeyArn: args.ctx.logsKeyArn },
                secrets: {},
                grants,
                protect: args.ctx.protect,
            },
            this,
        );
    }

    private createTaskDefinition(name: string, args: BatchEcsProcessorArgs): aws.ecs.TaskDefinition {
        const released = args.task.imageTag !== undefined;
        return fargateTaskDefinition(
            name,
            {
                family: this.family,
                cpu: args.task.cpu,
                memory: args.task.memory,
                architecture: "arm64",
                taskRoleArn: this.taskRole.arn,
                executionRoleArn: this.executionRole.arn,
                container: {
                    name: BATCH_CONTAINER,
                    image: released ? pulumi.interpolate`${args.repository.url}:${args.task.imageTag}` : PLACEHOLDER_IMAGE,
                    // Before the first release the item fails with a message saying so, instead of succeeding unprocessed.
                    ...(released
                        ? {}
                        : {
                              command: [
                                  "node",
                                  "-e",
                                  `console.error("batch: no release of the batch image is deployed (platform:batch.task.imageTag); item not processed: " + process.env.${BATCH_ITEM_VARIABLE}); process.exit(1)`,
                              ],
                          }),
                    user: BATCH_USER,
                    // The bucket the items come from: the entry point refuses an item of another bucket.
                    environment: { BATCH_BUCKET: args.bucket.name },
                    secrets: {},
                    logGroupName: this.logGroup.name,
                    logStreamPrefix: BATCH_CONTAINER,
                    region: args.ctx.region,
                    stopTimeoutSeconds: 30,
                    writablePaths: [],
                },
            },
            { parent: this },
        );
    }
}
