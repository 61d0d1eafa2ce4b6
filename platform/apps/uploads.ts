import * as pulumi from "@pulumi/pulumi";
import { uploadsWorkflow } from "../../apps/uploads/workflow";
import type { UploadsConfig } from "../config/data-apps";
import { Bucket, BucketArgs } from "../serverless/bucket";
import { Bus } from "../serverless/bus";
import type { ServerlessContext } from "../serverless/common";
import { LambdaFunction } from "../serverless/function";
import { ObjectCreatedWorkflow } from "../serverless/object-events";
import { StateMachine } from "../serverless/state-machine";
import { Table } from "../serverless/table";
import { withTransforms, type Transformable } from "../transform";

/** The `source` of the events the uploads workflow publishes on its bus. */
export const UPLOADS_EVENT_SOURCE = "platform.uploads";

export interface UploadsAppArgs extends Transformable {
    ctx: ServerlessContext;
    /** Where the bucket's server access logs go. @default none */
    accessLogs?: BucketArgs["accessLogs"];
    config: UploadsConfig;
}

/**
 * apps/uploads: images written under the bucket's prefix are validated, labelled by Rekognition,
 * stored in a table and announced on the app's bus, by a Step Functions workflow that S3 starts
 * through EventBridge (apps/uploads/README.md).
 */
export class UploadsApp extends pulumi.ComponentResource {
    readonly bucket: Bucket;
    readonly table: Table;
    readonly bus: Bus;
    readonly validate: LambdaFunction;
    readonly detectLabels: LambdaFunction;
    readonly workflow: StateMachine;
    readonly trigger: ObjectCreatedWorkflow;
    /** Objects created under it start the workflow. */
    readonly prefix: string;

    /** `name` is `<project>-<stack>-uploads`: the bucket, table, functions and workflow are named after it. */
    constructor(name: string, args: UploadsAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Uploads", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };
        this.prefix = config.prefix;

        this.bucket = new Bucket(
            name,
            { kmsKeyArn: ctx.dataKeyArn, region: ctx.region, noncurrentVersionExpiryDays: config.noncurrentVersionExpiryDays, accessLogs: args.accessLogs, eventBridgeNotifications: true, protect: ctx.protect },
            parent,
        );
        this.table = new Table(`${name}-results`, { ctx, partitionKey: { name: "objectKey", type: "S" }, sortKey: { name: "versionId", type: "S" } }, parent);
        this.bus = new Bus(`${name}-events`, { ctx }, parent);

        // Timeouts sit below the workflow's task timeouts (30 s and 60 s), so a slow call fails as the function's own error.
        this.validate = new LambdaFunction(
            `${name}-validate`,
            {
                ctx,
                entry: "apps/uploads/src/validate.ts",
                description: "Uploads: checks an uploaded object is a JPEG or PNG within the size limit",
                configKey: "platform:uploads",
                timeoutSeconds: 20,
                environment: { MAX_OBJECT_BYTES: String(config.maxObjectSizeMb * 1024 * 1024) },
            },
            parent,
        );
        this.detectLabels = new LambdaFunction(
            `${name}-detect-labels`,
            {
                ctx,
                entry: "apps/uploads/src/detect-labels.ts",
                description: "Uploads: detects an image's labels with Amazon Rekognition",
                configKey: "platform:uploads",
                timeoutSeconds: 45,
                environment: { MIN_CONFIDENCE: String(config.minConfidence), MAX_LABELS: String(config.maxLabels) },
            },
            parent,
        );
        this.bucket.grantRead(this.validate, "ReadUploads", config.prefix);
        // Rekognition reads the image from S3 with the caller's credentials: the function needs the read grant itself.
        this.bucket.grantRead(this.detectLabels, "ReadUploads", config.prefix);
        // DetectLabels has no resource-level permissions: "*" is the only resource it accepts.
        this.detectLabels.addGrant({ sid: "DetectLabels", actions: ["rekognition:DetectLabels"], resources: ["*"] });

        this.workflow = new StateMachine(
            `${name}-workflow`,
            {
                stateMachineName: name,
                definition: pulumi
                    .all([this.validate.arn, this.detectLabels.arn, this.table.name, this.bus.name])
                    .apply(([validateFunctionArn, detectLabelsFunctionArn, tableName, eventBusName]) =>
                        uploadsWorkflow({ validateFunctionArn, detectLabelsFunctionArn, tableName, eventBusName, eventSource: UPLOADS_EVENT_SOURCE }),
                    ),
                logLevel: config.level,
                includeExecutionData: config.includeExecutionData,
                logRetentionDays: ctx.logRetentionDays,
                logsKmsKeyArn: ctx.logsKeyArn,
                region: ctx.region,
                accountId: ctx.accountId,
                taskGrants: (workflow) => {
                    this.validate.grantInvoke(workflow);
                    this.detectLabels.grantInvoke(workflow);
                    this.table.grantWriteData(workflow);
                    this.bus.grantPutEvents(workflow);
                },
                alarmTopicArn: ctx.alarmTopicArn,
                protect: ctx.protect,
            },
            parent,
        );

        this.trigger = new ObjectCreatedWorkflow(
            `${name}-created`,
            {
                ruleName: `${name}-object-created`,
                bucketName: this.bucket.name,
                prefix: config.prefix,
                workflow: this.workflow,
                kmsKeyArn: ctx.dataKeyArn,
                keyUsers: ctx.dataKeyUsers,
                region: ctx.region,
                accountId: ctx.accountId,
                alarmTopicArn: ctx.alarmTopicArn,
            },
            parent,
        );
        this.registerOutputs({ bucketName: this.bucket.name, stateMachineArn: this.workflow.arn, tableName: this.table.name, eventBusName: this.bus.name });
    }
}
