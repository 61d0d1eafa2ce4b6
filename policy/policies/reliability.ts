import { defineResourcePolicy } from "../lib/define";
import { list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * Cross-cutting reliability rules for prod. Rules specific to one service live with that service
 * (ECS circuit breaker, node group sizes, DLQs...); these are about topology and protection.
 */

export const vpcNatGatewayPerAz = defineResourcePolicy({
    name: "vpc-nat-gateway-per-az",
    description: "Prod VPCs have a NAT gateway in every AZ, so one AZ's outage does not cut the others' egress.",
    severity: "medium",
    frameworks: ["Reliability 10"],
    remediation: 'Set natGateways: { strategy: "OnePerAz" } on the awsx VPC (or "None" with VPC endpoints for a VPC without internet egress).',
    types: [T.awsxVpc],
    environments: ["prod"],
    validate: ({ props }, report) => {
        // awsx defaults to OnePerAz; None has no NAT to lose.
        const strategy = str(rec(props.natGateways).strategy) ?? "OnePerAz";
        if (strategy === "Single") report('natGateways.strategy is "Single": one AZ\'s outage cuts egress for all; expected "OnePerAz" in prod');
    },
});

export const vpcMultiAz = defineResourcePolicy<{ minimumAzs: number }>({
    name: "vpc-multi-az",
    description: "Prod VPCs span at least two availability zones.",
    severity: "medium",
    frameworks: ["Reliability 10"],
    remediation: "Set numberOfAvailabilityZones (or availabilityZoneNames) to 2 or more (3 recommended).",
    types: [T.awsxVpc],
    environments: ["prod"],
    config: { minimumAzs: { type: "integer", minimum: 1, default: 2, description: "Minimum availability zones." } },
    validate: ({ props, config }, report) => {
        const names = list(props.availabilityZoneNames);
        // awsx uses 3 AZs unless told otherwise.
        const count = names.length > 0 ? names.length : (num(props.numberOfAvailabilityZones) ?? 3);
        if (count < config.minimumAzs)
            report(`the VPC spans ${count} availability zone${count === 1 ? "" : "s"} (numberOfAvailabilityZones ${show(props.numberOfAvailabilityZones)}); expected at least ${config.minimumAzs}`);
    },
});

/** Types whose deletion loses data or audit records. */
const STATEFUL_TYPES = [T.dynamodbTable, ...T.s3Buckets, T.kinesisStream, T.kmsKey, T.logGroup, T.ecrRepository, "aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:efs/fileSystem:FileSystem"];

export const statefulResourcesProtected = defineResourcePolicy({
    name: "stateful-resources-protected",
    description: "Prod stateful resources (tables, buckets, streams, keys, log groups, image repositories) are protected from deletion by Pulumi (protect or retainOnDelete).",
    severity: "medium",
    frameworks: ["Reliability 11"],
    remediation: "Pass { protect: true } (or retainOnDelete: true) in the resource options in prod, alongside the service's own deletion protection.",
    types: STATEFUL_TYPES,
    environments: ["prod"],
    validate: ({ opts, type }, report) => {
        if (!opts.protect && !opts.retainOnDelete) report(`${type.split(":").pop()} has neither protect nor retainOnDelete; expected protect: true in prod`);
    },
});

export const reliabilityPolicies = [vpcNatGatewayPerAz, vpcMultiAz, statefulResourcesProtected];
