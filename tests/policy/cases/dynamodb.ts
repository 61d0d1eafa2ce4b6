import { T } from "../../../policy/lib/types";
import { single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const TABLE = { name: "orders", billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true };

export const dynamodbCases: PolicySuite[] = [
    {
        policy: "dynamodb-capacity-scaling",
        pass: [
            { name: "on-demand", resources: () => single(T.dynamodbTable, TABLE) },
            {
                name: "provisioned with read and write auto scaling",
                resources: () =>
                    stack((s) => {
                        s.add(T.dynamodbTable, "orders", { ...TABLE, billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 });
                        for (const dimension of ["Read", "Write"]) {
                            s.add(T.autoscalingTarget, dimension, {
                                serviceNamespace: "dynamodb",
                                resourceId: "table/orders",
                                scalableDimension: `dynamodb:table:${dimension}CapacityUnits`,
                                minCapacity: 5,
                                maxCapacity: 50,
                            });
                        }
                    }),
            },
        ],
        fail: [
            {
                name: "provisioned by default without scaling",
                resources: () => single(T.dynamodbTable, { ...TABLE, billingMode: undefined }),
                messages: ["billingMode is not set (PROVISIONED by default) and no auto scaling target covers dynamodb:table:ReadCapacityUnits and dynamodb:table:WriteCapacityUnits"],
            },
            {
                name: "read scaling only",
                resources: () =>
                    stack((s) => {
                        const table = s.add(T.dynamodbTable, "orders", { ...TABLE, billingMode: "PROVISIONED" });
                        s.add(T.autoscalingTarget, "read", { serviceNamespace: "dynamodb", resourceId: "table/x", scalableDimension: "dynamodb:table:ReadCapacityUnits" }, { dependsOn: [table] });
                    }),
                messages: ["covers dynamodb:table:WriteCapacityUnits;"],
            },
        ],
    },
    {
        policy: "dynamodb-point-in-time-recovery",
        pass: [{ name: "PITR on", resources: () => single(T.dynamodbTable, TABLE) }],
        fail: [{ name: "PITR omitted", resources: () => single(T.dynamodbTable, { ...TABLE, pointInTimeRecovery: undefined }), messages: ["pointInTimeRecovery.enabled is not set; expected true"] }],
    },
    {
        policy: "dynamodb-deletion-protection",
        pass: [
            { name: "protected", resources: () => single(T.dynamodbTable, TABLE) },
            { name: "dev table without (dev not in the default environments)", resources: () => single(T.dynamodbTable, { name: "t" }, { stack: "dev" }), notApplicable: true },
        ],
        fail: [{ name: "staging table without", resources: () => single(T.dynamodbTable, { name: "t" }, { stack: "staging" }), messages: ["deletionProtectionEnabled is not set; expected true"] }],
    },
    {
        policy: "dax-encryption",
        pass: [
            {
                name: "encrypted at rest and TLS endpoint",
                resources: () =>
                    single("aws:dax/cluster:Cluster", { clusterName: "c", nodeType: "dax.r5.large", replicationFactor: 3, iamRoleArn: "r", serverSideEncryption: { enabled: true }, clusterEndpointEncryptionType: "TLS" }),
            },
        ],
        fail: [
            {
                name: "defaults",
                resources: () => single("aws:dax/cluster:Cluster", { clusterName: "c", nodeType: "dax.r5.large", replicationFactor: 3, iamRoleArn: "r" }),
                messages: ["serverSideEncryption.enabled is not set", "clusterEndpointEncryptionType is not set (NONE by default)"],
            },
        ],
    },
];
