import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { definePublicAccessPolicy, forEachStatement } from "../lib/documents";
import { dependsOn, names, refersTo } from "../lib/graph";
import { readJson } from "../lib/json";
import { bool, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/** SQS keeps messages 4 days unless told otherwise. */
const DEFAULT_RETENTION_SECONDS = 345_600;

/**
 * SQS encryption: since late 2022 new queues get SSE-SQS (SQS-managed keys) unless
 * sqsManagedSseEnabled is false, so an omitted setting is encrypted. Only an explicit opt-out
 * without a KMS key is a violation, unless the config asks for customer-managed keys.
 */
export const sqsEncryption = defineResourcePolicy<{ requireCustomerManagedKey: boolean }>({
    name: "sqs-encryption",
    description: "SQS queues are encrypted at rest (SQS-managed SSE, on by default, or a KMS key).",
    severity: "medium",
    frameworks: ["FSBP SQS.1"],
    remediation: "Remove sqsManagedSseEnabled: false, or set kmsMasterKeyId to a KMS key (required when requireCustomerManagedKey is on).",
    types: [T.sqsQueue],
    config: { requireCustomerManagedKey: { type: "boolean", default: false, description: "Require kmsMasterKeyId instead of accepting SQS-managed SSE." } },
    validate: ({ props, config }, report) => {
        const kms = str(props.kmsMasterKeyId);
        if (kms) return;
        if (config.requireCustomerManagedKey) {
            report("kmsMasterKeyId is not set; expected a customer-managed KMS key (requireCustomerManagedKey is on)");
        } else if (bool(props.sqsManagedSseEnabled) === false) {
            report("sqsManagedSseEnabled is false and kmsMasterKeyId is not set, so messages are stored unencrypted; expected SSE-SQS or a KMS key");
        }
    },
});

export const sqsQueuePolicyNotPublic = definePublicAccessPolicy({
    name: "sqs-queue-policy-not-public",
    description: "SQS queue policies do not grant access to anyone.",
    severity: "medium",
    frameworks: ["FSBP SQS.3"],
    remediation: "Grant named principals, or scope a service principal with aws:SourceArn (e.g. the SNS topic or EventBridge rule that sends to it).",
    types: [T.sqsQueue, T.sqsQueuePolicy],
});

interface Redrive {
    source: PolicyResource;
    /** Where the redrive policy lives (the queue itself or an aws.sqs.RedrivePolicy). */
    holder: PolicyResource;
    value: unknown;
}

/** Redrive policies per source queue: the queue's own property, or an aws.sqs.RedrivePolicy for it. */
function redrivesOf(queues: PolicyResource[], standalone: PolicyResource[]): Redrive[] {
    const redrives: Redrive[] = [];
    for (const queue of queues) if (queue.props.redrivePolicy !== undefined) redrives.push({ source: queue, holder: queue, value: queue.props.redrivePolicy });
    for (const policy of standalone) {
        const source = queues.find((queue) => refersTo(policy, queue, ["queueUrl"], ["name", "url"]));
        if (source) redrives.push({ source, holder: policy, value: policy.props.redrivePolicy });
    }
    return redrives;
}

function targetOf(value: unknown): { target?: string; maxReceiveCount?: number; error?: string } {
    const parsed = readJson(value, "redrivePolicy");
    if (parsed.state === "invalid") return { error: parsed.message };
    const policy = rec(parsed.state === "ok" ? parsed.value : undefined);
    return { target: str(policy.deadLetterTargetArn), maxReceiveCount: num(policy.maxReceiveCount) };
}

/** Where resources name their dead-letter (or on-failure) queue. */
function deadLetterReference(resource: PolicyResource): unknown {
    const props = resource.props;
    switch (resource.type) {
        case T.sqsQueue:
        case T.sqsRedrivePolicy:
        case T.snsSubscription:
            return targetOf(props.redrivePolicy).target;
        case T.eventTarget:
            return rec(props.deadLetterConfig).arn;
        case T.schedule:
            return rec(rec(props.target).deadLetterConfig).arn;
        case T.lambdaFunction:
            return rec(props.deadLetterConfig).targetArn;
        case T.lambdaEventInvokeConfig:
            return rec(rec(props.destinationConfig).onFailure).destination;
        case T.lambdaEventSourceMapping:
            return rec(rec(props.destinationConfig).onFailure).destinationArn;
        default:
            return undefined;
    }
}

const DEAD_LETTER_USERS = [T.sqsQueue, T.sqsRedrivePolicy, T.snsSubscription, T.eventTarget, T.schedule, T.lambdaFunction, T.lambdaEventInvokeConfig, T.lambdaEventSourceMapping];

export const sqsDeadLetterQueue = defineStackPolicy<{ minimumMaxReceiveCount: number; maximumMaxReceiveCount: number }>({
    name: "sqs-dead-letter-queue",
    description: "Every SQS queue (other than a dead-letter or on-failure queue) redrives to a DLQ after a few receives, and the DLQ keeps messages longer than its source.",
    severity: "medium",
    frameworks: ["Reliability 2"],
    remediation: "Set redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }) and give the DLQ a longer messageRetentionSeconds (e.g. 14 days) than the source.",
    types: [T.sqsQueue, ...DEAD_LETTER_USERS],
    config: {
        minimumMaxReceiveCount: { type: "integer", minimum: 1, default: 3, description: "Fewest receives before a message is dead-lettered." },
        maximumMaxReceiveCount: { type: "integer", minimum: 1, default: 20, description: "Most receives before a message is dead-lettered." },
    },
    validate: (stack, report) => {
        const queues = stack.ofType(T.sqsQueue);
        // Gathered unguarded: an unknown redrive or dead-letter reference must not make a queue
        // read as having no DLQ (the whole policy is then indeterminate at preview).
        const redrives = redrivesOf(queues, stack.ofType(T.sqsRedrivePolicy));
        const dlqOf = (redrive: Redrive, target: string | undefined) => queues.find((queue) => queue !== redrive.source && ((target !== undefined && names(target, queue)) || dependsOn(redrive.holder, queue)));
        // Queues that something dead-letters into: SQS redrive, SNS subscriptions, EventBridge
        // targets, Scheduler schedules, Lambda DLQs and on-failure destinations.
        const deadLetterQueues = new Set<PolicyResource>();
        for (const user of stack.ofType(...DEAD_LETTER_USERS)) {
            const reference = deadLetterReference(user);
            if (reference === undefined) continue;
            for (const queue of queues) if (queue !== user && names(reference, queue)) deadLetterQueues.add(queue);
        }
        for (const redrive of redrives) {
            const dlq = dlqOf(redrive, targetOf(redrive.value).target);
            if (dlq) deadLetterQueues.add(dlq);
        }
        for (const queue of queues) {
            stack.guard(() => {
                // A queue that others dead-letter into, or that declares who may, is a DLQ itself.
                if (deadLetterQueues.has(queue) || queue.props.redriveAllowPolicy !== undefined) return;
                const redrive = redrives.find((r) => r.source === queue);
                if (!redrive) {
                    report("redrivePolicy is not set; expected a dead-letter queue (deadLetterTargetArn) so poison messages stop being retried", queue.urn);
                    return;
                }
                const { target, maxReceiveCount, error } = targetOf(redrive.value);
                if (error) return report(error, redrive.holder.urn);
                if (!target) return report("redrivePolicy has no deadLetterTargetArn; expected the DLQ's ARN", redrive.holder.urn);
                const { minimumMaxReceiveCount: min, maximumMaxReceiveCount: max } = stack.config;
                if (maxReceiveCount === undefined || maxReceiveCount < min || maxReceiveCount > max) {
                    report(`redrivePolicy.maxReceiveCount is ${show(maxReceiveCount)}; expected between ${min} and ${max}`, redrive.holder.urn);
                }
                const dlq = dlqOf(redrive, target);
                if (!dlq) return; // a DLQ outside this stack: its retention cannot be checked here
                const sourceRetention = num(queue.props.messageRetentionSeconds) ?? DEFAULT_RETENTION_SECONDS;
                const dlqRetention = num(dlq.props.messageRetentionSeconds) ?? DEFAULT_RETENTION_SECONDS;
                if (dlqRetention <= sourceRetention) {
                    report(
                        `dead-letter queue ${dlq.name} keeps messages ${dlqRetention} s, not longer than this queue's ${sourceRetention} s; expected a longer messageRetentionSeconds on the DLQ (e.g. 1209600)`,
                        queue.urn,
                    );
                }
            });
        }
    },
});

export const snsTopicEncryption = defineResourcePolicy({
    name: "sns-topic-encryption",
    description: "SNS topics are encrypted at rest with KMS.",
    severity: "medium",
    frameworks: ["FSBP SNS.1"],
    remediation: "Set kmsMasterKeyId to a customer-managed key (its policy must admit the publishing services) or alias/aws/sns.",
    types: [T.snsTopic],
    validate: ({ props }, report) => {
        if (!str(props.kmsMasterKeyId)) report("kmsMasterKeyId is not set; expected a KMS key");
    },
});

export const snsTopicPolicyNotPublic = definePublicAccessPolicy({
    name: "sns-topic-policy-not-public",
    description: "SNS topic policies do not grant access to anyone.",
    severity: "high",
    frameworks: ["FSBP SNS.4"],
    remediation: "Grant named principals, or scope service principals with aws:SourceArn / aws:SourceAccount.",
    types: [T.snsTopic, T.snsTopicPolicy],
});

export const snsSubscriptionRedrive = defineResourcePolicy({
    name: "sns-subscription-redrive",
    description: "SNS subscriptions have a redrive policy, so undeliverable messages land in a DLQ.",
    severity: "medium",
    frameworks: ["Reliability 5"],
    remediation: "Set redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) (the DLQ's policy must let SNS send to it).",
    types: [T.snsSubscription],
    validate: ({ props }, report) => {
        const parsed = readJson(props.redrivePolicy, "redrivePolicy");
        if (parsed.state === "invalid") return report(parsed.message);
        if (parsed.state === "absent" || !str(rec(parsed.value).deadLetterTargetArn)) report(`redrivePolicy is ${show(props.redrivePolicy)}; expected { deadLetterTargetArn: <SQS queue ARN> }`);
    },
});

export const eventBridgeCustomBusPolicy = defineStackPolicy({
    name: "eventbridge-custom-bus-policy",
    description: "Custom EventBridge buses have a resource policy saying who may put events.",
    severity: "low",
    frameworks: ["FSBP EventBridge.3"],
    remediation: "Add an aws.cloudwatch.EventBusPolicy for the bus that allows events:PutEvents to the accounts or services that publish.",
    types: [T.eventBus, T.eventBusPolicy],
    validate: (stack, report) => {
        const policies = stack.ofType(T.eventBusPolicy);
        for (const bus of stack.ofType(T.eventBus)) {
            stack.guard(() => {
                const name = str(bus.props.name) ?? "";
                // Partner buses take the partner's event source name; their access is set by the partner.
                if (name === "default" || str(bus.props.eventSourceName)) return;
                if (!policies.some((policy) => refersTo(policy, bus, ["eventBusName"]))) report(`custom bus ${name || bus.name} has no aws.cloudwatch.EventBusPolicy; expected one`, bus.urn);
            });
        }
    },
});

export const eventBridgeBusPolicyNotPublic = definePublicAccessPolicy({
    name: "eventbridge-bus-policy-not-public",
    description: "EventBridge bus policies do not let anyone put events.",
    severity: "critical",
    frameworks: ["WA SEC03-BP07"],
    remediation: "Allow events:PutEvents to named accounts or an organization (aws:PrincipalOrgID).",
    types: [T.eventBusPolicy],
});

export const eventBridgeTargetDlqRetry = defineResourcePolicy({
    name: "eventbridge-target-dlq-retry",
    description: "EventBridge targets have a dead-letter queue and a retry policy.",
    severity: "medium",
    frameworks: ["Reliability 5"],
    remediation: "Set deadLetterConfig: { arn: dlq.arn } and retryPolicy: { maximumRetryAttempts, maximumEventAgeInSeconds }.",
    types: [T.eventTarget],
    validate: ({ props }, report) => {
        if (!str(rec(props.deadLetterConfig).arn)) report("deadLetterConfig.arn is not set; expected an SQS dead-letter queue for events that cannot be delivered");
        const retry = rec(props.retryPolicy);
        if (num(retry.maximumRetryAttempts) === undefined || num(retry.maximumEventAgeInSeconds) === undefined) {
            report(`retryPolicy is ${show(props.retryPolicy)}; expected maximumRetryAttempts and maximumEventAgeInSeconds set deliberately`);
        }
    },
});

export const messagingPolicyNoWildcardActions = defineResourcePolicy({
    name: "messaging-policy-no-wildcard-actions",
    description: 'Queue and topic policies do not allow every action ("*", "sqs:*", "sns:*"), which includes deleting the queue or topic and rewriting its policy.',
    severity: "medium",
    frameworks: ["Checkov CKV_AWS_72"],
    remediation: "Grant the actions the principal needs (sqs:SendMessage, sns:Publish...).",
    types: [T.sqsQueue, T.sqsQueuePolicy, T.snsTopic, T.snsTopicPolicy],
    validate: ({ type, props }, report) => {
        forEachStatement(type, props, ["resource"], report, (statement, document) => {
            if (statement.effect !== "Allow") return;
            const wild = statement.notActions ? ["NotAction"] : statement.actions.filter((action) => action === "*" || /^(sqs|sns):\*$/i.test(action));
            if (wild.length > 0)
                report(`${document.property}: statement ${statement.label} allows ${wild.map((a) => (a === "NotAction" ? "every action but NotAction" : `"${a}"`)).join(", ")}; expected the specific actions needed`);
        });
    },
});

export const messagingPolicies = [
    sqsEncryption,
    sqsQueuePolicyNotPublic,
    sqsDeadLetterQueue,
    snsTopicEncryption,
    snsTopicPolicyNotPublic,
    snsSubscriptionRedrive,
    eventBridgeCustomBusPolicy,
    eventBridgeBusPolicyNotPublic,
    eventBridgeTargetDlqRetry,
    messagingPolicyNoWildcardActions,
];
