import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { notifyingAlarm } from "../alarms";
import { type AppConfig, type IngressConfig, type JobConfig, kubernetesSchedule } from "../config";
import { DEFAULT_EGRESS, type EgressRule } from "../config/egress";
import type { AppBindings } from "../ecs";
import { PLACEHOLDER_IMAGE, placeholderCommand } from "../ecs/task";
import { NAME_LIMITS, physicalName } from "../naming";
import { NODE_ROLE_LABEL } from "./node-groups";
import { PodIdentityRole } from "./roles";
import { SECRETS_STORE_DRIVER, secretGrants, secretProviderClass } from "./secrets";
import { withTransforms, type Transformable } from "../transform";
import type { SharedLoadBalancer } from "../shared-load-balancer";
import { sharedLoadBalancerRoute } from "./target-group-binding";

/** The Pod Identity agent's link-local endpoint pods fetch credentials from. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";

export interface EksAppArgs extends Transformable {
    /** The app's name: its namespace, service account, and every object's name. */
    app: string;
    /** The runtime-neutral app spec. */
    spec: AppConfig;
    /** Passed to the code as AWS_REGION (the metadata service is out of the pods' reach). */
    region: string;
    /** Scopes the Pod Identity role's trust. */
    accountId: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    /** The Pod Identity role trusts this cluster only. */
    clusterArn: pulumi.Input<string>;
    /** Its ECR repository: the image is `<url>:<imageTag>`. */
    repository: { url: pulumi.Input<string> };
    /** Grants for the pod role and the variables that name what they grant. */
    bindings: AppBindings;
    /** The VPC's CIDR: the ALB's nodes are in it, so the NetworkPolicy admits it on the app port. */
    vpcCidr: string;
    /** Certificate, TLS policy, allowed CIDRs, timeouts: the same ingress settings as ECS. */
    ingress: IngressConfig;
    /** ALB deletion protection (prod). */
    deletionProtection: boolean;
    /** Pods may only be scheduled where zones are balanced (prod); otherwise a best effort. */
    strictZoneSpread: boolean;
    /** The cluster's Kubernetes provider. */
    provider: k8s.Provider;
    /** The controllers (LBC, metrics-server; KEDA for a queue worker) the Ingress, HPA and ScaledObject need. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /**
     * Alarms notify this topic (a queue worker's backlog, when ECS does not already alarm on it).
     * @example alarms.arn
     */
    alarmTopicArn: pulumi.Input<string>;
    /**
     * Where the Ingress's ALB writes its access logs (ELB.5): the bucket, under `eks/<app>/`; its
     * policy admits ELB there, and the ALB waits for it (ELB test-writes when logging is enabled).
     * @example { bucketName: accessLogs.bucketName, policy: accessLogs.policy }
     */
    accessLogs?: { bucketName: pulumi.Input<string>; policy: pulumi.Resource };
    /**
     * The cluster's physical name when Container Insights runs on it: each CronJob then gets an alarm
     * on its failed pods (`ContainerInsights pod_status_failed`). Unset: no metric, no alarm.
     * @example "platform-prod"
     */
    containerInsightsClusterName?: string;
    /**
     * The container ports of the cluster's apps, by name: `egress: [{ to: <app> }]` admits that
     * app's pods on its port.
     * @default {}
     * @example { api: 8080 }
     */
    appPorts?: Record<string, number>;
    /** The stack's shared load balancer of the app's scheme: a TargetGroupBinding there instead of an Ingress (target-group-binding.ts). @default an Ingress of its own */
    sharedLoadBalancer?: SharedLoadBalancer;
    /** The VPC, for the shared load balancer's target group. */
    vpcId?: pulumi.Input<string>;
}

/** The key prefix of an app's EKS Ingress access logs in the access-log bucket. */
export const eksAccessLogPrefix = (app: string) => `eks/${app}`;

const cpuQuantity = (units: number) => `${Math.round((units * 1000) / 1024)}m`;

/** What every step of an EksApp needs: who it is, where its objects go, and how they are labelled. */
interface AppScope {
    name: string;
    app: string;
    spec: AppConfig;
    args: EksAppArgs;
    /** Parent and provider of every Kubernetes object. */
    k8sOpts: { parent: pulumi.Resource; provider: k8s.Provider };
    namespace: pulumi.Output<string>;
    labels: Record<string, string>;
    serverLabels: Record<string, string>;
    /** An image tag is set: the release runs (otherwise a placeholder, and the jobs are suspended). */
    released: boolean;
}

type EnvVar = { name: string; value?: pulumi.Input<string>; valueFrom?: { secretKeyRef: { name: string; key: string } } };
type Volume = { name: string; path: string; emptyDir?: { sizeLimit: string }; csi?: { driver: string; readOnly: boolean; volumeAttributes: { secretProviderClass: string } } };

/** The parts of a pod spec the server Deployment and the CronJobs share, sized per workload. */
type PodParts = ReturnType<ReturnType<typeof podTemplate>>;

/**
 * One app from the runtime-neutral spec, as Kubernetes runs it: its own namespace enforcing the
 * Pod Security Standards' restricted profile, a service account with an AWS role through Pod
 * Identity, a hardened Deployment behind a Service and an ALB Ingress, an HPA, a PDB, a
 * default-deny NetworkPolicy with the few allows the app needs, and a CronJob per job. A queue
 * worker (`consumes`) is the same Deployment without Service, Ingress or HPA: KEDA scales it on
 * the queue's backlog per pod.
 */
export class EksApp extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly identity: PodIdentityRole;
    readonly deployment: k8s.apps.v1.Deployment;
    /** The ALB Ingress; none for a queue worker or on a shared load balancer (a TargetGroupBinding routes there). */
    readonly ingress?: k8s.networking.v1.Ingress;
    /** A queue worker's KEDA ScaledObject (aws-sqs-queue trigger). */
    readonly scaledObject?: k8s.apiextensions.CustomResource;
    /**
     * `https://<ALB DNS name>` with a certificate, `http://` without: the address the Load Balancer
     * Controller writes into the Ingress status. `worker` for a queue worker, as on ECS.
     */
    readonly url: pulumi.Output<string>;
    readonly cronJobs: Record<string, k8s.batch.v1.CronJob> = {};

    constructor(name: string, args: EksAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:App", name, {}, withTransforms(opts, args.transform));
        const { app, spec } = args;
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = { "app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "pulumi" };

        // Steps: namespace, identity (service account, Pod Identity role, secrets), the server
        // (Deployment, Service, Ingress, HPA, PDB), network policies, then the jobs.
        this.namespace = createNamespace(name, app, k8sOpts);
        const scope: AppScope = {
            name,
            app,
            spec,
            args,
            k8sOpts,
            namespace: this.namespace.metadata.name,
            labels,
            serverLabels: { ...labels, "app.kubernetes.io/component": "server" },
            released: spec.imageTag !== undefined,
        };
        const serviceAccount = new k8s.core.v1.ServiceAccount(name, { metadata: { name: app, namespace: scope.namespace, labels }, automountServiceAccountToken: false }, k8sOpts);
        this.identity = createPodIdentity(scope, this);
        const secretClass = createSecretClass(scope);
        // What a pod needs before it starts: its service account, its AWS role, its secrets, and the controllers' webhooks.
        const podDependencies = [serviceAccount, this.identity, ...(secretClass ? [secretClass] : []), ...args.dependsOn];
        const pod = podTemplate(scope, secretClass !== undefined);

        this.deployment = createDeployment(scope, pod(spec), podDependencies);
        if (args.bindings.consumes) {
            this.scaledObject = createQueueScaler(scope, args.bindings.consumes, this.deployment);
            if (!spec.runtimes.includes("ecs")) createBacklogAlarm(scope, args.bindings.consumes, this);
            this.url = pulumi.output("worker");
        } else {
            const service = createService(scope);
            const shared = args.sharedLoadBalancer;
            if (shared) {
                const route = {
                    app,
                    spec,
                    ingress: args.ingress,
                    vpcId: args.vpcId ?? "",
                    vpcCidr: args.vpcCidr,
                    clusterName: args.clusterName,
                    namespace: scope.namespace,
                    serviceName: app,
                    labels,
                    shared,
                    dependsOn: [service, ...args.dependsOn],
                };
                this.url = sharedLoadBalancerRoute(name, route, this, k8sOpts).url;
            } else {
                this.ingress = createIngress(scope, service);
                this.url = ingressUrl(this.ingress, args.ingress.certificateArn !== undefined);
            }
            createAutoscaler(scope, this.deployment);
        }
        new k8s.policy.v1.PodDisruptionBudget(name, { metadata: { name: app, namespace: scope.namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: scope.serverLabels } } }, k8sOpts);
        createNetworkPolicies(scope);

        for (const [job, jobSpec] of Object.entries(spec.jobs)) {
            this.cronJobs[job] = createCronJob(scope, job, jobSpec, pod(jobSpec), podDependencies);
            if (args.containerInsightsClusterName) createJobFailureAlarm(scope, job, args.containerInsightsClusterName, this);
        }
        this.registerOutputs({ namespace: scope.namespace, url: this.url });
    }
}

/** The app's namespace, enforcing the Pod Security Standards' restricted profile. */
function createNamespace(name: string, app: string, k8sOpts: AppScope["k8sOpts"]): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        name,
        {
            metadata: {
                name: app,
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    // The ALB holds traffic until a new pod is registered and healthy (zero-downtime rollouts).
                    "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
                },
            },
        },
        k8sOpts,
    );
}

/** The pods' AWS role through Pod Identity: the app's bindings and the secrets it reads. */
function createPodIdentity({ name, app, spec, args }: AppScope, parent: pulumi.Resource): PodIdentityRole {
    return new PodIdentityRole(
        `${name}-pods`,
        {
            description: `What ${app}'s pods may call (EKS)`,
            clusterName: args.clusterName,
            clusterArn: args.clusterArn,
            accountId: args.accountId,
            namespace: app,
            serviceAccount: app,
            grants: [...args.bindings.grants, ...secretGrants(spec.secrets, args.region, spec.secretsKmsKeyArn)],
        },
        { parent },
    );
}

/** Secrets: fetched by the Secrets Store CSI driver with the pod role, synced into `<app>-secrets`. */
function createSecretClass({ name, app, spec, args, k8sOpts, namespace, labels }: AppScope): pulumi.Resource | undefined {
    if (Object.keys(spec.secrets).length === 0) return undefined;
    // Its CRD comes with the Secrets Store CSI driver's release (in args.dependsOn): created before it, the class would fail.
    return secretProviderClass(`${name}-secrets`, { app, namespace, region: args.region, secrets: spec.secrets, labels }, { ...k8sOpts, dependsOn: args.dependsOn });
}

/** The hardened pod (non-root, read-only root, no capabilities, no token) every workload of the app runs, sized per workload. */
function podTemplate({ app, spec, args, released }: AppScope, hasSecrets: boolean) {
    const [uid, gid] = spec.user.split(":").map(Number);
    const environment = { AWS_REGION: args.region, ...args.bindings.environment, ...spec.environment };
    const env: EnvVar[] = [
        ...Object.entries(environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([variable, value]) => ({ name: variable, value })),
        ...Object.keys(spec.secrets)
            .sort()
            .map((variable) => ({ name: variable, valueFrom: { secretKeyRef: { name: `${app}-secrets`, key: variable } } })),
    ];
    const volumes: Volume[] = [
        ...spec.writablePaths.map((path, index) => ({ name: `writable-${index}`, emptyDir: { sizeLimit: "256Mi" }, path })),
        // Mounting the class is what makes the driver fetch and sync the values.
        ...(hasSecrets ? [{ name: "secrets", csi: { driver: SECRETS_STORE_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: app } }, path: "/mnt/secrets" }] : []),
    ];
    return (resources: { cpu: number; memory: number }) => ({
        serviceAccountName: app,
        // Pods use AWS through Pod Identity (its own projected token), not the Kubernetes API.
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: spec.stopTimeoutSeconds,
        securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid ?? uid, fsGroup: gid ?? uid, seccompProfile: { type: "RuntimeDefault" } },
        nodeSelector: { "kubernetes.io/arch": spec.architecture === "arm64" ? "arm64" : "amd64" },
        volumes: volumes.map(({ path: _path, ...volume }) => volume),
        container: {
            image: released ? pulumi.interpolate`${args.repository.url}:${spec.imageTag}` : PLACEHOLDER_IMAGE,
            env,
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
            resources: {
                requests: { cpu: cpuQuantity(resources.cpu), memory: `${resources.memory}Mi` },
                limits: { cpu: cpuQuantity(resources.cpu), memory: `${resources.memory}Mi` },
            },
            volumeMounts: volumes.map(({ name: volume, path, csi }) => ({ name: volume, mountPath: path, ...(csi ? { readOnly: true } : {}) })),
        },
    });
}

/**
 * The app's long-running pods, spread over zones and nodes, probed, and rolled out without losing
 * capacity: an HTTP server, or a queue worker (whose port serves its probes only).
 */
function createDeployment({ name, app, spec, args, k8sOpts, namespace, serverLabels, released }: AppScope, server: PodParts, dependsOn: pulumi.Input<pulumi.Resource>[]): k8s.apps.v1.Deployment {
    const spread = (topologyKey: string, strict: boolean) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: strict ? "DoNotSchedule" : "ScheduleAnyway", labelSelector: { matchLabels: serverLabels } });
    return new k8s.apps.v1.Deployment(
        name,
        {
            metadata: { name: app, namespace, labels: serverLabels },
            spec: {
                // No replicas: the HorizontalPodAutoscaler (KEDA's, for a worker) owns the count (a fixed one would fight it on every update).
                selector: { matchLabels: serverLabels },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
                template: {
                    metadata: { labels: serverLabels },
                    spec: {
                        serviceAccountName: server.serviceAccountName,
                        automountServiceAccountToken: server.automountServiceAccountToken,
                        terminationGracePeriodSeconds: server.terminationGracePeriodSeconds,
                        securityContext: server.securityContext,
                        nodeSelector: { ...server.nodeSelector, [NODE_ROLE_LABEL]: "workload" },
                        topologySpreadConstraints: [spread("topology.kubernetes.io/zone", args.strictZoneSpread), spread("kubernetes.io/hostname", false)],
                        volumes: server.volumes,
                        containers: [
                            {
                                name: app,
                                ...server.container,
                                command: released ? undefined : placeholderCommand(spec.port),
                                // A worker serves its probes only (apps/worker/src/health.ts): nothing else reaches the port.
                                ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
                                // The start-up budget is the spec's grace period; liveness only counts after it.
                                startupProbe: { httpGet: { path: spec.healthCheck.livenessPath, port: "http" }, periodSeconds: 5, failureThreshold: Math.max(1, Math.ceil(spec.healthCheck.gracePeriodSeconds / 5)) },
                                livenessProbe: { httpGet: { path: spec.healthCheck.livenessPath, port: "http" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
                                readinessProbe: { httpGet: { path: spec.healthCheck.readinessPath, port: "http" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
                            },
                        ],
                    },
                },
            },
        },
        // The controllers' webhooks (LBC's pod mutator) must answer before pods are admitted.
        { ...k8sOpts, dependsOn },
    );
}

function createService({ name, app, k8sOpts, namespace, labels, serverLabels }: AppScope): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        name,
        { metadata: { name: app, namespace, labels }, spec: { type: "ClusterIP", selector: serverLabels, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } },
        k8sOpts,
    );
}

/** The ALB the Load Balancer Controller makes for the app: the same ingress settings as ECS. */
function createIngress({ name, app, spec, args, k8sOpts, namespace, labels }: AppScope, service: k8s.core.v1.Service): k8s.networking.v1.Ingress {
    const https = args.ingress.certificateArn !== undefined;
    return new k8s.networking.v1.Ingress(
        name,
        {
            metadata: {
                name: app,
                namespace,
                labels,
                annotations: {
                    // internal: an ALB in the private subnets, for clients inside the VPC only.
                    "alb.ingress.kubernetes.io/scheme": spec.ingress === "internal" ? "internal" : "internet-facing",
                    "alb.ingress.kubernetes.io/target-type": "ip",
                    "alb.ingress.kubernetes.io/healthcheck-path": spec.healthCheck.readinessPath,
                    "alb.ingress.kubernetes.io/inbound-cidrs": spec.ingress === "internal" ? args.vpcCidr : args.ingress.allowedCidrs.join(","),
                    "alb.ingress.kubernetes.io/listen-ports": JSON.stringify(https ? [{ HTTP: 80 }, { HTTPS: 443 }] : [{ HTTP: 80 }]),
                    ...(https
                        ? {
                              "alb.ingress.kubernetes.io/certificate-arn": args.ingress.certificateArn as string,
                              "alb.ingress.kubernetes.io/ssl-policy": args.ingress.sslPolicy,
                              "alb.ingress.kubernetes.io/ssl-redirect": "443",
                          }
                        : {}),
                    "alb.ingress.kubernetes.io/load-balancer-attributes": pulumi
                        .output(args.accessLogs?.bucketName)
                        .apply((bucket) =>
                            [
                                `deletion_protection.enabled=${args.deletionProtection}`,
                                `idle_timeout.timeout_seconds=${args.ingress.idleTimeoutSeconds}`,
                                "routing.http.drop_invalid_header_fields.enabled=true",
                                ...(bucket ? ["access_logs.s3.enabled=true", `access_logs.s3.bucket=${bucket}`, `access_logs.s3.prefix=${eksAccessLogPrefix(app)}`] : []),
                            ].join(","),
                        ),
                    "alb.ingress.kubernetes.io/target-group-attributes": `deregistration_delay.timeout_seconds=${args.ingress.deregistrationDelaySeconds}`,
                },
            },
            spec: {
                ingressClassName: "alb",
                rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: app, port: { name: "http" } } } }] } }],
            },
        },
        { ...k8sOpts, dependsOn: [service, ...(args.accessLogs ? [args.accessLogs.policy] : []), ...args.dependsOn] },
    );
}

/** Pulumi waits for an Ingress to get its address before it reports it created, so the status is set by then. */
function ingressUrl(ingress: k8s.networking.v1.Ingress, https: boolean): pulumi.Output<string> {
    return ingress.status.apply((status) => {
        const hostname = status?.loadBalancer?.ingress?.[0]?.hostname;
        return hostname ? `${https ? "https" : "http"}://${hostname}` : "";
    });
}

/** CPU target tracking between the spec's replica bounds (metrics-server, in args.dependsOn, feeds it). */
function createAutoscaler({ name, app, spec, args, k8sOpts, namespace, labels }: AppScope, deployment: k8s.apps.v1.Deployment): k8s.autoscaling.v2.HorizontalPodAutoscaler {
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        name,
        {
            metadata: { name: app, namespace, labels },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app },
                minReplicas: spec.replicas.min,
                maxReplicas: spec.replicas.max,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.autoscaling.cpuPercent } } }],
            },
        },
        { ...k8sOpts, dependsOn: [deployment, ...args.dependsOn] },
    );
}

/**
 * KEDA's scaler for a queue worker: an `aws-sqs-queue` trigger on the consumed queue with the
 * backlog per pod as its target (https://keda.sh/docs/2.18/scalers/aws-sqs/), authenticated as
 * KEDA's operator (its own Pod Identity role, which may read exactly these queues' attributes),
 * between the spec's replica bounds, from zero when `consumes.scaleToZero` allows it.
 * In-flight messages count as backlog (scaleOnInFlight), so pods busy with messages are not
 * scaled away; delayed ones do not.
 */
function createQueueScaler(
    { name, app, spec, args, k8sOpts, namespace, labels }: AppScope,
    consumes: NonNullable<EksAppArgs["bindings"]["consumes"]>,
    deployment: k8s.apps.v1.Deployment,
): k8s.apiextensions.CustomResource {
    const authentication = new k8s.apiextensions.CustomResource(
        `${name}-keda-auth`,
        // No roleArn, no identityOwner: KEDA uses its operator's credentials (identityOwner keda, the default).
        { apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", metadata: { name: `${app}-queue`, namespace, labels }, spec: { podIdentity: { provider: "aws" } } },
        // The CRDs and the admission webhook come with KEDA's release (in args.dependsOn).
        { ...k8sOpts, dependsOn: args.dependsOn },
    );
    return new k8s.apiextensions.CustomResource(
        `${name}-scaler`,
        {
            apiVersion: "keda.sh/v1alpha1",
            kind: "ScaledObject",
            metadata: { name: app, namespace, labels },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app },
                minReplicaCount: consumes.scaleToZero ? 0 : spec.replicas.min,
                maxReplicaCount: spec.replicas.max,
                // KEDA reads the queue every 30 s: one GetQueueAttributes call each time.
                pollingInterval: 30,
                // From the last active poll to zero pods: five minutes, ECS's scale-in cooldown.
                cooldownPeriod: 300,
                triggers: [
                    {
                        type: "aws-sqs-queue",
                        name: "backlog",
                        authenticationRef: { name: `${app}-queue` },
                        metadata: {
                            queueURL: consumes.url,
                            queueLength: String(consumes.messagesPerTask),
                            // Any message wakes a worker scaled to zero.
                            activationQueueLength: "0",
                            awsRegion: args.region,
                            scaleOnInFlight: "true",
                        },
                    },
                ],
            },
        },
        { ...k8sOpts, dependsOn: [deployment, authentication, ...args.dependsOn] },
    );
}

/** The queue has held more than the workers at their maximum handle, for 15 minutes (ECS's worker alarms the same way). */
function createBacklogAlarm({ name, app, spec, args }: AppScope, consumes: NonNullable<EksAppArgs["bindings"]["consumes"]>, parent: pulumi.Resource): void {
    const threshold = consumes.messagesPerTask * spec.replicas.max;
    notifyingAlarm(
        `${name}-backlog`,
        args.alarmTopicArn,
        {
            alarmDescription: `${app}'s queue has held more than ${threshold} visible messages for 15 minutes: the workers on EKS are at apps.${app}.replicas.max (${spec.replicas.max}) or failing. Check the pods' logs, KEDA's operator and the dead-letter queue.`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: pulumi.output(consumes.arn).apply((arn) => arn.split(":").pop() as string) },
            statistic: "Minimum",
            period: 300,
            evaluationPeriods: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold,
            treatMissingData: "notBreaching",
        },
        { parent },
    );
}

/**
 * Default deny both ways, then: the ALB (in the VPC) to the app port, DNS, the Pod Identity
 * agent, and the app's egress: HTTPS anywhere (AWS APIs such as DynamoDB and STS) unless
 * `egress` lists its destinations.
 */
function createNetworkPolicies({ name, spec, args, k8sOpts, namespace, labels, serverLabels }: AppScope): void {
    new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, { metadata: { name: "default-deny", namespace, labels }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }, k8sOpts);
    // A queue worker takes no connection at all: default deny is its whole inbound policy.
    if (!spec.consumes)
        new k8s.networking.v1.NetworkPolicy(
            `${name}-allow-alb`,
            {
                metadata: { name: "allow-alb-to-server", namespace, labels },
                spec: { podSelector: { matchLabels: serverLabels }, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: args.vpcCidr } }], ports: [{ protocol: "TCP", port: spec.port }] }] },
            },
            k8sOpts,
        );
    new k8s.networking.v1.NetworkPolicy(
        `${name}-allow-egress`,
        {
            metadata: { name: "allow-dns-credentials-https", namespace, labels },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                    { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: 80 }] },
                    ...egressPeers(spec.egress ?? DEFAULT_EGRESS, args),
                ],
            },
        },
        k8sOpts,
    );
}

/** `egress` rules as NetworkPolicy egress rules: a CIDR or the VPC as an ipBlock, another app as its namespace's server pods on their port. */
function egressPeers(rules: EgressRule[], args: EksAppArgs) {
    return rules.map((rule) => {
        if ("prefixList" in rule) throw new Error(`${args.app}: egress to prefix list ${rule.prefixList} on EKS (config validation refuses it)`);
        if ("to" in rule && rule.to !== "vpc") {
            const port = args.appPorts?.[rule.to];
            if (port === undefined) throw new Error(`${args.app}: egress to ${rule.to}, which does not run on this cluster (config validation refuses it)`);
            return {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": rule.to } }, podSelector: { matchLabels: { "app.kubernetes.io/name": rule.to, "app.kubernetes.io/component": "server" } } }],
                ports: [{ protocol: rule.protocol.toUpperCase(), port }],
            };
        }
        return { to: [{ ipBlock: { cidr: "cidr" in rule ? rule.cidr : args.vpcCidr } }], ports: [{ protocol: rule.protocol.toUpperCase(), port: rule.port as number }] };
    });
}

/**
 * A failed run of a CronJob: Container Insights counts its failed pods under PodName = the CronJob's
 * name (the agent maps each Job <cronjob>-<time> to its CronJob). The alarm stays in ALARM while a
 * failed run's pods are kept (the Job's ttlSecondsAfterFinished, a day), then returns to OK; a
 * retry that succeeds after a failed attempt still alarms once (the attempt's pod failed).
 */
function createJobFailureAlarm({ name, app, args }: AppScope, job: string, clusterName: string, parent: pulumi.Resource): void {
    notifyingAlarm(
        `${name}-${job}-failed`,
        args.alarmTopicArn,
        {
            alarmDescription: `A run of ${app}'s ${job} job failed on EKS (a pod of CronJob ${cronJobName(app, job)} in namespace ${app} ended Failed). Read its logs: kubectl -n ${app} logs job/<the failed Job>, or the cluster's application log group.`,
            namespace: "ContainerInsights",
            metricName: "pod_status_failed",
            dimensions: { ClusterName: clusterName, Namespace: app, PodName: cronJobName(app, job) },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
        },
        { parent },
    );
}

/** The CronJob's name: the controller appends 11 characters to name its Jobs, so CronJob names stop at 52. */
const cronJobName = (app: string, job: string) => physicalName(`${app}-${job}`, NAME_LIMITS.cronJob);

/** A scheduled job: the app's pod with the job's command and size, one run at a time, retried twice. */
function createCronJob({ name, app, k8sOpts, namespace, labels, released }: AppScope, job: string, jobSpec: JobConfig, pod: PodParts, dependsOn: pulumi.Input<pulumi.Resource>[]): k8s.batch.v1.CronJob {
    const converted = kubernetesSchedule(jobSpec.schedule);
    if (!("schedule" in converted)) throw new Error(`${app}: job ${job}: ${converted.problem}`);
    const jobLabels = { ...labels, "app.kubernetes.io/component": "job", "platform/job": job };
    return new k8s.batch.v1.CronJob(
        `${name}-${job}`,
        {
            metadata: { name: cronJobName(app, job), namespace, labels: jobLabels },
            spec: {
                schedule: converted.schedule,
                timeZone: jobSpec.timezone,
                // Before the first release the image is a placeholder: the job waits, as on ECS.
                suspend: !released,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 300,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    metadata: { labels: jobLabels },
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: 3600,
                        ttlSecondsAfterFinished: 86400,
                        template: {
                            metadata: { labels: jobLabels },
                            spec: {
                                restartPolicy: "Never",
                                serviceAccountName: pod.serviceAccountName,
                                automountServiceAccountToken: pod.automountServiceAccountToken,
                                terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
                                securityContext: pod.securityContext,
                                nodeSelector: pod.nodeSelector,
                                volumes: pod.volumes,
                                containers: [{ name: job, ...pod.container, args: jobSpec.command }],
                            },
                        },
                    },
                },
            },
        },
        { ...k8sOpts, dependsOn },
    );
}
