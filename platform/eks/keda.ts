import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { withTransforms, type Transformable } from "../transform";
import { type ChartPin, checkedValues } from "./helm-values";
import { SYSTEM_PLACEMENT } from "./node-groups";
import { PodIdentityRole } from "./roles";

/**
 * kedacore/charts keda 2.20.2 (KEDA 2.20.2; tag v2.20.2, keda/Chart.yaml and keda/values.yaml at
 * https://github.com/kedacore/charts/tree/v2.20.2/keda). The top-level keys of that values.yaml,
 * and the keys of the sections the platform sets.
 */
export const KEDA_CHART: ChartPin = {
    chart: "keda",
    version: "2.20.2",
    repository: "https://kedacore.github.io/charts",
    values: z.strictObject({
        ...Object.fromEntries(
            "global image clusterName clusterDomain crds watchNamespace watchLabelSelector watchLabelSelectorForTriggerauth imagePullSecrets networkPolicy metricsServer webhooks upgradeStrategy podDisruptionBudget additionalLabels additionalAnnotations podAnnotations podLabels rbac podIdentity grpcTLSCertsSecret hashiCorpVaultTLS logging securityContext podSecurityContext service resources nodeSelector tolerations hostAliases topologySpreadConstraints affinity priorityClassName http profiling extraArgs env volumes prometheus opentelemetry certificates permissions extraObjects asciiArt customManagedBy enableServiceLinks"
                .split(" ")
                .map((key) => [key, z.unknown().optional()]),
        ),
        operator: z
            .strictObject(
                Object.fromEntries(
                    "name revisionHistoryLimit replicaCount disableCompression leaderElectionID dnsConfig dnsPolicy useHostNetwork hostUsers affinity extraContainers extraInitContainers livenessProbe readinessProbe nodeSelector tolerations"
                        .split(" ")
                        .map((key) => [key, z.unknown().optional()]),
                ),
            )
            .optional(),
        serviceAccount: z
            .strictObject(
                Object.fromEntries(
                    ["operator", "metricServer", "webhooks"].map((key) => [
                        key,
                        z.strictObject({ create: z.boolean().optional(), name: z.string().optional(), automountServiceAccountToken: z.boolean().optional(), annotations: z.unknown().optional() }).optional(),
                    ]),
                ),
            )
            .optional(),
    }),
};

/** Where the platform installs KEDA; its operator's service account (bound to its AWS role by Pod Identity). */
export const KEDA_POD_IDENTITY = { namespace: "keda", serviceAccount: "keda-operator" };

export interface KedaArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    /** The physical name, for the role's description. */
    clusterPhysicalName: string;
    /** The operator's Pod Identity role trusts this cluster only. */
    clusterArn: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /** The queues workers on this cluster consume: the operator reads their backlog and nothing else. */
    queueArns: pulumi.Input<string>[];
    provider: k8s.Provider;
    /** 2 in prod: a standby operator takes over the leader lease when one is lost. */
    replicas: number;
    /** The node groups, CoreDNS, and the Load Balancer Controller whose pod webhook must answer first. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * KEDA, installed only when an app on this cluster consumes a queue: it reads each queue's backlog
 * (`sqs:GetQueueAttributes`, nothing else: the attributes it reads are unencrypted, so no key) with
 * its operator's own role through EKS Pod Identity, and scales the worker Deployments through the
 * HPAs it manages, to zero where allowed. Apps point their ScaledObject's trigger at a
 * TriggerAuthentication with `podIdentity.provider: aws` and no role, which makes KEDA use its own
 * credentials (https://keda.sh/docs/2.18/authentication-providers/aws/); the SDK's default chain
 * finds them through Pod Identity. IRSA stays off (its annotation would take precedence).
 */
export class Keda extends pulumi.ComponentResource {
    readonly identity: PodIdentityRole;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Keda", name, {}, withTransforms(opts, args.transform));
        this.identity = new PodIdentityRole(
            name,
            {
                description: `KEDA operator of ${args.clusterPhysicalName}: reads the backlog of the queues its workers consume`,
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                accountId: args.accountId,
                namespace: KEDA_POD_IDENTITY.namespace,
                serviceAccount: KEDA_POD_IDENTITY.serviceAccount,
                grants: [{ sid: "ReadQueueBacklog", actions: ["sqs:GetQueueAttributes"], resources: args.queueArns }],
            },
            { parent: this },
        );
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: "keda",
                chart: KEDA_CHART.chart,
                version: KEDA_CHART.version,
                repositoryOpts: { repo: KEDA_CHART.repository },
                namespace: KEDA_POD_IDENTITY.namespace,
                createNamespace: true,
                values: checkedValues(KEDA_CHART, {
                    operator: { replicaCount: args.replicas },
                    serviceAccount: { operator: { create: true, name: KEDA_POD_IDENTITY.serviceAccount } },
                    podIdentity: { aws: { irsa: { enabled: false } } },
                    podDisruptionBudget: args.replicas > 1 ? { operator: { maxUnavailable: 1 } } : {},
                    ...SYSTEM_PLACEMENT,
                }),
                atomic: true,
                cleanupOnFail: true,
            },
            // The association exists before the operator's first pod starts (Pod Identity injects credentials at admission).
            { parent: this, provider: args.provider, dependsOn: [this.identity, ...args.dependsOn] },
        );
        this.registerOutputs({ roleArn: this.identity.role.arn });
    }
}
