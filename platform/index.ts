import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmTopic } from "./alarms";
import { CostBudget } from "./budget";
import type { PlatformConfig } from "./config";
import { buildServerlessApps, ServerlessApps } from "./apps";
import { buildDataApps, dataAppOutputs, DataApps } from "./apps/data";
import { buildRegisteredApps } from "./apps/registry";
import { type AppBindings, appBindings, type StackResources } from "./bindings";
import { EcsRuntime } from "./ecs";
import { buildStackQueues } from "./apps/queues";
import { stackResources } from "./apps/resources";
import { EksRuntime } from "./eks";
import { eksAccessLogPrefix } from "./eks/workloads";
import type { AccessLogBucket } from "./ecs/access-logs";
import { lambdaFunctionName, LambdaRuntime } from "./lambda";
import { queueProcessingTimeout } from "./config/lambda";
import { architectureOf } from "./config/eks";
import { Dashboards } from "./dashboards";
import { sharedLoadBalancersFor } from "./shared-load-balancer";
import { PlatformKey } from "./kms";
import { Network } from "./network";
import { type AppRepository, Registry } from "./registry";
import { BATCH_REPOSITORY } from "./apps/batch-ecs";
import { type Transform, withTransforms } from "./transform";
import { additionalInputsOf, type PlatformExtensions, validatePlatformExtensions } from "./extensions";
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
    /**
     * Grants and network rules added to an app of the stack file on every runtime it runs on:
     * `policyStatements` on each runtime's role, `securityGroupRules` on its ECS tasks' security
     * group, each as a child of its own (`<role>-additional`, `<group>-additional-<direction>-<n>`).
     * An app not in `platform:apps` is an error, raised before anything is created.
     * @default {}
     * @example
     * buildPlatform(loadPlatformConfig(), {
     *     extend: { apps: { web: { policyStatements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::partner-feed/*" }] } } },
     * });
     */
    extend?: PlatformExtensions;
}

/**
 * Builds the shared platform from a validated config. A plain function of its input (no reads of
 * global config), so one process can build dev and prod side by side in tests. An outline of named
 * steps, in dependency order: the provider, the foundation (keys, alarms, budget, network,
 * registry), the stack's apps and queues, the container runtimes, then the dashboards.
 */
export function buildPlatform(config: PlatformConfig, options: BuildOptions = {}): Platform {
    const steps = platformSteps(config, options, false);
    for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
    }
}

/**
 * The same platform as buildPlatform, built with a turn of the event loop between its steps and
 * between the container apps, so the registrations of what is built so far finish (and their
 * promises are freed) before more is built: what `pulumi up` and the offline synth run (index.ts).
 * Memory then stays flat with the number of apps, instead of every resource's registration
 * staying pending until the whole program has been built.
 */
export async function buildPlatformAsync(config: PlatformConfig, options: BuildOptions = {}): Promise<Platform> {
    const steps = platformSteps(config, options, true);
    for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
}

/** The outline of buildPlatform as a generator: it yields where a caller may let registrations finish. */
function* platformSteps(config: PlatformConfig, options: BuildOptions, stepwise: boolean): Generator<string, Platform> {
    validatePlatformExtensions(config.apps, options.extend);
    const { provider, opts, accountId } = createProvider(config, options);
    const foundation = buildFoundation(config, accountId, opts);
    yield "foundation";
    const apps = buildStackApps(config, accountId, foundation, opts, options.extend);
    yield "stack apps";
    const shared = buildSharedLoadBalancers(config, accountId, foundation, opts);
    const eksShared = shared.eksJoins ? shared.loadBalancers : undefined;
    const ecs = buildEcsRuntime(config, accountId, foundation, apps, shared.loadBalancers, eksIngressLogPrefixes(config, eksShared), opts, stepwise);
    const runtimes = {
        ecs,
        // EKS Ingresses' ALBs log to the ECS runtime's access-log bucket when there is one.
        eks: buildEksRuntime(config, accountId, foundation, apps, eksShared, ecs?.accessLogs, opts, stepwise),
        lambda: buildLambdaRuntime(config, foundation, apps, opts),
    };
    // Every construct that admits a service to the data key is built or declared: the runtimes
    // declare their apps' needs (EventBridge for ECS jobs, Karpenter's interruption queue) before
    // building the apps. Sealing here, not after the apps, lets the key register now, and with it
    // everything encrypted with it, instead of holding every app's registrations pending.
    foundation.keys.data.seal();
    yield "runtimes";
    if (runtimes.ecs && stepwise) yield* runtimes.ecs.buildApps();
    if (runtimes.eks && stepwise) yield* runtimes.eks.buildApps();
    const dashboards = buildDashboards(config, runtimes, apps, opts);
    const { serverless, dataApps, extensions, queues, resources } = apps;
    return { config, provider, accountId, ...foundation, serverless, dataApps, extensions, queues, resources, ...runtimes, dashboards };
}

/** What every later step shares: the resource options (provider and transforms) and the account. */
type StepOptions = pulumi.ComponentResourceOptions;
type AccountId = pulumi.Output<string>;
type Foundation = Pick<Platform, "keys" | "alarms" | "budget" | "network" | "registry">;
type StackApps = Pick<Platform, "serverless" | "dataApps" | "extensions" | "queues" | "resources"> & {
    /** What serverless constructs share (config, account, keys, alarms). */
    ctx: ReturnType<typeof serverlessContext>;
    /** The bindings of one container app to the stack's resources (its environment and grants). */
    bindings: (app: string) => AppBindings;
    /** `buildPlatform`'s `extend`, validated. */
    extend?: PlatformExtensions;
};

/** The AWS provider every resource uses (region, allowed account, default tags), with the program's transforms. */
function createProvider(config: PlatformConfig, options: BuildOptions): { provider: aws.Provider; opts: StepOptions; accountId: AccountId } {
    const provider = new aws.Provider("aws", {
        region: config.region,
        allowedAccountIds: config.accountId ? [config.accountId] : undefined,
        defaultTags: { tags: { ...config.tags, Project: config.project, Stack: config.stack, Profile: config.profile, ManagedBy: "pulumi" } },
    });
    const opts = withTransforms<pulumi.ComponentResourceOptions>({ providers: [provider] }, options.transform);
    const accountId = config.accountId ? pulumi.output(config.accountId) : aws.getCallerIdentityOutput({}, { provider }).accountId;
    return { provider, opts, accountId };
}

/** What every app builds on: the KMS keys, the alarm topic, the budget, the network and the image registry. */
function buildFoundation(config: PlatformConfig, accountId: AccountId, opts: StepOptions): Foundation {
    const keys = createKeys(config, accountId, opts);
    const alarms = new AlarmTopic(
        `${config.name}-alarms`,
        { kmsKeyArn: keys.data.arn, keyUsers: keys.data, region: config.region, accountId, emails: config.alarms.emails, allowBudgets: config.cost.monthlyBudget !== undefined },
        opts,
    );
    const budget = config.cost.monthlyBudget === undefined ? undefined : new CostBudget(config.name, { monthlyBudget: config.cost.monthlyBudget, stack: config.stack, alarmTopicArn: alarms.arn }, opts);
    const network = createNetwork(config, accountId, keys, alarms, opts);
    const registry = createRegistry(config, accountId, keys, opts);
    return { keys, alarms, budget, network, registry };
}

/** The two customer-managed keys: one for CloudWatch Logs, one for data at rest. */
function createKeys(config: PlatformConfig, accountId: AccountId, opts: StepOptions): Platform["keys"] {
    const protect = config.protection.protectStatefulResources;
    return {
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
                // is final once everything is built (seal in buildPlatform).
                openToServices: true,
                protect,
            },
            opts,
        ),
    };
}

function createNetwork(config: PlatformConfig, accountId: AccountId, keys: Platform["keys"], alarms: AlarmTopic, opts: StepOptions): Network {
    return new Network(
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
            protect: config.protection.protectStatefulResources,
        },
        opts,
    );
}

function createRegistry(config: PlatformConfig, accountId: AccountId, keys: Platform["keys"], opts: StepOptions): Registry {
    return new Registry(
        config.name,
        {
            namespace: config.registry.namespace,
            // The batch app's ECS processor has its image too (apps/batch/Dockerfile).
            apps: [...Object.keys(config.apps), ...(config.batch?.processor === "ecs" ? [BATCH_REPOSITORY] : [])],
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
            protect: config.protection.protectStatefulResources,
        },
        opts,
    );
}

/**
 * The serverless and data apps, the app modules and the standalone queues, and what container
 * apps can bind to among them. Built before the runtimes: app bindings reference these resources
 * and resolve in the same deploy.
 */
function buildStackApps(config: PlatformConfig, accountId: AccountId, { keys, alarms, network, registry }: Foundation, opts: StepOptions, extend?: PlatformExtensions): StackApps {
    const ctx = serverlessContext({ config, accountId, keys, alarms });
    // API Gateway's execution logging role is an account and region setting: the account owner's
    // stack sets it for every stack's APIs; the others' stages rely on it (deploy the owner first).
    const apiLoggingRole = config.account.owner ? new ApiGatewayLoggingRole(`${config.name}-apigateway-logging`, opts) : undefined;
    const serverless = buildServerlessApps(config, ctx, opts, apiLoggingRole);
    // The batch app's ECS processor (platform:batch.processor: ecs) runs in the network and pulls from the registry.
    const batchRepository = registry.repositories[BATCH_REPOSITORY] as AppRepository | undefined;
    const batchEcs = batchRepository && { network, repository: batchRepository, containerInsights: config.ecs.containerInsights, namePrefix: config.name };
    const dataApps = buildDataApps(config.name, config, ctx, opts, apiLoggingRole, batchEcs);
    // Every app module the stack sets a key for (platform/apps/registry.ts): nothing here changes to add one.
    const extensions = buildRegisteredApps(config.name, config.profile, config.extensions, ctx, opts, apiLoggingRole);
    const queues = buildStackQueues(config.name, config.queues, ctx, opts);
    const resources = stackResources({ serverless, dataApps, queues, dataKeyArn: keys.data.arn });
    const bindings = (app: string) => appBindings(app, config.apps[app], resources, config.region);
    return { ctx, serverless, dataApps, extensions, queues, resources, bindings, extend };
}

/** The container apps of one runtime, each with its image repository, bindings and `extend` (security group rules on ECS only). */
function appsOn(runtime: "ecs" | "eks", config: PlatformConfig, registry: Registry, { bindings, extend }: Pick<StackApps, "bindings" | "extend">) {
    const apps = Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes(runtime));
    return Object.fromEntries(apps.map(([app, spec]) => [app, { spec, repository: registry.repositories[app], bindings: bindings(app), ...additionalInputsOf(extend, app, runtime === "ecs") }]));
}

type SharedLoadBalancers = ReturnType<typeof sharedLoadBalancersFor>;

/**
 * `network.loadBalancers: shared`: one load balancer per scheme that ECS services and EKS apps join
 * instead of their own (EKS through the Load Balancer Controller's TargetGroupBinding: not with
 * Auto Mode, which runs no such controller).
 */
function buildSharedLoadBalancers(config: PlatformConfig, accountId: AccountId, { network }: Foundation, opts: StepOptions): { loadBalancers: SharedLoadBalancers; eksJoins: boolean } {
    const eksJoins = config.eks.enabled && config.eks.compute !== "autoMode";
    const loadBalancers = sharedLoadBalancersFor({ name: config.name, region: config.region, config, accountId, network, runtimes: eksJoins ? ["ecs", "eks"] : ["ecs"] }, opts);
    return { loadBalancers, eksJoins };
}

/** The ECS cluster and its services and workers; absent when no app runs on ECS. */
function buildEcsRuntime(
    config: PlatformConfig,
    accountId: AccountId,
    { keys, alarms, network, registry }: Foundation,
    { ctx, bindings, extend }: StackApps,
    sharedLoadBalancers: SharedLoadBalancers,
    accessLogPrefixes: string[],
    opts: StepOptions,
    stepwise: boolean,
): EcsRuntime | undefined {
    if (!Object.values(config.apps).some((spec) => spec.runtimes.includes("ecs"))) return undefined;
    return new EcsRuntime(
        config.name,
        {
            namePrefix: config.name,
            region: config.region,
            accountId,
            apps: appsOn("ecs", config, registry, { bindings, extend }),
            cluster: config.ecs,
            network: { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, publicSubnetIds: network.publicSubnetIds, vpcCidr: config.network.cidr },
            ingress: config.ingress,
            logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
            dataKeyArn: keys.data.arn,
            dataKeyUsers: keys.data,
            alarmTopicArn: alarms.arn,
            deletionProtection: config.protection.deletionProtection,
            protect: config.protection.protectStatefulResources,
            serverless: ctx,
            sharedLoadBalancers,
            accessLogPrefixes,
            stepwise,
        },
        opts,
    );
}

/** The EKS cluster and the apps on it; absent unless EKS is enabled. */
function buildEksRuntime(
    config: PlatformConfig,
    accountId: AccountId,
    { keys, alarms, network, registry }: Foundation,
    stackApps: Pick<StackApps, "bindings" | "extend">,
    sharedLoadBalancers: SharedLoadBalancers | undefined,
    accessLogs: AccessLogBucket | undefined,
    opts: StepOptions,
    stepwise: boolean,
): EksRuntime | undefined {
    if (!config.eks.enabled) return undefined;
    return new EksRuntime(
        `${config.name}-eks`,
        {
            namePrefix: config.name,
            region: config.region,
            accountId,
            config: config.eks,
            apps: appsOn("eks", config, registry, stackApps),
            network: { vpcId: network.vpcId, vpcCidr: config.network.cidr, privateSubnetIds: network.privateSubnetIds },
            ingress: config.ingress,
            sharedLoadBalancers,
            logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: keys.logs.arn },
            dataKeyArn: keys.data.arn,
            dataKeyUsers: keys.data,
            spot: config.compute.spot,
            highAvailability: config.profile === "prod",
            deletionProtection: config.protection.deletionProtection,
            protect: config.protection.protectStatefulResources,
            alarmTopicArn: alarms.arn,
            accessLogs,
            stepwise,
        },
        opts,
    );
}

/** The prefixes EKS Ingresses of their own write access logs under (a worker has none; an app on a shared load balancer a TargetGroupBinding). */
function eksIngressLogPrefixes(config: PlatformConfig, eksShared: SharedLoadBalancers | undefined): string[] {
    if (!config.eks.enabled) return [];
    return Object.entries(config.apps)
        .filter(([, spec]) => spec.runtimes.includes("eks") && !spec.consumes && !eksShared?.[spec.ingress === "internal" ? "internal" : "internet-facing"])
        .map(([app]) => eksAccessLogPrefix(app));
}

/** The Lambda functions of the apps that run on Lambda; absent when none does. */
function buildLambdaRuntime(config: PlatformConfig, { registry }: Foundation, { ctx, bindings, extend }: StackApps, opts: StepOptions): LambdaRuntime | undefined {
    const lambdaApps = Object.entries(config.apps).filter(([, spec]) => spec.runtimes.includes("lambda"));
    if (lambdaApps.length === 0) return undefined;
    return new LambdaRuntime(
        `${config.name}-lambda`,
        {
            namePrefix: config.name,
            ctx,
            apps: Object.fromEntries(
                lambdaApps.map(([app, spec]) => [
                    app,
                    {
                        spec,
                        repository: registry.repositories[app],
                        bindings: bindings(app),
                        queueProcessingTimeoutSeconds: queueProcessingTimeout(config, spec.consumes?.queue),
                        ...additionalInputsOf(extend, app, false),
                    },
                ]),
            ),
        },
        opts,
    );
}

/** The stack's dashboard (and one per app with `perApp`); absent with `observability.dashboards: none`. */
function buildDashboards(config: PlatformConfig, { ecs, eks, lambda }: Pick<Platform, "ecs" | "eks" | "lambda">, { serverless, dataApps }: StackApps, opts: StepOptions): Dashboards | undefined {
    if (config.observability.dashboards === "none") return undefined;
    return new Dashboards(
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
