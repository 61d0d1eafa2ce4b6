import { z } from "zod";

/**
 * The stack configuration as a user writes it in `Pulumi.<stack>.yaml`, under the project's
 * namespace (`platform:`). Every key is optional: what is left out comes from the profile
 * (see profiles.ts). Objects are strict, so a misspelt key is an error, not a silent default.
 */

export const PROFILES = ["dev", "staging", "prod"] as const;
export type Profile = (typeof PROFILES)[number];

export const NAT_STRATEGIES = ["none", "single", "perAz"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Interface endpoints the network can create, so that image pulls, logs and STS stay off the NAT. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "sts", "ssm", "ssmmessages", "ec2messages", "kms", "sqs", "sns", "events", "states"] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/** Most availability zones a stack may span; subnet slots are reserved for all of them. */
export const MAX_AZS = 4;
export const MIN_AZS = 2;

export const FLOW_LOG_TRAFFIC_TYPES = ["ALL", "ACCEPT", "REJECT"] as const;

// An app name becomes an ECR repository name segment, a Kubernetes namespace and part of AWS
// resource names, so it must satisfy all three: a DNS label that is also a valid ECR name.
export const APP_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const APP_NAME_FORM = "lowercase letters, digits and hyphens, 1-40 characters, starting and ending with a letter or digit (a valid ECR repository name and DNS label)";

// ECR repository names: path segments of [a-z0-9] separated by . _ or -, joined by "/".
export const ECR_NAMESPACE_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const IAM_ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const TAG_KEY_PATTERN = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const positiveInt = (what: string, min: number, max: number) =>
    z
        .number({ error: `expected ${what}: a whole number from ${min} to ${max}` })
        .int({ error: `expected ${what}: a whole number from ${min} to ${max}` })
        .min(min, { error: `expected ${what}: a whole number from ${min} to ${max}` })
        .max(max, { error: `expected ${what}: a whole number from ${min} to ${max}` });

const retentionDays = z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: `expected a retention CloudWatch Logs accepts, one of ${LOG_RETENTION_DAYS.join(", ")} (days)`,
});

const bool = (what: string) => z.boolean({ error: `expected ${what}: true or false` });

export const AppInputSchema = z.strictObject({
    /** Image tag to deploy; pushed by the app's own CI. Unset means "not released yet". */
    imageTag: z.string({ error: "expected an image tag" }).regex(IMAGE_TAG_PATTERN, {
        error: "expected an image tag: letters, digits, _ . - (up to 128 characters, not starting with . or -)",
    }).optional(),
});

export const NetworkInputSchema = z.strictObject({
    cidr: z.string({ error: "expected an IPv4 CIDR such as 10.0.0.0/16" }).optional(),
    azCount: positiveInt("an availability zone count", MIN_AZS, MAX_AZS).optional(),
    availabilityZoneNames: z
        .array(z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}[a-z]$/, { error: "expected an availability zone name such as eu-west-1a" }))
        .optional(),
    natStrategy: z.enum(NAT_STRATEGIES, { error: `expected a NAT strategy, one of ${NAT_STRATEGIES.join(", ")}` }).optional(),
    subnetMasks: z
        .strictObject({
            private: positiveInt("a private subnet prefix length", 16, 28).optional(),
            public: positiveInt("a public subnet prefix length", 16, 28).optional(),
        })
        .optional(),
    interfaceEndpoints: z
        .array(z.enum(INTERFACE_ENDPOINTS, { error: `expected an interface endpoint, one of ${INTERFACE_ENDPOINTS.join(", ")}` }))
        .optional(),
    flowLogs: z
        .strictObject({
            trafficType: z.enum(FLOW_LOG_TRAFFIC_TYPES, { error: `expected a flow log traffic type, one of ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}` }).optional(),
            retentionDays: retentionDays.optional(),
            aggregationIntervalSeconds: z
                .union([z.literal(60), z.literal(600)], { error: "expected a flow log aggregation interval of 60 or 600 (seconds)" })
                .optional(),
        })
        .optional(),
});

export const RegistryInputSchema = z.strictObject({
    namespace: z.string({ error: "expected an ECR repository namespace" }).max(200).regex(ECR_NAMESPACE_PATTERN, {
        error: "expected an ECR repository namespace: lowercase path segments of letters and digits separated by . _ - or /, such as team-a",
    }).optional(),
    untaggedImageExpiryDays: positiveInt("days after which untagged images expire", 1, 365).optional(),
    keepTaggedImages: positiveInt("how many tagged images to keep", 1, 10000).optional(),
    ciPushRoleArn: z.string({ error: "expected an IAM role ARN" }).regex(IAM_ROLE_ARN_PATTERN, {
        error: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/ci-image-push",
    }).optional(),
    enhancedScanning: bool("whether registry-wide enhanced (Inspector) scanning is on").optional(),
    pullThroughCache: bool("whether the ECR Public pull-through cache rule is created").optional(),
});

export const PlatformInputSchema = z.strictObject({
    profile: z.enum(PROFILES, { error: `expected a profile, one of ${PROFILES.join(", ")}` }).optional(),
    accountId: z.string({ error: "expected a 12-digit AWS account id, quoted" }).regex(ACCOUNT_ID_PATTERN, {
        error: "expected a 12-digit AWS account id such as \"123456789012\"",
    }).optional(),
    tags: z
        .record(
            z.string().regex(TAG_KEY_PATTERN, { error: "expected a tag key of 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:" }),
            z.string({ error: "expected a tag value string" }).regex(TAG_VALUE_PATTERN, { error: "expected a tag value of up to 256 letters, digits, spaces or _ . : / = + - @" }),
        )
        .optional(),
    network: NetworkInputSchema.optional(),
    logs: z.strictObject({ retentionDays: retentionDays.optional() }).optional(),
    protection: z
        .strictObject({
            deletionProtection: bool("whether services' own deletion protection is on").optional(),
            protectStatefulResources: bool("whether Pulumi protect is set on stateful resources").optional(),
        })
        .optional(),
    compute: z.strictObject({ spot: bool("whether spot capacity is used where interruption is safe").optional() }).optional(),
    registry: RegistryInputSchema.optional(),
    apps: z.record(z.string().regex(APP_NAME_PATTERN, { error: `expected an app name: ${APP_NAME_FORM}` }), AppInputSchema).optional(),
});

export type PlatformInput = z.infer<typeof PlatformInputSchema>;
export type AppInput = z.infer<typeof AppInputSchema>;
