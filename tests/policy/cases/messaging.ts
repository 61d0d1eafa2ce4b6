import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq";
const redrive = (maxReceiveCount = 5, target = DLQ_ARN) => JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount });
const publicStatement = { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" };

export const messagingCases: PolicySuite[] = [
    {
        policy: "sqs-encryption",
        pass: [
            { name: "SSE-SQS by default (omitted)", resources: () => single(T.sqsQueue, {}) },
            {
                name: "KMS key, customer-managed key required by config",
                resources: () => single(T.sqsQueue, { kmsMasterKeyId: "arn:aws:kms:eu-west-1:1:key/x" }),
                config: { "sqs-encryption": { requireCustomerManagedKey: true } },
            },
        ],
        fail: [
            { name: "SSE explicitly off without KMS", resources: () => single(T.sqsQueue, { sqsManagedSseEnabled: false }), messages: ["sqsManagedSseEnabled is false and kmsMasterKeyId is not set"] },
            {
                name: "no KMS key when config requires one",
                resources: () => single(T.sqsQueue, {}),
                config: { "sqs-encryption": { requireCustomerManagedKey: true } },
                messages: ["kmsMasterKeyId is not set; expected a customer-managed KMS key"],
            },
        ],
    },
    {
        policy: "sqs-queue-policy-not-public",
        pass: [
            {
                name: "SNS topic scoped with aws:SourceArn",
                resources: () =>
                    single(T.sqsQueuePolicy, {
                        queueUrl: "u",
                        policy: doc({ ...publicStatement, Principal: { Service: "sns.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:eu-west-1:1:t" } } }),
                    }),
            },
        ],
        fail: [
            { name: "public queue policy", resources: () => single(T.sqsQueuePolicy, { queueUrl: "u", policy: doc(publicStatement) }), messages: ['policy: statement "Anyone" allows "sqs:SendMessage" to Principal "*"'] },
            {
                name: "inline queue policy with NotPrincipal",
                resources: () => single(T.sqsQueue, { policy: doc({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sqs:*", Resource: "*" }) }),
                messages: ["to everyone outside NotPrincipal"],
            },
        ],
    },
    {
        policy: "sqs-dead-letter-queue",
        pass: [
            {
                name: "queue redriving to a DLQ with longer retention",
                resources: () =>
                    stack((s) => {
                        const dlq = s.add(T.sqsQueue, "jobs-dlq", { messageRetentionSeconds: 1_209_600 });
                        s.add(T.sqsQueue, "jobs", { redrivePolicy: redrive() }, { dependsOn: [dlq] });
                    }),
            },
            {
                name: "standalone RedrivePolicy, DLQ matched by name",
                resources: () =>
                    stack((s) => {
                        s.add(T.sqsQueue, "jobs-dlq", { name: "jobs-dlq", messageRetentionSeconds: 1_209_600 });
                        const jobs = s.add(T.sqsQueue, "jobs", { name: "jobs" });
                        s.add(T.sqsRedrivePolicy, "redrive", { queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/jobs", redrivePolicy: redrive(3) }, { dependsOn: [jobs] });
                    }),
            },
            {
                name: "auto-named queues used as DLQs by an SNS subscription, an EventBridge target and a Scheduler schedule",
                resources: () =>
                    stack((s) => {
                        for (const name of ["alarms-dlq", "job-dlq", "schedule-dlq"]) s.add(T.sqsQueue, name, { messageRetentionSeconds: 1_209_600 });
                        s.add(T.snsSubscription, "email", { protocol: "email", endpoint: "a@b.c", redrivePolicy: redrive(undefined, "arn:aws:sqs:eu-west-1:1:alarms-dlq-2be4bd1") });
                        s.add(T.eventTarget, "failed", { rule: "r", arn: "t", deadLetterConfig: { arn: "arn:aws:sqs:eu-west-1:1:job-dlq-cab3c94" } });
                        s.add(T.schedule, "nightly", { target: { arn: "c", deadLetterConfig: { arn: "arn:aws:sqs:eu-west-1:1:schedule-dlq-0a1b2c3" } } });
                    }),
            },
        ],
        fail: [
            { name: "queue without redrive policy", resources: () => single(T.sqsQueue, {}, { name: "jobs" }), messages: ["redrivePolicy is not set; expected a dead-letter queue"], resource: "jobs" },
            {
                name: "maxReceiveCount 1 and DLQ retention equal to the source",
                resources: () =>
                    stack((s) => {
                        const dlq = s.add(T.sqsQueue, "jobs-dlq", {});
                        s.add(T.sqsQueue, "jobs", { redrivePolicy: redrive(1) }, { dependsOn: [dlq] });
                    }),
                messages: ["redrivePolicy.maxReceiveCount is 1; expected between 3 and 20", "dead-letter queue jobs-dlq keeps messages 345600 s, not longer than this queue's 345600 s"],
            },
            { name: "malformed redrive policy", resources: () => single(T.sqsQueue, { redrivePolicy: "{deadLetterTargetArn:" }), messages: ["redrivePolicy is not valid JSON"] },
        ],
    },
    {
        policy: "sns-topic-encryption",
        pass: [{ name: "KMS key", resources: () => single(T.snsTopic, { kmsMasterKeyId: "alias/aws/sns" }) }],
        fail: [{ name: "unencrypted", resources: () => single(T.snsTopic, {}), messages: ["kmsMasterKeyId is not set"] }],
    },
    {
        policy: "sns-topic-policy-not-public",
        pass: [{ name: "account principal", resources: () => single(T.snsTopicPolicy, { arn: "t", policy: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sns:Publish", Resource: "*" }) }) }],
        fail: [
            {
                name: "public publish",
                resources: () => single(T.snsTopicPolicy, { arn: "t", policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*" }) }),
                messages: ['allows "sns:Publish" to Principal "*"'],
            },
        ],
    },
    {
        policy: "sns-subscription-redrive",
        pass: [{ name: "redrive to a DLQ", resources: () => single(T.snsSubscription, { topic: "t", protocol: "sqs", endpoint: "q", redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ_ARN }) }) }],
        fail: [
            { name: "no redrive", resources: () => single(T.snsSubscription, { topic: "t", protocol: "lambda", endpoint: "f" }), messages: ["redrivePolicy is not set; expected { deadLetterTargetArn"] },
            { name: "malformed redrive", resources: () => single(T.snsSubscription, { topic: "t", protocol: "lambda", endpoint: "f", redrivePolicy: "dlq" }), messages: ["redrivePolicy is not valid JSON"] },
        ],
    },
    {
        policy: "eventbridge-custom-bus-policy",
        pass: [
            {
                name: "custom bus with a policy",
                resources: () =>
                    stack((s) => {
                        const bus = s.add(T.eventBus, "orders", { name: "orders" });
                        s.add(T.eventBusPolicy, "orders", { eventBusName: "orders", policy: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "events:PutEvents", Resource: "*" }) }, { dependsOn: [bus] });
                    }),
            },
            { name: "partner bus", resources: () => single(T.eventBus, { name: "aws.partner/salesforce.com/x", eventSourceName: "aws.partner/salesforce.com/x" }) },
        ],
        fail: [{ name: "custom bus without policy", resources: () => single(T.eventBus, { name: "orders" }), messages: ["custom bus orders has no aws.cloudwatch.EventBusPolicy"] }],
    },
    {
        policy: "eventbridge-bus-policy-not-public",
        pass: [
            {
                name: "organization-scoped",
                resources: () => single(T.eventBusPolicy, { policy: doc({ Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }) }),
            },
        ],
        fail: [
            {
                name: "anyone may put events",
                resources: () => single(T.eventBusPolicy, { policy: doc({ Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "*" }) }),
                messages: ['allows "events:PutEvents" to Principal "*"'],
            },
        ],
    },
    {
        policy: "eventbridge-target-dlq-retry",
        pass: [
            { name: "DLQ and retry policy", resources: () => single(T.eventTarget, { rule: "r", arn: "a", deadLetterConfig: { arn: DLQ_ARN }, retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } }) },
        ],
        fail: [{ name: "neither", resources: () => single(T.eventTarget, { rule: "r", arn: "a" }), messages: ["deadLetterConfig.arn is not set", "retryPolicy is not set"] }],
    },
    {
        policy: "messaging-policy-no-wildcard-actions",
        pass: [
            {
                name: "one account may send",
                resources: () => single(T.sqsQueuePolicy, { queueUrl: "u", policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sqs:SendMessage", Resource: "*" }) }),
            },
        ],
        fail: [
            {
                name: "sqs:* to another account",
                resources: () => single(T.sqsQueuePolicy, { queueUrl: "u", policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "sqs:*", Resource: "*" }) }),
                messages: ['allows "sqs:*"'],
            },
            {
                name: 'form: inline topic policy with Action "*"',
                resources: () => single(T.snsTopic, { policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "*", Resource: "*" }) }),
                messages: ['allows "*"'],
            },
        ],
    },
];
