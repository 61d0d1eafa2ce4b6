import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { IngressConfig } from "../config";
import type { ServiceKeyUsers } from "../kms";
import type { AccessLogBucket } from "./access-logs";
import { additionalSecurityGroupRules, validateAdditionalInputs } from "../extensions";
import { type AppTask, appTask, type EcsAppArgs, runningTasksMetric, scalableTarget, trackingPolicy } from "./app";
import { appEgress } from "./egress";
import { ScheduledJob } from "./job";
import { type AppTraffic, createListeners, createLoadBalancer, createSecurityGroups, createSharedSecurityGroups, createTargetGroup, sharedTraffic } from "./load-balancer";
import type { SharedLoadBalancer } from "../shared-load-balancer";
import { deploymentSettings } from "./release";
import { createCpuAlarm, createTrafficAlarms } from "./service-alarms";
import { PLACEHOLDER_IMAGE } from "./task";
import { withTransforms } from "../transform";

export interface EcsServiceArgs extends EcsAppArgs {
    /** Tasks run in the private subnets; the load balancer in the public ones (the private ones for an internal app, which admits `vpcCidr`). */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; publicSubnetIds: pulumi.Input<string[]>; vpcCidr?: string };
    /** Certificate, TLS policy, allowed CIDRs, timeouts. */
    ingress: IngressConfig;
    /** The bucket the load balancer writes access logs to, under the app's name (its own load balancer). */
    accessLogs?: AccessLogBucket;
    /**
     * The stack's shared load balancer of the app's scheme (`network.loadBalancers: shared`): the
     * app gets a target group and a listener (or host rule) there instead of a load balancer.
     * @default the app's own load balancer
     */
    sharedLoadBalancer?: SharedLoadBalancer;
    /** The load balancer's own deletion protection (ELB.6). */
    deletionProtection: boolean;
    /** The stack's Scheduler group and the key for the jobs' dead-letter queues; required when the spec has jobs. */
    jobs?: { scheduleGroupName: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; keyUsers: ServiceKeyUsers };
    /**
     * The stack's release tooling (ReleaseTooling): ECS's infrastructure role for load balancers,
     * and the pre-traffic hook function with its invoke role. Required when `spec.release.strategy`
     * is not rolling (and the hook when `preTrafficHook` is set).
     * @default none (rolling releases only)
     */
    release?: { loadBalancerRoleArn: pulumi.Input<string>; hook?: { functionArn: pulumi.Input<string>; roleArn: pulumi.Input<string> } };
}

/**
 * One app on ECS Fargate behind its own internet-facing Application Load Balancer: the task
 * definition and its two roles, the service (private subnets, circuit breaker with rollback,
 * spread across AZs), the load balancer (HTTPS with a TLS 1.3 policy, or plain HTTP when no
 * certificate is configured), target tracking on CPU and requests, alarms, and the app's
 * scheduled jobs.
 */
export class EcsService extends pulumi.ComponentResource {
    readonly service: aws.ecs.Service;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly loadBalancer: aws.lb.LoadBalancer;
    /** The target group production traffic starts on (blue); after a traffic-shifting release it may be on `greenTargetGroup`. */
    readonly targetGroup: aws.lb.TargetGroup;
    /** blueGreen, canary, linear: the second target group a release's new tasks start in. */
    readonly greenTargetGroup?: aws.lb.TargetGroup;
    readonly taskSecurityGroup: aws.ec2.SecurityGroup;
    readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
    /** The scheduled jobs' security group, when the app has jobs. */
    readonly jobsSecurityGroup?: aws.ec2.SecurityGroup;
    /** `https://<dns name>` with a certificate, `http://<dns name>` without. */
    readonly url: pulumi.Output<string>;
    readonly jobs: Record<string, ScheduledJob> = {};

    constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAdditionalInputs(args.app, args);
        super("platform:ecs:Service", name, {}, withTransforms(opts, args.transform));
        const parent = { parent: this };
        const task = appTask(name, args, { logStreamPrefix: "service", publishPort: true }, this);
        this.warnAboutSetup(args, task.released);
        this.taskDefinition = task.taskDefinition;

        const shared = args.sharedLoadBalancer;
        const securityGroups = shared ? createSharedSecurityGroups(name, args, shared, parent) : createSecurityGroups(name, args, parent);
        this.loadBalancerSecurityGroup = securityGroups.loadBalancer;
        this.taskSecurityGroup = securityGroups.tasks;
        additionalSecurityGroupRules(`${name}-tasks`, this.taskSecurityGroup.id, args.additionalSecurityGroupRules, parent);
        this.loadBalancer = shared ? shared.loadBalancer : this.createOwnLoadBalancer(name, args);
        this.targetGroup = createTargetGroup(name, args, parent);
        if (args.spec.release.strategy !== "rolling") this.greenTargetGroup = createTargetGroup(`${name}-green`, args, parent);
        const targetGroupPair = { blue: this.targetGroup, green: this.greenTargetGroup };
        let traffic: AppTraffic;
        if (shared) {
            const route = sharedTraffic(name, args, shared, targetGroupPair, this);
            traffic = route;
            this.url = route.url;
        } else {
            traffic = createListeners(name, args, this.loadBalancer, targetGroupPair, this);
            this.url = pulumi.interpolate`${args.ingress.certificateArn ? "https" : "http"}://${this.loadBalancer.dnsName}`;
        }

        const targetGroups = [this.targetGroup, ...(this.greenTargetGroup ? [this.greenTargetGroup] : [])].map((group) => group.arnSuffix);
        const alarms = createTrafficAlarms(name, { app: args.app, spec: args.spec, alarmTopicArn: args.alarmTopicArn, loadBalancer: this.loadBalancer.arnSuffix, targetGroups }, parent);
        this.service = this.createService(name, args, traffic, [alarms.errors, alarms.latency]);
        createCpuAlarm(name, { app: args.app, spec: args.spec, alarmTopicArn: args.alarmTopicArn, clusterName: args.cluster.name, serviceName: this.service.name }, parent);
        this.createScaling(name, args);
        this.createJobs(name, args, task);

        this.registerOutputs({ url: this.url, service: this.service.name });
    }

    /** The app's own load balancer, writing its access logs under the app's name. */
    private createOwnLoadBalancer(name: string, args: EcsServiceArgs): aws.lb.LoadBalancer {
        if (!args.accessLogs) throw new Error(`EcsService ${name}: ${args.app} has its own load balancer but no access-log bucket was given`);
        return createLoadBalancer(name, { ...args, accessLogs: args.accessLogs }, this.loadBalancerSecurityGroup, this);
    }

    /** A missing release or an unusable spot share is said out loud, not silently worked around. */
    private warnAboutSetup(args: EcsServiceArgs, released: boolean): void {
        const { app, spec, cluster } = args;
        if (!released) {
            void pulumi.log.warn(
                `${app}: no apps.${app}.imageTag is set, so the service runs the placeholder image ${PLACEHOLDER_IMAGE} (HTTP 200 on every path on port ${spec.port})` +
                    `${Object.keys(spec.jobs).length > 0 ? " and its scheduled jobs are paused" : ""}. Push an image and set the tag to release the app.`,
                this,
            );
        }
        if (cluster.strategyFor(spec.architecture).length < cluster.capacityProviderStrategy.length) {
            void pulumi.log.warn(
                `${app}: Fargate Spot runs no ARM64 tasks, so this arm64 app's service and jobs run on FARGATE only (ecs.capacity.fargateSpotWeight applies to x86_64 apps). ` +
                    `For the spot discount, build an x86_64 image and set apps.${app}.architecture: x86_64.`,
                this,
            );
        }
    }

    /**
     * The ECS service: private subnets, spread across AZs. Rolling releases start the new tasks
     * first (up to 200%) and stop old ones only once the new are healthy; blueGreen, canary and
     * linear start a green copy in the second target group and move the production listener
     * rule's weights (`spec.release`). Either way the 5xx and latency alarms roll a release back.
     */
    private createService(name: string, args: EcsServiceArgs, traffic: AppTraffic, rollbackAlarms: aws.cloudwatch.MetricAlarm[]): aws.ecs.Service {
        const { app, spec, cluster } = args;
        const { deploymentConfiguration, deploymentCircuitBreaker } = deploymentSettings(spec.release, this.preTrafficHook(name, args));
        return new aws.ecs.Service(
            name,
            {
                name: app,
                cluster: cluster.arn,
                taskDefinition: this.taskDefinition.arn,
                // The first deployment's count; autoscaling owns it afterwards (ignoreChanges below).
                desiredCount: spec.replicas.min,
                capacityProviderStrategies: cluster.strategyFor(spec.architecture),
                platformVersion: "LATEST",
                networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [this.taskSecurityGroup.id], assignPublicIp: false },
                loadBalancers: [{ targetGroupArn: this.targetGroup.arn, containerName: app, containerPort: spec.port, advancedConfiguration: this.advancedConfiguration(name, args, traffic) }],
                healthCheckGracePeriodSeconds: spec.healthCheck.gracePeriodSeconds,
                deploymentController: { type: "ECS" },
                deploymentConfiguration,
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                deploymentCircuitBreaker,
                alarms: { alarmNames: rollbackAlarms.map((alarm) => alarm.name), enable: true, rollback: true },
                availabilityZoneRebalancing: "ENABLED",
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: cluster.exec !== undefined,
                // `pulumi up` returns once ECS accepted the deployment; the alarms (and the circuit breaker) judge it.
                waitForSteadyState: false,
            },
            // A target group must belong to a load balancer (through a listener, or a rule) before a service can use it.
            { parent: this, dependsOn: [...traffic.listeners, ...(traffic.productionRule ? [traffic.productionRule] : []), ...(traffic.testRule ? [traffic.testRule] : [])], ignoreChanges: ["desiredCount"] },
        );
    }

    /** blueGreen, canary, linear: the green target group, the rules ECS moves, and the role it moves them with. */
    private advancedConfiguration(name: string, args: EcsServiceArgs, traffic: AppTraffic): aws.types.input.ecs.ServiceLoadBalancerAdvancedConfiguration | undefined {
        if (!this.greenTargetGroup || !traffic.productionRule) return undefined;
        if (!args.release) throw new Error(`EcsService ${name}: ${args.app} releases with ${args.spec.release.strategy} but no ECS load balancer role was given`);
        return { alternateTargetGroupArn: this.greenTargetGroup.arn, productionListenerRule: traffic.productionRule.arn, testListenerRule: traffic.testRule?.arn, roleArn: args.release.loadBalancerRoleArn };
    }

    /** With `release.preTrafficHook`: the stack's probe function, told this app's readiness URL on its test listener. */
    private preTrafficHook(name: string, args: EcsServiceArgs): { functionArn: pulumi.Input<string>; roleArn: pulumi.Input<string>; url: pulumi.Input<string> } | undefined {
        const { spec } = args;
        if (!spec.release.preTrafficHook || spec.release.strategy === "rolling") return undefined;
        const hook = args.release?.hook;
        if (!hook) throw new Error(`EcsService ${name}: ${args.app} asks for a pre-traffic hook but no hook function was given`);
        const scheme = args.ingress.certificateArn ? "https" : "http";
        return { ...hook, url: pulumi.interpolate`${scheme}://${this.loadBalancer.dnsName}:${spec.release.testListenerPort}${spec.healthCheck.readinessPath}` };
    }

    /** Target tracking on average CPU and on requests per task, between `replicas.min` and `replicas.max`. */
    private createScaling(name: string, args: EcsServiceArgs): void {
        const { spec } = args;
        const parent = { parent: this };
        const target = scalableTarget(name, args.cluster, this.service, spec.replicas, parent);
        trackingPolicy(`${name}-cpu`, target, { predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, targetValue: spec.autoscaling.cpuPercent }, parent);
        trackingPolicy(`${name}-requests`, target, { ...this.requestsPerTask(args), targetValue: spec.autoscaling.requestsPerTask }, parent);
    }

    /**
     * Requests per task per minute. One target group: ELB's own ALBRequestCountPerTarget. Blue and
     * green: production traffic is on either after a release, so both groups' requests over the
     * running tasks (Container Insights' RunningTaskCount).
     */
    private requestsPerTask(args: EcsServiceArgs): Pick<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration, "predefinedMetricSpecification" | "customizedMetricSpecification"> {
        if (!this.greenTargetGroup) {
            return { predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: pulumi.interpolate`${this.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}` } };
        }
        const requests = (id: string, group: aws.lb.TargetGroup) => ({
            id,
            returnData: false,
            metricStat: {
                stat: "Sum",
                metric: {
                    namespace: "AWS/ApplicationELB",
                    metricName: "RequestCount",
                    dimensions: [
                        { name: "LoadBalancer", value: this.loadBalancer.arnSuffix },
                        { name: "TargetGroup", value: group.arnSuffix },
                    ],
                },
            },
        });
        return {
            customizedMetricSpecification: {
                metrics: [
                    requests("blue", this.targetGroup),
                    requests("green", this.greenTargetGroup),
                    runningTasksMetric(args.cluster, this.service.name),
                    { id: "perTask", label: "Requests per task", expression: "(FILL(blue, 0) + FILL(green, 0)) / tasks", returnData: true },
                ],
            },
        };
    }

    /** The app's scheduled jobs: its image, roles and secrets, a security group with the app's egress and no inbound rule. */
    private createJobs(name: string, args: EcsServiceArgs, task: AppTask): void {
        const { app, spec } = args;
        const jobNames = Object.keys(spec.jobs);
        if (jobNames.length === 0) return;
        if (!args.jobs) throw new Error(`EcsService ${name}: ${app} has jobs but no schedule group was given`);
        const parent = { parent: this };
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-jobs`, { vpcId: args.network.vpcId, description: `Scheduled jobs of ${app} (no inbound)`, tags: { Name: `${name}-jobs` } }, parent);
        (this as { jobsSecurityGroup?: aws.ec2.SecurityGroup }).jobsSecurityGroup = securityGroup;
        appEgress(`${name}-jobs`, securityGroup.id, spec.egress, args.network.vpcCidr, parent);
        // The jobs run the app's image and code: where the app may connect, they may too. Inbound stays closed.
        const egressRules = args.additionalSecurityGroupRules?.filter((rule) => rule.direction === "egress");
        additionalSecurityGroupRules(`${name}-jobs`, securityGroup.id, egressRules, parent);
        for (const job of jobNames) {
            this.jobs[job] = new ScheduledJob(
                `${name}-${job}`,
                {
                    app,
                    job,
                    spec: spec.jobs[job],
                    family: `${args.namePrefix}-${app}-${job}`,
                    container: task.container,
                    architecture: spec.architecture,
                    taskRole: task.taskRole,
                    executionRole: task.executionRole,
                    cluster: args.cluster,
                    subnetIds: args.network.privateSubnetIds,
                    securityGroupId: securityGroup.id,
                    scheduleGroupName: args.jobs.scheduleGroupName,
                    paused: !task.released,
                    kmsKeyArn: args.jobs.kmsKeyArn,
                    keyUsers: args.jobs.keyUsers,
                    alarmTopicArn: args.alarmTopicArn,
                    region: args.region,
                    accountId: args.accountId,
                },
                parent,
            );
        }
    }
}
