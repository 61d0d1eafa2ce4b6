import { defineResourcePolicy, perEnvironmentSchema } from "../lib/define";
import { forEnvironment, PerEnvironment } from "../lib/environment";
import { num, show, str } from "../lib/props";
import { T } from "../lib/types";

export const kinesisEncryption = defineResourcePolicy({
    name: "kinesis-encryption",
    description: "Kinesis data streams are encrypted at rest with KMS.",
    severity: "medium",
    frameworks: ["FSBP Kinesis.1"],
    remediation: 'Set encryptionType: "KMS" and kmsKeyId (a customer-managed key, or alias/aws/kinesis).',
    types: [T.kinesisStream],
    validate: ({ props }, report) => {
        if (str(props.encryptionType) !== "KMS" || !str(props.kmsKeyId)) report(`encryptionType is ${show(props.encryptionType)} (NONE by default) with kmsKeyId ${show(props.kmsKeyId)}; expected "KMS" with a key`);
    },
});

/**
 * FSBP Kinesis.3 asks for 168 hours everywhere; extended retention is billed per shard-hour, so
 * dev only needs the 24-hour default unless configured otherwise.
 */
export const kinesisRetention = defineResourcePolicy<{ minimumHours: PerEnvironment<number> }>({
    name: "kinesis-retention",
    description: "Kinesis data streams retain records long enough to replay after an outage (7 days in staging and prod).",
    severity: "medium",
    frameworks: ["FSBP Kinesis.3", "Reliability 6"],
    remediation: "Set retentionPeriod (hours) to at least the environment's minimum (168 in staging/prod).",
    types: [T.kinesisStream],
    config: { minimumHours: perEnvironmentSchema("integer", { dev: 24, staging: 168, prod: 168 }, "Minimum retention in hours, one value or per environment.") },
    validate: ({ props, config, environment }, report) => {
        const minimum = forEnvironment(config.minimumHours, environment, 168);
        const hours = num(props.retentionPeriod) ?? 24;
        if (hours < minimum) report(`retentionPeriod is ${props.retentionPeriod === undefined ? "not set (24)" : hours} hours; expected at least ${minimum} in ${environment}`);
    },
});

export const kinesisPolicies = [kinesisEncryption, kinesisRetention];
