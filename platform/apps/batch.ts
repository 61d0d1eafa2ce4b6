import * as pulumi from "@pulumi/pulumi";
import { batchWorkflow, type BatchWorkflowTargets } from "../../apps/batch/workflow";
import type { BatchConfig } from "../config/data-apps";
import { Bucket, BucketArgs } from "../serverless/bucket";
import type { ServerlessContext } from "../serverless/common";
import { LambdaFunction } from "../serverless/function";
import { StateMachine } from "../serverless/state-machine";
import { withTransforms, type Transformable } from "../transform";
import type { ContainerInsights } from "../config";
import { BatchEcsProcessor } from "./batch-ecs";

export interface BatchAppArgs extends Transformable {
    ctx: ServerlessContext;
    /** Where the bucket's server access logs go. @default none */
    accessLogs?: BucketArgs["accessLogs"];
    config: BatchConfig;
    /**
     * What the ECS processor (`processor: ecs`) runs in and pulls from: the stack's network, the
     * batch repository of its registry, the ECS Container Insights setting and the physical-name prefix.
     * @default none (required with processor ecs)
     */
    ecs?: {
        network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]> };
        repository: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
        containerInsights: ContainerInsights;
        namePrefix: string;
    };
}

/**
 * apps/batch: a Distributed Map over the objects (or the JSON/CSV records of one file) under the
 * bucket's input prefix, each item processed in its own child workflow by a function
 * (`processor: lambda`) or by an ECS Fargate task the child waits for (`processor: ecs`), results
 * written under the result prefix (apps/batch/README.md). Started by hand or by a scheduler:
 * `aws stepfunctions start-execution --state-machine-arn <batchStateMachineArn>`.
 */
export class BatchApp extends pulumi.ComponentResource {
    readonly bucket: Bucket;
    /** The Lambda item processor (processor lambda). */
    readonly processor?: LambdaFunction;
    /** The ECS item processor (processor ecs). */
    readonly ecsProcessor?: BatchEcsProcessor;
    readonly workflow: StateMachine;

    /** `name` is `<project>-<stack>-batch`. */
    constructor(name: string, args: BatchAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Batch", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };

        this.bucket = new Bucket(name, { kmsKeyArn: ctx.dataKeyArn, region: ctx.region, noncurrentVersionExpiryDays: config.noncurrentVersionExpiryDays, accessLogs: args.accessLogs, protect: ctx.protect }, parent);
        const processor = config.processor === "ecs" ? this.createEcsProcessor(name, args) : this.createFunctionProcessor(name, args);
        this.processor = processor.fn;
        this.ecsProcessor = processor.ecs;
        this.workflow = new StateMachine(
            `${name}-workflow`,
            {
                stateMachineName: name,
                definition: pulumi.all([processor.targets, this.bucket.name]).apply(([targets, bucketName]) =>
                    batchWorkflow({
                        ...targets,
                        bucketName,
                        prefix: config.prefix,
                        resultPrefix: config.resultPrefix,
                        itemReader: config.itemReader,
                        maxConcurrency: config.maxConcurrency,
                        toleratedFailurePercentage: config.toleratedFailurePercentage,
                        childExecutionType: config.childExecutionType,
                        itemTimeoutSeconds: config.itemTimeoutSeconds,
                    }),
                ),
                logLevel: config.level,
                includeExecutionData: config.includeExecutionData,
                logRetentionDays: ctx.logRetentionDays,
                logsKmsKeyArn: ctx.logsKeyArn,
                region: ctx.region,
                accountId: ctx.accountId,
                distributedMap: true,
                taskGrants: (workflow) => {
                    processor.grant(workflow);
                    // The item reader: ListObjectsV2 under the prefix, or GetObject of the one JSON/CSV file named in the input.
                    if (config.itemReader === "objects") this.bucket.grantList(workflow, "ListBatchInput", config.prefix);
                    else this.bucket.grantRead(workflow, "ReadBatchInput", config.prefix);
                    // The result writer: manifest and result files under the result prefix, as multipart uploads.
                    this.bucket.grantWrite(workflow, "WriteBatchResults", config.resultPrefix);
                    workflow.addGrant({ sid: "ManageBatchResultUploads", actions: ["s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], resources: [this.bucket.objectsArn(config.resultPrefix)] });
                },
                alarmTopicArn: ctx.alarmTopicArn,
                protect: ctx.protect,
            },
            parent,
        );
        this.registerOutputs({ bucketName: this.bucket.name, stateMachineArn: this.workflow.arn });
    }

    /** The Lambda processor: one function invocation per item. */
    private createFunctionProcessor(name: string, args: BatchAppArgs): ItemProcessor {
        const { ctx, config } = args;
        const fn = new LambdaFunction(
            `${name}-process-item`,
            {
                ctx,
                entry: "apps/batch/src/process-item.ts",
                description: "Batch: processes one item of the distributed map",
                configKey: "platform:batch",
                // The task outwaits it by a few seconds; with EXPRESS children the config check keeps every attempt within 300 s.
                timeoutSeconds: config.itemTimeoutSeconds,
                // Not the map's concurrency: up to 10,000 would fail the deploy on most accounts (100 must stay unreserved).
                reservedConcurrency: config.reservedConcurrency,
            },
            { parent: this },
        );
        this.bucket.grantRead(fn, "ReadBatchInput", config.prefix);
        return { fn, targets: fn.arn.apply((processorFunctionArn) => ({ processorFunctionArn })), grant: (workflow) => fn.grantInvoke(workflow) };
    }

    /** The ECS processor: one Fargate task per item, awaited with runTask.sync (apps/batch/src/main.ts). */
    private createEcsProcessor(name: string, args: BatchAppArgs): ItemProcessor {
        const { ctx, config } = args;
        if (!args.ecs || !config.task) throw new Error(`BatchApp ${name}: processor ecs needs the network, the batch repository and the task settings`);
        const ecs = new BatchEcsProcessor(
            `${name}-item`,
            {
                ctx,
                bucket: this.bucket,
                prefix: config.prefix,
                task: config.task,
                network: args.ecs.network,
                repository: args.ecs.repository,
                containerInsights: args.ecs.containerInsights,
                namePrefix: args.ecs.namePrefix,
            },
            { parent: this },
        );
        return { ecs, targets: ecs.targets().apply((ecsProcessor) => ({ ecsProcessor })), grant: (workflow) => ecs.grantRunTask(workflow) };
    }
}

/** What the workflow needs of an item processor: its part of the ASL targets, and the grant to call it. */
interface ItemProcessor {
    fn?: LambdaFunction;
    ecs?: BatchEcsProcessor;
    targets: pulumi.Output<Pick<BatchWorkflowTargets, "processorFunctionArn" | "ecsProcessor">>;
    grant: (workflow: StateMachine) => void;
}
