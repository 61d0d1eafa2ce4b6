import * as pulumi from "@pulumi/pulumi";
import { ACCEPTED_RESPONSE_TEMPLATE, KINESIS_THROTTLING_ERROR_TYPES, putRecordRequestTemplate } from "../../apps/ingest/integration";
import type { IngestConfig } from "../config/data-apps";
import { Api } from "../serverless/api";
import type { ServerlessContext } from "../serverless/common";
import { LambdaFunction } from "../serverless/function";
import { Stream } from "../serverless/stream";
import { Table } from "../serverless/table";
import { withTransforms, type Transformable } from "../transform";

export interface IngestAppArgs extends Transformable {
    ctx: ServerlessContext;
    config: IngestConfig;
    /** The account's API Gateway logging role (ApiGatewayLoggingRole): the stage's execution logs wait for it. */
    loggingRole?: pulumi.Resource;
}

/** The webhook's route. */
export const INGEST_PATH = "/events";

/**
 * apps/ingest, storage-first: `POST /events` (IAM-authorized, throttled) goes straight from
 * API Gateway into a Kinesis stream (no function in the request path; the integration role may
 * only PutRecord(s) on that stream), behind a WAF web ACL where configured; a consumer function
 * stores each record once in a table
 * (apps/ingest/README.md).
 */
export class IngestApp extends pulumi.ComponentResource {
    readonly stream: Stream;
    readonly table: Table;
    readonly consumer: LambdaFunction;
    readonly api: Api;
    /** Where senders POST their events. */
    readonly url: pulumi.Output<string>;

    /** `name` is `<project>-<stack>-ingest`. */
    constructor(name: string, args: IngestAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Ingest", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };

        this.stream = new Stream(
            name,
            { streamName: name, mode: config.streamMode, shardCount: config.shardCount, retentionHours: config.retentionHours, kmsKeyArn: ctx.dataKeyArn, region: ctx.region, protect: ctx.protect },
            parent,
        );
        this.table = new Table(`${name}-events`, { ctx, partitionKey: { name: "eventId", type: "S" } }, parent);
        this.consumer = new LambdaFunction(
            `${name}-consumer`,
            {
                ctx,
                entry: "apps/ingest/src/consumer.ts",
                description: "Ingest: stores each webhook event from the stream once",
                configKey: "platform:ingest",
                timeoutSeconds: 60,
                environment: { EVENTS_TABLE_NAME: this.table.name },
            },
            parent,
        );
        // What apps/ingest/src/consumer.ts calls: a conditional PutItem, and GetItem to tell a resent event from a reused key.
        this.table.grantItems(this.consumer, ["PutItem", "GetItem"]);
        this.stream.subscribe(
            { functionArn: this.consumer.arn, functionName: this.consumer.functionName, grantee: this.consumer, resource: this.consumer },
            {
                batchSize: config.batchSize,
                batchWindowSeconds: config.batchWindowSeconds,
                maxRetries: config.maxRetries,
                maxRecordAgeSeconds: config.maxRecordAgeSeconds,
                parallelizationFactor: config.parallelizationFactor,
                alarmTopicArn: ctx.alarmTopicArn,
            },
        );

        this.api = new Api(
            `${name}-api`,
            {
                ctx,
                description: "Ingest webhook: request bodies go straight into the ingest stream",
                routes: [
                    {
                        method: "POST",
                        path: INGEST_PATH,
                        integration: {
                            kind: "aws",
                            service: "kinesis",
                            action: "PutRecord",
                            // A plain string (the stream's name is known up front): the API's deployment
                            // fingerprint sees the template, so changing it redeploys the stage.
                            requestTemplate: putRecordRequestTemplate(name),
                            // Kinesis' JSON protocol (AWS's Kinesis proxy tutorial sets the same).
                            requestHeaders: { "Content-Type": "'application/x-amz-json-1.1'" },
                            responseTemplate: ACCEPTED_RESPONSE_TEMPLATE,
                            // Throttled senders get 503 + Retry-After (a retry), not 400 (a drop).
                            throttlingErrorTypes: KINESIS_THROTTLING_ERROR_TYPES,
                        },
                        // The consumer stores JSON objects: anything else is refused at the edge with a 400.
                        requestSchema: { type: "object" },
                    },
                ],
                authorization: { type: "AWS_IAM" },
                throttle: config.throttle,
                loggingRole: args.loggingRole,
                // Webhook bodies may pass the common rule set's 8 KB: counted, not blocked.
                webAcl: config.waf ? { rateLimitPer5Minutes: config.wafRateLimitPerIp, allowLargeBodies: true } : undefined,
            },
            parent,
        );
        this.stream.grantWrite(this.api.integrationRole!, "PutWebhookRecords");
        this.url = pulumi.interpolate`${this.api.url}${INGEST_PATH}`;
        this.registerOutputs({ url: this.url, streamName: this.stream.streamName, tableName: this.table.name });
    }
}
