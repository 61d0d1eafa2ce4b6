import type { AddonSettings } from "../../config";
import type { Grant } from "../../grants";
import { KEDA } from "../helm-values";
import type { PodIdentityRole } from "../roles";
import { type AddonInstance, addonRole, type CatalogAddon, helmRelease } from "./catalog";

/** Where the KEDA operator runs; its Pod Identity association binds this service account. */
export const KEDA_OPERATOR = { namespace: "keda", serviceAccount: "keda-operator" } as const;

/** An installed KEDA: the release, and the operator's role that scalers add their read grants to. */
export interface KedaInstance extends AddonInstance {
    role: PodIdentityRole;
    /**
     * Lets the operator read what a scaler needs (e.g. `sqs:GetQueueAttributes` on one queue for an
     * `aws-sqs-queue` trigger with `podIdentity.provider: aws`); each grant becomes its own inline policy.
     */
    addOperatorGrant(grant: Grant): void;
}

/**
 * KEDA (Helm): event-driven scaling of Deployments and Jobs (ScaledObject, ScaledJob). The
 * operator calls AWS (queue depth) with its own Pod Identity role, which starts with no grants:
 * each KEDA-scaled workload adds exactly what its triggers read through `addOperatorGrant`, and its
 * TriggerAuthentication uses `podIdentity: { provider: aws }` (the operator's identity).
 */
export const keda: CatalogAddon<AddonSettings, KedaInstance> = {
    key: "keda",
    title: "KEDA: event-driven autoscaling",
    source: { kind: "helm", chart: KEDA },
    install(ctx, settings): KedaInstance {
        const role = addonRole(ctx, keda, KEDA_OPERATOR, []);
        const release = helmRelease(ctx, keda, KEDA, settings, {
            name: "keda",
            namespace: KEDA_OPERATOR.namespace,
            values: {
                crds: { install: true },
                serviceAccount: { operator: { create: true, name: KEDA_OPERATOR.serviceAccount } },
                operator: { replicaCount: ctx.replicas },
                ...ctx.placement,
            },
            dependsOn: [role],
        });
        return { ready: [release], role, addOperatorGrant: (grant) => role.grants.addGrant(grant) };
    },
};
