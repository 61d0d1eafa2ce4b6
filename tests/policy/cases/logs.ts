import { T } from "../../../policy/lib/types";
import { single } from "../fixtures";
import type { PolicySuite } from "../runner";

export const logsCases: PolicySuite[] = [
    {
        policy: "logs-retention",
        pass: [
            { name: "365 days in prod", resources: () => single(T.logGroup, { name: "/x", retentionInDays: 365, kmsKeyId: "k" }) },
            { name: "14 days in dev", resources: () => single(T.logGroup, { name: "/x", retentionInDays: 14 }, { stack: "dev" }) },
            { name: "one value for every environment", resources: () => single(T.logGroup, { name: "/x", retentionInDays: 90 }), config: { "logs-retention": { minimumDays: 90 } } },
        ],
        fail: [
            { name: "never expire", resources: () => single(T.logGroup, { name: "/x" }), messages: ["retentionInDays is not set (never expire); expected at least 365 days in prod"] },
            { name: "14 days in staging", resources: () => single(T.logGroup, { name: "/x", retentionInDays: 14 }, { stack: "staging-eu" }), messages: ["retentionInDays is 14; expected at least 30 days in staging"] },
            {
                name: "environment pinned by config",
                resources: () => single(T.logGroup, { name: "/x", retentionInDays: 14 }, { stack: "sandbox" }),
                config: { "logs-retention": { environment: "staging" } },
                messages: ["expected at least 30 days in staging"],
            },
        ],
    },
    {
        policy: "logs-kms-encryption",
        pass: [{ name: "KMS key", resources: () => single(T.logGroup, { name: "/x", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/x" }) }],
        fail: [{ name: "no key", resources: () => single(T.logGroup, { name: "/x" }), messages: ["kmsKeyId is not set"] }],
    },
    {
        policy: "cloudwatch-alarm-actions",
        pass: [
            {
                name: "alarm notifying a topic",
                resources: () => single("aws:cloudwatch/metricAlarm:MetricAlarm", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, alarmActions: ["arn:aws:sns:eu-west-1:1:alarms"] }),
            },
        ],
        fail: [
            {
                name: "alarm without actions",
                resources: () => single("aws:cloudwatch/metricAlarm:MetricAlarm", { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 }),
                messages: ["alarmActions is not set"],
            },
            {
                name: "composite alarm with actions disabled",
                resources: () => single("aws:cloudwatch/compositeAlarm:CompositeAlarm", { alarmName: "a", alarmRule: "ALARM(x)", alarmActions: ["arn:aws:sns:eu-west-1:1:alarms"], actionsEnabled: false }),
                messages: ["actionsEnabled is false"],
            },
        ],
    },
];
