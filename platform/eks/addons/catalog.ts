import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AddonSettings } from "../../config";
import type { Grant } from "../../grants";
import { type ChartPin, checkedValues } from "../helm-values";
import { PodIdentityRole } from "../roles";

/**
 * The add-on catalog's one interface. Each optional add-on is a module exporting a `CatalogAddon`:
 * how it is installed (an EKS managed add-on or a pinned Helm chart), and its AWS role (Pod
 * Identity, least privilege) when it calls AWS. It is switched and tuned by
 * `platform:eks.addons.<key>` (`enabled`, `version`, `values`, plus its own settings).
 */
export interface CatalogAddon<S extends AddonSettings = AddonSettings, I extends AddonInstance = AddonInstance> {
    /** The config key under `eks.addons`. */
    key: string;
    /** One line for the docs and the IAM console. */
    title: string;
    /** Where its version comes from: an EKS managed add-on build, or a chart pinned in helm-values.ts. */
    source: { kind: "eks-addon"; addonName: string } | { kind: "helm"; chart: ChartPin };
    install(ctx: AddonContext, settings: S): I;
}

/** What every add-on may use: the cluster, its provider, and the resources it must wait for. */
export interface AddonContext {
    /** The runtime's name; add-on resources are named `<name>-<key>...`. */
    name: string;
    parent: pulumi.Resource;
    clusterName: pulumi.Input<string>;
    clusterPhysicalName: string;
    clusterArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    provider: k8s.Provider;
    /** Controller replicas (2 in prod). */
    replicas: number;
    /** Where controllers run: the system group's selector and toleration (empty on Auto Mode). */
    placement: Record<string, unknown>;
    /** The stack's data key: encrypts what add-ons store (EBS volumes). */
    dataKeyArn: pulumi.Input<string>;
    /**
     * Set on EKS Auto Mode, which runs block storage (and load balancing) itself with the cluster
     * role: add-ons it replaces only add what it lacks.
     */
    autoMode?: { clusterRoleName: pulumi.Input<string> };
    /** Nodes, CoreDNS and the Load Balancer Controller: what a release needs before it can start. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** What an installed add-on leaves behind for the rest of the program. */
export interface AddonInstance {
    /** What apps that use the add-on wait for (its release or managed add-on, its objects). */
    ready: pulumi.Resource[];
    /** Its AWS role, when it calls AWS. */
    role?: PodIdentityRole;
}

/** A Pod Identity role for one add-on service account, named after the add-on. */
export function addonRole(ctx: AddonContext, addon: { key: string; title: string }, binding: { namespace: string; serviceAccount: string; associate?: boolean }, grants: Grant[]): PodIdentityRole {
    return new PodIdentityRole(
        `${ctx.name}-${addon.key}`,
        {
            description: `${addon.title} of ${ctx.clusterPhysicalName}`,
            clusterName: ctx.clusterName,
            clusterArn: ctx.clusterArn,
            accountId: ctx.accountId,
            namespace: binding.namespace,
            serviceAccount: binding.serviceAccount,
            grants,
            associate: binding.associate,
        },
        { parent: ctx.parent },
    );
}

/** Deep merge: the user's `values` over the platform's (arrays and scalars replace). */
export function mergeValues(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = result[key];
        const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !pulumi.Output.isInstance(v);
        result[key] = isObject(current) && isObject(value) ? mergeValues(current, value) : value;
    }
    return result;
}

/**
 * A Helm release of a catalog add-on: the pinned chart (or the configured version), in its own
 * namespace (created by Helm), the platform's values with the user's merged over them and checked
 * against the pinned version's keys.
 */
export function helmRelease(
    ctx: AddonContext,
    addon: { key: string },
    pin: ChartPin,
    settings: AddonSettings,
    release: { name: string; namespace: string; values: Record<string, unknown>; dependsOn?: pulumi.Resource[] },
): k8s.helm.v3.Release {
    const values = mergeValues(release.values, settings.values);
    return new k8s.helm.v3.Release(
        `${ctx.name}-${addon.key}`,
        {
            name: release.name,
            chart: pin.chart,
            version: settings.version,
            ...(pin.repository ? { repositoryOpts: { repo: pin.repository } } : {}),
            namespace: release.namespace,
            createNamespace: true,
            // Keys are checked against the pinned version's list; another version's keys are the user's to check.
            values: settings.version === pin.version ? checkedValues(pin, values) : values,
            atomic: true,
            cleanupOnFail: true,
        },
        { parent: ctx.parent, provider: ctx.provider, dependsOn: [...ctx.dependsOn, ...(release.dependsOn ?? [])] },
    );
}
