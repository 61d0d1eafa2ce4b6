import type { RecordedResource } from "../../platform/offline/mock-cloud";
import type { SynthResult } from "../../platform/offline/synth";
import { captureWarnings, only, synthPlatform } from "../helpers";

export const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/translations";
export const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";
export const ADMIN_ROLE_ARN = "arn:aws:iam::123456789012:role/platform-admin";
export const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/db-AbCdEf";
export const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/web/api-key";
export const SECRETS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b7f2a52-5c1e-4a59-9a6e-0d2c3f4e5a6b";
/** prod's web also has secrets: a JSON key of a Secrets Manager secret and an SSM parameter, under a customer key. */
export const SECRETS = { secrets: { DB_PASSWORD: `${SECRET_ARN}:password::`, API_KEY: PARAMETER_ARN }, secretsKmsKeyArn: SECRETS_KEY_ARN };

/** A released `web` on both runtimes, with a table grant and a nightly job. */
export const WEB = {
    imageTag: "1.4.2",
    runtimes: ["ecs", "eks"],
    user: "65532",
    environment: { LOG_LEVEL: "info" },
    tables: { TRANSLATIONS_TABLE: { arn: TABLE_ARN, actions: ["GetItem", "Query"] } },
    jobs: { selfcheck: { schedule: "cron(0 3 * * ? *)", command: ["/app/main.js", "selfcheck"] } },
};

export interface Synthesized {
    result: SynthResult;
    warnings: string[];
    resources: RecordedResource[];
    one(type: string, nameEndsWith?: string): RecordedResource;
    all(type: string): RecordedResource[];
    /** The recorded resource with this URN. */
    byUrn(urn: string): RecordedResource;
}

export async function synth(stack: string, values: Record<string, unknown>): Promise<Synthesized> {
    const { result, warnings } = await captureWarnings(() => synthPlatform(stack, values));
    const resources = result.cloud.resources;
    return {
        result,
        warnings,
        resources,
        one: (type, suffix = "") => only(resources, type, suffix),
        all: (type) => result.cloud.ofType(type),
        byUrn: (urn) => {
            const found = resources.find((resource) => resource.urn === urn);
            if (!found) throw new Error(`no resource ${urn}`);
            return found;
        },
    };
}

const cache = new Map<string, Promise<Synthesized>>();
function memo(key: string, build: () => Promise<Synthesized>): Promise<Synthesized> {
    if (!cache.has(key)) cache.set(key, build());
    return cache.get(key)!;
}

/** dev: profile defaults (spot workload group, Karpenter), no certificate, an office CIDR on the API. */
export const eksDev = () => memo("eks-dev", () => synth("dev", { apps: { web: WEB }, eks: { endpoint: { publicAccessCidrs: ["203.0.113.0/24"] } } }));
/** A deployer network (a VPN) that runs `pulumi up` against prod's private endpoint. */
export const DEPLOYER_CIDR = "10.8.0.0/16";
/** prod: secrets, a certificate, an admin role, a deployer network, Karpenter, Fargate profiles. */
export const eksProd = () =>
    memo("eks-prod", () =>
        synth("prod", {
            apps: { web: { ...WEB, ...SECRETS } },
            ingress: { certificateArn: CERTIFICATE_ARN },
            eks: {
                adminRoleArns: [ADMIN_ROLE_ARN],
                endpoint: { privateAccessCidrs: [DEPLOYER_CIDR] },
                fargateProfiles: { batch: { namespace: "batch" }, "web-jobs": { namespace: "web", labels: { "platform/compute": "fargate" } } },
            },
        }),
    );
/** dev on the Cluster Autoscaler, with AL2023 nodes, before web's first release. */
export const eksClusterAutoscaler = () => memo("eks-ca", () => synth("dev", { apps: { web: { ...WEB, imageTag: undefined } }, eks: { autoscaler: "cluster-autoscaler", nodeOs: "al2023" } }));
/** The hosted zone the catalog fixture's external-dns may write to. */
export const HOSTED_ZONE_ID = "Z0123456789ABCDEFGHIJ";
/** dev with every catalog add-on on (EBS CSI, external-dns, cert-manager, VPA, KEDA). */
export const eksCatalog = () =>
    memo("eks-catalog", () =>
        synth("dev", {
            apps: { web: WEB },
            eks: { addons: { ebsCsi: { enabled: true }, externalDns: { enabled: true, hostedZoneId: HOSTED_ZONE_ID }, certManager: { enabled: true }, verticalPodAutoscaler: { enabled: true }, keda: { enabled: true } } },
        }),
    );
/** dev on EKS Auto Mode, with the EBS CSI catalog entry on and a Fargate profile (both modes keep them). */
export const eksAutoMode = () => memo("eks-auto", () => synth("dev", { apps: { web: WEB }, eks: { compute: "autoMode", addons: { ebsCsi: { enabled: true } }, fargateProfiles: { batch: { namespace: "batch" } } } }));
/** prod on EKS Auto Mode: on-demand only. */
export const eksAutoModeProd = () => memo("eks-auto-prod", () => synth("prod", { apps: { web: WEB }, ingress: { certificateArn: CERTIFICATE_ARN }, eks: { compute: "autoMode", adminRoleArns: [ADMIN_ROLE_ARN] } }));
