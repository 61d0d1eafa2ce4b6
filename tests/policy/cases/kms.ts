import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single } from "../fixtures";
import type { PolicySuite } from "../runner";

const ROOT = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };

export const kmsCases: PolicySuite[] = [
    {
        policy: "kms-key-rotation",
        pass: [
            { name: "rotation on", resources: () => single(T.kmsKey, { enableKeyRotation: true }) },
            { name: "asymmetric signing key (cannot rotate)", resources: () => single(T.kmsKey, { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }) },
        ],
        fail: [
            { name: "rotation omitted", resources: () => single(T.kmsKey, {}), messages: ["enableKeyRotation is not set; expected true"] },
            { name: "rotation false", resources: () => single(T.kmsKey, { enableKeyRotation: false }), messages: ["enableKeyRotation is false"] },
        ],
    },
    {
        policy: "kms-key-policy-not-public",
        pass: [
            { name: "account root administers the key", resources: () => single(T.kmsKey, { policy: doc(ROOT) }) },
            {
                name: 'Principal "*" pinned with kms:CallerAccount',
                resources: () => single(T.kmsKey, { policy: doc({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT } } }) }),
            },
        ],
        fail: [
            {
                name: 'Principal "*" without condition',
                resources: () => single(T.kmsKey, { policy: doc(ROOT, { Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt"], Resource: "*" }) }),
                messages: ['statement "Open" allows "kms:Decrypt" to Principal "*"'],
            },
            {
                name: "an ...IfExists condition does not restrict",
                resources: () =>
                    single("aws:kms/keyPolicy:KeyPolicy", {
                        keyId: "k",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } } }),
                    }),
                messages: ["no condition pinning the caller"],
            },
            { name: "malformed JSON", resources: () => single(T.kmsKey, { policy: '{"Version":' }), messages: ["policy is not valid JSON"] },
        ],
    },
    {
        policy: "kms-key-deletion-window",
        pass: [
            { name: "prod key with the default 30-day window", resources: () => single(T.kmsKey, {}) },
            { name: "unprotected dev key with 7 days", resources: () => single(T.kmsKey, { deletionWindowInDays: 7 }, { stack: "dev" }) },
        ],
        fail: [
            { name: "prod key with 7 days", resources: () => single(T.kmsKey, { deletionWindowInDays: 7 }), messages: ["deletionWindowInDays is 7 on a prod key; expected at least 30"] },
            { name: "protected dev key with 10 days", resources: () => single(T.kmsKey, { deletionWindowInDays: 10 }, { stack: "dev", protect: true }), messages: ["deletionWindowInDays is 10 on a protected key"] },
        ],
    },
];
