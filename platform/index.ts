import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmTopic } from "./alarms";
import { CostBudget } from "./budget";
import type { PlatformConfig } from "./config";
import { buildServerlessApps, ServerlessApps } from "./apps";
import { buildDataApps, dataAppOutputs, DataApps } from "./apps/data";
import { buildRegisteredApps } from "./apps/registry";
import { appBindings, type StackResources } from "./bindings";
import { EcsRuntime } from "./ecs";
import { buildStackQueues } from "./apps/queues";
import { stackResources } from "./apps/resources";
import { EksRuntime } from "./eks";
import { eksAccessLogPrefix } from "./eks/workloads";
import { lambdaFunctionName, LambdaRuntime } from "./lambda";
import { queueProcessingTimeout } from "./config/lambda";
import { architectureOf } from "./config/eks";
import { Dashboards } from "./dashboards";
import { PlatformKey } from "./kms";
import { Network } from "./network";
import { Registry } from "./registry";
import { sharedLoadBalancersFor } from "./shared-load-balancer";
import { type Transform, withTransforms } from "./transform";
import { ApiGatewayLoggingRole, type Queue, serverlessContext } from "./serverless";

export interface Platform {
    config: PlatformConfig;
    provider: aws.Provider;
    accountId: pulumi.Output<string>;
    keys: { logs: PlatformKey; data: PlatformKey };
    network: Network;
    registry: Registry;
    alarms: AlarmTopic;
    /** Present when `platform:cost.monthlyBudget` is set. */
    budget?: CostBudget;
    /** Present when at least one app runs on ECS. */
    ecs?: EcsRuntime;
    /** Present when EKS is enabled or an app runs on it. */
    eks?: EksRuntime;
    /** Present when an app runs on Lambda (released apps only get a function). */
    lambda?: LambdaRuntime;
    /** The serverless apps (platform:translate, platform:fanout) the stack enables. */
    serverless: ServerlessApps;
    /** The data apps the stack configures (platform:uploads, platform:ingest, platform:batch). */
    dataApps: DataApps;
    /** The stack outputs of each app module (platform/apps/, defineApp) the stack deploys, by key. */
    extensions: Record<string, Record<string, pulumi.Input<unknown>>>;
    /** The stack's standalone work queues (platform:queues). */
    queues: Record<string, Queue>;
    /** What app bindings can reference, by section and reference. */
    resources: StackResources;
    /** The stack's dashboard and, with `observability.dashboards: perApp`, one per app; absent with `none`. */
    dashboards?: Dashboards;
}

/** How the program extends the platform beyond config. */
export interface BuildOptions {
    /**
     * Changes to any resource the platform creates, applied as it is constructed: the escape hatch
     * for what config does not offer. Each is type-checked against the resource's class.
     * @default []
     * @example
     * buildPlatform(loadPlatformConfig(), {
     *     transform: [transform(aws.ecs.TaskDefinition, (args) => ({ ...args, ephemeralStorage: { sizeInGib: 50 } }), { name: /-web$/ })],
     * });
     */
    transform?: Transform[];
}

/**
 * Builds the shared platform from a validated config. A plain function of its input (no reads of
 * global config), so one process can build dev and prod side by side in tests.
 */
export function buildPlatform(config: PlatformConfig, options: BuildOptions = {}): Platform {
    const provider = new aws.Provider("aws", {
        region: config.region,
        allowedAccountIds: config.accountId ? [config.accountId] : undefined,
        defaultTags: { tags: { ...config.tags, Project: config.project, Stack: config.stack, Profile: config.profile, ManagedBy: "pulumi" } },
    });
    const opts = withTransforms<pulumi.ComponentResourceOptions>({ providers: [provider] }, options.transform);
    const accountId = config.accountId ? pulumi.output(config.accountId) : aws.getCallerIdentityOutput({}, { provider }).accountId;
    const protect = config.protection.protectStatefulResources;

    const keys = {
        logs: new PlatformKey(`${config.name}-logs`, { description: `${config.name}: CloudWatch Logs`, alias: `${config.name}/logs`, region: config.region, accountId, allowCloudWatchLogs: true, protect }, opts),
        data: new PlatformKey(
            `${config.name}-data`,
            {
                description: `${config.name}: data at rest (images, queues, topics, tables, streams)`,
                alias: `${config.name}/data`,
                region: config.region,
                accountId,
                // Topics and queues are encrypted with this key: each construct that lets a service
                // publish or deliver to one admits that service here (allowService), and the policy
                // is final once everything is built (seal below).
                openToServices: true,
                protect,
            },
            opts,
        ),
    };

    const alarms = new AlarmTopic(
        `${config.name}-alarms`,
        { kmsKeyArn: keys.data.arn, keyUsers: keys.data, region: config.region, accountId, emails: config.alarms.emails, allowBudgets: config.cost.monthlyBudget !== undefined },
        opts,
    );
    const budget = config.cost.monthlyBudget === undefined ? undefined : new CostBudget(config.name, { monthlyBudget: config.cost.monthlyBudget, stack: config.stack, alarmTopicArn: alarms.arn }, opts);

    const network = new Network(
        config.name,
        {
            cidr: config.network.cidr,
            azCount: config.network.azCount,
            availabilityZoneNames: config.network.availabilityZoneNames,
            privateSubnetCidrs: config.network.subnetLayout.private,
            publicSubnetCidrs: config.network.subnetLayout.public,
            natStrategy: config.network.natStrategy,
            natInstance: { instanceType: config.network.natInstanceType, architecture: architectureOf(config.network.natInstanceType), alarmTopicArn: alarms.arn },
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
            // Lambda pulls an app's image with its service principal: only for that app's own function.
            lambdaFunctions: Object.fromEntries(
                Object.entries(config.apps)
                    .filter(([, spec]) => spec.runtimes.includes("lambda"))
                    .map(([app]) => [app, lambdaFunctionName(config.name, app)]),
            ),
            ciPushRoleArn: config.registry.ciPushRoleArn,
            enhancedScanning: config.registry.enhancedScanning,
            pullThroughCache: config.registry.pullThroughCache,
            protect,
        },
        opts,
    );

    const ctx = serverlessContext({ config, accountId, keys, alarms });
    // API Gateway's execution logging role is an account and region setting: the account owner's
    // stack sets it for every stack's APIs; the others' stages rely on it (deploy the owner first).
    const apiLoggingRole = config.account.owner ? new ApiGatewayLoggingRole(`${config.name}-apigateway-logging`, opts) : undefined;
    const serverless = buildServerlessApps(config, ctx, opts, apiLoggingRole);
    const dataApps = buildDataApps(config.name, config, ctx, opts, apiLoggingRole);
    // Every app module the stack sets a key for (platform/apps/registry.ts): nothing here changes to add one.
    const extensions = buildRegisteredApps(config.name, config.profile, config.extensions, ctx, opts, apiLoggingRole);
    const queues = buildStackQueues(config.name, config.queues, ctx, opts);
    // Built before the runtimes: app bindings reference these resources and resolve in the same deploy.
    const resources = stackResources({ serverless, dataApps, queues, dataKeyArn: keys.data.arn });
    const bindings = (app: string) => appBindings(app, config.apps[app], resources, config.region);

    // network.loadBalancers: shared: one load balancer per scheme that ECS services and EKS apps join instead of their own
    // (EKS through the Load Balancer Controller's TargetGroupBinding: not with Auto Mode, which runs no such controller).
    const eksOnShared = config.eks.enabled && config.eks.compute !== "autoMode";
    const sharedLoadBalancers = sharedLoadBalancersFor({ name: config.name, region: config.region, config, accountId, network, runtimes: eksOnShared ? ["ecs", "eks"] : ["ecs"] }, opts);
    const ecsApps = Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes("ecs"));
    // EKS Ingresses' ALBs log to the ECS runtime's access-log bucket when there is one (eks/<app> prefixes).
    const eksShared = eksOnShared ? sharedLoadBalancers : undefined;
    const eksIngressApps = config.eks.enabled
        ? Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes("eks") && !spec.consumes && !eksShared?.[spec.ingress === "internal" ? "internal" : "internet-facing"])
        : [];
    const ecs =
        ecsApps.length === 0
            ? undefined
            : new EcsRuntime(
                  config.name,
                  {
                      namePrefix: config.name,
                      region: config.region,
                      accountId,
                      apps: Object.fromEntries(ecsApps.map(([app, spec]) => [app, { spec, repository: registry.repositories[app], bindings: bindings(app) }])),
                      cluster: config.ecs,
                      network: { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, publicSubnetIds: network.publicSubnetIds, vpcCidr: config.network.cidr },
                      ingress: config.ingress,
                      logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
                      dataKeyArn: keys.data.arn,
                      dataKeyUsers: keys.data,
                      alarmTopicArn: alarms.arn,
                      deletionProtection: config.protection.deletionProtection,
                      protect,
                      accessLogPrefixes: eksIngressApps.map(([app]) => eksAccessLogPrefix(app)),
                      serverless: ctx,
                      sharedLoadBalancers,
                  },
                  opts,
              );

    const eksApps = Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes("eks"));
    const eks = !config.eks.enabled
        ? undefined
        : new EksRuntime(
              `${config.name}-eks`,
              {
                  namePrefix: config.name,
                  region: config.region,
                  accountId,
                  config: config.eks,
                  apps: Object.fromEntries(eksApps.map(([app, spec]) => [app, { spec, repository: registry.repositories[app], bindings: bindings(app) }])),
                  network: { vpcId: network.vpcId, vpcCidr: config.network.cidr, privateSubnetIds: network.privateSubnetIds },
                  ingress: config.ingress,
                  sharedLoadBalancers: eksOnShared ? sharedLoadBalancers : undefined,
                  logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
                  dataKeyArn: keys.data.arn,
                  dataKeyUsers: keys.data,
                  spot: config.compute.spot,
                  highAvailability: config.profile === "prod",
                  deletionProtection: config.protection.deletionProtection,
                  protect,
                  alarmTopicArn: alarms.arn,
                  accessLogs: ecs?.accessLogs,
              },
              opts,
          );

    const lambdaApps = Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes("lambda"));
    const lambda =
        lambdaApps.length === 0
            ? undefined
            : new LambdaRuntime(
                  `${config.name}-lambda`,
                  {
                      namePrefix: config.name,
                      ctx,
                      apps: Object.fromEntries(
                          lambdaApps.map(([app, spec]) => [
                              app,
                              { spec, repository: registry.repositories[app], bindings: bindings(app), queueProcessingTimeoutSeconds: queueProcessingTimeout(config, spec.consumes?.queue) },
                          ]),
                      ),
                  },
                  opts,
              );

    // Every construct that encrypts with the data key is built: its policy now has all their services.
    keys.data.seal();

    const dashboards =
        config.observability.dashboards === "none"
            ? undefined
            : new Dashboards(
                  `${config.name}-dashboards`,
                  {
                      namePrefix: config.name,
                      perApp: config.observability.dashboards === "perApp",
                      region: config.region,
                      apps: {
                          ...Object.fromEntries(Object.keys(config.apps).map((app) => [app, { ecs: ecs?.services[app], eks: eks?.apps[app], lambda: lambda?.apps[app] }])),
                          ...serverless,
                          ...dataApps,
                      },
                      ecsClusterName: ecs?.cluster.name,
                      eksClusterName: eks?.cluster.name,
                  },
                  opts,
              );

    return { config, provider, accountId, keys, network, registry, alarms, budget, ecs, eks, lambda, serverless, dataApps, extensions, queues, resources, dashboards };
}

/** Each app's address on each runtime it runs on. */
export function appEndpoints(platform: Pick<Platform, "config" | "ecs" | "eks" | "lambda">): Record<string, { ecs?: pulumi.Output<string> | string; eks?: pulumi.Output<string>; lambda?: pulumi.Output<string> }> {
    return Object.fromEntries(
        Object.keys(platform.config.apps).map((app) => [
            app,
            {
                ...(platform.ecs?.services[app] ? { ecs: platform.ecs.services[app].url } : platform.ecs?.workers[app] ? { ecs: "worker" } : {}),
                ...(platform.eks?.apps[app] ? { eks: platform.eks.apps[app].url } : {}),
                ...(platform.lambda?.apps[app] ? { lambda: platform.lambda.apps[app].url } : {}),
            },
        ]),
    );
}

/**
 * The stack outputs: what operators and later stacks need to find the platform. Only what this
 * stack has: an app the stack does not build has no output (not an undefined one, which the engine
 * warns about on every run).
 */
export function platformOutputs(platform: Platform) {
    return definedOnly({
        profile: platform.config.profile,
        region: platform.config.region,
        vpcId: platform.network.vpcId,
        privateSubnetIds: platform.network.privateSubnetIds,
        publicSubnetIds: platform.network.publicSubnetIds,
        logsKeyArn: platform.keys.logs.arn,
        dataKeyArn: platform.keys.data.arn,
        repositories: Object.fromEntries(Object.entries(platform.registry.repositories).map(([app, repo]) => [app, repo.url])),
        alarmTopicArn: platform.alarms.arn,
        ecsClusterName: platform.ecs?.cluster.name,
        appUrls: Object.fromEntries(Object.entries(platform.ecs?.services ?? {}).map(([app, service]) => [app, service.url])),
        // Every app on every runtime: its load balancer's URL, or "worker" for a queue worker (it serves no HTTP).
        appEndpoints: appEndpoints(platform),
        eksClusterName: platform.eks?.cluster.name,
        eksOidcIssuer: platform.eks?.cluster.oidcIssuer,
        // A secret: it names the cluster's endpoint and CA; access itself still needs an access entry.
        eksKubeconfig: platform.eks?.cluster.kubeconfigJson,
        translateApiUrl: platform.serverless.translate?.api.url,
        translationsTableName: platform.serverless.translate?.table.name,
        translationsTableArn: platform.serverless.translate?.table.arn,
        fanoutApiUrl: platform.serverless.fanout?.api.url,
        fanoutBusName: platform.serverless.fanout?.bus.name,
        fanoutAlertsTopicArn: platform.serverless.fanout?.alertsTopic.arn,
        dataApps: definedOnly(dataAppOutputs(platform.dataApps)),
        queueUrls: Object.keys(platform.queues).length > 0 ? Object.fromEntries(Object.entries(platform.queues).map(([name, queue]) => [name, queue.url])) : undefined,
        // One output per app module the stack deploys, named by its key.
        ...platform.extensions,
    });
}

/** The object without its undefined values (plain values and outputs are kept as they are). */
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
