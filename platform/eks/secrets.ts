import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SECRETS_MANAGER_ARN_PATTERN } from "../config";
import type { Grant } from "../grants";
import { checkedValues, SECRETS_STORE_PROVIDER } from "./helm-values";

/** The CSI driver name pods mount secrets through. */
export const SECRETS_STORE_DRIVER = "secrets-store.csi.k8s.io";

/** One object the AWS provider (ASCP) fetches, in its `objects` parameter's form. */
interface AscpObject {
    objectName: string;
    objectType: "secretsmanager" | "ssmparameter";
    objectAlias: string;
    objectVersionLabel?: string;
    objectVersion?: string;
    jmesPath?: { path: string; objectAlias: string }[];
}

/**
 * An app's `secrets` (variable -> Secrets Manager ARN with ECS's optional `:json-key:stage:version`
 * selector, or SSM parameter ARN) as ASCP objects: one object per secret version, a JMESPath entry per
 * JSON key, each value aliased to its variable so it can be synced into a Kubernetes Secret key.
 */
export function ascpObjects(secrets: Record<string, string>): AscpObject[] {
    const bySecret = new Map<string, AscpObject>();
    const objects: AscpObject[] = [];
    for (const [variable, reference] of Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b))) {
        const match = SECRETS_MANAGER_ARN_PATTERN.exec(reference);
        if (!match) {
            objects.push({ objectName: reference, objectType: "ssmparameter", objectAlias: variable });
            continue;
        }
        const [, arn] = match;
        const [jsonKey, stage, version] = reference.slice(arn.length).split(":").slice(1);
        // One object per secret version: variables reading other stages of the same secret get their own.
        const objectKey = `${arn}|${stage ?? ""}|${version ?? ""}`;
        let object = bySecret.get(objectKey);
        if (!object) {
            object = { objectName: arn, objectType: "secretsmanager", objectAlias: `secret-${bySecret.size}`, ...(stage ? { objectVersionLabel: stage } : {}), ...(version ? { objectVersion: version } : {}) };
            bySecret.set(objectKey, object);
            objects.push(object);
        }
        if (jsonKey) (object.jmesPath ??= []).push({ path: jsonKey, objectAlias: variable });
        else object.objectAlias = variable;
    }
    return objects;
}

/** What an app's pod role needs to fetch its secrets: exactly these secrets and parameters, and their key through those services only. */
export function secretGrants(secrets: Record<string, string>, region: string, kmsKeyArn?: string): Grant[] {
    const references = Object.values(secrets);
    const secretArns = [...new Set(references.map((reference) => SECRETS_MANAGER_ARN_PATTERN.exec(reference)?.[1]).filter((arn): arn is string => arn !== undefined))];
    const parameters = references.filter((reference) => !SECRETS_MANAGER_ARN_PATTERN.test(reference));
    const grants: Grant[] = [];
    if (secretArns.length > 0) grants.push({ sid: "ReadOwnSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: secretArns });
    if (parameters.length > 0) grants.push({ sid: "ReadOwnParameters", actions: ["ssm:GetParameters"], resources: parameters });
    if (kmsKeyArn) {
        grants.push({
            sid: "DecryptOwnSecrets",
            actions: ["kms:Decrypt"],
            resources: [kmsKeyArn],
            conditions: { StringEquals: { "kms:ViaService": [`secretsmanager.${region}.amazonaws.com`, `ssm.${region}.amazonaws.com`] } },
        });
    }
    return grants;
}

/**
 * The Secrets Store CSI driver with the AWS provider (ASCP), which fetches with the pod's own
 * Pod Identity role. `syncSecret` lets a SecretProviderClass mirror values into a Kubernetes
 * Secret (encrypted in etcd with the cluster's key), so apps get them as environment variables,
 * as on ECS. Not on Fargate (the provider is a DaemonSet).
 */
export function secretsStoreProvider(name: string, args: { region: string; provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] }, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        name,
        {
            name: "secrets-store-csi-driver-provider-aws",
            chart: SECRETS_STORE_PROVIDER.chart,
            version: SECRETS_STORE_PROVIDER.version,
            repositoryOpts: { repo: SECRETS_STORE_PROVIDER.repository },
            namespace: "kube-system",
            values: checkedValues(SECRETS_STORE_PROVIDER, {
                awsRegion: args.region,
                "secrets-store-csi-driver": { install: true, syncSecret: { enabled: true }, enableSecretRotation: true },
            }),
            atomic: true,
        },
        { ...opts, provider: args.provider, dependsOn: args.dependsOn },
    );
}

/** The SecretProviderClass of one app: its ASCP objects, fetched with Pod Identity, synced into `<app>-secrets`. */
export function secretProviderClass(
    name: string,
    args: { app: string; namespace: pulumi.Input<string>; region: string; secrets: Record<string, string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "secrets-store.csi.x-k8s.io/v1",
            kind: "SecretProviderClass",
            metadata: { name: args.app, namespace: args.namespace, labels: args.labels },
            spec: {
                provider: "aws",
                parameters: { objects: JSON.stringify(ascpObjects(args.secrets)), usePodIdentity: "true", region: args.region },
                secretObjects: [
                    {
                        secretName: `${args.app}-secrets`,
                        type: "Opaque",
                        data: Object.keys(args.secrets)
                            .sort()
                            .map((variable) => ({ objectName: variable, key: variable })),
                    },
                ],
            },
        },
        opts,
    );
}
