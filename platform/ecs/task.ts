import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../config";

/**
 * What runs before an app's first release (no `imageTag` yet), so the first `pulumi up` gives a
 * working service: Node.js from ECR Public (Docker's official image, multi-arch), answering 200
 * with a short text on every path, so both health paths pass whatever they are. It writes nothing
 * and runs as any uid, so it works with the read-only root filesystem and the non-root user. It
 * is pulled from the internet, so the private subnets need a NAT gateway for it.
 */
export const PLACEHOLDER_IMAGE = "public.ecr.aws/docker/library/node:22-alpine";

export function placeholderCommand(port: number): string[] {
    return ["node", "-e", `require("node:http").createServer((req, res) => res.end("placeholder: this app has no release deployed yet\\n")).listen(${port})`];
}

export interface LogGroupArgs {
    /** Physical name, e.g. `/platform-prod/ecs/web`. */
    name: string;
    /** Days CloudWatch keeps the logs (a value CloudWatch accepts). */
    retentionDays: number;
    /** KMS key whose policy admits CloudWatch Logs (the platform's logs key). */
    kmsKeyArn: pulumi.Input<string>;
}

/** Every ECS log group: a fixed name, the profile's retention and KMS encryption. */
export function encryptedLogGroup(name: string, args: LogGroupArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(name, { name: args.name, retentionInDays: args.retentionDays, kmsKeyId: args.kmsKeyArn }, opts);
}

export interface ContainerArgs {
    /** Container name; the load balancer and ECS Exec refer to it. */
    name: string;
    image: pulumi.Input<string>;
    /** Overrides the image's command (jobs, the placeholder). @default the image's */
    command?: string[];
    /** Port to publish. @default none (a job) */
    port?: number;
    /** Non-root uid[:gid] or name[:group]. */
    user: string;
    /** Plain variables; nothing secret. */
    environment: Record<string, pulumi.Input<string>>;
    /** Variable name to secret or parameter ARN, injected by ECS at start. */
    secrets: Record<string, string>;
    logGroupName: pulumi.Input<string>;
    /** Streams are `<prefix>/<container>/<task id>`: the app's name for the service, the job's for a job. */
    logStreamPrefix: string;
    region: string;
    /** Seconds from SIGTERM to SIGKILL. */
    stopTimeoutSeconds: number;
    /** Directories mounted writable; the root filesystem is read-only. With `ecsExec`, the agent's directories are added. */
    writablePaths: string[];
    /**
     * Whether ECS Exec can open shells in this container. Its agent runs as root inside the
     * container and needs Docker's default capabilities, so they are dropped only without it (the
     * app itself runs as a non-root user either way, which holds no effective capabilities).
     * @default false
     */
    ecsExec?: boolean;
}

export interface FargateTaskArgs {
    /** Task definition family: one per service or job, revisions accumulate under it. */
    family: string;
    /** Task CPU units and memory (MiB), a Fargate combination. */
    cpu: number;
    memory: number;
    architecture: Architecture;
    taskRoleArn: pulumi.Input<string>;
    executionRoleArn: pulumi.Input<string>;
    container: ContainerArgs;
}

/**
 * Where the ECS Exec agent (the SSM agent ECS bind-mounts into the container) writes: its binaries
 * and state, and its logs. With a read-only root filesystem these must be writable volumes, or
 * `execute-command` fails (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html,
 * "Considerations").
 */
export const ECS_EXEC_WRITABLE_PATHS = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"] as const;

const byName = <T>(entries: Record<string, T>) => Object.entries(entries).sort(([a], [b]) => a.localeCompare(b));

/**
 * A Fargate task definition with one hardened container: non-root, read-only root filesystem
 * with writable volumes only where asked, no privilege, no Linux capabilities unless ECS Exec
 * needs them, an init process
 * (signal forwarding, zombie reaping, and what ECS Exec needs), secrets from `secrets` only, and
 * logs to its log group without blocking the app when CloudWatch is slow.
 */
export function fargateTaskDefinition(name: string, args: FargateTaskArgs, opts: pulumi.CustomResourceOptions): aws.ecs.TaskDefinition {
    const c = args.container;
    const writablePaths = [...new Set([...c.writablePaths, ...(c.ecsExec ? ECS_EXEC_WRITABLE_PATHS : [])])];
    const volumes = writablePaths.map((containerPath, index) => ({ name: `writable-${index}`, containerPath }));
    const container = {
        name: c.name,
        image: c.image,
        essential: true,
        ...(c.command ? { command: c.command } : {}),
        user: c.user,
        readonlyRootFilesystem: true,
        privileged: false,
        linuxParameters: { initProcessEnabled: true, ...(c.ecsExec ? {} : { capabilities: { drop: ["ALL"] } }) },
        portMappings: c.port === undefined ? [] : [{ name: "http", containerPort: c.port, protocol: "tcp", appProtocol: "http" }],
        environment: byName(c.environment).map(([variable, value]) => ({ name: variable, value })),
        secrets: byName(c.secrets).map(([variable, valueFrom]) => ({ name: variable, valueFrom })),
        mountPoints: volumes.map((volume) => ({ sourceVolume: volume.name, containerPath: volume.containerPath, readOnly: false })),
        stopTimeout: c.stopTimeoutSeconds,
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": c.logGroupName,
                "awslogs-region": c.region,
                "awslogs-stream-prefix": c.logStreamPrefix,
                // A full buffer drops log lines instead of blocking the app's writes to stdout.
                mode: "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    };
    return new aws.ecs.TaskDefinition(
        name,
        {
            family: args.family,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(args.cpu),
            memory: String(args.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture === "arm64" ? "ARM64" : "X86_64" },
            taskRoleArn: args.taskRoleArn,
            executionRoleArn: args.executionRoleArn,
            // Fargate's task-scoped volumes: empty, writable, gone with the task.
            volumes: volumes.map((volume) => ({ name: volume.name })),
            containerDefinitions: pulumi.jsonStringify([container]),
            // Old revisions stay registered (ACTIVE), so the circuit breaker, and anyone by hand, can
            // roll back to them; Pulumi would otherwise deregister the previous revision on each release.
            skipDestroy: true,
        },
        opts,
    );
}
