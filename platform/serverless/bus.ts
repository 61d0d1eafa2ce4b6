import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { policyJson } from "../iam";
import { deadLetterAlarm, deadLetterQueue, senderQueuePolicy, ServerlessContext, ServiceSender, sidOf } from "./common";
import type { LambdaFunction } from "./function";
import type { Queue } from "./queue";
import type { Topic } from "./topic";
import { withTransforms, type Transformable } from "../transform";

export interface BusArgs extends Transformable {
    ctx: ServerlessContext;
    /**
     * Days the archive keeps every event for replay (`StartReplay`); 0 keeps them forever.
     * @default 7
     */
    archiveRetentionDays?: number;
    /**
     * An organization whose accounts may also put events (`aws:PrincipalOrgID`).
     * @default undefined (this account only)
     */
    organizationId?: string;
    /**
     * A SaaS partner event source (`aws.partner/salesforce.com/...`): the bus is the partner's
     * bus, named after the source, and the partner (not a bus policy) decides what arrives.
     * @default undefined (a custom bus)
     */
    partnerEventSourceName?: string;
}

export interface RuleArgs {
    /** EventBridge event pattern, e.g. `{ source: ["orders"], "detail-type": ["OrderPlaced"] }`. */
    eventPattern: Record<string, unknown>;
    description: string;
}

export interface TargetArgs {
    /**
     * Delivery attempts for a target that fails or throttles, 0-185.
     * @default 8
     */
    maximumRetryAttempts?: number;
    /**
     * Oldest event still delivered, 60-86400 s; then it goes to the rule's dead-letter queue.
     * @default 3600
     */
    maximumEventAgeSeconds?: number;
    /** Reshapes the event for the target: `inputPaths` pick values, `inputTemplate` places them (`<name>`). */
    inputTransformer?: { inputPaths?: Record<string, string>; inputTemplate: string };
}

/**
 * An EventBridge custom bus (or a SaaS partner's bus) with a resource policy that admits this
 * account (and optionally its organization) only, an archive for replay, and rules whose
 * targets each carry a retry policy and a dead-letter queue.
 *
 * Cost: $1.00 per million custom events published; archive $0.10 per GB stored, replay $0.10 per GB.
 */
export class Bus extends pulumi.ComponentResource {
    readonly bus: aws.cloudwatch.EventBus;
    readonly archive: aws.cloudwatch.EventArchive;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    private readonly label: string;
    private readonly ctx: ServerlessContext;

    constructor(name: string, args: BusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Bus", name, {}, withTransforms(opts, args.transform));
        this.ctx = args.ctx;
        this.label = sidOf(name);
        const partner = args.partnerEventSourceName;
        this.bus = new aws.cloudwatch.EventBus(name, { name: partner ?? name, eventSourceName: partner, description: partner ? `Events from ${partner}` : `Custom bus ${name}` }, { parent: this });
        this.name = this.bus.name;
        this.arn = this.bus.arn;
        if (!partner) {
            new aws.cloudwatch.EventBusPolicy(
                name,
                {
                    eventBusName: this.bus.name,
                    policy: policyJson({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "ThisAccountPutsEvents",
                                Effect: "Allow",
                                Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.ctx.accountId}:root` },
                                Action: "events:PutEvents",
                                Resource: this.bus.arn,
                            },
                            ...(args.organizationId
                                ? [
                                      {
                                          Sid: "OrganizationPutsEvents",
                                          Effect: "Allow" as const,
                                          Principal: "*",
                                          Action: "events:PutEvents",
                                          Resource: this.bus.arn,
                                          Condition: { StringEquals: { "aws:PrincipalOrgID": args.organizationId } },
                                      },
                                  ]
                                : []),
                        ],
                    }),
                },
                { parent: this },
            );
        }
        const retention = args.archiveRetentionDays ?? 7;
        if (!Number.isInteger(retention) || retention < 0) throw new Error(`bus ${name}: archiveRetentionDays must be a whole number of days (0 = forever), got ${retention}`);
        this.archive = new aws.cloudwatch.EventArchive(
            name,
            { name: name.slice(0, 48), eventSourceArn: this.bus.arn, retentionDays: retention, description: `Every event on ${partner ?? name}, for replay` },
            { parent: this },
        );
        this.registerOutputs({ arn: this.arn, name: this.name, archiveArn: this.archive.arn });
    }

    /** A rule on this bus; add targets to it. Each rule has its own dead-letter queue for its targets. */
    addRule(name: string, args: RuleArgs): BusRule {
        return new BusRule(name, { bus: this, ctx: this.ctx, ...args }, { parent: this });
    }

    /** Put events on this bus (nothing else). */
    grantPutEvents(grantee: Grantee): void {
        grantee.addGrant({ sid: `PutEventsOn${this.label}`, actions: ["events:PutEvents"], resources: [this.arn] });
    }
}

export interface BusRuleArgs extends RuleArgs, Transformable {
    bus: Bus;
    ctx: ServerlessContext;
}

/** One rule on a bus, its dead-letter queue, and its targets. */
export class BusRule extends pulumi.ComponentResource {
    readonly rule: aws.cloudwatch.EventRule;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly arn: pulumi.Output<string>;
    private readonly name: string;
    private readonly targetIds = new Set<string>();

    constructor(name: string, args: BusRuleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:BusRule", name, {}, withTransforms(opts, args.transform));
        this.name = name;
        this.rule = new aws.cloudwatch.EventRule(name, { eventBusName: args.bus.name, eventPattern: JSON.stringify(args.eventPattern), description: args.description, state: "ENABLED" }, { parent: this });
        this.arn = this.rule.arn;
        this.deadLetterQueue = deadLetterQueue(`${name}-dlq`, args.ctx, this);
        senderQueuePolicy(`${name}-dlq`, this.deadLetterQueue, [{ sid: "RuleDeadLetters", service: "events.amazonaws.com", sourceArn: this.rule.arn }], args.ctx.dataKeyUsers, this);
        deadLetterAlarm(`${name}-dlq`, this.deadLetterQueue, args.ctx, this, `Rule ${name} could not deliver events to a target after its retries; they are in ${name}-dlq with the error in their attributes.`);
        this.registerOutputs({ arn: this.arn, deadLetterQueueArn: this.deadLetterQueue.arn });
    }

    /** The sender entry a target queue or topic must list (rule ARN as `aws:SourceArn`). */
    asSender(sid = `From${sidOf(this.name)}`): ServiceSender {
        return { sid, service: "events.amazonaws.com", sourceArn: this.arn };
    }

    /** Delivers matching events to a queue built with `this.asSender()` among its senders. */
    targetQueue(id: string, queue: Queue, args: TargetArgs = {}): aws.cloudwatch.EventTarget {
        return this.target(id, queue.arn, args);
    }

    /** Delivers matching events to a topic built with `this.asSender()` among its senders. */
    targetTopic(id: string, topic: Topic, args: TargetArgs = {}): aws.cloudwatch.EventTarget {
        return this.target(id, topic.arn, args);
    }

    /** Invokes a function (asynchronously; it must be built with `asyncInvocation`). */
    targetFunction(id: string, fn: LambdaFunction, args: TargetArgs = {}): aws.cloudwatch.EventTarget {
        if (!fn.asyncInvocation) throw new Error(`${this.name}: function ${fn.functionName} is invoked asynchronously by EventBridge; build it with asyncInvocation so failed events are kept`);
        // The rule's ARN only: EventBridge does not pass a source account, so a SourceAccount condition
        // would make every invocation fail (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
        new aws.lambda.Permission(`${this.name}-${id}`, { action: "lambda:InvokeFunction", function: fn.function.name, principal: "events.amazonaws.com", sourceArn: this.arn }, { parent: this });
        return this.target(id, fn.arn, args);
    }

    private target(id: string, arn: pulumi.Input<string>, args: TargetArgs): aws.cloudwatch.EventTarget {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`${this.name}: target id "${id}" must be 1-64 letters, digits, . _ or -`);
        if (this.targetIds.has(id)) throw new Error(`${this.name}: target id "${id}" is already used on this rule`);
        this.targetIds.add(id);
        const retries = args.maximumRetryAttempts ?? 8;
        const age = args.maximumEventAgeSeconds ?? 3600;
        if (!Number.isInteger(retries) || retries < 0 || retries > 185) throw new Error(`${this.name}/${id}: maximumRetryAttempts must be 0-185, got ${retries}`);
        if (!Number.isInteger(age) || age < 60 || age > 86400) throw new Error(`${this.name}/${id}: maximumEventAgeSeconds must be 60-86400, got ${age}`);
        return new aws.cloudwatch.EventTarget(
            `${this.name}-${id}`,
            {
                rule: this.rule.name,
                eventBusName: this.rule.eventBusName,
                targetId: id,
                arn,
                deadLetterConfig: { arn: this.deadLetterQueue.arn },
                retryPolicy: { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age },
                inputTransformer: args.inputTransformer ? { inputPaths: args.inputTransformer.inputPaths, inputTemplate: args.inputTransformer.inputTemplate } : undefined,
            },
            { parent: this },
        );
    }
}
