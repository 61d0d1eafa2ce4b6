import { z } from "zod";
import type { ConfigProblem } from "./load";

/**
 * An app's bindings: the data and messaging resources its code uses, each handed to the code in
 * an environment variable and granted with exactly the actions listed. A binding names either a
 * resource of this stack by reference (`ref: translate.requests`, resolved in the same deploy) or
 * any resource by ARN (`arn:`, with `kmsKeyArn` when it is encrypted with a customer-managed key).
 *
 * Actions and the resources they apply to follow the Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */

/** The binding sections of an app spec. */
export const BINDING_KINDS = ["tables", "buckets", "queues", "topics", "buses", "streams"] as const;
export type BindingKind = (typeof BINDING_KINDS)[number];

export interface BindingKindSpec {
    /** One resource of this kind, for messages ("a DynamoDB table"). */
    noun: string;
    /** IAM service prefix, also the `kms:ViaService` service name. */
    service: string;
    /** Actions an app may be granted, without the service prefix. */
    actions: readonly string[];
    /** What a binding grants when it lists no actions. */
    defaultActions: readonly string[];
    /** Actions that read encrypted data (they need kms:Decrypt) and that write it (they need `writeKeyActions`). */
    readActions: readonly string[];
    writeActions: readonly string[];
    writeKeyActions: readonly string[];
    arnPattern: RegExp;
    arnExample: string;
    /** What the environment variable receives. */
    variableValue: string;
}

export const BINDING_KIND_SPECS: Record<BindingKind, BindingKindSpec> = {
    tables: {
        noun: "DynamoDB table",
        service: "dynamodb",
        actions: ["GetItem", "BatchGetItem", "Query", "Scan", "ConditionCheckItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"],
        defaultActions: ["GetItem"],
        // Every item operation on a table encrypted with a customer-managed key uses the key (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html).
        readActions: ["GetItem", "BatchGetItem", "Query", "Scan", "ConditionCheckItem"],
        writeActions: ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"],
        writeKeyActions: ["kms:Decrypt", "kms:GenerateDataKey"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/,
        arnExample: "arn:aws:dynamodb:eu-west-1:123456789012:table/translations",
        variableValue: "the table name",
    },
    buckets: {
        noun: "S3 bucket",
        service: "s3",
        actions: ["GetObject", "PutObject", "DeleteObject", "ListBucket"],
        defaultActions: ["GetObject"],
        readActions: ["GetObject"],
        // PutObject of a multipart upload decrypts the data key of its parts too.
        writeActions: ["PutObject"],
        writeKeyActions: ["kms:GenerateDataKey", "kms:Decrypt"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/,
        arnExample: "arn:aws:s3:::my-bucket",
        variableValue: "the bucket name",
    },
    queues: {
        noun: "SQS queue",
        service: "sqs",
        actions: ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes"],
        defaultActions: ["SendMessage"],
        readActions: ["ReceiveMessage"],
        // SendMessage to an SSE-KMS queue calls GenerateDataKey and Decrypt (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
        writeActions: ["SendMessage"],
        writeKeyActions: ["kms:GenerateDataKey", "kms:Decrypt"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/,
        arnExample: "arn:aws:sqs:eu-west-1:123456789012:orders",
        variableValue: "the queue URL",
    },
    topics: {
        noun: "SNS topic",
        service: "sns",
        actions: ["Publish"],
        defaultActions: ["Publish"],
        readActions: [],
        writeActions: ["Publish"],
        writeKeyActions: ["kms:GenerateDataKey", "kms:Decrypt"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/,
        arnExample: "arn:aws:sns:eu-west-1:123456789012:alerts",
        variableValue: "the topic ARN",
    },
    buses: {
        noun: "EventBridge event bus",
        service: "events",
        actions: ["PutEvents"],
        defaultActions: ["PutEvents"],
        readActions: [],
        writeActions: ["PutEvents"],
        writeKeyActions: ["kms:GenerateDataKey", "kms:Decrypt"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:events:[a-z0-9-]+:\d{12}:event-bus\/([A-Za-z0-9._/-]{1,256})$/,
        arnExample: "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
        variableValue: "the bus name",
    },
    streams: {
        noun: "Kinesis data stream",
        service: "kinesis",
        actions: ["PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "DescribeStream", "DescribeStreamSummary", "ListShards"],
        defaultActions: ["PutRecord", "PutRecords"],
        readActions: ["GetRecords"],
        writeActions: ["PutRecord", "PutRecords"],
        writeKeyActions: ["kms:GenerateDataKey"],
        arnPattern: /^arn:aws(?:-[a-z]+)*:kinesis:[a-z0-9-]+:\d{12}:stream\/([A-Za-z0-9_.-]{1,128})$/,
        arnExample: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
        variableValue: "the stream name",
    },
};

/** `<owner>.<resource>`: an app or stack section, then the resource's name in it. */
export const REFERENCE_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** The schema of one section (`tables`, `queues`, ...): variable name to binding. */
export function bindingSectionSchema(kind: BindingKind, variableName: z.ZodType<string>) {
    const spec = BINDING_KIND_SPECS[kind];
    return z.record(
        variableName,
        z
            .strictObject({
                /** A resource of this stack, `<owner>.<resource>` such as translate.requests. */
                ref: z.string({ error: "expected a reference such as translate.requests" }).regex(REFERENCE_PATTERN, { error: "expected a reference <owner>.<resource> such as translate.requests" }).optional(),
                /** Any resource, by ARN. */
                arn: z
                    .string({ error: `expected a ${spec.noun} ARN` })
                    .regex(spec.arnPattern, { error: `expected a ${spec.noun} ARN such as ${spec.arnExample}` })
                    .optional(),
                /** The customer-managed key a literal ARN's resource is encrypted with; references bring their own. */
                kmsKeyArn: z.string({ error: "expected a KMS key ARN" }).regex(KMS_KEY_ARN, { error: "expected a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key id>" }).optional(),
                actions: z
                    .array(z.enum(spec.actions as [string, ...string[]], { error: `expected a ${spec.service} action, one of ${spec.actions.join(", ")}` }))
                    .min(1, { error: "expected at least one action" })
                    .optional(),
            })
            .superRefine((binding, ctx) => {
                if ((binding.ref === undefined) === (binding.arn === undefined)) {
                    ctx.addIssue({ code: "custom", message: `expected exactly one of ref (a ${spec.noun} of this stack, such as ${exampleRef(kind)}) or arn (${spec.arnExample})` });
                }
                if (binding.ref !== undefined && binding.kmsKeyArn !== undefined) {
                    ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: "expected no kmsKeyArn with ref: a reference brings the key its resource is encrypted with" });
                }
            }),
    );
}

function exampleRef(kind: BindingKind): string {
    return { tables: "translate.requests", buckets: "uploads.bucket", queues: "queues.work", topics: "fanout.alerts", buses: "fanout.bus", streams: "ingest.stream" }[kind];
}

/** A binding, resolved: the actions are always set. */
export interface BindingConfig {
    ref?: string;
    arn?: string;
    kmsKeyArn?: string;
    actions: string[];
}

export type AppBindingsConfig = Record<BindingKind, Record<string, BindingConfig>>;

type BindingInput = { ref?: string; arn?: string; kmsKeyArn?: string; actions?: string[] };

export function resolveBindings(input: Partial<Record<BindingKind, Record<string, BindingInput> | undefined>>): AppBindingsConfig {
    return Object.fromEntries(
        BINDING_KINDS.map((kind) => [
            kind,
            Object.fromEntries(
                Object.entries(input[kind] ?? {}).map(([variable, binding]) => [
                    variable,
                    { ref: binding.ref, arn: binding.arn, kmsKeyArn: binding.kmsKeyArn, actions: [...(binding.actions ?? BINDING_KIND_SPECS[kind].defaultActions)] },
                ]),
            ),
        ]),
    ) as AppBindingsConfig;
}

/**
 * What a stack offers to references, by section and reference, from its configuration alone (so
 * config validation can list it). `consumer` names who already consumes a queue.
 */
export type ReferenceCatalog = Record<BindingKind, Record<string, { consumer?: string }>>;

export function emptyCatalog(): ReferenceCatalog {
    return { tables: {}, buckets: {}, queues: {}, topics: {}, buses: {}, streams: {} };
}

/** Each binding's reference exists in the catalog, in the right section; each problem lists what does. */
export function referenceProblems(app: string, bindings: AppBindingsConfig, catalog: ReferenceCatalog, key: (path: string[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const kind of BINDING_KINDS) {
        for (const [variable, binding] of Object.entries(bindings[kind])) {
            if (binding.ref === undefined || binding.ref in catalog[kind]) continue;
            const elsewhere = BINDING_KINDS.filter((other) => binding.ref !== undefined && binding.ref in catalog[other]);
            problems.push({ key: key(["apps", app, kind, variable, "ref"]), message: unknownReference(kind, binding.ref, catalog, elsewhere) });
        }
    }
    return problems;
}

/** The variable a queue worker receives its queue's URL in. */
export const CONSUMED_QUEUE_VARIABLE = "QUEUE_URL";

/** The runtimes a queue worker (`consumes`) can run on. */
export const CONSUMER_RUNTIMES = ["ecs", "eks", "lambda"] as const;

/** `consumes.queue` names a stack queue nothing else consumes, on a runtime that runs workers. */
export function consumerProblems(app: string, spec: { consumes?: { queue: string }; runtimes: string[] } & AppBindingsConfig, catalog: ReferenceCatalog, key: (path: string[]) => string): ConfigProblem[] {
    if (!spec.consumes) return [];
    const problems: ConfigProblem[] = [];
    const at = (...path: string[]) => key(["apps", app, "consumes", ...path]);
    const queue = catalog.queues[spec.consumes.queue];
    if (!queue) problems.push({ key: at("queue"), message: unknownReference("queues", spec.consumes.queue, catalog) });
    else if (queue.consumer)
        problems.push({ key: at("queue"), message: `${spec.consumes.queue} is already consumed by ${queue.consumer}; two consumers would split its messages. Consume a queue of platform:queues (queues.<name>)` });
    const unsupported = spec.runtimes.filter((runtime) => !(CONSUMER_RUNTIMES as readonly string[]).includes(runtime));
    if (unsupported.length > 0)
        problems.push({
            key: key(["apps", app, "runtimes"]),
            message: `a queue worker (consumes) runs on ${CONSUMER_RUNTIMES.join(", ")} only (an ECS service scaled on the queue's backlog per task, an EKS Deployment scaled by KEDA on the backlog per pod, or a Lambda event source mapping); remove ${unsupported.join(", ")}`,
        });
    if (CONSUMED_QUEUE_VARIABLE in spec.queues)
        problems.push({ key: key(["apps", app, "queues", CONSUMED_QUEUE_VARIABLE]), message: `${CONSUMED_QUEUE_VARIABLE} receives the consumed queue's URL (consumes.queue); bind this queue under another variable` });
    return problems;
}

export function unknownReference(kind: BindingKind, ref: string, catalog: ReferenceCatalog, elsewhere: BindingKind[] = []): string {
    const known = Object.keys(catalog[kind]).sort();
    const noun = BINDING_KIND_SPECS[kind].noun;
    return (
        `unknown ${noun} reference ${JSON.stringify(ref)}` +
        (elsewhere.length > 0 ? ` (it is a ${elsewhere.map((other) => BINDING_KIND_SPECS[other].noun).join(" and a ")}: bind it under ${elsewhere.join(" or ")})` : "") +
        `; this stack's ${kind} are ${known.length > 0 ? known.join(", ") : "none (enable the app that owns one, or give an arn)"}`
    );
}
