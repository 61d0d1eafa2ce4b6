import * as pulumi from "@pulumi/pulumi";
import { batchWorkflow } from "../../apps/batch/workflow";
import type { BatchConfig } from "../config/data-apps";
import { Bucket, BucketArgs } from "../serverless/bucket";
import type { ServerlessContext } from "../serverless/common";
import { LambdaFunction } from "../serverless/function";
import { StateMachine } from "../serverless/state-machine";
import { withTransforms, type Transformable } from "../transform";

export interface BatchAppArgs extends Transformable {
    ctx: ServerlessContext;
    /** Where the bucket's server access logs go. @default none */
    accessLogs?: BucketArgs["accessLogs"];
    config: BatchConfig;
}

/**
 * apps/batch: a Distributed Map over the objects (or the JSON/CSV records of one file) under the
 * bucket's input prefix, each item processed by a function in its own child workflow, results
 * written under the result prefix (apps/batch/README.md). Started by hand or by a scheduler:
 * `aws stepfunctions start-execution --state-machine-arn <batchStateMachineArn>`.
 */
export class BatchApp extends pulumi.ComponentResource {
    readonly bucket: Bucket;
    readonly processor: LambdaFunction;
    readonly workflow: StateMachine;

    /** `name` is `<project>-<stack>-batch`. */
    constructor(name: string, args: BatchAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Batch", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };

        this.bucket = new Bucket(name, { kmsKeyArn: ctx.dataKeyArn, region: ctx.region, noncurrentVersionExpiryDays: config.noncurrentVersionExpiryDays, accessLogs: args.accessLogs, protect: ctx.protect }, parent);
        this.processor = new LambdaFunction(
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
            parent,
        );
        this.bucket.grantRead(this.processor, "ReadBatchInput", config.prefix);

        this.workflow = new StateMachine(
            `${name}-workflow`,
            {
                stateMachineName: name,
                definition: pulumi.all([this.processor.arn, this.bucket.name]).apply(([processorFunctionArn, bucketName]) =>
                    batchWorkflow({
                        processorFunctionArn,
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
                    this.processor.grantInvoke(workflow);
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
}
