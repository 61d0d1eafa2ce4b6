import { defineResourcePolicy, Report, ResourceContext } from "../lib/define";
import { readTask, Task, TASK_TYPES, TaskContainer } from "../lib/ecs";
import { bool, joinWords, list, num, Props, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/** Task definitions created by an awsx component are checked on the component's inputs. */
function underAwsxEcs(context: ResourceContext): boolean {
    return context.parentType?.startsWith("awsx:ecs:") === true;
}

/** Runs `check` on a task's containers; a containerDefinitions string that does not parse is a violation. */
function withTask(context: ResourceContext, report: Report, check: (task: Task) => void): void {
    if (underAwsxEcs(context)) return;
    const read = readTask(context.type, context.props);
    if (read.state === "invalid") report(read.message);
    else if (read.state === "ok") check(read.task);
}

const perContainer = (context: ResourceContext, report: Report, check: (container: TaskContainer, task: Task) => void) =>
    withTask(context, report, (task) => task.containers.forEach((container) => check(container, task)));

const ROOT_USERS = ["root", "0"];
const isRootUser = (user: string | undefined) => user === undefined || ROOT_USERS.includes(user.split(":")[0]);

export const ecsSecureNetworkingMode = defineResourcePolicy({
    name: "ecs-secure-networking-mode",
    description: "Task definitions in host network mode run only non-privileged containers as a non-root user.",
    severity: "medium",
    frameworks: ["FSBP ECS.1"],
    remediation: 'Prefer networkMode "awsvpc"; in host mode set privileged: false and user to a non-root UID in every container.',
    types: TASK_TYPES,
    validate: (context, report) =>
        perContainer(context, report, (container, task) => {
            if (task.networkMode !== "host") return;
            const user = str(container.definition.user);
            if (bool(container.definition.privileged) === true) report(`${container.label}: privileged is true in host network mode; expected false`);
            if (isRootUser(user)) report(`${container.label}: user is ${user === undefined ? "not set (root)" : show(user)} in host network mode; expected a non-root user`);
        }),
});

export const ecsNoHostPid = defineResourcePolicy({
    name: "ecs-no-host-pid",
    description: "Task definitions do not share the host's process namespace.",
    severity: "high",
    frameworks: ["FSBP ECS.3"],
    remediation: 'Remove pidMode: "host" (use "task" to share a namespace among the task\'s containers).',
    types: TASK_TYPES,
    validate: (context, report) =>
        withTask(context, report, (task) => {
            if (task.pidMode === "host") report('pidMode is "host"; expected unset or "task"');
        }),
});

/**
 * The capabilities Docker (and so ECS on EC2 and Fargate) grants a container by default; adding
 * one of these changes nothing. https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities
 * and https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
 */
const DOCKER_DEFAULT_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

export const ecsNoPrivilegedContainers = defineResourcePolicy({
    name: "ecs-no-privileged-containers",
    description: "ECS containers are not privileged and add no Linux capability beyond Docker's default set (SYS_ADMIN, NET_ADMIN, SYS_PTRACE... are privileged in part).",
    severity: "high",
    frameworks: ["FSBP ECS.4"],
    remediation: "Remove privileged: true and the capabilities added in linuxParameters.capabilities.add; drop what the container does not need instead.",
    types: TASK_TYPES,
    validate: (context, report) =>
        perContainer(context, report, (container) => {
            if (bool(container.definition.privileged) === true) report(`${container.label}: privileged is true; expected false or unset`);
            const added = list(rec(rec(container.definition.linuxParameters).capabilities).add).map((item) => (str(item) ?? "").toUpperCase().replace(/^CAP_/, ""));
            const beyond = added.filter((capability) => capability !== "" && !DOCKER_DEFAULT_CAPABILITIES.has(capability));
            if (beyond.length > 0) report(`${container.label}: linuxParameters.capabilities.add includes ${joinWords(beyond)}; expected only capabilities of Docker's default set`);
        }),
});

export const ecsReadonlyRootFilesystem = defineResourcePolicy({
    name: "ecs-readonly-root-filesystem",
    description: "ECS containers have a read-only root filesystem.",
    severity: "high",
    frameworks: ["FSBP ECS.5"],
    remediation: "Set readonlyRootFilesystem: true and mount writable paths (/tmp) as volumes.",
    types: TASK_TYPES,
    validate: (context, report) =>
        perContainer(context, report, (container) => {
            if (bool(container.definition.readonlyRootFilesystem) !== true) report(`${container.label}: readonlyRootFilesystem is ${show(container.definition.readonlyRootFilesystem)}; expected true`);
        }),
});

const SECRET_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"];

export const ecsNoSecretsInEnvironment = defineResourcePolicy<{ forbiddenNames: string[] }>({
    name: "ecs-no-secrets-in-environment",
    description: "ECS containers do not pass credentials in plain environment variables.",
    severity: "high",
    frameworks: ["FSBP ECS.8"],
    remediation: "Move the value to Secrets Manager or SSM Parameter Store and reference it in `secrets`; give the task a role instead of access keys.",
    types: TASK_TYPES,
    config: { forbiddenNames: { type: "array", items: { type: "string" }, default: SECRET_VARIABLES, description: "Environment variable names that must come from `secrets`." } },
    validate: (context, report) =>
        perContainer(context, report, (container) => {
            for (const variable of list(container.definition.environment)) {
                const name = str(rec(variable).name);
                if (name && context.config.forbiddenNames.includes(name)) report(`${container.label}: environment sets ${name}; expected it in secrets (valueFrom Secrets Manager/SSM) or a task role`);
            }
        }),
});

export const ecsContainerLogging = defineResourcePolicy({
    name: "ecs-container-logging",
    description: "ECS containers have a log configuration.",
    severity: "high",
    frameworks: ["FSBP ECS.9"],
    remediation: 'Set logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": ..., "awslogs-region": ..., "awslogs-stream-prefix": ... } }.',
    types: TASK_TYPES,
    validate: (context, report) =>
        perContainer(context, report, (container, task) => {
            if (str(rec(container.definition.logConfiguration).logDriver)) return;
            if (task.defaultLogging) return;
            report(`${container.label}: logConfiguration.logDriver is not set${context.type.startsWith("awsx:") ? " and logGroup.skip is true" : ""}; expected a log driver such as awslogs`);
        }),
});

const SERVICE_TYPES = [T.ecsService, T.awsxFargateService, T.awsxEc2Service];
const TASK_SET = "aws:ecs/taskSet:TaskSet";

function serviceOf(context: ResourceContext): Props | undefined {
    return underAwsxEcs(context) ? undefined : context.props;
}

/** Linux tasks: ECS.20 applies to Linux containers (Windows containers have no root user). */
function isWindowsTask(props: Props): boolean {
    const family = str(rec(props.runtimePlatform).operatingSystemFamily) ?? str(rec(rec(props.taskDefinitionArgs).runtimePlatform).operatingSystemFamily) ?? "";
    return family.toUpperCase().startsWith("WINDOWS");
}

export const ecsNonRootUser = defineResourcePolicy({
    name: "ecs-non-root-user",
    description: "Every Linux container of a task (sidecars and init containers included) sets a non-root user.",
    severity: "medium",
    frameworks: ["FSBP ECS.20"],
    remediation: 'Set user to a non-zero UID (e.g. "1000" or "1000:1000") in every container definition, and build images that run as that user.',
    types: TASK_TYPES,
    validate: (context, report) => {
        if (isWindowsTask(context.props)) return;
        perContainer(context, report, (container) => {
            const user = str(container.definition.user);
            if (isRootUser(user)) report(`${container.label}: user is ${user === undefined ? "not set (the image's user, root by default)" : show(user)}; expected a non-root UID`);
        });
    },
});

export const ecsNoHostNetwork = defineResourcePolicy({
    name: "ecs-no-host-network",
    description: "Task definitions do not use host network mode.",
    severity: "medium",
    frameworks: ["FSBP ECS.17"],
    remediation: 'Use networkMode "awsvpc" (each task gets its own ENI and security groups).',
    types: TASK_TYPES,
    validate: (context, report) =>
        withTask(context, report, (task) => {
            if (task.networkMode === "host") report('networkMode is "host"; expected "awsvpc"');
        }),
});

/** EFS volumes of a task definition (aws.ecs.TaskDefinition `volumes`, awsx `volumes`). */
function efsVolumes(context: ResourceContext): { label: string; config: Props }[] {
    if (underAwsxEcs(context)) return [];
    const isService = context.type === T.awsxFargateService || context.type === T.awsxEc2Service;
    const args = isService ? rec(context.props.taskDefinitionArgs) : context.props;
    const prefix = isService ? "taskDefinitionArgs." : "";
    return list(args.volumes)
        .map((volume, index) => ({ label: `${prefix}volumes[${index}] (${str(rec(volume).name) ?? "unnamed"})`, config: rec(volume).efsVolumeConfiguration }))
        .filter((volume): volume is { label: string; config: Props } => volume.config !== undefined)
        .map((volume) => ({ label: volume.label, config: rec(volume.config) }));
}

export const ecsEfsTransitEncryption = defineResourcePolicy({
    name: "ecs-efs-transit-encryption",
    description: "EFS volumes of task definitions use encryption in transit.",
    severity: "medium",
    frameworks: ["FSBP ECS.18"],
    remediation: 'Set efsVolumeConfiguration.transitEncryption: "ENABLED" (and an access point with IAM authorization).',
    types: TASK_TYPES,
    validate: (context, report) => {
        for (const volume of efsVolumes(context)) {
            const transit = str(volume.config.transitEncryption);
            if (transit !== "ENABLED") report(`${volume.label}: efsVolumeConfiguration.transitEncryption is ${show(transit)}${transit === undefined ? " (DISABLED by default)" : ""}; expected "ENABLED"`);
        }
    },
});

export const ecsServiceNoPublicIp = defineResourcePolicy({
    name: "ecs-service-no-public-ip",
    description: "ECS services and task sets do not assign public IPs to their tasks.",
    severity: "high",
    frameworks: ["FSBP ECS.2", "FSBP ECS.16"],
    remediation: "Set assignPublicIp: false and run tasks in private subnets (egress through NAT or VPC endpoints).",
    types: [...SERVICE_TYPES, TASK_SET],
    validate: (context, report) => {
        const props = serviceOf(context);
        if (!props) return;
        if (bool(rec(props.networkConfiguration).assignPublicIp) === true) report("networkConfiguration.assignPublicIp is true; expected false");
        if (bool(props.assignPublicIp) === true) report("assignPublicIp is true; expected false");
    },
});

function isFargate(type: string, props: Props): boolean {
    if (type === T.awsxFargateService) return true;
    if (str(props.launchType) === "FARGATE") return true;
    return list(props.capacityProviderStrategies).some((strategy) => (str(rec(strategy).capacityProvider) ?? "").startsWith("FARGATE"));
}

export const ecsFargateLatestPlatform = defineResourcePolicy({
    name: "ecs-fargate-latest-platform",
    description: "Fargate services run on the latest platform version.",
    severity: "medium",
    frameworks: ["FSBP ECS.10"],
    remediation: 'Remove platformVersion (it defaults to LATEST) or set "LATEST".',
    types: SERVICE_TYPES,
    validate: (context, report) => {
        const props = serviceOf(context);
        if (!props || !isFargate(context.type, props)) return;
        const version = str(props.platformVersion);
        if (version !== undefined && version !== "LATEST") report(`platformVersion is ${show(version)}; expected unset or "LATEST"`);
    },
});

export const ecsContainerInsights = defineResourcePolicy({
    name: "ecs-container-insights",
    description: "ECS clusters have Container Insights enabled.",
    severity: "medium",
    enforcementLevel: "advisory",
    advisoryBecause: "Container Insights bills custom metrics and log ingestion per task.",
    frameworks: ["FSBP ECS.12"],
    remediation: 'Add settings: [{ name: "containerInsights", value: "enhanced" }] (or "enabled"); CloudWatch charges for the metrics.',
    types: [T.ecsCluster],
    validate: ({ props }, report) => {
        const setting = list(props.settings).find((item) => str(rec(item).name) === "containerInsights");
        const value = str(rec(setting).value);
        if (value !== "enabled" && value !== "enhanced") report(`settings containerInsights is ${show(value)}; expected "enabled" or "enhanced"`);
    },
});

export const ecsDeploymentCircuitBreaker = defineResourcePolicy({
    name: "ecs-deployment-circuit-breaker",
    description:
        "ECS services roll back a failing deployment automatically: rolling deployments with the deployment circuit breaker and rollback; blue/green, canary and linear ones with the circuit breaker or deployment alarms, and rollback.",
    severity: "medium",
    frameworks: ["Reliability 8"],
    remediation: "Set deploymentCircuitBreaker: { enable: true, rollback: true } (rolling), or alarms: { alarmNames: [...], enable: true, rollback: true } (BLUE_GREEN, CANARY, LINEAR).",
    types: SERVICE_TYPES,
    validate: (context, report) => {
        const props = serviceOf(context);
        if (!props) return;
        // CodeDeploy and external controllers roll back by their own means.
        const controller = str(rec(props.deploymentController).type) ?? "ECS";
        if (controller !== "ECS") return;
        // The circuit breaker judges rolling deployments only; the traffic-shifting strategies roll back on their alarms
        // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html).
        const strategy = str(rec(props.deploymentConfiguration).strategy) ?? "ROLLING";
        if (strategy !== "ROLLING") {
            const alarms = rec(props.alarms);
            if (bool(alarms.enable) !== true || bool(alarms.rollback) !== true || list(alarms.alarmNames).length === 0)
                report(`a ${strategy} deployment has alarms ${show(props.alarms)}; expected { alarmNames: [...], enable: true, rollback: true }`);
            return;
        }
        const breaker = rec(props.deploymentCircuitBreaker);
        if (bool(breaker.enable) !== true || bool(breaker.rollback) !== true) report(`deploymentCircuitBreaker is ${show(props.deploymentCircuitBreaker)}; expected { enable: true, rollback: true }`);
    },
});

export const ecsServiceHighAvailability = defineResourcePolicy<{ minimumDesiredCount: number }>({
    name: "ecs-service-high-availability",
    description: "Prod ECS services run at least two tasks in subnets of at least two AZs.",
    severity: "medium",
    frameworks: ["Reliability 8", "Reliability 10"],
    remediation: "Set desiredCount: 2 or more and networkConfiguration.subnets to private subnets in two or more AZs.",
    types: SERVICE_TYPES,
    environments: ["prod"],
    config: { minimumDesiredCount: { type: "integer", minimum: 1, default: 2, description: "Minimum tasks per service." } },
    validate: (context, report) => {
        const props = serviceOf(context);
        if (!props || str(props.schedulingStrategy) === "DAEMON") return;
        // aws.ecs.Service defaults to 0 tasks, the awsx services to 1.
        const desired = num(props.desiredCount) ?? (context.type === T.ecsService ? 0 : 1);
        const minimum = context.config.minimumDesiredCount;
        if (desired < minimum) report(`desiredCount is ${props.desiredCount === undefined ? `not set (${desired})` : desired}; expected at least ${minimum}`);
        const network = props.networkConfiguration;
        if (network !== undefined) {
            const subnets = list(rec(network).subnets);
            if (subnets.length < 2) report(`networkConfiguration.subnets has ${subnets.length} subnet${subnets.length === 1 ? "" : "s"}; expected at least 2 in different AZs`);
        }
    },
});

export const ecsPolicies = [
    ecsSecureNetworkingMode,
    ecsNoHostPid,
    ecsNoPrivilegedContainers,
    ecsReadonlyRootFilesystem,
    ecsNoSecretsInEnvironment,
    ecsContainerLogging,
    ecsServiceNoPublicIp,
    ecsFargateLatestPlatform,
    ecsContainerInsights,
    ecsDeploymentCircuitBreaker,
    ecsServiceHighAvailability,
    ecsNonRootUser,
    ecsNoHostNetwork,
    ecsEfsTransitEncryption,
];
