import { T } from "../../../policy/lib/types";
import { single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/web:1.4.2";
const LOGS = { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web" } };
const GOOD_CONTAINER = { name: "web", image: IMAGE, readonlyRootFilesystem: true, privileged: false, user: "10001", logConfiguration: LOGS };

/** An aws.ecs.TaskDefinition with the given containers (serialised as the provider expects). */
const task = (containers: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    single(T.ecsTaskDefinition, { family: "web", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions: JSON.stringify(containers), ...extra });
const GOOD_SERVICE = { launchType: "FARGATE", desiredCount: 2, deploymentCircuitBreaker: { enable: true, rollback: true }, networkConfiguration: { subnets: ["a", "b"], assignPublicIp: false } };

export const ecsCases: PolicySuite[] = [
    {
        policy: "ecs-secure-networking-mode",
        pass: [
            { name: "awsvpc task", resources: () => task([{ name: "web", image: IMAGE }]) },
            { name: "host mode with a non-root, non-privileged user", resources: () => task([{ ...GOOD_CONTAINER }], { networkMode: "host", requiresCompatibilities: ["EC2"] }) },
        ],
        fail: [
            {
                name: "host mode, privileged, no user",
                resources: () => task([{ name: "web", image: IMAGE, privileged: true }], { networkMode: "host" }),
                messages: ["containerDefinitions[0] (web): privileged is true in host network mode", "user is not set (root) in host network mode"],
            },
            { name: "malformed containerDefinitions", resources: () => task([], { containerDefinitions: "[{" }), messages: ["containerDefinitions is not valid JSON"] },
        ],
    },
    {
        policy: "ecs-no-host-pid",
        pass: [{ name: "no pidMode", resources: () => task([GOOD_CONTAINER]) }],
        fail: [
            { name: "pidMode host", resources: () => task([GOOD_CONTAINER], { pidMode: "host" }), messages: ['pidMode is "host"'] },
            { name: "pidMode host on an awsx task definition", resources: () => single(T.awsxEc2TaskDefinition, { pidMode: "host", container: GOOD_CONTAINER }), messages: ['pidMode is "host"'] },
        ],
    },
    {
        policy: "ecs-no-privileged-containers",
        pass: [{ name: "unprivileged", resources: () => task([GOOD_CONTAINER]) }],
        fail: [
            { name: "privileged sidecar", resources: () => task([GOOD_CONTAINER, { name: "agent", image: IMAGE, privileged: true }]), messages: ["containerDefinitions[1] (agent): privileged is true"] },
            {
                name: "awsx service task args",
                resources: () => single(T.awsxFargateService, { taskDefinitionArgs: { containers: { web: { ...GOOD_CONTAINER, privileged: true } } } }),
                messages: ["taskDefinitionArgs.containers.web: privileged is true"],
            },
        ],
    },
    {
        policy: "ecs-readonly-root-filesystem",
        pass: [{ name: "read-only root", resources: () => task([GOOD_CONTAINER]) }],
        fail: [
            { name: "omitted", resources: () => task([{ name: "web", image: IMAGE }]), messages: ["containerDefinitions[0] (web): readonlyRootFilesystem is not set; expected true"] },
            {
                name: "awsx task definition container",
                resources: () => single(T.awsxFargateTaskDefinition, { container: { name: "web", image: IMAGE, readonlyRootFilesystem: false } }),
                messages: ["container: readonlyRootFilesystem is false"],
            },
        ],
    },
    {
        policy: "ecs-no-secrets-in-environment",
        pass: [
            {
                name: "secrets from Secrets Manager",
                resources: () => task([{ ...GOOD_CONTAINER, environment: [{ name: "PORT", value: "8080" }], secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:..." }] }]),
            },
        ],
        fail: [
            {
                name: "AWS keys in environment",
                resources: () =>
                    task([
                        {
                            ...GOOD_CONTAINER,
                            environment: [
                                { name: "AWS_ACCESS_KEY_ID", value: "AKIA..." },
                                { name: "AWS_SECRET_ACCESS_KEY", value: "x" },
                            ],
                        },
                    ]),
                messages: ["environment sets AWS_ACCESS_KEY_ID", "environment sets AWS_SECRET_ACCESS_KEY"],
            },
            {
                name: "configured extra name",
                resources: () => task([{ ...GOOD_CONTAINER, environment: [{ name: "DB_PASSWORD", value: "x" }] }]),
                config: { "ecs-no-secrets-in-environment": { forbiddenNames: ["DB_PASSWORD"] } },
                messages: ["environment sets DB_PASSWORD"],
            },
        ],
    },
    {
        policy: "ecs-container-logging",
        pass: [
            { name: "awslogs", resources: () => task([GOOD_CONTAINER]) },
            { name: "awsx default log group", resources: () => single(T.awsxFargateService, { taskDefinitionArgs: { container: { name: "web", image: IMAGE } } }) },
        ],
        fail: [
            { name: "no logConfiguration", resources: () => task([{ name: "web", image: IMAGE }]), messages: ["logConfiguration.logDriver is not set; expected a log driver"] },
            { name: "awsx with logGroup.skip", resources: () => single(T.awsxFargateTaskDefinition, { logGroup: { skip: true }, container: { name: "web", image: IMAGE } }), messages: ["and logGroup.skip is true"] },
        ],
    },
    {
        policy: "ecs-service-no-public-ip",
        pass: [
            { name: "private service", resources: () => single(T.ecsService, GOOD_SERVICE) },
            {
                name: "aws service inside an awsx service is left to the component",
                resources: () =>
                    stack((s) => {
                        const component = s.add(T.awsxFargateService, "svc", { assignPublicIp: false });
                        s.add(T.ecsService, "svc", { networkConfiguration: { assignPublicIp: true, subnets: ["a"] } }, { parent: component });
                    }),
            },
        ],
        fail: [
            {
                name: "assignPublicIp true",
                resources: () => single(T.ecsService, { networkConfiguration: { subnets: ["a"], assignPublicIp: true } }),
                messages: ["networkConfiguration.assignPublicIp is true; expected false"],
            },
            { name: "awsx service with assignPublicIp", resources: () => single(T.awsxFargateService, { assignPublicIp: true }), messages: ["assignPublicIp is true; expected false"] },
        ],
    },
    {
        policy: "ecs-fargate-latest-platform",
        pass: [
            { name: "unset", resources: () => single(T.ecsService, GOOD_SERVICE) },
            { name: "EC2 launch type with a pinned version is not Fargate", resources: () => single(T.ecsService, { launchType: "EC2", platformVersion: "1.3.0" }) },
        ],
        fail: [
            {
                name: "pinned 1.3.0 via capacity provider",
                resources: () => single(T.ecsService, { capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], platformVersion: "1.3.0" }),
                messages: ['platformVersion is "1.3.0"'],
            },
        ],
    },
    {
        policy: "ecs-container-insights",
        pass: [{ name: "enhanced", resources: () => single(T.ecsCluster, { settings: [{ name: "containerInsights", value: "enhanced" }] }) }],
        fail: [{ name: "omitted", resources: () => single(T.ecsCluster, {}), messages: ["settings containerInsights is not set"] }],
    },
    {
        policy: "ecs-deployment-circuit-breaker",
        pass: [
            { name: "enabled with rollback", resources: () => single(T.ecsService, GOOD_SERVICE) },
            { name: "CodeDeploy controller", resources: () => single(T.ecsService, { deploymentController: { type: "CODE_DEPLOY" } }) },
            {
                name: "blue/green rolled back by its alarms",
                resources: () =>
                    single(T.ecsService, {
                        deploymentConfiguration: { strategy: "BLUE_GREEN" },
                        deploymentCircuitBreaker: { enable: false, rollback: false },
                        alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
                    }),
            },
        ],
        fail: [
            { name: "omitted", resources: () => single(T.ecsService, {}), messages: ["deploymentCircuitBreaker is not set; expected { enable: true, rollback: true }"] },
            {
                name: "canary without alarm rollback",
                resources: () => single(T.ecsService, { deploymentConfiguration: { strategy: "CANARY" }, alarms: { alarmNames: ["web-5xx"], enable: true, rollback: false } }),
                messages: ["a CANARY deployment has alarms"],
            },
            {
                name: "enabled without rollback on awsx",
                resources: () => single(T.awsxFargateService, { deploymentCircuitBreaker: { enable: true, rollback: false } }),
                messages: ['deploymentCircuitBreaker is {"enable":true,"rollback":false}'],
            },
        ],
    },
    {
        policy: "ecs-service-high-availability",
        pass: [
            { name: "2 tasks in 2 subnets", resources: () => single(T.ecsService, GOOD_SERVICE) },
            { name: "one task in dev (prod-only rule)", resources: () => single(T.ecsService, { desiredCount: 1 }, { stack: "dev" }), notApplicable: true },
        ],
        fail: [
            {
                name: "awsx default of 1 task in one subnet",
                resources: () => single(T.awsxFargateService, { networkConfiguration: { subnets: ["a"] } }),
                messages: ["desiredCount is not set (1); expected at least 2", "networkConfiguration.subnets has 1 subnet"],
            },
            { name: "aws service default of 0", resources: () => single(T.ecsService, {}), messages: ["desiredCount is not set (0)"] },
        ],
    },
    {
        policy: "ecs-non-root-user",
        pass: [
            { name: "every container with a non-root UID", resources: () => task([GOOD_CONTAINER, { ...GOOD_CONTAINER, name: "sidecar", user: "1000:1000" }]) },
            { name: "Windows task (no root user)", resources: () => task([{ ...GOOD_CONTAINER, user: undefined }], { runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" } }) },
        ],
        fail: [
            { name: "a sidecar without a user", resources: () => task([GOOD_CONTAINER, { ...GOOD_CONTAINER, name: "envoy", user: undefined }]), messages: ["containerDefinitions[1] (envoy): user is not set"] },
            { name: "root spelled as 0:0", resources: () => task([{ ...GOOD_CONTAINER, user: "0:0" }]), messages: ['user is "0:0"'] },
            {
                name: "awsx service container running as root",
                resources: () => single(T.awsxFargateService, { taskDefinitionArgs: { containers: { web: { ...GOOD_CONTAINER, user: "root" } } } }),
                messages: ['taskDefinitionArgs.containers.web: user is "root"'],
            },
        ],
    },
    {
        policy: "ecs-no-host-network",
        pass: [{ name: "awsvpc", resources: () => task([GOOD_CONTAINER]) }],
        fail: [{ name: "host network mode", resources: () => task([GOOD_CONTAINER], { networkMode: "host", requiresCompatibilities: ["EC2"] }), messages: ['networkMode is "host"'] }],
    },
    {
        policy: "ecs-efs-transit-encryption",
        pass: [{ name: "EFS volume with transit encryption", resources: () => task([GOOD_CONTAINER], { volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED" } }] }) }],
        fail: [
            {
                name: "EFS volume without transit encryption",
                resources: () => task([GOOD_CONTAINER], { volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs-1" } }] }),
                messages: ["volumes[0] (data): efsVolumeConfiguration.transitEncryption is not set (DISABLED by default)"],
            },
            {
                name: "awsx task definition, transit encryption disabled",
                resources: () => single(T.awsxFargateTaskDefinition, { container: GOOD_CONTAINER, volumes: [{ name: "d", efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "DISABLED" } }] }),
                messages: ['transitEncryption is "DISABLED"'],
            },
        ],
    },
];
