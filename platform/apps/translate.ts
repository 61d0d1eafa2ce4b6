import * as pulumi from "@pulumi/pulumi";
import type { TranslateConfig } from "../config";
import type { Grant } from "../grants";
import { Api, ApiAuthorization, LambdaFunction, Queue, ServerlessContext, Table, Topic } from "../serverless";
import { withTransforms, type Transformable } from "../transform";

export interface TranslateAppArgs extends Transformable {
    ctx: ServerlessContext;
    /** `platform:translate`. */
    config: TranslateConfig;
    /** The account's API Gateway logging role (see ApiGatewayLoggingRole). */
    loggingRole?: pulumi.Resource;
}

/** The key schemas the handlers rely on (tests create local tables with exactly these). */
export const TRANSLATIONS_TABLE_KEY = { name: "id", type: "S" } as const;
export const IDEMPOTENCY_TABLE_KEY = { name: "id", type: "S" } as const;

/** The job message attribute the worker's subscription filters on (apps/translate/src/jobs.ts). */
const JOB_KIND = "translation-job";

/**
 * Amazon Translate has no resource-level permissions for TranslateText without a terminology,
 * and with `SourceLanguageCode: auto` it calls Comprehend's DetectDominantLanguage as the caller.
 */
const TRANSLATE_TEXT: Grant = { sid: "TranslateText", actions: ["translate:TranslateText", "comprehend:DetectDominantLanguage"], resources: ["*"] };

/** Body schema API Gateway checks before any function runs (the handlers check the rest). */
const REQUEST_SCHEMA = {
    type: "object",
    required: ["data", "culture"],
    additionalProperties: false,
    properties: { data: { type: "string", minLength: 1 }, culture: { type: "array", minItems: 1, items: { type: "string" } }, source: { type: "string" } },
};

/** Deliveries of a job before the DLQ; the worker records the culture as failed on the last one (it gets MAX_RECEIVE_COUNT). */
export const JOBS_MAX_RECEIVE_COUNT = 5;

/** How the API's routes authenticate, from `platform:translate.api` / `platform:fanout.api`. */
export function apiAuthorization(api: { authorization: "AWS_IAM" | "COGNITO_USER_POOLS"; cognitoUserPoolArns: string[] }): ApiAuthorization {
    return api.authorization === "AWS_IAM" ? { type: "AWS_IAM" } : { type: "COGNITO_USER_POOLS", userPoolArns: api.cognitoUserPoolArns };
}

/**
 * The translation app (apps/translate), synchronous and asynchronous:
 * - `POST /translate`: API → function → Amazon Translate per culture → the translations.
 * - `POST /translations`: API → function stores the request PENDING (storage first) → SNS, one
 *   job per culture → SQS (filter on `kind`) → worker (partial batch failures, idempotency) →
 *   results in DynamoDB; answers 202 with the id.
 * - `GET /translations/{id}`: status and results.
 */
export class TranslateApp extends pulumi.ComponentResource {
    readonly api: Api;
    readonly table: Table;
    readonly idempotencyTable: Table;
    readonly jobsTopic: Topic;
    readonly jobsQueue: Queue;
    readonly functions: { submit: LambdaFunction; translateSync: LambdaFunction; status: LambdaFunction; worker: LambdaFunction };

    constructor(name: string, args: TranslateAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:TranslateApp", name, {}, withTransforms(opts, args.transform));
        const { ctx, config } = args;
        const parent = { parent: this };
        const sized = (fn: keyof TranslateConfig["functions"]) => ({ ...config.functions[fn], configKey: `platform:translate.functions.${fn}` });

        this.table = new Table(`${name}-requests`, { ctx, partitionKey: TRANSLATIONS_TABLE_KEY, ttlAttribute: "expiresAt" }, parent);
        // Powertools' idempotency records: key `id`, expiry `expiration` (its defaults).
        this.idempotencyTable = new Table(`${name}-idempotency`, { ctx, partitionKey: IDEMPOTENCY_TABLE_KEY, ttlAttribute: "expiration" }, parent);
        this.jobsTopic = new Topic(`${name}-jobs`, { ctx }, parent);

        const tableEnv = { TRANSLATIONS_TABLE: this.table.name, RESULT_TTL_DAYS: String(config.resultTtlDays) };
        const limitsEnv = { MAX_CULTURES: String(config.maxCultures), MAX_TEXT_BYTES: String(config.maxTextBytes) };
        const worker = new LambdaFunction(
            `${name}-worker`,
            {
                ctx,
                entry: "apps/translate/src/worker.ts",
                description: "Translates one culture of a request per job, from the jobs queue",
                ...sized("worker"),
                environment: { ...tableEnv, IDEMPOTENCY_TABLE: this.idempotencyTable.name, MAX_RECEIVE_COUNT: String(JOBS_MAX_RECEIVE_COUNT) },
            },
            parent,
        );
        this.jobsQueue = new Queue(
            `${name}-jobs`,
            { ctx, consumer: { function: worker, batchSize: 10, maximumBatchingWindowSeconds: 1 }, maxReceiveCount: JOBS_MAX_RECEIVE_COUNT, senders: [this.jobsTopic.asSender()] },
            parent,
        );
        this.jobsTopic.subscribeQueue(`${name}-jobs-sub`, this.jobsQueue, { filterPolicy: { kind: [JOB_KIND] } });
        this.table.grantReadWrite(worker);
        this.idempotencyTable.grantReadWrite(worker);
        worker.addGrant(TRANSLATE_TEXT);

        const submit = new LambdaFunction(
            `${name}-submit`,
            {
                ctx,
                entry: "apps/translate/src/submit.ts",
                description: "POST /translations: stores the request and publishes one job per culture",
                behindApi: true,
                ...sized("submit"),
                environment: { ...tableEnv, ...limitsEnv, JOBS_TOPIC_ARN: this.jobsTopic.arn },
            },
            parent,
        );
        this.table.grantReadWrite(submit);
        this.jobsTopic.grantPublish(submit);

        const translateSync = new LambdaFunction(
            `${name}-sync`,
            {
                ctx,
                entry: "apps/translate/src/sync.ts",
                description: "POST /translate: translates into every culture and answers with the translations",
                behindApi: true,
                ...sized("translateSync"),
                environment: limitsEnv,
            },
            parent,
        );
        translateSync.addGrant(TRANSLATE_TEXT);

        const status = new LambdaFunction(
            `${name}-status`,
            { ctx, entry: "apps/translate/src/status.ts", description: "GET /translations/{id}: status and results", behindApi: true, ...sized("status"), environment: tableEnv },
            parent,
        );
        this.table.grantReadData(status);
        this.functions = { submit, translateSync, status, worker };

        this.api = new Api(
            `${name}-api`,
            {
                ctx,
                description: "Translation API: synchronous and asynchronous",
                authorization: apiAuthorization(config.api),
                throttle: config.api.throttle,
                loggingRole: args.loggingRole,
                webAcl: config.api.waf ? { rateLimitPer5Minutes: config.api.wafRateLimitPer5Minutes } : undefined,
                routes: [
                    { method: "POST", path: "/translate", requestSchema: REQUEST_SCHEMA, integration: { kind: "function", function: translateSync } },
                    { method: "POST", path: "/translations", requestSchema: REQUEST_SCHEMA, integration: { kind: "function", function: submit } },
                    { method: "GET", path: "/translations/{id}", integration: { kind: "function", function: status } },
                ],
            },
            parent,
        );
        this.registerOutputs({ url: this.api.url, tableName: this.table.name });
    }
}
