import type { RecordedResource } from "../mock-cloud";
import { finding, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "./types";

/**
 * Combinations AWS refuses or that never work, which the mock cloud accepts: each row is one AWS
 * rule with the document that states it, checked on what the synth recorded.
 */
interface CompatibilityCheck {
    id: string;
    doc: string;
    check(resources: Resources, report: (resource: RecordedResource, severity: ReadinessFinding["severity"], message: string) => void, context: Pick<ReadinessContext, "region">): void;
}

/** The recorded resources with the lookups the checks share. */
class Resources {
    constructor(readonly all: RecordedResource[]) {}

    ofType(type: string): RecordedResource[] {
        return this.all.filter((resource) => resource.type === type && resource.custom);
    }

    /** The resource of a type whose ARN (or id, or name) is `reference`. */
    find(type: string, reference: unknown): RecordedResource | undefined {
        if (typeof reference !== "string") return undefined;
        return this.ofType(type).find((resource) => [resource.state.arn, resource.id, resource.state.name, resource.state.keyId].includes(reference));
    }
}

/** A JSON-string input (policies, container definitions) as a value; the value itself when already structured. */
function parsed(value: unknown): any {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

// --- ECS ---------------------------------------------------------------------------------------

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ECS_SERVICE = "aws:ecs/service:Service";
type Share = { capacityProvider?: string; weight?: number; base?: number };

/** Where a service's or scheduled task's tasks run: its own strategy, or its cluster's default. */
function strategyOf(resources: Resources, own: Share[] | undefined, clusterReference: unknown): Share[] {
    if (own && own.length > 0) return own;
    const cluster = resources.find("aws:ecs/cluster:Cluster", clusterReference);
    const providers = resources.ofType("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").find((p) => cluster && p.inputs.clusterName === cluster.state.name);
    return (providers?.inputs.defaultCapacityProviderStrategies as Share[] | undefined) ?? [];
}

const usesSpot = (strategy: Share[]) => strategy.some((share) => share.capacityProvider === "FARGATE_SPOT" && ((share.weight ?? 0) > 0 || (share.base ?? 0) > 0));
const isArm = (taskDefinition: RecordedResource | undefined) => (taskDefinition?.inputs.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64";

/** The ECS Exec agent's directories (platform/ecs/task.ts ECS_EXEC_WRITABLE_PATHS states the same AWS rule). */
export const ECS_EXEC_AGENT_PATHS = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"];

const FARGATE_SPOT_ARM64: CompatibilityCheck = {
    id: "fargate-spot-arm64",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html",
    check(resources, report) {
        for (const service of resources.ofType(ECS_SERVICE)) {
            const taskDefinition = resources.find(TASK_DEFINITION, service.inputs.taskDefinition);
            if (isArm(taskDefinition) && usesSpot(strategyOf(resources, service.inputs.capacityProviderStrategies as Share[], service.inputs.cluster))) {
                report(service, "failure", "places ARM64 tasks on FARGATE_SPOT, which runs only X86_64 Linux tasks: those tasks never start; drop FARGATE_SPOT from its strategy or run the task on X86_64");
            }
        }
        for (const schedule of resources.ofType("aws:scheduler/schedule:Schedule")) {
            const target = schedule.inputs.target as { arn?: string; ecsParameters?: { taskDefinitionArn?: string; capacityProviderStrategies?: Share[] } } | undefined;
            if (!target?.ecsParameters) continue;
            const taskDefinition = resources.find(TASK_DEFINITION, target.ecsParameters.taskDefinitionArn);
            if (isArm(taskDefinition) && usesSpot(strategyOf(resources, target.ecsParameters.capacityProviderStrategies, target.arn))) {
                report(schedule, "failure", "runs ARM64 tasks with FARGATE_SPOT in their strategy, which runs only X86_64 Linux tasks: RunTask fails for those");
            }
        }
    },
};

const ECS_EXEC_READ_ONLY_ROOT: CompatibilityCheck = {
    id: "ecs-exec-read-only-root",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
    check(resources, report) {
        for (const service of resources.ofType(ECS_SERVICE)) {
            if (service.inputs.enableExecuteCommand !== true) continue;
            const taskDefinition = resources.find(TASK_DEFINITION, service.inputs.taskDefinition);
            const containers = list(parsed(taskDefinition?.inputs.containerDefinitions) as { name?: string; readonlyRootFilesystem?: boolean; mountPoints?: { containerPath?: string; readOnly?: boolean }[] }[]);
            for (const container of containers) {
                if (container.readonlyRootFilesystem !== true) continue;
                const writable = (container.mountPoints ?? []).filter((mount) => mount.readOnly !== true).map((mount) => mount.containerPath ?? "");
                const missing = ECS_EXEC_AGENT_PATHS.filter((path) => !writable.some((mount) => path === mount || path.startsWith(`${mount.replace(/\/$/, "")}/`)));
                if (missing.length > 0) {
                    report(
                        service,
                        "failure",
                        `has ECS Exec on, but container ${container.name} has a read-only root filesystem without writable volumes at ${missing.join(", ")}: the agent cannot start and execute-command fails`,
                    );
                }
            }
        }
    },
};

// --- EKS on Fargate ----------------------------------------------------------------------------

/** Kubernetes objects that carry a pod template, and where it sits in them. */
const POD_TEMPLATES: Record<string, (spec: any) => any> = {
    "kubernetes:apps/v1:Deployment": (spec) => spec?.template,
    "kubernetes:apps/v1:StatefulSet": (spec) => spec?.template,
    "kubernetes:apps/v1:DaemonSet": (spec) => spec?.template,
    "kubernetes:batch/v1:Job": (spec) => spec?.template,
    "kubernetes:batch/v1:CronJob": (spec) => spec?.jobTemplate?.spec?.template,
};

const EKS_FARGATE_PODS: CompatibilityCheck = {
    id: "eks-fargate-pods",
    doc: "https://docs.aws.amazon.com/eks/latest/userguide/fargate.html",
    check(resources, report) {
        const selectors = resources.ofType("aws:eks/fargateProfile:FargateProfile").flatMap((profile) =>
            list(profile.inputs.selectors as { namespace?: string; labels?: Record<string, string> }[]).map((selector) => ({
                profile: typeof profile.inputs.fargateProfileName === "string" ? profile.inputs.fargateProfileName : profile.name,
                ...selector,
            })),
        );
        if (selectors.length === 0) return;
        for (const resource of resources.all.filter((r) => r.type in POD_TEMPLATES)) {
            const metadata = resource.inputs.metadata as { namespace?: string } | undefined;
            const template = POD_TEMPLATES[resource.type](resource.inputs.spec);
            const labels: Record<string, string> = template?.metadata?.labels ?? {};
            const profile = selectors.find((s) => s.namespace === (metadata?.namespace ?? "default") && Object.entries(s.labels ?? {}).every(([k, v]) => labels[k] === v))?.profile;
            if (!profile) continue;
            const pod = template?.spec ?? {};
            const containers: any[] = [...(pod.containers ?? []), ...(pod.initContainers ?? [])];
            const problems = [
                resource.type === "kubernetes:apps/v1:DaemonSet" ? "it is a DaemonSet (not supported on Fargate)" : undefined,
                containers.some((c) => c?.securityContext?.privileged === true) ? "a container is privileged" : undefined,
                pod.hostNetwork === true ? "it uses hostNetwork" : undefined,
                containers.some((c) => (c?.ports ?? []).some((p: { hostPort?: number }) => p?.hostPort !== undefined)) ? "a container uses hostPort" : undefined,
                pod.nodeSelector?.["kubernetes.io/arch"] === "arm64" ? "it requires arm64 nodes (EKS Fargate runs x86_64 pods only)" : undefined,
            ].filter((problem): problem is string => problem !== undefined);
            if (problems.length > 0) report(resource, "failure", `lands on Fargate profile ${profile}, but ${problems.join("; ")}: Fargate will not run these pods`);
        }
    },
};

// --- Lambda and SQS ----------------------------------------------------------------------------

const LAMBDA_FUNCTION = "aws:lambda/function:Function";

/** Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const LAMBDA_LIMITS = { memoryMb: [128, 10240], timeoutSeconds: [1, 900], ephemeralStorageMb: [512, 10240], environmentBytes: 4096 } as const;

const LAMBDA_QUOTAS: CompatibilityCheck = {
    id: "lambda-quotas",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
    check(resources, report) {
        for (const fn of resources.ofType(LAMBDA_FUNCTION)) {
            const memory = fn.inputs.memorySize as number | undefined;
            const timeout = fn.inputs.timeout as number | undefined;
            const storage = (fn.inputs.ephemeralStorage as { size?: number } | undefined)?.size;
            const [minMemory, maxMemory] = LAMBDA_LIMITS.memoryMb;
            const [minTimeout, maxTimeout] = LAMBDA_LIMITS.timeoutSeconds;
            const [minStorage, maxStorage] = LAMBDA_LIMITS.ephemeralStorageMb;
            if (memory !== undefined && (memory < minMemory || memory > maxMemory)) report(fn, "failure", `memorySize ${memory} MB is outside Lambda's ${minMemory}-${maxMemory} MB`);
            if (timeout !== undefined && (timeout < minTimeout || timeout > maxTimeout)) report(fn, "failure", `timeout ${timeout} s is outside Lambda's ${minTimeout}-${maxTimeout} s`);
            if (storage !== undefined && (storage < minStorage || storage > maxStorage)) report(fn, "failure", `ephemeral storage ${storage} MB is outside Lambda's ${minStorage}-${maxStorage} MB`);
            const variables = (fn.inputs.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
            const bytes = Object.entries(variables).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value)), 0);
            if (bytes > LAMBDA_LIMITS.environmentBytes) report(fn, "failure", `its environment variables take ${bytes} bytes; Lambda allows ${LAMBDA_LIMITS.environmentBytes} in all`);
        }
    },
};

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>:<tag>` or `@sha256:<digest>`: a private ECR image. */
const ECR_IMAGE_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;
/** What Lambda's service principal needs on the repository to pull a function's image. */
const LAMBDA_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * A container-image function: Lambda runs images only from a private ECR repository in the
 * function's region, tagged or by digest, with no handler, runtime or layers of its own
 * (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html), and pulls them with its own
 * service principal, which the repository policy must admit: a policy this stack manages would
 * overwrite the statement Lambda adds by itself
 * (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html#configuration-images-permissions).
 */
const LAMBDA_CONTAINER_IMAGE: CompatibilityCheck = {
    id: "lambda-container-image",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html",
    check(resources, report, context) {
        for (const fn of resources.ofType(LAMBDA_FUNCTION).filter((f) => f.inputs.packageType === "Image")) {
            for (const setting of ["handler", "runtime", "layers"]) {
                if (fn.inputs[setting] !== undefined) report(fn, "failure", `sets ${setting}, which a container-image function cannot have (the image's entrypoint and command run)`);
            }
            const uri = fn.inputs.imageUri;
            if (typeof uri !== "string") continue;
            const match = ECR_IMAGE_URI.exec(uri);
            if (!match) {
                report(fn, "failure", `imageUri ${uri} is not a tagged image in a private Amazon ECR repository: Lambda runs container images only from ECR (copy a public image into a repository first)`);
                continue;
            }
            const [, , region, repositoryName] = match;
            if (region !== context.region) report(fn, "failure", `imageUri ${uri} is in ${region}; Lambda pulls images only from ECR in the function's region (${context.region})`);
            const repository = resources.ofType("aws:ecr/repository:Repository").find((r) => (r.state.name ?? r.inputs.name) === repositoryName);
            if (!repository) continue;
            const policies = resources.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy").filter((p) => p.inputs.repository === (repository.state.name ?? repository.inputs.name));
            const admits = policies.some((policy) =>
                list(parsed(policy.inputs.policy)?.Statement).some((statement: any) => {
                    const principals = list(statement?.Principal?.Service);
                    const actions = list(statement?.Action) as string[];
                    return statement?.Effect === "Allow" && principals.includes("lambda.amazonaws.com") && LAMBDA_PULL.every((action) => actions.some((granted) => actionMatches(granted, action)));
                }),
            );
            if (policies.length > 0 && !admits) {
                report(
                    fn,
                    "failure",
                    `repository ${repositoryName}'s policy does not admit lambda.amazonaws.com to ${LAMBDA_PULL.join(" and ")}: CreateFunction fails ("Lambda does not have permission to access the ECR image")`,
                );
            }
        }
        // An HTTP API waits at most 30 s for an integration (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
        for (const integration of resources.ofType("aws:apigatewayv2/integration:Integration")) {
            const timeout = integration.inputs.timeoutMilliseconds as number | undefined;
            if (timeout !== undefined && (timeout < 50 || timeout > 30000)) report(integration, "failure", `timeoutMilliseconds ${timeout} is outside an HTTP API's 50-30000 ms`);
        }
    },
};

const SQS_VISIBILITY_TIMEOUT: CompatibilityCheck = {
    id: "sqs-visibility-timeout",
    doc: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html",
    check(resources, report) {
        for (const mapping of resources.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")) {
            const queue = resources.find("aws:sqs/queue:Queue", mapping.inputs.eventSourceArn);
            if (!queue) continue;
            const fn = resources.find(LAMBDA_FUNCTION, mapping.inputs.functionName);
            if (!fn) continue;
            // Defaults when unset: SQS 30 s, Lambda 3 s.
            const visibility = (queue.inputs.visibilityTimeoutSeconds as number | undefined) ?? 30;
            const timeout = (fn.inputs.timeout as number | undefined) ?? 3;
            if (visibility < timeout) {
                report(mapping, "failure", `queue ${queue.name} has a visibility timeout of ${visibility} s, below the function's timeout of ${timeout} s: Lambda refuses the event source mapping`);
            } else if (visibility < 6 * timeout) {
                report(
                    mapping,
                    "warning",
                    `queue ${queue.name} has a visibility timeout of ${visibility} s; AWS recommends at least 6 times the function's timeout (${6 * timeout} s) so retries of throttled batches do not redeliver messages still being processed`,
                );
            }
        }
    },
};

// --- KMS-encrypted targets of service principals -----------------------------------------------

const KMS_KEY = "aws:kms/key:Key";
/** What a service principal needs on a key to write to an encrypted queue or topic. */
const DELIVERY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

/** Every queue or topic an AWS service writes to, with that service: alarms, rules, S3 notifications, SNS deliveries. */
function deliveries(resources: Resources): { target: unknown; service: string; from: RecordedResource }[] {
    const found: { target: unknown; service: string; from: RecordedResource }[] = [];
    for (const alarm of resources.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) {
        for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) {
            for (const target of list(alarm.inputs[key] as string[])) found.push({ target, service: "cloudwatch.amazonaws.com", from: alarm });
        }
    }
    for (const target of resources.ofType("aws:cloudwatch/eventTarget:EventTarget")) {
        found.push({ target: target.inputs.arn, service: "events.amazonaws.com", from: target });
        const deadLetter = (target.inputs.deadLetterConfig as { arn?: string } | undefined)?.arn;
        if (deadLetter) found.push({ target: deadLetter, service: "events.amazonaws.com", from: target });
    }
    for (const notification of resources.ofType("aws:s3/bucketNotification:BucketNotification")) {
        for (const queue of list(notification.inputs.queues as { queueArn?: string }[])) found.push({ target: queue.queueArn, service: "s3.amazonaws.com", from: notification });
        for (const topic of list(notification.inputs.topics as { topicArn?: string }[])) found.push({ target: topic.topicArn, service: "s3.amazonaws.com", from: notification });
    }
    for (const subscription of resources.ofType("aws:sns/topicSubscription:TopicSubscription")) {
        if (subscription.inputs.protocol === "sqs") found.push({ target: subscription.inputs.endpoint, service: "sns.amazonaws.com", from: subscription });
        const deadLetter = (parsed(subscription.inputs.redrivePolicy) as { deadLetterTargetArn?: string } | undefined)?.deadLetterTargetArn;
        if (deadLetter) found.push({ target: deadLetter, service: "sns.amazonaws.com", from: subscription });
    }
    return found;
}

const actionMatches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);

/** Whether the key policy lets `service` perform every delivery action. */
export function keyPolicyAdmits(policy: unknown, service: string, actions: string[] = DELIVERY_ACTIONS): boolean {
    const statements = list((parsed(policy) as { Statement?: any } | undefined)?.Statement) as { Effect?: string; Principal?: any; Action?: string | string[] }[];
    const allowing = statements.filter((s) => s.Effect === "Allow" && (s.Principal === "*" || list(s.Principal?.Service).includes(service)));
    return actions.every((action) => allowing.some((s) => list(s.Action).some((pattern) => actionMatches(pattern, action))));
}

const KMS_SERVICE_DELIVERY: CompatibilityCheck = {
    id: "kms-service-delivery",
    doc: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html",
    check(resources, report) {
        const aliases = new Map(resources.ofType("aws:kms/alias:Alias").map((alias) => [String(alias.inputs.name), alias.inputs.targetKeyId]));
        for (const { target, service, from } of deliveries(resources)) {
            const encrypted = resources.find("aws:sqs/queue:Queue", target) ?? resources.find("aws:sns/topic:Topic", target);
            const keyReference = encrypted?.inputs.kmsMasterKeyId;
            if (!encrypted || typeof keyReference !== "string") continue;
            if (/^alias\/aws\//.test(keyReference)) {
                report(
                    from,
                    "failure",
                    `${service} delivers to ${encrypted.name}, encrypted with the AWS managed key ${keyReference}, whose policy no service principal can be added to: use a customer managed key that admits ${service}`,
                );
                continue;
            }
            const key = resources.find(KMS_KEY, aliases.get(keyReference) ?? keyReference);
            if (!key) {
                report(
                    from,
                    "warning",
                    `${service} delivers to ${encrypted.name}, encrypted with ${keyReference}, a key this program does not create: make sure its policy admits ${service} (${DELIVERY_ACTIONS.join(", ")})`,
                );
            } else if (!keyPolicyAdmits(key.inputs.policy, service)) {
                report(from, "failure", `${service} delivers to ${encrypted.name}, encrypted with key ${key.name}, whose policy does not let ${service} use it (${DELIVERY_ACTIONS.join(", ")}): every delivery fails`);
            }
        }
    },
};

/** The checks, in the order findings are reported. */
export const COMPATIBILITY_CHECKS: CompatibilityCheck[] = [FARGATE_SPOT_ARM64, ECS_EXEC_READ_ONLY_ROOT, EKS_FARGATE_PODS, LAMBDA_QUOTAS, LAMBDA_CONTAINER_IMAGE, SQS_VISIBILITY_TIMEOUT, KMS_SERVICE_DELIVERY];

export const SERVICE_COMPATIBILITY: ReadinessRule = {
    id: "service-compatibility",
    title: "Combinations AWS refuses: Fargate Spot with ARM64, ECS Exec on a read-only root, pods Fargate cannot run, Lambda quotas, container-image functions (private ECR in the region, a repository policy admitting Lambda), HTTP API integration timeouts, SQS visibility vs function timeout, service principals on encrypted queues and topics",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html",
    check(context: ReadinessContext): ReadinessFinding[] {
        const resources = new Resources(context.resources);
        const findings: ReadinessFinding[] = [];
        for (const item of COMPATIBILITY_CHECKS) {
            item.check(resources, (resource, severity, message) => findings.push(finding({ id: "service-compatibility", doc: item.doc }, resource, severity, `${item.id}: ${message}`)), context);
        }
        return findings;
    },
};
