import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import type { AppConfig, IngressConfig } from "../config";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { ServiceKeyUsers } from "../kms";
import type { AccessLogBucket } from "./access-logs";
import type { EcsCluster } from "./cluster";
import type { AppBindings } from "./grants";
import { ScheduledJob } from "./job";
import { appEgress } from "./egress";
import { appLogsAndRoles } from "./roles";
import { ContainerArgs, fargateTaskDefinition, PLACEHOLDER_IMAGE, placeholderCommand } from "./task";
import { withTransforms, type Transformable } from "../transform";

export interface EcsServiceArgs extends Transformable {
    /** The app's name: the ECS service, container, log and access-log prefix are named after it. */
    app: string;
    /** The app spec (image tag, port, health paths, size, replicas, variables, secrets, jobs). */
    spec: AppConfig;
    /** Prefix of physical names, `<project>-<stack>`. */
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** The app's ECR repository: images come from there, tagged with `spec.imageTag`. */
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** The cluster, its capacity strategy and (when enabled) ECS Exec. */
    cluster: EcsCluster;
    /** Tasks run in the private subnets; the load balancer in the public ones. */
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; publicSubnetIds: pulumi.Input<string[]>; vpcCidr?: string };
    /** Certificate, TLS policy, allowed CIDRs, timeouts. */
    ingress: IngressConfig;
    /** The bucket the load balancer writes access logs to, under the app's name. */
    accessLogs: AccessLogBucket;
    /** Container (and job) logs: the profile's retention, the platform's logs key. */
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /**
     * Pulumi `protect` on the app's log group: a year of application logs in prod must not go
     * with a `pulumi destroy` or a rename.
     * @default false
     */
    protect?: boolean;
    /** What the app's code may call and the variables that say where. */
    bindings: AppBindings;
    /** The load balancer's own deletion protection (ELB.6). */
    deletionProtection: boolean;
    /** Alarms and job failures notify this topic. */
    alarmTopicArn: pulumi.Input<string>;
    /** The stack's Scheduler group and the key for the jobs' dead-letter queues; required when the spec has jobs. */
    jobs?: { scheduleGroupName: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; keyUsers: ServiceKeyUsers };
}

/** ALB metric dimensions are the ARN suffixes: `app/<name>/<id>` and `targetgroup/<name>/<id>`. */
const ELB_NAMESPACE = "AWS/ApplicationELB";

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
    readonly targetGroup: aws.lb.TargetGroup;
    readonly taskSecurityGroup: aws.ec2.SecurityGroup;
    /** The scheduled jobs' security group, when the app has jobs. */
    readonly jobsSecurityGroup?: aws.ec2.SecurityGroup;
    readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
    /** `https://<dns name>` with a certificate, `http://<dns name>` without. */
    readonly url: pulumi.Output<string>;
    readonly jobs: Record<string, ScheduledJob> = {};

    constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:Service", name, {}, withTransforms(opts, args.transform));
        const { app, spec, cluster, ingress } = args;
        const parent = { parent: this };

        const { logGroup, taskRole, executionRole } = appLogsAndRoles(
            name,
            {
                app,
                namePrefix: args.namePrefix,
                region: args.region,
                accountId: args.accountId,
                repository: args.repository,
                logs: args.logs,
                protect: args.protect,
                secrets: spec.secrets,
                secretsKmsKeyArn: spec.secretsKmsKeyArn,
                grants: args.bindings.grants,
                exec: cluster.exec,
            },
            this,
        );

        const released = spec.imageTag !== undefined;
        if (!released) {
            void pulumi.log.warn(
                `${app}: no apps.${app}.imageTag is set, so the service runs the placeholder image ${PLACEHOLDER_IMAGE} (HTTP 200 on every path on port ${spec.port})` +
                    `${Object.keys(spec.jobs).length > 0 ? " and its scheduled jobs are paused" : ""}. Push an image and set the tag to release the app.`,
                this,
            );
        }
        // The stack asked for spot, which this app cannot use: say so rather than drop it silently.
        if (cluster.strategyFor(spec.architecture).length < cluster.capacityProviderStrategy.length) {
            void pulumi.log.warn(
                `${app}: Fargate Spot runs no ARM64 tasks, so this arm64 app's service and jobs run on FARGATE only (ecs.capacity.fargateSpotWeight applies to x86_64 apps). ` +
                    `For the spot discount, build an x86_64 image and set apps.${app}.architecture: x86_64.`,
                this,
            );
        }
        const container: Omit<ContainerArgs, "command" | "port" | "logStreamPrefix" | "ecsExec"> = {
            name: app,
            image: released ? pulumi.interpolate`${args.repository.url}:${spec.imageTag}` : PLACEHOLDER_IMAGE,
            user: spec.user,
            // The spec's own variables win over the platform's.
            environment: { AWS_REGION: args.region, ...args.bindings.environment, ...spec.environment },
            secrets: spec.secrets,
            logGroupName: logGroup.name,
            region: args.region,
            stopTimeoutSeconds: spec.stopTimeoutSeconds,
            writablePaths: spec.writablePaths,
        };
        this.taskDefinition = fargateTaskDefinition(
            name,
            {
                family: `${args.namePrefix}-${app}`,
                cpu: spec.cpu,
                memory: spec.memory,
                architecture: spec.architecture,
                taskRoleArn: taskRole.arn,
                executionRoleArn: executionRole.arn,
                container: { ...container, port: spec.port, command: released ? undefined : placeholderCommand(spec.port), logStreamPrefix: "service", ecsExec: cluster.exec !== undefined },
            },
            parent,
        );

        // Security groups without inline rules, so each can name the other. Only the load balancer
        // reaches the tasks, only on the container port; tasks reach out on HTTPS only (AWS APIs,
        // ECR, the internet through NAT); DNS to the VPC resolver is not subject to security groups.
        // (EC2 refuses apostrophes in security group and rule descriptions.)
        this.loadBalancerSecurityGroup = new aws.ec2.SecurityGroup(`${name}-alb`, { vpcId: args.network.vpcId, description: `Load balancer of ${app}`, tags: { Name: `${name}-alb` } }, parent);
        this.taskSecurityGroup = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.network.vpcId, description: `Tasks of ${app}`, tags: { Name: `${name}-tasks` } }, parent);
        const albSg = this.loadBalancerSecurityGroup.id;
        const taskSg = this.taskSecurityGroup.id;
        const listenerPorts = ingress.certificateArn ? [443, 80] : [80];
        // An internal app's load balancer is in the private subnets and admits the VPC only.
        const internal = spec.ingress === "internal";
        if (internal && !args.network.vpcCidr) throw new Error(`EcsService ${name}: ${app} is internal; pass network.vpcCidr`);
        const clientCidrs = internal ? [args.network.vpcCidr as string] : ingress.allowedCidrs;
        for (const port of listenerPorts) {
            clientCidrs.forEach((cidr, index) => {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-alb-${port}-${index}`,
                    { securityGroupId: albSg, description: port === 443 ? "HTTPS from allowed clients" : "HTTP from allowed clients", ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr },
                    parent,
                );
            });
        }
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-tasks`,
            { securityGroupId: albSg, description: `To the ${app} tasks on the container port`, ipProtocol: "tcp", fromPort: spec.port, toPort: spec.port, referencedSecurityGroupId: taskSg },
            parent,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-tasks-from-alb`,
            { securityGroupId: taskSg, description: `From the ${app} load balancer on the container port`, ipProtocol: "tcp", fromPort: spec.port, toPort: spec.port, referencedSecurityGroupId: albSg },
            parent,
        );
        appEgress(`${name}-tasks`, taskSg, spec.egress, args.network.vpcCidr, parent);

        // ELB names stop at 32 characters: a long stack or app name gets an explicit, hash-shortened name.
        this.loadBalancer = new aws.lb.LoadBalancer(
            name,
            {
                name: nameWithin(name, NAME_LIMITS.loadBalancer),
                loadBalancerType: "application",
                internal,
                ipAddressType: "ipv4",
                subnets: internal ? args.network.privateSubnetIds : args.network.publicSubnetIds,
                securityGroups: [albSg],
                dropInvalidHeaderFields: true,
                // AWS's recommendation; "strictest" also refuses requests some real clients send.
                desyncMitigationMode: "defensive",
                idleTimeout: ingress.idleTimeoutSeconds,
                enableDeletionProtection: args.deletionProtection,
                accessLogs: { bucket: args.accessLogs.bucketName, prefix: app, enabled: true },
            },
            // Enabling access logs makes ELB write a test object: the bucket policy must exist first.
            { parent: this, dependsOn: [args.accessLogs.policy] },
        );
        this.targetGroup = new aws.lb.TargetGroup(
            name,
            {
                // An explicit name makes a replacement (new port) collide with the old group until
                // it is deleted, so only names that cannot be autonamed within 32 characters get one.
                name: nameWithin(name, NAME_LIMITS.targetGroup),
                vpcId: args.network.vpcId,
                targetType: "ip",
                protocol: "HTTP",
                port: spec.port,
                deregistrationDelay: ingress.deregistrationDelaySeconds,
                healthCheck: {
                    enabled: true,
                    protocol: "HTTP",
                    port: "traffic-port",
                    path: spec.healthCheck.readinessPath,
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            },
            parent,
        );
        const forward = [{ type: "forward", targetGroupArn: this.targetGroup.arn }];
        const listeners: aws.lb.Listener[] = [];
        if (ingress.certificateArn) {
            listeners.push(
                new aws.lb.Listener(
                    `${name}-https`,
                    { loadBalancerArn: this.loadBalancer.arn, port: 443, protocol: "HTTPS", sslPolicy: ingress.sslPolicy, certificateArn: ingress.certificateArn, defaultActions: forward },
                    parent,
                ),
                new aws.lb.Listener(
                    `${name}-http`,
                    { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
                    parent,
                ),
            );
        } else {
            void pulumi.log.warn(`${app}: no ingress.certificateArn is set, so its load balancer serves plain HTTP on port 80. Set an ACM certificate of this region to get HTTPS, with HTTP redirected to it.`, this);
            listeners.push(new aws.lb.Listener(`${name}-http`, { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: forward }, parent));
        }
        this.url = pulumi.interpolate`${ingress.certificateArn ? "https" : "http"}://${this.loadBalancer.dnsName}`;

        const dimensions = { LoadBalancer: this.loadBalancer.arnSuffix, TargetGroup: this.targetGroup.arnSuffix };
        const targetErrors = notifyingAlarm(
            `${name}-5xx`,
            args.alarmTopicArn,
            {
                alarmDescription: `${app} answers more than 5% of requests with a 5xx (3 of the last 5 minutes, at 20+ requests a minute). Check its logs and the latest deployment; this alarm also rolls a deployment back.`,
                metricQueries: [
                    { id: "errors", metric: { namespace: ELB_NAMESPACE, metricName: "HTTPCode_Target_5XX_Count", dimensions, stat: "Sum", period: 60 }, returnData: false },
                    { id: "requests", metric: { namespace: ELB_NAMESPACE, metricName: "RequestCount", dimensions, stat: "Sum", period: 60 }, returnData: false },
                    // ELB publishes no 5xx count in a minute without errors; below 20 requests one error is noise.
                    { id: "rate", expression: "IF(FILL(requests, 0) >= 20, 100 * FILL(errors, 0) / requests, 0)", label: "5xx rate (%)", returnData: true },
                ],
                comparisonOperator: "GreaterThanThreshold",
                threshold: 5,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                // No traffic is not an error rate.
                treatMissingData: "notBreaching",
            },
            parent,
        );
        notifyingAlarm(
            `${name}-unhealthy`,
            args.alarmTopicArn,
            {
                alarmDescription: `A ${app} task fails its readiness check (${spec.healthCheck.readinessPath}) for 3 of the last 5 minutes. Look at the target group's health reasons and the task's logs.`,
                namespace: ELB_NAMESPACE,
                metricName: "UnHealthyHostCount",
                dimensions,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                // ELB reports this every minute while targets are registered; silence is not a sick task.
                treatMissingData: "notBreaching",
            },
            parent,
        );
        notifyingAlarm(
            `${name}-no-healthy-tasks`,
            args.alarmTopicArn,
            {
                alarmDescription: `${app} has no healthy task behind its load balancer: clients get 503. Check the service's events and stopped tasks.`,
                namespace: ELB_NAMESPACE,
                metricName: "HealthyHostCount",
                dimensions,
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 2,
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                // No data here means no registered targets at all: as bad as none healthy.
                treatMissingData: "breaching",
            },
            parent,
        );

        this.service = new aws.ecs.Service(
            name,
            {
                name: app,
                cluster: cluster.arn,
                taskDefinition: this.taskDefinition.arn,
                // The first deployment's count; autoscaling owns it afterwards (ignoreChanges below).
                desiredCount: spec.replicas.min,
                capacityProviderStrategies: cluster.strategyFor(spec.architecture),
                platformVersion: "LATEST",
                networkConfiguration: { subnets: args.network.privateSubnetIds, securityGroups: [taskSg], assignPublicIp: false },
                loadBalancers: [{ targetGroupArn: this.targetGroup.arn, containerName: app, containerPort: spec.port }],
                healthCheckGracePeriodSeconds: spec.healthCheck.gracePeriodSeconds,
                deploymentController: { type: "ECS" },
                // Rolling: start new tasks first (up to 200%), stop old ones only once the new are healthy.
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                alarms: { alarmNames: [targetErrors.name], enable: true, rollback: true },
                availabilityZoneRebalancing: "ENABLED",
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: cluster.exec !== undefined,
                // `pulumi up` returns once ECS accepted the deployment; the circuit breaker judges it.
                waitForSteadyState: false,
            },
            // The target group must belong to a load balancer (through a listener) before a service can use it.
            { parent: this, dependsOn: listeners, ignoreChanges: ["desiredCount"] },
        );
        notifyingAlarm(
            `${name}-cpu`,
            args.alarmTopicArn,
            {
                alarmDescription: `${app}'s tasks average above 85% CPU for 5 minutes: autoscaling is at its maximum (${spec.replicas.max}) or not keeping up. Raise apps.${app}.replicas.max or cpu.`,
                namespace: "AWS/ECS",
                metricName: "CPUUtilization",
                dimensions: { ClusterName: cluster.name, ServiceName: this.service.name },
                statistic: "Average",
                period: 60,
                evaluationPeriods: 5,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 85,
                // ECS publishes every minute while tasks run; a service with no tasks is the no-healthy-tasks alarm's case.
                treatMissingData: "notBreaching",
            },
            parent,
        );

        const scaling = new aws.appautoscaling.Target(
            name,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${cluster.name}/${this.service.name}`,
                minCapacity: spec.replicas.min,
                maxCapacity: spec.replicas.max,
            },
            parent,
        );
        const trackingPolicy = (suffix: string, predefinedMetricType: string, targetValue: number, resourceLabel?: pulumi.Input<string>) =>
            new aws.appautoscaling.Policy(
                `${name}-${suffix}`,
                {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: scaling.serviceNamespace,
                    scalableDimension: scaling.scalableDimension,
                    resourceId: scaling.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        predefinedMetricSpecification: { predefinedMetricType, resourceLabel },
                        targetValue,
                        // Out fast, in slowly: a new task is ready in about a minute; removing one too early costs errors.
                        scaleOutCooldown: 60,
                        scaleInCooldown: 300,
                    },
                },
                parent,
            );
        trackingPolicy("cpu", "ECSServiceAverageCPUUtilization", spec.autoscaling.cpuPercent);
        trackingPolicy("requests", "ALBRequestCountPerTarget", spec.autoscaling.requestsPerTask, pulumi.interpolate`${this.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`);

        const jobNames = Object.keys(spec.jobs);
        if (jobNames.length > 0) {
            if (!args.jobs) throw new Error(`EcsService ${name}: ${app} has jobs but no schedule group was given`);
            const jobsSecurityGroup = (this.jobsSecurityGroup = new aws.ec2.SecurityGroup(
                `${name}-jobs`,
                { vpcId: args.network.vpcId, description: `Scheduled jobs of ${app} (no inbound)`, tags: { Name: `${name}-jobs` } },
                parent,
            ));
            appEgress(`${name}-jobs`, jobsSecurityGroup.id, spec.egress, args.network.vpcCidr, parent);
            for (const job of jobNames) {
                this.jobs[job] = new ScheduledJob(
                    `${name}-${job}`,
                    {
                        app,
                        job,
                        spec: spec.jobs[job],
                        family: `${args.namePrefix}-${app}-${job}`,
                        container,
                        architecture: spec.architecture,
                        taskRole,
                        executionRole,
                        cluster,
                        subnetIds: args.network.privateSubnetIds,
                        securityGroupId: jobsSecurityGroup.id,
                        scheduleGroupName: args.jobs.scheduleGroupName,
                        paused: !released,
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

        this.registerOutputs({ url: this.url, service: this.service.name });
    }
}
