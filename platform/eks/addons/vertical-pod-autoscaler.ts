import type { CatalogAddons } from "../../config";
import { VERTICAL_POD_AUTOSCALER } from "../helm-values";
import { type CatalogAddon, helmRelease } from "./catalog";

/**
 * The Vertical Pod Autoscaler (Helm). Mode `recommend` (the default) runs the recommender only:
 * VerticalPodAutoscaler objects get recommendations in their status, and nothing evicts or
 * resizes pods (the updater and the admission controller are off). Mode `auto` turns both on, so
 * VPAs with updateMode Auto/Initial are applied; do not combine that with an HPA on CPU or memory
 * for the same workload (the apps' HPAs scale on CPU).
 */
export const verticalPodAutoscaler: CatalogAddon<CatalogAddons["verticalPodAutoscaler"]> = {
    key: "vpa",
    title: "Vertical Pod Autoscaler: resource recommendations",
    source: { kind: "helm", chart: VERTICAL_POD_AUTOSCALER },
    install(ctx, settings) {
        const apply = settings.mode === "auto";
        const release = helmRelease(ctx, verticalPodAutoscaler, VERTICAL_POD_AUTOSCALER, settings, {
            name: "vertical-pod-autoscaler",
            namespace: "kube-system",
            values: {
                recommender: { enabled: true, replicas: 1, ...ctx.placement },
                updater: { enabled: apply, ...ctx.placement },
                admissionController: { enabled: apply, ...ctx.placement },
            },
        });
        return { ready: [release] };
    },
};
