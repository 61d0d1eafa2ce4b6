import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { dependsOn } from "../lib/graph";
import { bool, joinWords, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

const DIMENSIONS = ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"];

export const dynamodbCapacityScaling = defineStackPolicy({
    name: "dynamodb-capacity-scaling",
    description: "DynamoDB tables use on-demand capacity, or provisioned capacity with read and write auto scaling.",
    severity: "medium",
    frameworks: ["FSBP DynamoDB.1"],
    remediation: 'Set billingMode: "PAY_PER_REQUEST", or add aws.appautoscaling.Target (and Policy) resources for the table\'s ReadCapacityUnits and WriteCapacityUnits.',
    types: [T.dynamodbTable, T.autoscalingTarget],
    validate: (stack, report) => {
        const targets = stack.ofType(T.autoscalingTarget);
        for (const table of stack.ofType(T.dynamodbTable)) {
            stack.guard(() => {
                if (str(table.props.billingMode) === "PAY_PER_REQUEST") return;
                const name = str(table.props.name);
                const scaled = targets
                    .filter((target) => str(target.props.serviceNamespace) === "dynamodb")
                    .filter((target) => dependsOn(target, table) || (name !== undefined && str(target.props.resourceId) === `table/${name}`))
                    .map((target) => str(target.props.scalableDimension));
                const missing = DIMENSIONS.filter((dimension) => !scaled.includes(dimension));
                if (missing.length > 0) {
                    report(
                        `billingMode is ${show(table.props.billingMode)} (PROVISIONED by default) and no auto scaling target covers ${joinWords(missing)}; expected PAY_PER_REQUEST or auto scaling for reads and writes`,
                        table.urn,
                    );
                }
            });
        }
    },
});

export const dynamodbPointInTimeRecovery = defineResourcePolicy({
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery.",
    severity: "medium",
    frameworks: ["FSBP DynamoDB.2", "Reliability 6"],
    remediation: "Set pointInTimeRecovery: { enabled: true }.",
    types: [T.dynamodbTable],
    validate: ({ props }, report) => {
        if (bool(rec(props.pointInTimeRecovery).enabled) !== true) report(`pointInTimeRecovery.enabled is ${show(rec(props.pointInTimeRecovery).enabled)}; expected true`);
    },
});

export const dynamodbDeletionProtection = defineResourcePolicy({
    name: "dynamodb-deletion-protection",
    description: "DynamoDB tables in staging and prod have deletion protection.",
    severity: "medium",
    frameworks: ["FSBP DynamoDB.6", "Reliability 11"],
    remediation: "Set deletionProtectionEnabled: true (the environments list is configurable; dev is exempt so stacks can be torn down).",
    types: [T.dynamodbTable],
    environments: ["staging", "prod"],
    validate: ({ props }, report) => {
        if (bool(props.deletionProtectionEnabled) !== true) report(`deletionProtectionEnabled is ${show(props.deletionProtectionEnabled)}; expected true`);
    },
});

const DAX_CLUSTER = "aws:dax/cluster:Cluster";

export const daxEncryption = defineResourcePolicy({
    name: "dax-encryption",
    description: "DynamoDB Accelerator (DAX) clusters encrypt data at rest and their endpoint in transit.",
    severity: "medium",
    frameworks: ["FSBP DynamoDB.3", "FSBP DynamoDB.7"],
    remediation: 'Set serverSideEncryption: { enabled: true } and clusterEndpointEncryptionType: "TLS" (both are fixed at creation).',
    types: [DAX_CLUSTER],
    validate: ({ props }, report) => {
        if (bool(rec(props.serverSideEncryption).enabled) !== true) report(`serverSideEncryption.enabled is ${show(rec(props.serverSideEncryption).enabled)}; expected true (DAX is unencrypted by default)`);
        if (str(props.clusterEndpointEncryptionType) !== "TLS") report(`clusterEndpointEncryptionType is ${show(props.clusterEndpointEncryptionType)} (NONE by default); expected "TLS"`);
    },
});

export const dynamodbPolicies = [dynamodbCapacityScaling, dynamodbPointInTimeRecovery, dynamodbDeletionProtection, daxEncryption];
