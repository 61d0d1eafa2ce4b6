import * as pulumi from "@pulumi/pulumi";
import type { FanoutConfig } from "../config";
import { Api, Bus, BusRule, LambdaFunction, Queue, ServerlessContext, Topic } from "../serverless";
import { apiAuthorization } from "./translate";
import { withTransforms, type Transformable } from "../transform";

export interface FanoutAppArgs extends Transformable {
    ctx: ServerlessContext;
    /** `platform:fanout`. */
    config: FanoutConfig;
    loggingRole?: pulumi.Resource;
}

/** The source the API stamps on every event (apps/fanout/src/events.ts): callers cannot impersonate another. */
const API_SOURCE = "platform.fanout.api";

/**
 * The PutEvents request, mapped from `{"detailType": "...", "detail": {...}}`. escapeJavaScript
 * escapes `'` as `\'`, which is not JSON: put the quotes back (replaceAll takes a Java regex, so
 * the VTL needs `\\'`, a backslash then a quote).
 */
const putEventsTemplate = (busName: pulumi.Input<string>) =>
    pulumi.interpolate`{"Entries":[{"EventBusName":"${busName}","Source":"${API_SOURCE}","DetailType":"$util.escapeJavaScript($input.path('$.detailType')).replaceAll("\\\\'","'")","Detail":"$util.escapeJavaScript($input.json('$.detail')).replaceAll("\\\\'","'")"}]}`;

/** PutEvents answers 200 even when it rejected the entry: turn that into a 502. */
const PUT_EVENTS_RESPONSE = `#set($r = $input.path('$'))
#if($r.FailedEntryCount > 0)
#set($context.responseOverride.status = 502)
{"message":"the event was not accepted","errorCode":"$r.Entries[0].ErrorCode","requestId":"$context.requestId"}
#else
{"eventId":"$r.Entries[0].EventId"}
#end`;

const EVENT_SCHEMA = {
    type: "object",
    required: ["detailType", "detail"],
    additionalProperties: false,
    properties: { detailType: { type: "string", minLength: 1, maxLength: 128 }, detail: { type: "object" } },
};

/**
 * Fan-out through EventBridge (apps/fanout): `POST /events` is integrated directly with
 * PutEvents (no function in the request path, IAM or Cognito authorization), and rules route
 * to three kinds of subscriber, each with a dead-letter queue:
 * - every event → the audit queue → the auditor function (batch, partial failures);
 * - `OrderPlaced` → the notifier function (asynchronous, on-failure queue);
 * - `detail.priority = "high"` → the alerts topic (an input transformer writes a readable line).
 * With `platform:fanout.partnerEventSource`, the SaaS partner's bus is created too and all its
 * events go to the audit queue.
 */
export class FanoutApp extends pulumi.ComponentResource {
    readonly bus: Bus;
    readonly partnerBus?: Bus;
    readonly api: Api;
    readonly auditQueue: Queue;
    readonly alertsTopic: Topic;
    readonly functions: { auditor: LambdaFunction; notifier: LambdaFunction };

    constructor(name: string, args: FanoutAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:FanoutApp", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };
        const sized = (fn: keyof FanoutConfig["functions"]) => ({ ...config.functions[fn], configKey: `platform:fanout.functions.${fn}` });

        this.bus = new Bus(`${name}-bus`, { ctx, archiveRetentionDays: config.archiveRetentionDays }, parent);
        const everything = this.bus.addRule(`${name}-all`, { eventPattern: { source: [API_SOURCE] }, description: "Every event from the API, to the audit queue" });
        const orders = this.bus.addRule(`${name}-orders`, { eventPattern: { source: [API_SOURCE], "detail-type": ["OrderPlaced"] }, description: "Orders, to the notifier function" });
        const priority = this.bus.addRule(`${name}-priority`, { eventPattern: { source: [API_SOURCE], detail: { priority: ["high"] } }, description: "High-priority events, to the alerts topic" });

        let partnerRule: BusRule | undefined;
        if (config.partnerEventSource) {
            this.partnerBus = new Bus(`${name}-partner`, { ctx, archiveRetentionDays: config.archiveRetentionDays, partnerEventSourceName: config.partnerEventSource }, parent);
            partnerRule = this.partnerBus.addRule(`${name}-partner-all`, { eventPattern: { source: [{ prefix: "aws.partner/" }] }, description: `Every event from ${config.partnerEventSource}, to the audit queue` });
        }

        const auditor = new LambdaFunction(`${name}-auditor`, { ctx, entry: "apps/fanout/src/auditor.ts", description: "Audits every event from the fan-out bus, in batches", ...sized("auditor") }, parent);
        this.auditQueue = new Queue(`${name}-audit`, { ctx, consumer: { function: auditor, batchSize: 10 }, senders: [everything.asSender(), ...(partnerRule ? [partnerRule.asSender()] : [])] }, parent);
        everything.targetQueue("audit", this.auditQueue);
        partnerRule?.targetQueue("audit", this.auditQueue);

        const notifier = new LambdaFunction(
            `${name}-notifier`,
            { ctx, entry: "apps/fanout/src/notifier.ts", description: "Notifies about each order placed", asyncInvocation: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 }, ...sized("notifier") },
            parent,
        );
        orders.targetFunction("notifier", notifier);

        this.alertsTopic = new Topic(`${name}-alerts`, { ctx, senders: [priority.asSender()] }, parent);
        priority.targetTopic("alerts", this.alertsTopic, {
            inputTransformer: { inputPaths: { type: "$.detail-type", id: "$.id", time: "$.time" }, inputTemplate: '"High-priority <type> event <id> at <time>"' },
        });
        this.functions = { auditor, notifier };

        this.api = new Api(
            `${name}-api`,
            {
                ctx,
                description: "Fan-out API: events straight to EventBridge",
                authorization: apiAuthorization(config.api),
                throttle: config.api.throttle,
                loggingRole: args.loggingRole,
                webAcl: config.api.waf ? { rateLimitPer5Minutes: config.api.wafRateLimitPer5Minutes } : undefined,
                routes: [
                    {
                        method: "POST",
                        path: "/events",
                        requestSchema: EVENT_SCHEMA,
                        integration: {
                            kind: "aws",
                            service: "events",
                            action: "PutEvents",
                            requestHeaders: { "X-Amz-Target": "'AWSEvents.PutEvents'", "Content-Type": "'application/x-amz-json-1.1'" },
                            requestTemplate: putEventsTemplate(this.bus.name),
                            responseTemplate: PUT_EVENTS_RESPONSE,
                        },
                    },
                ],
            },
            parent,
        );
        this.bus.grantPutEvents(this.api.integrationRole!);
        this.registerOutputs({ url: this.api.url, busName: this.bus.name, alertsTopicArn: this.alertsTopic.arn });
    }
}
