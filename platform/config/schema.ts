import { z } from "zod";
import { BINDING_KIND_SPECS, BINDING_KINDS, type BindingKind, bindingSectionSchema, REFERENCE_PATTERN } from "./bindings";
import { bool, IAM_ROLE_ARN_PATTERN, wholeNumber } from "./fields";
import { EksInputSchema } from "./eks";
import { isTimeZone, SCHEDULE_FORM, scheduleProblem } from "./schedule";
import { DATA_APPS_INPUT_SHAPE } from "./data-apps";
import { SERVERLESS_INPUT_SHAPE } from "./serverless";
import { STACK_QUEUES_INPUT_SHAPE } from "./references";
import { EgressRuleSchema } from "./egress";
import { ReleaseInputSchema } from "./release";
import { LambdaAppInputSchema } from "./lambda";

/**
 * The stack configuration as a user writes it in `Pulumi.<stack>.yaml`, under the project's
 * namespace (`platform:`). Every key is optional: what is left out comes from the profile
 * (see profiles.ts). Objects are strict, so a misspelt key is an error, not a silent default.
 */

export const PROFILES = ["dev", "staging", "prod"] as const;
export type Profile = (typeof PROFILES)[number];

export const NAT_STRATEGIES = ["none", "instance", "single", "perAz"] as const;

/**
 * `perApp`: every app gets its own load balancer. `shared`: one load balancer per scheme
 * (internet-facing, internal) per stack, each app a target group and a listener (its own port) or
 * a host-header rule on it; about $16-18/month saved per load balancer not created.
 */
export const LOAD_BALANCER_MODES = ["shared", "perApp"] as const;
export type LoadBalancerMode = (typeof LOAD_BALANCER_MODES)[number];
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Interface endpoints the network can create, so that image pulls, logs and STS stay off the NAT. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "sts", "ssm", "ssmmessages", "ec2messages", "kms", "sqs", "sns", "events", "states"] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/** Most availability zones a stack may span; subnet slots are reserved for all of them. */
export const MAX_AZS = 4;
export const MIN_AZS = 2;

export const FLOW_LOG_TRAFFIC_TYPES = ["ALL", "ACCEPT", "REJECT"] as const;

// An app name becomes an ECR repository name segment, a Kubernetes namespace and part of AWS
// resource names, so it must satisfy all three: a DNS label that is also a valid ECR name.
export const APP_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const APP_NAME_FORM = "lowercase letters, digits and hyphens, 1-40 characters, starting and ending with a letter or digit (a valid ECR repository name and DNS label)";

// ECR repository names: path segments of [a-z0-9] separated by . _ or -, joined by "/".
export const ECR_NAMESPACE_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const TAG_KEY_PATTERN = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const retentionDays = z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: `expected a retention CloudWatch Logs accepts, one of ${LOG_RETENTION_DAYS.join(", ")} (days)`,
});

/** Where an app runs. The spec is runtime-neutral; each runtime builds what it needs from it. */
export const RUNTIMES = ["ecs", "eks", "lambda"] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Who can reach an app: the internet (allowed CIDRs), the VPC, or nobody (a queue worker). */
export const APP_INGRESS = ["public", "internal", "none"] as const;
export type AppIngress = (typeof APP_INGRESS)[number];

/** CPU architectures of Fargate tasks and EKS nodes; arm64 (Graviton) costs about 20% less. */
export const ARCHITECTURES = ["arm64", "x86_64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Task CPU units Fargate offers (1024 = 1 vCPU). */
export const FARGATE_CPU = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;
export type FargateCpu = (typeof FARGATE_CPU)[number];

const steps = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
/** Task memory (MiB) Fargate accepts with each CPU value (Linux), from the ECS task size table. */
export const FARGATE_MEMORY: Record<FargateCpu, number[]> = {
    256: [512, 1024, 2048],
    512: steps(1024, 4096, 1024),
    1024: steps(2048, 8192, 1024),
    2048: steps(4096, 16384, 1024),
    4096: steps(8192, 30720, 1024),
    8192: steps(16384, 61440, 4096),
    16384: steps(32768, 122880, 8192),
};

/** Container Insights levels; both satisfy ECS.12, `enhanced` adds task- and container-level metrics at a higher price. */
export const CONTAINER_INSIGHTS = ["enabled", "enhanced"] as const;
export type ContainerInsights = (typeof CONTAINER_INSIGHTS)[number];

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/**
 * Names that say "credential": ECS.8's three AWS variables and anything containing PASSWORD,
 * PASSWD, SECRET, TOKEN, PRIVATE_KEY, API_KEY or CREDENTIAL. Their values belong in `secrets`,
 * where they stay out of the task definition, the console and `describe-task-definition`.
 */
export const SECRET_LOOKING_NAME = /^(?:AWS_ACCESS_KEY_ID|ECS_ENGINE_AUTH_DATA)$|PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL/i;
// A full Secrets Manager ARN (with the 6-character suffix, so IAM can name exactly this secret),
// optionally followed by ECS's :json-key:version-stage:version-id selector.
export const SECRETS_MANAGER_ARN_PATTERN = /^(arn:aws(?:-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})(?::[^:]*:[^:]*:[^:]*)?$/;
export const SSM_PARAMETER_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]{1,2048}$/;
export const KMS_KEY_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
export const ACM_CERTIFICATE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// TLS 1.3 policies with a TLS 1.2 or 1.3 floor: what Security Hub ELB.17 recommends.
export const TLS13_POLICY_PATTERN = /^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$/;
// "/" or slash-separated URL-safe segments: also a file name the placeholder image can answer.
const HTTP_PATH_PATTERN = /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;
const ABSOLUTE_DIR_PATTERN = /^\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
// A user name or uid, optionally with a group; root (0 or "root") is refused in load.ts.
const CONTAINER_USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/;
export const JOB_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;

const envName = (what: string) => z.string().regex(ENV_NAME_PATTERN, { error: `expected ${what}: an environment variable name (letters, digits, _; not starting with a digit)` });

const fargateCpu = z.union(
    FARGATE_CPU.map((cpu) => z.literal(cpu)),
    { error: `expected task CPU units Fargate offers, one of ${FARGATE_CPU.join(", ")} (1024 = 1 vCPU)` },
);
const memoryMiB = wholeNumber("task memory in MiB (Fargate: 512 to 122880)", 512, 122880);

export const JobInputSchema = z.strictObject({
    /** When to run: a Scheduler `cron(...)` or `rate(...)` expression. */
    schedule: z.string({ error: `expected a schedule: ${SCHEDULE_FORM}` }).superRefine((expression, ctx) => {
        const problem = scheduleProblem(expression);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    /** The container command for this job (the image's entrypoint still applies). */
    command: z
        .array(z.string({ error: "expected a command argument string" }).min(1, { error: "expected a non-empty command argument" }), { error: "expected a command: a list of strings such as [/app/main.js, selfcheck]" })
        .min(1, { error: "expected a command with at least one argument" }),
    /** Task CPU units; default: the app's. */
    cpu: fargateCpu.optional(),
    /** Task memory in MiB; default: the app's. */
    memory: memoryMiB.optional(),
    /** IANA time zone the cron expression is read in; default UTC. */
    timezone: z.string({ error: "expected an IANA time zone such as Europe/Paris" }).refine(isTimeZone, { error: "expected an IANA time zone such as Europe/Paris or UTC" }).optional(),
});

export const AppInputSchema = z.strictObject({
    /** Image tag to deploy; pushed by the app's own CI. Unset means "not released yet". */
    imageTag: z
        .string({ error: "expected an image tag" })
        .regex(IMAGE_TAG_PATTERN, { error: "expected an image tag: letters, digits, _ . - (up to 128 characters, not starting with . or -)" })
        // The repositories' tags are IMMUTABLE (platform/registry.ts): "latest" could be pushed once and
        // never move, and a deploy would not notice a new image. A release names exactly one image.
        .refine((tag) => tag.toLowerCase() !== "latest", { error: 'expected a release tag such as a git sha or 1.4.2, not "latest": tags are immutable here, so "latest" would never move to a new image' })
        .optional(),
    /** Port the container listens on; 1024 or above, because the container runs without root or capabilities. */
    port: wholeNumber("a container port (1024-65535: the container runs as a non-root user without capabilities)", 1024, 65535).optional(),
    healthCheck: z
        .strictObject({
            livenessPath: z.string({ error: "expected an HTTP path" }).regex(HTTP_PATH_PATTERN, { error: "expected an HTTP path such as /healthz" }).optional(),
            readinessPath: z.string({ error: "expected an HTTP path" }).regex(HTTP_PATH_PATTERN, { error: "expected an HTTP path such as /readyz" }).optional(),
            gracePeriodSeconds: wholeNumber("a health check grace period in seconds", 0, 7200).optional(),
        })
        .optional(),
    cpu: fargateCpu.optional(),
    memory: memoryMiB.optional(),
    replicas: z
        .strictObject({
            min: wholeNumber("a minimum task count", 1, 1000).optional(),
            max: wholeNumber("a maximum task count", 1, 1000).optional(),
        })
        .optional(),
    autoscaling: z
        .strictObject({
            cpuPercent: wholeNumber("a target average CPU utilisation in percent", 10, 95).optional(),
            requestsPerTask: wholeNumber("a target count of requests per task per minute", 1, 100000).optional(),
        })
        .optional(),
    environment: z
        .record(
            envName("an environment variable name").refine((name) => !SECRET_LOOKING_NAME.test(name), {
                error: "looks like a credential: put it in this app's secrets (a Secrets Manager or SSM Parameter ARN), not in environment (ECS.8)",
            }),
            z.union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean value" }).transform(String),
        )
        .optional(),
    secrets: z
        .record(
            envName("a secret's environment variable name"),
            z.string({ error: "expected a Secrets Manager secret ARN or an SSM parameter ARN" }).refine((arn) => SECRETS_MANAGER_ARN_PATTERN.test(arn) || SSM_PARAMETER_ARN_PATTERN.test(arn), {
                error: "expected a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>[:json-key::]) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)",
            }),
        )
        .optional(),
    secretsKmsKeyArn: z.string({ error: "expected a KMS key ARN" }).regex(KMS_KEY_ARN_PATTERN, { error: "expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key id>" }).optional(),
    // Bindings: variable name to a resource of this stack (ref) or any resource (arn), and the actions granted on it (config/bindings.ts).
    ...(Object.fromEntries(BINDING_KINDS.map((kind) => [kind, bindingSectionSchema(kind, envName(`the environment variable that receives ${BINDING_KIND_SPECS[kind].variableValue}`)).optional()])) as {
        [K in BindingKind]: z.ZodOptional<ReturnType<typeof bindingSectionSchema>>;
    }),
    /**
     * Who can reach the app's HTTP port: `public` (an internet-facing load balancer, limited to
     * ingress.allowedCidrs), `internal` (a load balancer in the private subnets, reachable from
     * the VPC only) or `none` (no load balancer: a queue worker, which `consumes` a queue).
     */
    ingress: z.enum(APP_INGRESS, { error: `expected an ingress, one of ${APP_INGRESS.join(", ")}` }).optional(),
    /**
     * Make the app a queue worker: it consumes this stack queue (a reference such as queues.work)
     * instead of serving HTTP, with no load balancer, scaled on the queue's backlog per task.
     */
    consumes: z
        .strictObject({
            queue: z.string({ error: "expected a queue reference such as queues.work" }).regex(REFERENCE_PATTERN, { error: "expected a queue reference <owner>.<resource> such as queues.work" }),
            messagesPerTask: wholeNumber("the visible messages per task the service scales to", 1, 100000).optional(),
            /**
             * Let the worker scale to zero while the queue is empty and start on the first message;
             * otherwise it keeps replicas.min. On EKS, KEDA's minReplicaCount 0; on ECS, the
             * service's minimum capacity 0 and a step scaling policy that starts one task when
             * messages are visible and none runs (platform/ecs/README.md, "Scaling to zero").
             * @default true in dev, false in staging and prod
             * @example false
             */
            scaleToZero: bool("whether a queue worker may scale to zero tasks (ECS) and pods (EKS)").optional(),
        })
        .optional(),
    /**
     * Where the containers may connect, one rule per destination (`cidr`, `prefixList` or `to`),
     * replacing the default TCP 443 anywhere (config/egress.ts). ECS: the task security group's
     * egress rules; EKS: the namespace's NetworkPolicy (DNS and the Pod Identity agent stay allowed).
     * @example [{ cidr: 10.20.0.0/16, port: 5432 }, { to: api }, { cidr: 0.0.0.0/0, port: 443 }]
     */
    egress: z.array(EgressRuleSchema).optional(),
    runtimes: z
        .array(z.enum(RUNTIMES, { error: `expected a runtime, one of ${RUNTIMES.join(", ")}` }))
        .min(1, { error: `expected at least one runtime (${RUNTIMES.join(", ")})` })
        .optional(),
    architecture: z.enum(ARCHITECTURES, { error: `expected a CPU architecture, one of ${ARCHITECTURES.join(", ")}` }).optional(),
    user: z.string({ error: "expected a user" }).regex(CONTAINER_USER_PATTERN, { error: "expected a user such as 1000 or 1000:1000 (uid[:gid] or name[:group])" }).optional(),
    writablePaths: z.array(z.string({ error: "expected an absolute path" }).regex(ABSOLUTE_DIR_PATTERN, { error: "expected an absolute directory path such as /tmp (not /)" })).optional(),
    stopTimeoutSeconds: wholeNumber("a stop timeout in seconds (Fargate allows 2-120)", 2, 120).optional(),
    jobs: z.record(z.string().regex(JOB_NAME_PATTERN, { error: "expected a job name: lowercase letters, digits and hyphens, 1-24 characters" }), JobInputSchema).optional(),
    /**
     * On a shared load balancer: the host name clients use, routed by a host-header rule on the
     * shared HTTPS (or HTTP) listener. Without it the app gets its own listener port. @example web.example.com
     */
    host: z
        .string({ error: "expected a host name such as web.example.com" })
        .max(128, { error: "expected a host name of at most 128 characters (an ALB host-header condition)" })
        .regex(/^(?=.{1,128}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "expected a lowercase host name such as web.example.com (at least one dot, letters after the last one)" })
        .optional(),
    /**
     * On a shared load balancer without `host`: the listener port the app is reached on. Default:
     * derived from the runtime and app name (10000-19999), so adding an app moves no other's port.
     */
    listenerPort: wholeNumber("a listener port", 1024, 65535).optional(),
    /** How ECS releases the app: strategy (rolling, blueGreen, canary, linear), bake time, traffic steps, test listener, pre-traffic hook. */
    release: ReleaseInputSchema.optional(),
    /** How the app runs on Lambda (runtimes: [lambda]): endpoint, authorization, sizes, a worker's batch (config/lambda.ts). */
    lambda: LambdaAppInputSchema.optional(),
});

export const NetworkInputSchema = z.strictObject({
    cidr: z.string({ error: "expected an IPv4 CIDR such as 10.0.0.0/16" }).optional(),
    azCount: wholeNumber("an availability zone count", MIN_AZS, MAX_AZS).optional(),
    availabilityZoneNames: z.array(z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}[a-z]$/, { error: "expected an availability zone name such as eu-west-1a" })).optional(),
    natStrategy: z.enum(NAT_STRATEGIES, { error: `expected a NAT strategy, one of ${NAT_STRATEGIES.join(", ")}` }).optional(),
    /** EC2 instance type of the NAT instance (`natStrategy: instance`); Graviton (arm64) or x86, the AMI follows. */
    natInstanceType: z
        .string({ error: "expected an EC2 instance type such as t4g.nano" })
        .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: "expected an EC2 instance type such as t4g.nano" })
        .optional(),
    subnetMasks: z
        .strictObject({
            private: wholeNumber("a private subnet prefix length", 16, 28).optional(),
            public: wholeNumber("a public subnet prefix length", 16, 28).optional(),
        })
        .optional(),
    /** shared (one load balancer per scheme for every app) or perApp. Default: shared in dev and staging, perApp in prod. */
    loadBalancers: z.enum(LOAD_BALANCER_MODES, { error: `expected a load balancer mode, one of ${LOAD_BALANCER_MODES.join(", ")}` }).optional(),
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS, { error: `expected an interface endpoint, one of ${INTERFACE_ENDPOINTS.join(", ")}` })).optional(),
    flowLogs: z
        .strictObject({
            trafficType: z.enum(FLOW_LOG_TRAFFIC_TYPES, { error: `expected a flow log traffic type, one of ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}` }).optional(),
            retentionDays: retentionDays.optional(),
            aggregationIntervalSeconds: z.union([z.literal(60), z.literal(600)], { error: "expected a flow log aggregation interval of 60 or 600 (seconds)" }).optional(),
        })
        .optional(),
});

export const RegistryInputSchema = z.strictObject({
    namespace: z
        .string({ error: "expected an ECR repository namespace" })
        .max(200)
        .regex(ECR_NAMESPACE_PATTERN, {
            error: "expected an ECR repository namespace: lowercase path segments of letters and digits separated by . _ - or /, such as team-a",
        })
        .optional(),
    untaggedImageExpiryDays: wholeNumber("days after which untagged images expire", 1, 365).optional(),
    keepTaggedImages: wholeNumber("how many tagged images to keep", 1, 10000).optional(),
    ciPushRoleArn: z
        .string({ error: "expected an IAM role ARN" })
        .regex(IAM_ROLE_ARN_PATTERN, {
            error: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/ci-image-push",
        })
        .optional(),
    /** Registry-wide: only the `account.owner` stack may turn it on. */
    enhancedScanning: bool("whether registry-wide enhanced (Inspector) scanning is on").optional(),
    /** Registry-wide: only the `account.owner` stack may turn it on. */
    pullThroughCache: bool("whether the ECR Public pull-through cache rule is created").optional(),
});

export const EcsInputSchema = z.strictObject({
    containerInsights: z.enum(CONTAINER_INSIGHTS, { error: `expected a Container Insights level, one of ${CONTAINER_INSIGHTS.join(", ")}` }).optional(),
    capacity: z
        .strictObject({
            fargateBase: wholeNumber("a count of tasks always on FARGATE (on-demand)", 0, 100000).optional(),
            fargateWeight: wholeNumber("a FARGATE weight", 0, 1000).optional(),
            fargateSpotWeight: wholeNumber("a FARGATE_SPOT weight", 0, 1000).optional(),
        })
        .optional(),
    exec: z.strictObject({ enabled: bool("whether ECS Exec is allowed").optional() }).optional(),
});

export const IngressInputSchema = z.strictObject({
    certificateArn: z
        .string({ error: "expected an ACM certificate ARN" })
        .regex(ACM_CERTIFICATE_ARN_PATTERN, {
            error: "expected an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>",
        })
        .optional(),
    allowedCidrs: z
        .array(z.string({ error: "expected an IPv4 CIDR" }), { error: "expected a list of IPv4 CIDRs" })
        .min(1, { error: "expected at least one CIDR" })
        .optional(),
    sslPolicy: z
        .string({ error: "expected an ELB security policy name" })
        .regex(TLS13_POLICY_PATTERN, {
            error: "expected a TLS 1.3 ELB security policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 (ELB.17)",
        })
        .optional(),
    idleTimeoutSeconds: wholeNumber("an idle timeout in seconds", 1, 4000).optional(),
    deregistrationDelaySeconds: wholeNumber("a deregistration delay in seconds", 0, 3600).optional(),
});

export const AlarmsInputSchema = z.strictObject({
    emails: z.array(z.string({ error: "expected an email address" }).regex(EMAIL_PATTERN, { error: "expected an email address such as oncall@example.com" })).optional(),
});

/** Budget notification thresholds are percentages of the budget: actual spend and AWS's forecast. */
export const CostInputSchema = z.strictObject({
    /**
     * Monthly budget in USD. When set, an AWS Budgets cost budget notifies the alarm topic at 80%
     * and 100% of actual spend and at 100% forecast, and the policy gate compares the synth's
     * estimate with it (advisory above 80%, mandatory above 100%). @example 150
     */
    monthlyBudget: z
        .number({ error: "expected a monthly budget in USD, such as 150" })
        .positive({ error: "expected a monthly budget above 0 (USD)" })
        .max(10_000_000, { error: "expected a monthly budget in USD up to 10000000" })
        .optional(),
});

/**
 * Which CloudWatch dashboards the stack gets: `perApp` (the stack's and one per app), `stack` (only
 * the stack's: an account's first three dashboards are free, each further one is $3/month), `none`.
 */
export const DASHBOARD_SCOPES = ["perApp", "stack", "none"] as const;
export type DashboardScope = (typeof DASHBOARD_SCOPES)[number];

export const PlatformInputSchema = z.strictObject({
    profile: z.enum(PROFILES, { error: `expected a profile, one of ${PROFILES.join(", ")}` }).optional(),
    accountId: z
        .string({ error: "expected a 12-digit AWS account id, quoted" })
        .regex(ACCOUNT_ID_PATTERN, {
            error: 'expected a 12-digit AWS account id such as "123456789012"',
        })
        .optional(),
    tags: z
        .record(
            z.string().regex(TAG_KEY_PATTERN, { error: "expected a tag key of 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:" }),
            z.string({ error: "expected a tag value string" }).regex(TAG_VALUE_PATTERN, { error: "expected a tag value of up to 256 letters, digits, spaces or _ . : / = + - @" }),
        )
        .optional(),
    network: NetworkInputSchema.optional(),
    logs: z.strictObject({ retentionDays: retentionDays.optional() }).optional(),
    observability: z
        .strictObject({
            dashboards: z.enum(DASHBOARD_SCOPES, { error: `expected one of ${DASHBOARD_SCOPES.join(", ")}` }).optional(),
        })
        .optional(),
    protection: z
        .strictObject({
            deletionProtection: bool("whether services' own deletion protection is on").optional(),
            protectStatefulResources: bool("whether Pulumi protect is set on stateful resources").optional(),
        })
        .optional(),
    compute: z.strictObject({ spot: bool("whether spot capacity is used where interruption is safe").optional() }).optional(),
    /**
     * The account- and region-wide settings (ECR pull-through cache, repository creation template
     * and registry scanning; API Gateway's CloudWatch role) exist once per account and region:
     * exactly one stack sharing them sets `owner: true` and creates them.
     */
    account: z.strictObject({ owner: bool("whether this stack creates the account- and region-wide settings (one stack per account and region)").optional() }).optional(),
    registry: RegistryInputSchema.optional(),
    apps: z.record(z.string().regex(APP_NAME_PATTERN, { error: `expected an app name: ${APP_NAME_FORM}` }), AppInputSchema).optional(),
    ecs: EcsInputSchema.optional(),
    ingress: IngressInputSchema.optional(),
    alarms: AlarmsInputSchema.optional(),
    cost: CostInputSchema.optional(),
    eks: EksInputSchema.optional(),
    ...DATA_APPS_INPUT_SHAPE,
    ...SERVERLESS_INPUT_SHAPE,
    ...STACK_QUEUES_INPUT_SHAPE,
});

export type PlatformInput = z.infer<typeof PlatformInputSchema>;
export type AppInput = z.infer<typeof AppInputSchema>;
export type JobInput = z.infer<typeof JobInputSchema>;
