import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee } from "../grants";
import { grantAll, keyGrant, ServerlessContext, sidOf } from "./common";
import { withTransforms, type Transformable } from "../transform";

export type AttributeType = "S" | "N" | "B";

export interface TableArgs extends Transformable {
    ctx: ServerlessContext;
    /** Partition key. */
    partitionKey: { name: string; type: AttributeType };
    /** Sort key. @default undefined (none) */
    sortKey?: { name: string; type: AttributeType };
    /** Global secondary indexes (all projected); their key attributes are declared for you. @default [] */
    globalIndexes?: { name: string; partitionKey: { name: string; type: AttributeType }; sortKey?: { name: string; type: AttributeType } }[];
    /**
     * A number attribute holding an epoch-seconds expiry: DynamoDB deletes expired items for free.
     * @default undefined (no TTL)
     */
    ttlAttribute?: string;
    /**
     * Item changes as a stream (for a consumer such as a Lambda mapping or a pipe).
     * @default undefined (no stream)
     */
    stream?: "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES" | "KEYS_ONLY";
}

/** The item-level DynamoDB actions a grant can name one by one (`grantItems`). */
export type ItemAction = "GetItem" | "BatchGetItem" | "Query" | "Scan" | "ConditionCheckItem" | "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem";
const ITEM_WRITES: ItemAction[] = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"];

const READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];
const WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];

/**
 * A DynamoDB table on demand (no capacity to size or scale), with point-in-time recovery,
 * SSE with the data key, deletion protection and Pulumi `protect` where the stack asks for them
 * (`platform:protection`), and optional TTL, stream and global indexes.
 *
 * Cost: $1.25 per million writes and $0.25 per million reads on demand, $0.25 per GB-month
 * stored, PITR $0.20 per GB-month.
 */
export class Table extends pulumi.ComponentResource {
    readonly table: aws.dynamodb.Table;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The stream's ARN (with `stream`). */
    readonly streamArn?: pulumi.Output<string>;
    readonly partitionKey: { name: string; type: AttributeType };
    readonly sortKey?: { name: string; type: AttributeType };
    private readonly label: string;
    private readonly ctx: ServerlessContext;
    private readonly hasIndexes: boolean;

    constructor(name: string, args: TableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Table", name, {}, withTransforms(opts, args.transform));
        this.ctx = args.ctx;
        this.label = sidOf(name);
        this.partitionKey = args.partitionKey;
        this.sortKey = args.sortKey;
        const indexes = args.globalIndexes ?? [];
        this.hasIndexes = indexes.length > 0;
        const attributes = new Map<string, AttributeType>();
        for (const key of [args.partitionKey, args.sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]) {
            if (!key) continue;
            const known = attributes.get(key.name);
            if (known && known !== key.type) throw new Error(`table ${name}: attribute ${key.name} is declared as ${known} and as ${key.type}`);
            attributes.set(key.name, key.type);
        }
        this.table = new aws.dynamodb.Table(
            name,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: args.partitionKey.name,
                rangeKey: args.sortKey?.name,
                attributes: [...attributes].map(([attribute, type]) => ({ name: attribute, type })),
                globalSecondaryIndexes: indexes.map((index) => ({ name: index.name, hashKey: index.partitionKey.name, rangeKey: index.sortKey?.name, projectionType: "ALL" })),
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: args.ctx.dataKeyArn },
                deletionProtectionEnabled: args.ctx.deletionProtection,
                ttl: args.ttlAttribute ? { attributeName: args.ttlAttribute, enabled: true } : undefined,
                streamEnabled: args.stream !== undefined,
                streamViewType: args.stream,
            },
            { parent: this, protect: args.ctx.protect },
        );
        this.name = this.table.name;
        this.arn = this.table.arn;
        if (args.stream) this.streamArn = this.table.streamArn;
        this.registerOutputs({ name: this.name, arn: this.arn, streamArn: this.streamArn });
    }

    /** Items and (with indexes) index queries: the table ARN and `<arn>/index/*`. */
    private resources(): pulumi.Input<string>[] {
        return this.hasIndexes ? [this.arn, pulumi.interpolate`${this.arn}/index/*`] : [this.arn];
    }

    grantReadData(grantee: Grantee): void {
        grantAll(grantee, [{ sid: `Read${this.label}`, actions: READ_ACTIONS, resources: this.resources() }, keyGrant(`DecryptFor${this.label}`, this.ctx, "dynamodb", ["kms:Decrypt"])]);
    }

    grantWriteData(grantee: Grantee): void {
        grantAll(grantee, [{ sid: `Write${this.label}`, actions: WRITE_ACTIONS, resources: [this.arn] }, keyGrant(`EncryptFor${this.label}`, this.ctx, "dynamodb", ["kms:Decrypt", "kms:GenerateDataKey"])]);
    }

    grantReadWrite(grantee: Grantee): void {
        grantAll(grantee, [
            { sid: `ReadWrite${this.label}`, actions: [...new Set([...READ_ACTIONS, ...WRITE_ACTIONS])], resources: this.resources() },
            keyGrant(`UseKeyFor${this.label}`, this.ctx, "dynamodb", ["kms:Decrypt", "kms:GenerateDataKey"]),
        ]);
    }

    /**
     * Exactly the item actions the grantee's code calls (e.g. a conditional PutItem and the
     * GetItem that reads a duplicate), on the table (and its indexes for Query and Scan), with the
     * key use they need through DynamoDB: Decrypt, and GenerateDataKey when one of them writes.
     */
    grantItems(grantee: Grantee, actions: ItemAction[]): void {
        if (actions.length === 0) throw new Error(`table ${this.label}: grantItems needs at least one action`);
        const writes = actions.some((action) => ITEM_WRITES.includes(action));
        const queries = actions.some((action) => action === "Query" || action === "Scan");
        grantAll(grantee, [
            { sid: `Items${this.label}`, actions: [...new Set(actions)].map((action) => `dynamodb:${action}`), resources: queries ? this.resources() : [this.arn] },
            keyGrant(`KeyFor${this.label}Items`, this.ctx, "dynamodb", writes ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]),
        ]);
    }

    /** Read the table's stream (with `stream`): what an event source mapping's function needs. */
    grantStreamRead(grantee: Grantee): void {
        if (!this.streamArn) throw new Error(`table ${this.label}: grantStreamRead needs a table built with stream`);
        grantee.addGrant({ sid: `ReadStreamOf${this.label}`, actions: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], resources: [this.streamArn] });
    }
}
