import { defineResourcePolicy } from "../lib/define";
import { definePublicAccessPolicy } from "../lib/documents";
import { bool, num, show, str } from "../lib/props";
import { T } from "../lib/types";

export const kmsKeyRotation = defineResourcePolicy({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate their key material automatically.",
    severity: "medium",
    frameworks: ["FSBP KMS.4"],
    remediation: "Set enableKeyRotation: true (rotationPeriodInDays defaults to 365).",
    types: [T.kmsKey],
    validate: ({ props }, report) => {
        // Only symmetric encryption keys can rotate automatically; asymmetric and HMAC keys cannot.
        const spec = str(props.customerMasterKeySpec) ?? str(props.keySpec) ?? "SYMMETRIC_DEFAULT";
        const usage = str(props.keyUsage) ?? "ENCRYPT_DECRYPT";
        if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") return;
        if (bool(props.enableKeyRotation) !== true) report(`enableKeyRotation is ${show(props.enableKeyRotation)}; expected true`);
    },
});

export const kmsKeyPolicyNotPublic = definePublicAccessPolicy({
    name: "kms-key-policy-not-public",
    description: "KMS key policies do not grant access to anyone.",
    severity: "critical",
    frameworks: ["FSBP KMS.5"],
    remediation: 'Grant the account root (arn:aws:iam::<account>:root) and named roles or services; never Principal "*" without a kms:CallerAccount or aws:PrincipalOrgID condition.',
    types: [T.kmsKey, "aws:kms/keyPolicy:KeyPolicy", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaKey:ReplicaKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"],
});

export const kmsKeyDeletionWindow = defineResourcePolicy<{ minimumDays: number }>({
    name: "kms-key-deletion-window",
    description: "Keys that protect stored data (protected resources, or any key in prod) wait the longest deletion window before they are destroyed.",
    severity: "medium",
    frameworks: ["Reliability 11", "FSBP KMS.3"],
    remediation: "Set deletionWindowInDays: 30 (or omit it: 30 is the default) so a key scheduled for deletion by mistake can be recovered.",
    types: [T.kmsKey],
    config: { minimumDays: { type: "integer", minimum: 7, maximum: 30, default: 30, description: "Minimum deletion window for keys of stored data." } },
    validate: ({ props, opts, environment, config }, report) => {
        if (!opts.protect && environment !== "prod") return;
        const days = num(props.deletionWindowInDays) ?? 30;
        if (days < config.minimumDays) {
            report(`deletionWindowInDays is ${days} on a ${opts.protect ? "protected" : "prod"} key; expected at least ${config.minimumDays}`);
        }
    },
});

export const kmsPolicies = [kmsKeyRotation, kmsKeyPolicyNotPublic, kmsKeyDeletionWindow];
