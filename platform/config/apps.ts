import type { ConfigProblem } from "./load";
import type { ProfileDefaults } from "./profiles";
import { type BindingConfig, BINDING_KINDS, resolveBindings } from "./bindings";
import { type EgressRule, type EgressRuleInput, resolveEgress } from "./egress";
import { type FargateSelector, selects } from "./fargate-profiles";
import { type ReleaseConfig, releaseProblems, resolveRelease } from "./release";
import type { LambdaAppConfig } from "./lambda";
import { AppInput, type AppIngress, Architecture, FARGATE_MEMORY, FargateCpu, JobInput, Runtime } from "./schema";

/**
 * The app spec, resolved: what one app needs from any runtime (ECS today, EKS later). Every field
 * is set; what the stack file leaves out comes from the profile or APP_DEFAULTS.
 */
export interface AppConfig {
    /** The release to run; unset until the app's CI pushed one (a placeholder image runs meanwhile). */
    imageTag?: string;
    /** Port the container listens on; the load balancer forwards to it. */
    port: number;
    /**
     * `livenessPath`: "the process is alive" (EKS liveness probe). `readinessPath`: "send me
     * traffic" (load balancer health check, EKS readiness probe). `gracePeriodSeconds`: how long
     * failing health checks are ignored after a task starts.
     */
    healthCheck: { livenessPath: string; readinessPath: string; gracePeriodSeconds: number };
    /** Task CPU units (1024 = 1 vCPU) and memory in MiB: a Fargate combination. */
    cpu: FargateCpu;
    memory: number;
    /** Task count bounds; `min` is also the count a new service starts with. */
    replicas: { min: number; max: number };
    /** Target tracking: average CPU percent and requests per task per minute. */
    autoscaling: { cpuPercent: number; requestsPerTask: number };
    /** Plain environment variables; nothing secret (checked by name). */
    environment: Record<string, string>;
    /** Environment variable name to a Secrets Manager secret ARN or SSM parameter ARN. */
    secrets: Record<string, string>;
    /** Customer-managed KMS key the secrets are encrypted with, when not the AWS-managed default. */
    secretsKmsKeyArn?: string;
    /**
     * Bindings, section by section (`tables`, `buckets`, `queues`, `topics`, `buses`, `streams`):
     * environment variable name to a resource (a reference to this stack's, or an ARN) and the
     * actions granted on it; the variable receives the table, bucket, bus or stream name, the
     * queue URL or the topic ARN (config/bindings.ts).
     */
    tables: Record<string, BindingConfig>;
    buckets: Record<string, BindingConfig>;
    queues: Record<string, BindingConfig>;
    topics: Record<string, BindingConfig>;
    buses: Record<string, BindingConfig>;
    streams: Record<string, BindingConfig>;
    /**
     * A queue worker: the stack queue it consumes (its URL in QUEUE_URL, receive/delete/extend
     * granted) and the backlog per task it scales to. Such an app serves no HTTP. `scaleToZero`:
     * every ECS task and EKS pod may stop while the queue is empty (profile default: dev only).
     */
    consumes?: { queue: string; messagesPerTask: number; scaleToZero: boolean };
    /** `public` (internet-facing load balancer), `internal` (VPC only) or `none` (a queue worker). */
    ingress: AppIngress;
    /** Where the containers may connect; unset: TCP 443 anywhere (config/egress.ts DEFAULT_EGRESS). */
    egress?: EgressRule[];
    /** The rules as written, for their validation against the other apps. */
    egressInput?: EgressRuleInput[];
    runtimes: Runtime[];
    architecture: Architecture;
    /** Non-root user the container runs as; must own the writable paths in the image. */
    user: string;
    /** Writable directories; everything else is read-only. */
    writablePaths: string[];
    /** Seconds between SIGTERM and SIGKILL; must exceed the app's own shutdown budget. */
    stopTimeoutSeconds: number;
    /** Scheduled one-off tasks from the same image. */
    jobs: Record<string, JobConfig>;
    /** On a shared load balancer: the host name its host-header rule matches (else it has its own listener port). */
    host?: string;
    /** On a shared load balancer without `host`: its listener port (default derived from its name, config/load.ts sharedListenerPort). */
    listenerPort?: number;
    /** How ECS replaces the app's tasks with a new release: strategy, bake time, traffic steps, test listener, pre-traffic hook. */
    release: ReleaseConfig;
    /** Lambda-only settings as the stack file sets them (`lambdaSettings` applies the defaults of the app's kind). */
    lambda: LambdaAppConfig;
}

export interface JobConfig {
    /** A Scheduler `cron(...)` or `rate(...)` expression. */
    schedule: string;
    /** IANA time zone the schedule is read in. */
    timezone: string;
    /** Container command override. */
    command: string[];
    cpu: FargateCpu;
    memory: number;
}

/** App spec defaults that are the same in every profile. */
export const APP_DEFAULTS = {
    port: 8080,
    healthCheck: { livenessPath: "/healthz", readinessPath: "/readyz", gracePeriodSeconds: 60 },
    autoscaling: { cpuPercent: 60, requestsPerTask: 500 },
    runtimes: ["ecs"] as Runtime[],
    architecture: "arm64" as Architecture,
    // The uid of the `node` user in the official Node.js images; distroless "nonroot" is 65532.
    user: "1000",
    writablePaths: ["/tmp"],
    // Above the app's 25 s shutdown budget (SHUTDOWN_TIMEOUT_MS), within Fargate's 120 s limit.
    stopTimeoutSeconds: 30,
    timezone: "UTC",
    // A worker handling a message in about a second drains 100 in under two minutes.
    messagesPerTask: 100,
} as const;

export function resolveApp(input: AppInput, defaults: ProfileDefaults["apps"]): AppConfig {
    const cpu = input.cpu ?? defaults.cpu;
    // A CPU given without memory gets that CPU's smallest memory, not the profile's (which may not fit).
    const memory = input.memory ?? (input.cpu === undefined ? defaults.memory : FARGATE_MEMORY[cpu][0]);
    return {
        imageTag: input.imageTag,
        port: input.port ?? APP_DEFAULTS.port,
        healthCheck: { ...APP_DEFAULTS.healthCheck, ...input.healthCheck },
        cpu,
        memory,
        replicas: { ...defaults.replicas, ...input.replicas },
        autoscaling: { ...APP_DEFAULTS.autoscaling, ...input.autoscaling },
        environment: { ...input.environment },
        secrets: { ...input.secrets },
        secretsKmsKeyArn: input.secretsKmsKeyArn,
        ...resolveBindings(input),
        // A worker serves no HTTP; everything else is public unless it says otherwise.
        ingress: input.ingress ?? (input.consumes ? "none" : "public"),
        consumes: input.consumes && {
            queue: input.consumes.queue,
            messagesPerTask: input.consumes.messagesPerTask ?? APP_DEFAULTS.messagesPerTask,
            scaleToZero: input.consumes.scaleToZero ?? defaults.scaleToZero,
        },
        egress: resolveEgress(input.egress),
        egressInput: input.egress,
        runtimes: input.runtimes ?? [...APP_DEFAULTS.runtimes],
        architecture: input.architecture ?? APP_DEFAULTS.architecture,
        user: input.user ?? APP_DEFAULTS.user,
        writablePaths: input.writablePaths ?? [...APP_DEFAULTS.writablePaths],
        stopTimeoutSeconds: input.stopTimeoutSeconds ?? APP_DEFAULTS.stopTimeoutSeconds,
        jobs: Object.fromEntries(Object.entries(input.jobs ?? {}).map(([name, job]) => [name, resolveJob(job, cpu, memory)])),
        host: input.host,
        listenerPort: input.listenerPort,
        // Traffic-shifting strategies need a load balancer on ECS: workers and apps off ECS roll, whatever the profile prefers.
        release: resolveRelease(input.release, input.consumes || (input.runtimes !== undefined && !input.runtimes.includes("ecs")) ? { ...defaults.release, strategy: "rolling" } : defaults.release),
        lambda: { ...input.lambda },
    };
}

function resolveJob(job: JobInput, appCpu: FargateCpu, appMemory: number): JobConfig {
    const cpu = job.cpu ?? appCpu;
    return {
        schedule: job.schedule,
        timezone: job.timezone ?? APP_DEFAULTS.timezone,
        command: job.command,
        cpu,
        memory: job.memory ?? (job.cpu === undefined ? appMemory : FARGATE_MEMORY[cpu][0]),
    };
}

/** Cross-field rules the schema cannot express alone, each reported at its full key path. */
export function checkApp(name: string, app: AppConfig, key: (path: string[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const at = (...path: string[]) => key(["apps", name, ...path]);

    problems.push(...fargateSizeProblems(app.cpu, app.memory, at("cpu"), at("memory")));
    for (const [jobName, job] of Object.entries(app.jobs)) {
        problems.push(...fargateSizeProblems(job.cpu, job.memory, at("jobs", jobName, "cpu"), at("jobs", jobName, "memory")));
    }
    if (app.replicas.min > app.replicas.max) {
        problems.push({ key: at("replicas"), message: `expected min (${app.replicas.min}) to be at most max (${app.replicas.max})` });
    }
    const user = app.user.split(":")[0];
    if (user === "0" || user === "root") {
        problems.push({ key: at("user"), message: `expected a non-root user such as 1000 (ECS.1: containers must not run as root), got ${JSON.stringify(app.user)}` });
    }
    // One variable, one source: ECS refuses a name that is both in environment and secrets.
    const seen = new Map<string, string>(Object.keys(app.environment).map((variable) => [variable, "environment"]));
    for (const [section, names] of [["secrets", Object.keys(app.secrets)], ...BINDING_KINDS.map((kind) => [kind, Object.keys(app[kind])] as const)] as const) {
        for (const variable of names) {
            const other = seen.get(variable);
            if (other) problems.push({ key: at(section, variable), message: `${variable} is also set in ${other}; give each variable one source` });
            seen.set(variable, section);
        }
    }
    if ((app.ingress === "none") !== (app.consumes !== undefined)) {
        problems.push({
            key: at("ingress"),
            message: app.consumes ? `expected none (or no ingress) on a queue worker (consumes), got ${app.ingress}` : "expected public or internal: an app without a load balancer must consume a queue (consumes)",
        });
    }
    if (app.consumes && Object.keys(app.jobs).length > 0) {
        problems.push({ key: at("jobs"), message: "expected no jobs on a queue worker (consumes): schedule them on an app that serves HTTP, or send a message to the queue on a schedule" });
    }
    if (new Set(app.runtimes).size !== app.runtimes.length) problems.push({ key: at("runtimes"), message: "expected each runtime at most once" });
    problems.push(...releaseProblems(app.release, app, at));
    if (new Set(app.writablePaths).size !== app.writablePaths.length) problems.push({ key: at("writablePaths"), message: "expected each path at most once" });
    return problems;
}

function fargateSizeProblems(cpu: FargateCpu, memory: number, cpuKey: string, memoryKey: string): ConfigProblem[] {
    const allowed = FARGATE_MEMORY[cpu];
    if (allowed.includes(memory)) return [];
    const fits = Object.entries(FARGATE_MEMORY)
        .filter(([, sizes]) => sizes.includes(memory))
        .map(([units]) => units);
    return [
        {
            key: memoryKey,
            message:
                `${memory} MiB is not a Fargate size for ${cpuKey} = ${cpu}: with ${cpu} CPU units memory must be ${allowed.length > 4 ? `${allowed[0]} to ${allowed[allowed.length - 1]} in steps of ${allowed[1] - allowed[0]}` : `one of ${allowed.join(", ")}`}` +
                (fits.length > 0 ? `; ${memory} MiB fits cpu ${fits.join(" or ")}` : ""),
        },
    ];
}

/** The namespace and pod labels of KEDA's operator as platform/eks/addons/keda.ts installs it (kedacore/charts v2.20.2 keda/templates/manager/deployment.yaml: `app: <operator.name>`). */
export const KEDA_OPERATOR_PODS = { namespace: "keda", labels: { app: "keda-operator" } };

/**
 * KEDA runs when an app on EKS consumes a queue, and its operator reads the queues' backlog with
 * its own role through EKS Pod Identity, which Fargate pods do not have: a Fargate profile must
 * not take it. (The workers themselves are checked like any app: fargate-profiles.ts.)
 */
export function kedaFargateProblems(profiles: Record<string, FargateSelector>, apps: Record<string, Pick<AppConfig, "runtimes" | "consumes">>, key: (path: string[]) => string): ConfigProblem[] {
    if (!Object.values(apps).some((app) => app.consumes && app.runtimes.includes("eks"))) return [];
    return Object.entries(profiles)
        .filter(([, selector]) => selects(selector, KEDA_OPERATOR_PODS.namespace, KEDA_OPERATOR_PODS.labels))
        .map(([profile]) => ({
            key: key(["eks", "fargateProfiles", profile]),
            message: `selects KEDA's operator (namespace ${KEDA_OPERATOR_PODS.namespace}), which scales the queue workers and reads their queues through EKS Pod Identity, not available on Fargate; narrow the selector to other pods`,
        }));
}

/**
 * KEDA scales the queue workers on EKS: the first worker there turns the `eks.addons.keda` add-on
 * on (its default is off). Refused when the stack turns it off explicitly. Resolution and check in
 * one: it sets `addons.keda.enabled` and returns the problem, if any.
 */
export function enableKedaForWorkers(
    apps: Record<string, Pick<AppConfig, "runtimes" | "consumes">>,
    eks: { enabled: boolean; addons: { keda: { enabled: boolean } } },
    kedaInput: { enabled?: boolean } | undefined,
    key: (path: string[]) => string,
): ConfigProblem[] {
    const workers = Object.entries(apps)
        .filter(([, app]) => app.consumes && app.runtimes.includes("eks"))
        .map(([name]) => name);
    if (workers.length === 0 || !eks.enabled) return [];
    if (kedaInput?.enabled === false) {
        return [
            { key: key(["eks", "addons", "keda", "enabled"]), message: `expected true (or unset): KEDA scales the queue workers on EKS (${workers.join(", ")}); remove eks from their runtimes to run them on ECS only` },
        ];
    }
    eks.addons.keda.enabled = true;
    return [];
}
