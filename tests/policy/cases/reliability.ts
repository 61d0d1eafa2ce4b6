import { T } from "../../../policy/lib/types";
import { single } from "../fixtures";
import type { PolicySuite } from "../runner";

export const reliabilityCases: PolicySuite[] = [
    {
        policy: "vpc-nat-gateway-per-az",
        pass: [
            { name: "OnePerAz in prod", resources: () => single(T.awsxVpc, { natGateways: { strategy: "OnePerAz" } }) },
            { name: "awsx default (OnePerAz)", resources: () => single(T.awsxVpc, {}) },
            { name: "Single in dev (prod-only rule)", resources: () => single(T.awsxVpc, { natGateways: { strategy: "Single" } }, { stack: "dev" }), notApplicable: true },
        ],
        fail: [
            { name: "Single in prod", resources: () => single(T.awsxVpc, { natGateways: { strategy: "Single" } }), messages: ['natGateways.strategy is "Single"'] },
            {
                name: "Single in staging when staging is configured",
                resources: () => single(T.awsxVpc, { natGateways: { strategy: "Single" } }, { stack: "staging" }),
                config: { "vpc-nat-gateway-per-az": { environments: ["staging", "prod"] } },
                messages: ['expected "OnePerAz" in prod'],
            },
        ],
    },
    {
        policy: "vpc-multi-az",
        pass: [
            { name: "3 AZs", resources: () => single(T.awsxVpc, { numberOfAvailabilityZones: 3 }) },
            { name: "named zones", resources: () => single(T.awsxVpc, { availabilityZoneNames: ["eu-west-1a", "eu-west-1b"] }) },
        ],
        fail: [{ name: "1 AZ", resources: () => single(T.awsxVpc, { numberOfAvailabilityZones: 1 }), messages: ["the VPC spans 1 availability zone (numberOfAvailabilityZones 1); expected at least 2"] }],
    },
    {
        policy: "stateful-resources-protected",
        pass: [
            { name: "protected table", resources: () => single(T.dynamodbTable, { name: "t" }, { protect: true }) },
            { name: "retained bucket", resources: () => single(T.s3Buckets[0], { bucket: "b" }, { retainOnDelete: true }) },
            { name: "unprotected dev stream (prod-only rule)", resources: () => single(T.kinesisStream, { name: "s" }, { stack: "dev" }), notApplicable: true },
        ],
        fail: [
            { name: "unprotected key", resources: () => single(T.kmsKey, {}), messages: ["Key has neither protect nor retainOnDelete"] },
            { name: "unprotected log group", resources: () => single(T.logGroup, { name: "/x" }), messages: ["LogGroup has neither protect nor retainOnDelete"] },
        ],
    },
];
