import { CERT_MANAGER } from "../helm-values";
import { type CatalogAddon, helmRelease } from "./catalog";

/**
 * cert-manager (Helm), with its CRDs installed by the chart (`crds.enabled`) and kept when the
 * release is removed (`crds.keep`: deleting the CRDs would delete every Certificate and Issuer).
 * No AWS role: the platform's ALBs take ACM certificates; cert-manager issues in-cluster
 * certificates (webhooks, mTLS) from Issuers the apps define. A Route 53 DNS-01 solver would need a
 * role like external-dns's.
 */
export const certManager: CatalogAddon = {
    key: "cert-manager",
    title: "cert-manager: in-cluster certificates",
    source: { kind: "helm", chart: CERT_MANAGER },
    install(ctx, settings) {
        const placement = ctx.placement;
        const release = helmRelease(ctx, certManager, CERT_MANAGER, settings, {
            name: "cert-manager",
            namespace: "cert-manager",
            values: {
                crds: { enabled: true, keep: true },
                replicaCount: ctx.replicas,
                podDisruptionBudget: { enabled: ctx.replicas > 1 },
                ...placement,
                webhook: { replicaCount: ctx.replicas, ...placement },
                cainjector: { replicaCount: ctx.replicas, ...placement },
                startupapicheck: { ...placement },
            },
        });
        return { ready: [release] };
    },
};
