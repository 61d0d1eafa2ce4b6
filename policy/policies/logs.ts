import { defineResourcePolicy, perEnvironmentSchema } from "../lib/define";
import { forEnvironment, PerEnvironment } from "../lib/environment";
import { bool, list, num, str } from "../lib/props";
import { T } from "../lib/types";

export const logsRetention = defineResourcePolicy<{ minimumDays: PerEnvironment<number> }>({
    name: "logs-retention",
    description: "CloudWatch log groups have a retention period of at least the environment's minimum (never-expire is not allowed).",
    severity: "medium",
    frameworks: ["NIST CloudWatch.16"],
    remediation: "Set retentionInDays to a value CloudWatch accepts and at least the minimum (dev 7, staging 30, prod 365 by default).",
    types: [T.logGroup],
    config: { minimumDays: perEnvironmentSchema("integer", { dev: 7, staging: 30, prod: 365 }, "Minimum retention in days, one value or per environment.") },
    validate: ({ props, config, environment }, report) => {
        const minimum = forEnvironment(config.minimumDays, environment, 365);
        const days = num(props.retentionInDays);
        if (days === undefined || days === 0) report(`retentionInDays is ${days === 0 ? "0 (never expire)" : "not set (never expire)"}; expected at least ${minimum} days in ${environment}`);
        else if (days < minimum) report(`retentionInDays is ${days}; expected at least ${minimum} days in ${environment}`);
    },
});

export const logsKmsEncryption = defineResourcePolicy({
    name: "logs-kms-encryption",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity: "medium",
    enforcementLevel: "advisory",
    advisoryBecause: "a customer-managed key costs $1 a month plus KMS requests, and CloudWatch Logs already encrypts at rest.",
    frameworks: ["Platform: sensitive logs use KMS"],
    remediation: "Set kmsKeyId to the platform logs key (its key policy admits CloudWatch Logs for this account and region).",
    types: [T.logGroup],
    validate: ({ props }, report) => {
        if (!str(props.kmsKeyId)) report("kmsKeyId is not set; expected the platform's logs KMS key");
    },
});

export const cloudwatchAlarmActions = defineResourcePolicy({
    name: "cloudwatch-alarm-actions",
    description: "CloudWatch alarms notify someone: alarmActions set and actions not disabled.",
    severity: "high",
    frameworks: ["FSBP CloudWatch.15", "FSBP CloudWatch.17"],
    remediation: "Set alarmActions to an SNS topic (or another action) and leave actionsEnabled at its default, true.",
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"],
    validate: ({ props }, report) => {
        if (list(props.alarmActions).length === 0) report("alarmActions is not set; expected at least one action (an alarm nobody hears about protects nothing)");
        if (bool(props.actionsEnabled) === false) report("actionsEnabled is false; expected true (the default)");
    },
});

export const logsPolicies = [logsRetention, logsKmsEncryption, cloudwatchAlarmActions];
