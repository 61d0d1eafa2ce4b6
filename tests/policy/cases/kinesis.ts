import { T } from "../../../policy/lib/types";
import { single } from "../fixtures";
import type { PolicySuite } from "../runner";

const STREAM = { name: "ingest", encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis", retentionPeriod: 168, streamModeDetails: { streamMode: "ON_DEMAND" } };

export const kinesisCases: PolicySuite[] = [
    {
        policy: "kinesis-encryption",
        pass: [{ name: "KMS", resources: () => single(T.kinesisStream, STREAM) }],
        fail: [{ name: "omitted", resources: () => single(T.kinesisStream, { name: "ingest" }), messages: ["encryptionType is not set (NONE by default) with kmsKeyId not set"] }],
    },
    {
        policy: "kinesis-retention",
        pass: [
            { name: "168 hours in prod", resources: () => single(T.kinesisStream, STREAM) },
            { name: "default 24 hours in dev", resources: () => single(T.kinesisStream, { name: "ingest" }, { stack: "dev" }) },
        ],
        fail: [
            { name: "default 24 hours in prod", resources: () => single(T.kinesisStream, { name: "ingest" }), messages: ["retentionPeriod is not set (24) hours; expected at least 168 in prod"] },
            {
                name: "dev threshold from config",
                resources: () => single(T.kinesisStream, { name: "ingest", retentionPeriod: 48 }, { stack: "dev" }),
                config: { "kinesis-retention": { minimumHours: { dev: 72 } } },
                messages: ["retentionPeriod is 48 hours; expected at least 72 in dev"],
            },
        ],
    },
];
