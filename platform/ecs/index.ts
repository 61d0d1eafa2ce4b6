import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig, EcsConfig, IngressConfig } from "../config";
import type { ServiceKeyUsers } from "../kms";
import { AccessLogBucket } from "./access-logs";
import { appEgressToApps } from "./egress";
import { EcsCluster } from "./cluster";
import type { AppBindings } from "./grants";
import type { EcsAppArgs } from "./app";
import type { AdditionalInputs } from "../extensions";
import { EcsService } from "./service";
import { EcsWorker } from "./worker";
import { ReleaseTooling } from "./release";
import type { ServerlessContext } from "../serverless";
import type { SharedLoadBalancers } from "../shared-load-balancer";
import { withTransforms, type Transformable } from "../transform";

export { appBindings, type AppBindings, type TaskGrant } from "./grants";

/** One app as the ECS runtime deploys it, with its `additional*` inputs from `buildPlatform(config, { extend })`. */
export interface EcsApp extends AdditionalInputs {
    spec: AppConfig;
    /** Its ECR repository, from the registry. */
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** Grants and variables from its spec (and, later, from what other components give it). */
    bindings: AppBindings;
}

export interface EcsRuntimeArgs extends Transformable {
    /** `<project>-<stack>`: the cluster's and the schedule group's name, and every physical name's prefix. */
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** The apps whose runtimes include `ecs`, by name. */
    apps: Record<string, EcsApp>;
    /** Container Insights, the capacity mix and ECS Exec. */
    cluster: EcsConfig;
    /** `vpcCidr`: what an internal app's load balancer admits. */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; publicSubnetIds: pulumi.Input<string[]>; vpcCidr: string };
    ingress: IngressConfig;
    /** Retention of container, audit and access logs; the key that encrypts the CloudWatch ones (and ECS Exec sessions). */
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /** Encrypts the jobs' dead-letter queues. */
    dataKeyArn: pulumi.Input<string>;
    /** That key's policy (EventBridge writes the jobs' dead letters). */
    dataKeyUsers: ServiceKeyUsers;
    alarmTopicArn: pulumi.Input<string>;
    /** Load balancers' own deletion protection. */
    deletionProtection: boolean;
    /** Pulumi `protect` on the access-log bucket, the apps' log groups and the ECS Exec audit log. */
    protect: boolean;
    /** Keys, alarm topic and function defaults for the release probe function (`release.preTrafficHook`). */
    serverless?: ServerlessContext;
    /**
     * The stack's shared load balancers by scheme (`network.loadBalancers: shared`): each
     * service joins the one of its scheme instead of getting its own.
     * @default none: every service gets its own load balancer
     */
    sharedLoadBalancers?: SharedLoadBalancers;
    /**
     * More prefixes the access-log bucket lets ELB write under: the EKS Ingresses' ALBs share it.
     * @default []
     * @example ["eks/web"]
     */
    accessLogPrefixes?: string[];
    /**
     * Leave the apps to `buildApps()`, which builds one app per step, so a caller can let the
     * registrations of one app finish before the next is built (buildPlatformAsync does).
     * @default false: the constructor builds every app
     */
    stepwise?: boolean;
}

/**
 * The ECS Fargate runtime: one cluster, one access-log bucket for the load balancers, a schedule
 * group for the jobs, and a service per app.
 */
export class EcsRuntime extends pulumi.ComponentResource {
    readonly cluster: EcsCluster;
    /** The access-log bucket of the services' own load balancers; absent when every service is on a shared one. */
    readonly accessLogs?: AccessLogBucket;
    readonly services: Record<string, EcsService> = {};
    /** Queue workers (`consumes`): services without a load balancer. */
    readonly workers: Record<string, EcsWorker> = {};
    /** Present when some app releases with blueGreen, canary or linear. */
    readonly releaseTooling?: ReleaseTooling;
    /** The apps left to build (see buildApps), and the arguments they are built from. */
    private readonly appSteps: (() => string)[] = [];
    private args!: EcsRuntimeArgs;

    constructor(name: string, args: EcsRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:Runtime", name, {}, withTransforms(opts, args.transform));
        this.cluster = new EcsCluster(
            name,
            {
                clusterName: args.namePrefix,
                containerInsights: args.cluster.containerInsights,
                capacity: args.cluster.capacity,
                exec: args.cluster.exec.enabled ? { kmsKeyArn: args.logs.kmsKeyArn, logRetentionDays: args.logs.retentionDays, protect: args.protect } : undefined,
            },
            { parent: this },
        );
        const sharedOf = (spec: AppConfig) => args.sharedLoadBalancers?.[spec.ingress === "internal" ? "internal" : "internet-facing"];
        const ownLoadBalancers = Object.entries(args.apps).filter(([, { spec }]) => !spec.consumes && !sharedOf(spec));
        this.accessLogs =
            ownLoadBalancers.length === 0
                ? undefined
                : new AccessLogBucket(
                      `${name}-alb-logs`,
                      {
                          prefixes: [...ownLoadBalancers.map(([app]) => app), ...(args.accessLogPrefixes ?? [])],
                          retentionDays: args.logs.retentionDays,
                          region: args.region,
                          accountId: args.accountId,
                          protect: args.protect,
                      },
                      { parent: this },
                  );
        const hasJobs = Object.values(args.apps).some((app) => Object.keys(app.spec.jobs).length > 0);
        const scheduleGroup = hasJobs ? new aws.scheduler.ScheduleGroup(name, { name: args.namePrefix }, { parent: this }) : undefined;
        // EventBridge writes the services' jobs' dead letters to queues under the data key (each
        // ScheduledJob declares it too). Declared before any app is built, so the platform can
        // finish the key's policy before it builds the apps, and their registrations need not wait
        // for the key (see platformSteps in platform/index.ts).
        if (scheduleGroup && Object.values(args.apps).some((app) => !app.spec.consumes && Object.keys(app.spec.jobs).length > 0)) args.dataKeyUsers.allowService("events.amazonaws.com");
        this.releaseTooling = this.createReleaseTooling(name, args);
        const tooling = this.releaseTooling;
        const release = tooling && { loadBalancerRoleArn: tooling.loadBalancerRole.arn, hook: tooling.hook && { functionArn: tooling.hook.function.arn, roleArn: tooling.hook.invokeRole.arn } };

        // One step per app: what a service and a queue worker are both built from; a service adds its ingress and jobs.
        for (const [app, { spec, repository, bindings, ...additional }] of Object.entries(args.apps)) {
            this.appSteps.push(() => {
                const common: EcsAppArgs = {
                    app,
                    spec,
                    namePrefix: args.namePrefix,
                    region: args.region,
                    accountId: args.accountId,
                    repository,
                    cluster: this.cluster,
                    network: args.network,
                    logs: args.logs,
                    protect: args.protect,
                    bindings,
                    alarmTopicArn: args.alarmTopicArn,
                    ...additional,
                };
                if (spec.consumes) {
                    this.workers[app] = new EcsWorker(`${name}-${app}`, common, { parent: this });
                    return app;
                }
                this.services[app] = new EcsService(
                    `${name}-${app}`,
                    {
                        ...common,
                        network: args.network,
                        ingress: args.ingress,
                        accessLogs: this.accessLogs,
                        sharedLoadBalancer: sharedOf(spec),
                        deletionProtection: args.deletionProtection,
                        jobs: scheduleGroup ? { scheduleGroupName: scheduleGroup.name, kmsKeyArn: args.dataKeyArn, keyUsers: args.dataKeyUsers } : undefined,
                        release,
                    },
                    { parent: this },
                );
                return app;
            });
        }
        this.args = args;
        if (!args.stepwise) {
            const steps = this.buildApps();
            while (!steps.next().done);
        }
    }

    /**
     * Builds the apps not built yet, one per step (a generator: the caller may wait between
     * steps, yielded the app's name), then what needs them all (the egress to the apps) and the
     * runtime's outputs.
     */
    *buildApps(): Generator<string, void> {
        for (let step = this.appSteps.shift(); step; step = this.appSteps.shift()) yield step();
        this.addEgressToApps(this.args);
        this.registerOutputs({ cluster: this.cluster.name, urls: Object.fromEntries(Object.entries(this.services).map(([app, service]) => [app, service.url])) });
    }

    /**
     * The infrastructure role ECS moves traffic with, once per stack, when some app releases with
     * blueGreen, canary or linear; and the probe function when some app asks for a pre-traffic hook.
     */
    private createReleaseTooling(name: string, args: EcsRuntimeArgs): ReleaseTooling | undefined {
        const shifting = Object.entries(args.apps).filter(([, { spec }]) => !spec.consumes && spec.release.strategy !== "rolling");
        if (shifting.length === 0) return undefined;
        const hooked = shifting.filter(([, { spec }]) => spec.release.preTrafficHook && spec.release.testListenerPort !== undefined);
        if (hooked.length > 0 && !args.serverless) throw new Error(`EcsRuntime ${name}: a pre-traffic hook needs the serverless context (function defaults and keys)`);
        for (const [app, { spec }] of hooked) {
            // The probe reaches a public app's test listener through the NAT: its addresses must be among the allowed clients.
            if (spec.ingress === "public" && !args.ingress.allowedCidrs.includes("0.0.0.0/0")) {
                void pulumi.log.warn(`${app}: the release probe reaches the test listener through the NAT, so ingress.allowedCidrs must include the NAT's public addresses, or every release of ${app} rolls back.`, this);
            }
        }
        return new ReleaseTooling(
            `${name}-release`,
            {
                namePrefix: args.namePrefix,
                preTrafficHook:
                    hooked.length > 0 && args.serverless
                        ? { ctx: args.serverless, vpcId: args.network.vpcId, subnetIds: args.network.privateSubnetIds, testPorts: hooked.map(([, { spec }]) => spec.release.testListenerPort as number) }
                        : undefined,
            },
            { parent: this },
        );
    }

    /** `egress: [{ to: <app> }]`: to the target's load balancer security group (its own or the shared one), once every service exists. */
    private addEgressToApps(args: EcsRuntimeArgs): void {
        // With a certificate, port 80 only redirects to 443.
        const listenerPorts = args.ingress.certificateArn ? [443] : [80];
        const targets = Object.fromEntries(Object.entries(this.services).map(([app, service]) => [app, { securityGroupId: service.loadBalancerSecurityGroup.id, ports: listenerPorts }]));
        for (const [app, service] of Object.entries(this.services)) {
            appEgressToApps(`${args.namePrefix}-${app}-tasks`, service.taskSecurityGroup.id, args.apps[app].spec.egress, targets, { parent: service });
            if (service.jobsSecurityGroup) appEgressToApps(`${args.namePrefix}-${app}-jobs`, service.jobsSecurityGroup.id, args.apps[app].spec.egress, targets, { parent: service });
        }
        for (const [app, worker] of Object.entries(this.workers)) appEgressToApps(`${args.namePrefix}-${app}-tasks`, worker.securityGroup.id, args.apps[app].spec.egress, targets, { parent: worker });
    }
}
