import type { CatalogAddons } from "../../config";
import type { AddonContext, AddonInstance, CatalogAddon } from "./catalog";
import { certManager } from "./cert-manager";
import { ebsCsi } from "./ebs-csi";
import { externalDns } from "./external-dns";
import { keda, type KedaInstance } from "./keda";
import { verticalPodAutoscaler } from "./vertical-pod-autoscaler";

export { ClusterAutoscaler, type ControllersArgs, LoadBalancerController, ManagedAddons, metricsServer } from "./core";
export { addonRole, type AddonContext, type AddonInstance, type CatalogAddon, mergeValues } from "./catalog";
export { KEDA_OPERATOR, type KedaInstance } from "./keda";
export { externalDnsGrants } from "./external-dns";
export { DEFAULT_CLASS_ANNOTATION, GP3_STORAGE_CLASS } from "./ebs-csi";

/**
 * The optional add-ons, by their `eks.addons.<key>` config key. The always-on ones (vpc-cni,
 * kube-proxy, CoreDNS, the Pod Identity agent, the Load Balancer Controller, metrics-server, the
 * CloudWatch Observability add-on, the Secrets Store CSI driver) are in core.ts, observability.ts
 * and secrets.ts; their versions are keys of the same map.
 */
export const ADDON_CATALOG = { ebsCsi, externalDns, certManager, verticalPodAutoscaler, keda } satisfies Record<keyof CatalogAddons, CatalogAddon<never, AddonInstance>>;

/** What the catalog installed, by config key. */
export interface InstalledAddons {
    ebsCsi?: AddonInstance;
    externalDns?: AddonInstance;
    certManager?: AddonInstance;
    verticalPodAutoscaler?: AddonInstance;
    keda?: KedaInstance;
}

/** Installs every enabled catalog add-on. `skip` names those the compute mode provides itself (EBS CSI on Auto Mode). */
export function installCatalogAddons(ctx: AddonContext, catalog: CatalogAddons, skip: (keyof CatalogAddons)[] = []): InstalledAddons {
    const on = (key: keyof CatalogAddons) => catalog[key].enabled && !skip.includes(key);
    return {
        ...(on("ebsCsi") ? { ebsCsi: ebsCsi.install(ctx, catalog.ebsCsi) } : {}),
        ...(on("externalDns") ? { externalDns: externalDns.install(ctx, catalog.externalDns) } : {}),
        ...(on("certManager") ? { certManager: certManager.install(ctx, catalog.certManager) } : {}),
        ...(on("verticalPodAutoscaler") ? { verticalPodAutoscaler: verticalPodAutoscaler.install(ctx, catalog.verticalPodAutoscaler) } : {}),
        ...(on("keda") ? { keda: keda.install(ctx, catalog.keda) } : {}),
    };
}
