import { z } from "zod";

/**
 * The Helm charts the platform installs, pinned, with the value keys each pinned version accepts
 * (read from the chart's values.yaml at that version). Charts are not downloaded offline, so a
 * misspelt or removed key would otherwise reach `helm install`, which ignores unknown keys
 * silently. Top-level keys are checked for every chart; the sections the platform sets are
 * checked one level deeper. Bumping a version means re-reading its values.yaml here.
 */
export interface ChartPin {
    chart: string;
    version: string;
    /** A Helm repository URL, or empty when `chart` is an OCI reference. */
    repository: string;
    values: z.ZodType;
    /**
     * Types of the values the platform sets, transcribed from the chart's values.schema.json where it
     * ships one (keys stay checked by `values`): a wrong type or enum value fails at synth, as `helm
     * install` would fail on the schema.
     */
    types?: z.ZodType;
}

const keys = (names: string[], sections: Record<string, string[]> = {}) =>
    z.strictObject(
        Object.fromEntries(names.map((name) => [name, sections[name] ? z.strictObject(Object.fromEntries(sections[name].map((inner) => [inner, z.unknown().optional()]))).optional() : z.unknown().optional()])),
    );

/** aws/eks-charts stable/aws-load-balancer-controller 3.5.0 (controller v3.5.0). */
export const LOAD_BALANCER_CONTROLLER: ChartPin = {
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
    repository: "https://aws.github.io/eks-charts",
    values: keys(
        "replicaCount revisionHistoryLimit image runtimeClassName imagePullSecrets nameOverride fullnameOverride autoscaling serviceAccount rbac podSecurityContext securityContext terminationGracePeriodSeconds resources priorityClassName nodeSelector tolerations affinity configureDefaultAffinity topologySpreadConstraints updateStrategy serviceAnnotations deploymentAnnotations podAnnotations podLabels additionalLabels enableCertManager certManager clusterName cluster ingressClass ingressClassParams createIngressClassResource region vpcId vpcTags awsApiEndpoints awsApiThrottle awsMaxRetries defaultTargetType defaultLoadBalancerScheme enablePodReadinessGateInject enableShield enableWaf enableWafv2 ingressMaxConcurrentReconciles logLevel metricsBindAddr webhookConfig webhookBindPort webhookTLS keepTLSSecret webhookNamespaceSelectors serviceMaxConcurrentReconciles targetgroupbindingMaxConcurrentReconciles targetgroupbindingMaxExponentialBackoffDelay targetgroupbindingRequeueDuration albGatewayMaxConcurrentReconciles nlbGatewayMaxConcurrentReconciles globalAcceleratorMaxConcurrentReconciles globalAcceleratorMaxExponentialBackoffDelay lbStabilizationMonitorInterval syncPeriod watchNamespace disableIngressClassAnnotation disableIngressGroupNameAnnotation tolerateNonExistentBackendService tolerateNonExistentBackendAction defaultSSLPolicy livenessProbe readinessProbe env hostNetwork dnsPolicy extraVolumeMounts extraVolumes defaultTags podDisruptionBudget externalManagedTags enableEndpointSlices enableBackendSecurityGroup enableManageBackendSecurityGroupRules backendSecurityGroup disableRestrictedSecurityGroupRules maxTargetsPerTargetGroup controllerConfig certManagement certDiscovery objectSelector serviceMonitor clusterSecretsPermissions ingressClassConfig enableServiceMutatorWebhook serviceMutatorWebhookConfig podMutatorWebhookConfig serviceTargetENISGTags loadBalancerClass".split(
            " ",
        ),
        { serviceAccount: ["create", "annotations", "name", "automountServiceAccountToken", "imagePullSecrets"], rbac: ["create"], podDisruptionBudget: ["maxUnavailable", "minAvailable"] },
    ),
};

/** aws/karpenter-provider-aws charts/karpenter 1.14.1 (OCI on ECR Public). */
export const KARPENTER: ChartPin = {
    chart: "oci://public.ecr.aws/karpenter/karpenter",
    version: "1.14.1",
    repository: "",
    values: keys(
        "nameOverride fullnameOverride additionalLabels additionalAnnotations imagePullPolicy imagePullSecrets service serviceAccount additionalClusterRoleRules serviceMonitor replicas revisionHistoryLimit strategy podLabels podAnnotations podDisruptionBudget podSecurityContext priorityClassName terminationGracePeriodSeconds hostNetwork schedulerName dnsPolicy dnsConfig initContainers nodeSelector affinity topologySpreadConstraints tolerations extraVolumes controller logLevel logOutputPaths logErrorOutputPaths settings".split(
            " ",
        ),
        {
            serviceAccount: ["create", "name", "annotations"],
            podDisruptionBudget: ["name", "maxUnavailable"],
            controller: ["containerName", "image", "env", "envFrom", "securityContext", "resources", "extraVolumeMounts", "sidecarContainer", "sidecarVolumeMounts", "metrics", "healthProbe"],
            settings:
                "batchMaxDuration batchIdleDuration preferencePolicy minValuesPolicy clusterCABundle clusterName clusterEndpoint isolatedVPC eksControlPlane vmMemoryOverheadPercent interruptionQueue enableZonalShift reservedENIs ignoreDRARequests disableClusterStateObservability disableDryRun amiRefreshInterval subnetRefreshInterval featureGates awsFeatureGates".split(
                    " ",
                ),
        },
    ),
};

/** kubernetes/autoscaler charts/cluster-autoscaler 9.59.0 (Cluster Autoscaler 1.35.0). */
export const CLUSTER_AUTOSCALER: ChartPin = {
    chart: "cluster-autoscaler",
    version: "9.59.0",
    repository: "https://kubernetes.github.io/autoscaler",
    values: keys(
        "affinity additionalLabels autoDiscovery autoscalingGroups autoscalingGroupsnamePrefix awsAccessKeyID awsRegion awsSecretAccessKey azureClientID azureClientSecret azureResourceGroup azureSubscriptionID azureTenantID azureUseManagedIdentityExtension azureUserAssignedIdentityID azureUseWorkloadIdentityExtension azureVMType azureEnableForceDelete azureEnableVMSSEtag civoApiUrl civoApiKey civoClusterID civoRegion cloudConfigPath cloudProvider clusterAPICloudConfigPath clusterAPIConfigMapsNamespace clusterAPIKubeconfigSecret clusterAPIMode clusterAPIWorkloadKubeconfigPath containerSecurityContext deployment dnsConfig dnsPolicy envFromConfigMap envFromSecret expanderPriorities extraArgs customArgs extraEnv extraEnvConfigMaps extraEnvSecrets extraObjects extraVolumeMounts extraVolumes extraVolumeSecrets initContainers fullnameOverride hostNetwork image kubeTargetVersionOverride kwokConfigMapName magnumCABundlePath magnumClusterName nameOverride nodeSelector podAnnotations podDisruptionBudget podLabels priorityClassName priorityConfigMapAnnotations prometheusRule rbac replicaCount resources revisionHistoryLimit securityContext service serviceMonitor tolerations topologySpreadConstraints updateStrategy vpa secretKeyRefNameOverride".split(
            " ",
        ),
        {
            autoDiscovery: ["clusterName", "namespace", "tags", "roles", "labels"],
            rbac: ["create", "pspEnabled", "clusterScoped", "annotations", "serviceAccount", "additionalRules"],
            podDisruptionBudget: ["annotations", "selector", "maxUnavailable"],
        },
    ),
};

/** kubernetes-sigs/metrics-server charts/metrics-server 3.13.1 (metrics-server 0.8.1). */
export const METRICS_SERVER: ChartPin = {
    chart: "metrics-server",
    version: "3.13.1",
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    values: keys(
        "image imagePullSecrets nameOverride fullnameOverride namespaceOverride serviceAccount rbac apiService commonLabels podLabels podAnnotations podSecurityContext hostUsers securityContext priorityClassName containerPort hostNetwork replicas revisionHistoryLimit updateStrategy podDisruptionBudget defaultArgs args livenessProbe readinessProbe service addonResizer metrics serviceMonitor resources extraVolumeMounts extraVolumes nodeSelector tolerations affinity topologySpreadConstraints dnsConfig deploymentAnnotations schedulerName tmpVolume tls".split(
            " ",
        ),
        { serviceAccount: ["create", "annotations", "name", "secrets"], podDisruptionBudget: ["enabled", "minAvailable", "maxUnavailable", "unhealthyPodEvictionPolicy"] },
    ),
};

/**
 * aws/secrets-store-csi-driver-provider-aws charts/secrets-store-csi-driver-provider-aws 3.1.1 (ASCP
 * 3.1.1, with the Secrets Store CSI driver chart as a dependency: the keys the platform sets there
 * are the driver chart's long-standing ones).
 */
export const SECRETS_STORE_PROVIDER: ChartPin = {
    chart: "secrets-store-csi-driver-provider-aws",
    version: "3.1.1",
    repository: "https://aws.github.io/secrets-store-csi-driver-provider-aws",
    values: keys(
        "image awsRegion nameOverride fullnameOverride providerVolume kubeletPath driverWritesSecrets commonLabels podLabels podAnnotations affinity resources priorityClassName nodeSelector tolerations port updateStrategy imagePullSecrets rbac securityContext useFipsEndpoint podIdentityHttpTimeout dnsConfig secrets-store-csi-driver".split(
            " ",
        ),
        { "secrets-store-csi-driver": ["install", "fullnameOverride", "tokenRequests", "linux", "syncSecret", "enableSecretRotation", "rotationPollInterval"] },
    ),
};

/**
 * kubernetes-sigs/external-dns charts/external-dns 1.21.1 (external-dns 0.21.0), tag
 * external-dns-helm-chart-1.21.1 (https://github.com/kubernetes-sigs/external-dns/tree/external-dns-helm-chart-1.21.1/charts/external-dns).
 * The platform's values were validated against that version's values.schema.json on 2026-12-05.
 */
export const EXTERNAL_DNS: ChartPin = {
    chart: "external-dns",
    version: "1.21.1",
    repository: "https://kubernetes-sigs.github.io/external-dns/",
    values: keys(
        "global image imagePullSecrets nameOverride fullnameOverride namespaceOverride commonLabels serviceAccount service rbac deploymentAnnotations extraContainers deploymentStrategy revisionHistoryLimit podLabels podAnnotations automountServiceAccountToken shareProcessNamespace podSecurityContext priorityClassName terminationGracePeriodSeconds dnsPolicy dnsConfig initContainers securityContext env livenessProbe readinessProbe extraVolumes extraVolumeMounts resources nodeSelector affinity topologySpreadConstraints tolerations serviceMonitor logLevel logFormat interval triggerLoopOnEvent namespaced enableGatewayListenerSets gatewayNamespace sourceNamespace sources policy registry txtOwnerId txtPrefix txtSuffix domainFilters excludeDomains labelFilter annotationFilter annotationPrefix managedRecordTypes provider extraArgs secretConfiguration enabled".split(
            " ",
        ),
        { serviceAccount: ["create", "labels", "annotations", "name", "automountServiceAccountToken"], provider: ["name", "webhook"] },
    ),
    // From values.schema.json at external-dns-helm-chart-1.21.1.
    types: z.looseObject({
        policy: z.enum(["create-only", "sync", "upsert-only"]).optional(),
        registry: z.enum(["txt", "aws-sd", "dynamodb", "noop"]).optional(),
        sources: z.array(z.string()).optional(),
        extraArgs: z.union([z.array(z.string()), z.record(z.string(), z.unknown()), z.null()]).optional(),
        txtOwnerId: z.string().nullable().optional(),
        provider: z.union([z.looseObject({ name: z.string().optional() }), z.string()]).optional(),
        env: z.array(z.unknown()).optional(),
        nodeSelector: z.record(z.string(), z.unknown()).optional(),
        tolerations: z.array(z.unknown()).optional(),
        serviceAccount: z.looseObject({ create: z.boolean().optional(), name: z.string().optional() }).optional(),
    }),
};

/**
 * cert-manager/cert-manager deploy/charts/cert-manager v1.21.1 (https://charts.jetstack.io; tag v1.21.1,
 * https://github.com/cert-manager/cert-manager/tree/v1.21.1/deploy/charts/cert-manager). The platform's values
 * were validated against that version's values.schema.json on 2026-12-05.
 */
export const CERT_MANAGER: ChartPin = {
    chart: "cert-manager",
    version: "v1.21.1",
    repository: "https://charts.jetstack.io",
    values: keys(
        "global installCRDs crds replicaCount strategy podDisruptionBudget featureGates maxConcurrentChallenges imageRegistry imageNamespace image clusterResourceNamespace namespace serviceAccount enableCertificateOwnerRef config dns01RecursiveNameservers dns01RecursiveNameserversOnly disableAutoApproval approveSignerNames extraArgs extraContainers extraEnv resources securityContext containerSecurityContext volumes volumeMounts podLabels hostAliases nodeSelector networkPolicy ingressShim affinity runtimeClassName tolerations topologySpreadConstraints livenessProbe enableServiceLinks prometheus webhook cainjector acmesolver startupapicheck extraObjects creator enabled".split(
            " ",
        ),
        {
            crds: ["enabled", "keep"],
            podDisruptionBudget: ["enabled", "minAvailable", "maxUnavailable"],
            webhook:
                "affinity apiserverClientCertSubjects clientCAFile config containerSecurityContext enableClientVerification enableServiceLinks extraArgs extraEnv featureGates hostNetwork image livenessProbe mutatingWebhookConfiguration networkPolicy nodeSelector podDisruptionBudget podLabels readinessProbe replicaCount resources runtimeClassName securePort securityContext serviceAccount serviceIPFamilies serviceIPFamilyPolicy serviceLabels serviceType strategy timeoutSeconds tolerations topologySpreadConstraints url validatingWebhookConfiguration volumeMounts volumes".split(
                    " ",
                ),
            cainjector:
                "enabled replicaCount config strategy securityContext containerSecurityContext networkPolicy podDisruptionBudget extraArgs extraEnv featureGates resources nodeSelector affinity runtimeClassName tolerations topologySpreadConstraints podLabels serviceLabels image serviceAccount volumes volumeMounts enableServiceLinks".split(
                    " ",
                ),
            startupapicheck:
                "enabled securityContext containerSecurityContext timeout backoffLimit jobAnnotations extraArgs extraEnv resources nodeSelector affinity runtimeClassName tolerations podLabels image rbac serviceAccount volumes volumeMounts enableServiceLinks".split(
                    " ",
                ),
        },
    ),
    // From values.schema.json at v1.21.1 ($defs helm-values.*).
    types: z.looseObject({
        crds: z.looseObject({ enabled: z.boolean().optional(), keep: z.boolean().optional() }).optional(),
        replicaCount: z.number().optional(),
        podDisruptionBudget: z.looseObject({ enabled: z.boolean().optional() }).optional(),
        nodeSelector: z.record(z.string(), z.string()).optional(),
        tolerations: z.array(z.unknown()).optional(),
        webhook: z.looseObject({ replicaCount: z.number().optional(), nodeSelector: z.record(z.string(), z.string()).optional(), tolerations: z.array(z.unknown()).optional() }).optional(),
        cainjector: z.looseObject({ replicaCount: z.number().optional(), nodeSelector: z.record(z.string(), z.string()).optional(), tolerations: z.array(z.unknown()).optional() }).optional(),
        startupapicheck: z.looseObject({ nodeSelector: z.record(z.string(), z.string()).optional(), tolerations: z.array(z.unknown()).optional() }).optional(),
    }),
};

/**
 * kubernetes/autoscaler vertical-pod-autoscaler/charts/vertical-pod-autoscaler 0.11.0 (VPA 1.7.1), tag
 * vertical-pod-autoscaler-chart-0.11.0, published at https://kubernetes.github.io/autoscaler. The chart
 * ships no values.schema.json; keys from its values.yaml.
 */
export const VERTICAL_POD_AUTOSCALER: ChartPin = {
    chart: "vertical-pod-autoscaler",
    version: "0.11.0",
    repository: "https://kubernetes.github.io/autoscaler",
    values: keys("imagePullSecrets nameOverride fullnameOverride commonLabels rbac podSecurityContext containerSecurityContext admissionController recommender updater".split(" "), {
        recommender:
            "enabled annotations image serviceAccount replicas revisionHistoryLimit podLabels podAnnotations extraEnv extraArgs resources nodeSelector affinity tolerations leaderElection podDisruptionBudget priorityClassName".split(
                " ",
            ),
        updater:
            "enabled annotations extraArgs image replicas revisionHistoryLimit podLabels podAnnotations serviceAccount affinity nodeSelector tolerations leaderElection podDisruptionBudget resources priorityClassName".split(
                " ",
            ),
        admissionController:
            "enabled annotations image serviceAccount service replicas revisionHistoryLimit podLabels podAnnotations extraEnv extraArgs resources nodeSelector affinity tolerations registerWebhook hostNetwork certGen certManager mutatingWebhookConfiguration tls volumes volumeMounts podDisruptionBudget priorityClassName".split(
                " ",
            ),
    }),
};

/**
 * kedacore/charts keda 2.20.2 (KEDA 2.20.2), tag v2.20.2 (https://github.com/kedacore/charts/tree/v2.20.2/keda),
 * published at https://kedacore.github.io/charts. The chart ships no values.schema.json; keys from its values.yaml.
 */
export const KEDA: ChartPin = {
    chart: "keda",
    version: "2.20.2",
    repository: "https://kedacore.github.io/charts",
    values: keys(
        "global image clusterName clusterDomain crds watchNamespace imagePullSecrets networkPolicy operator metricsServer webhooks upgradeStrategy podDisruptionBudget additionalLabels additionalAnnotations podAnnotations podLabels rbac serviceAccount podIdentity grpcTLSCertsSecret hashiCorpVaultTLS logging securityContext podSecurityContext service resources nodeSelector tolerations hostAliases topologySpreadConstraints affinity priorityClassName http profiling extraArgs env volumes prometheus opentelemetry certificates permissions extraObjects asciiArt customManagedBy enableServiceLinks".split(
            " ",
        ),
        {
            crds: ["install", "additionalAnnotations"],
            serviceAccount: ["operator", "metricServer", "webhooks"],
            podIdentity: ["azureWorkload", "aws", "gcp"],
            operator:
                "name revisionHistoryLimit replicaCount disableCompression dnsConfig dnsPolicy useHostNetwork affinity extraContainers extraInitContainers livenessProbe readinessProbe nodeSelector tolerations".split(
                    " ",
                ),
            resources: ["operator", "metricServer", "webhooks"],
        },
    ),
};

export const CHARTS = { LOAD_BALANCER_CONTROLLER, KARPENTER, CLUSTER_AUTOSCALER, METRICS_SERVER, SECRETS_STORE_PROVIDER, EXTERNAL_DNS, CERT_MANAGER, VERTICAL_POD_AUTOSCALER, KEDA };

/** The keys of `values` the pinned chart version does not know, as dotted paths (empty when all are known). */
export function unknownValueKeys(pin: ChartPin, values: Record<string, unknown>): string[] {
    const issues = [...(pin.values.safeParse(values).error?.issues ?? []), ...(pin.types?.safeParse(values).error?.issues ?? [])];
    return issues.flatMap((issue) => (issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key].join(".")) : [`${issue.path.join(".")}: ${issue.message}`]));
}

/** Throws when the program hands a chart a key its pinned version does not have (a program bug, caught at synth). */
export function checkedValues<T extends Record<string, unknown>>(pin: ChartPin, values: T): T {
    const unknown = unknownValueKeys(pin, values);
    if (unknown.length > 0) throw new Error(`Helm values for ${pin.chart} ${pin.version} have keys or values that version does not accept: ${unknown.join(", ")}`);
    return values;
}
