import type { CatalogAddons } from "../../config";
import type { Grant } from "../../grants";
import { EXTERNAL_DNS } from "../helm-values";
import { addonRole, type CatalogAddon, helmRelease } from "./catalog";

/**
 * What external-dns may do in Route 53: change and list records in the one configured zone, read
 * its change status, and list zones (ListHostedZones has no resource-level permission; external-dns
 * lists zones and filters them by `--zone-id-filter`). From the external-dns AWS tutorial
 * (https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/), narrowed to one zone.
 */
export function externalDnsGrants(hostedZoneId: string): Grant[] {
    return [
        { sid: "ChangeRecordsInZone", actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource"], resources: [`arn:aws:route53:::hostedzone/${hostedZoneId}`] },
        { sid: "ReadChangeStatus", actions: ["route53:GetChange"], resources: ["arn:aws:route53:::change/*"] },
        { sid: "ListZones", actions: ["route53:ListHostedZones"], resources: ["*"] },
    ];
}

/**
 * external-dns (Helm): A/ALIAS and TXT ownership records in Route 53 for the hosts of Ingresses,
 * only in `hostedZoneId`, owned by this stack's cluster (`txtOwnerId`: records another stack
 * created in the same zone are left alone).
 */
export const externalDns: CatalogAddon<CatalogAddons["externalDns"]> = {
    key: "external-dns",
    title: "external-dns: Route 53 records for Ingress hosts",
    source: { kind: "helm", chart: EXTERNAL_DNS },
    install(ctx, settings) {
        const zone = settings.hostedZoneId;
        if (!zone) throw new Error("eks.addons.externalDns.hostedZoneId is required (the config check refuses it missing)");
        const role = addonRole(ctx, externalDns, { namespace: "external-dns", serviceAccount: "external-dns" }, externalDnsGrants(zone));
        const release = helmRelease(ctx, externalDns, EXTERNAL_DNS, settings, {
            name: "external-dns",
            namespace: "external-dns",
            values: {
                provider: { name: "aws" },
                env: [{ name: "AWS_DEFAULT_REGION", value: ctx.region }],
                serviceAccount: { create: true, name: "external-dns" },
                sources: ["ingress"],
                policy: settings.policy,
                registry: "txt",
                txtOwnerId: ctx.clusterPhysicalName,
                extraArgs: [`--zone-id-filter=${zone}`],
                ...ctx.placement,
            },
            dependsOn: [role],
        });
        return { ready: [release], role };
    },
};
