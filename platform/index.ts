import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { PlatformKey } from "./kms";
import { Network } from "./network";
import { Registry } from "./registry";

export interface Platform {
    config: PlatformConfig;
    provider: aws.Provider;
    accountId: pulumi.Output<string>;
    keys: { logs: PlatformKey; data: PlatformKey };
    network: Network;
    registry: Registry;
}

/**
 * Builds the shared platform from a validated config. A plain function of its input (no reads of
 * global config), so one process can build dev and prod side by side in tests.
 */
export function buildPlatform(config: PlatformConfig): Platform {
    const provider = new aws.Provider("aws", {
        region: config.region,
        allowedAccountIds: config.accountId ? [config.accountId] : undefined,
        defaultTags: { tags: { ...config.tags, Project: config.project, Stack: config.stack, Profile: config.profile, ManagedBy: "pulumi" } },
    });
    const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
    const accountId = config.accountId
        ? pulumi.output(config.accountId)
        : aws.getCallerIdentityOutput({}, { provider }).accountId;
    const protect = config.protection.protectStatefulResources;

    const keys = {
        logs: new PlatformKey(`${config.name}-logs`, { description: `${config.name}: CloudWatch Logs`, alias: `${config.name}/logs`, region: config.region, accountId, allowCloudWatchLogs: true, protect }, opts),
        data: new PlatformKey(`${config.name}-data`, { description: `${config.name}: data at rest (images, queues, tables, streams)`, alias: `${config.name}/data`, region: config.region, accountId, protect }, opts),
    };

    const network = new Network(
        config.name,
        {
            cidr: config.network.cidr,
            azCount: config.network.azCount,
            availabilityZoneNames: config.network.availabilityZoneNames,
            privateSubnetCidrs: config.network.subnetLayout.private,
            publicSubnetCidrs: config.network.subnetLayout.public,
            natStrategy: config.network.natStrategy,
            interfaceEndpoints: config.network.interfaceEndpoints,
            flowLogs: { ...config.network.flowLogs, kmsKeyArn: keys.logs.arn },
            clusterName: config.name,
            region: config.region,
            accountId,
            protect,
        },
        opts,
    );

    const registry = new Registry(
        config.name,
        {
            namespace: config.registry.namespace,
            apps: Object.keys(config.apps),
            untaggedImageExpiryDays: config.registry.untaggedImageExpiryDays,
            keepTaggedImages: config.registry.keepTaggedImages,
            kmsKeyArn: keys.data.arn,
            region: config.region,
            accountId,
            ciPushRoleArn: config.registry.ciPushRoleArn,
            enhancedScanning: config.registry.enhancedScanning,
            pullThroughCache: config.registry.pullThroughCache,
            protect,
        },
        opts,
    );

    return { config, provider, accountId, keys, network, registry };
}

/** The stack outputs: what operators and later stacks need to find the platform. */
export function platformOutputs(platform: Platform) {
    return {
        profile: platform.config.profile,
        region: platform.config.region,
        vpcId: platform.network.vpcId,
        privateSubnetIds: platform.network.privateSubnetIds,
        publicSubnetIds: platform.network.publicSubnetIds,
        logsKeyArn: platform.keys.logs.arn,
        dataKeyArn: platform.keys.data.arn,
        repositories: Object.fromEntries(Object.entries(platform.registry.repositories).map(([app, repo]) => [app, repo.url])),
    };
}
