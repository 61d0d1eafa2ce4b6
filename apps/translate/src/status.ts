import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { badRequest, json } from "./http";
import { defaultObservability, traced, Observability, requiredEnv } from "./observability";
import { TranslationReader } from "./store";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface StatusDeps extends Observability {
    /** Read only: the function's role may only read the table. */
    store: TranslationReader;
}

/** `GET /translations/{id}`: the request's status and results so far (never the source text). */
export function createStatusHandler({ store, logger }: StatusDeps) {
    return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
        logger.addContext(context);
        const id = event.pathParameters?.id ?? "";
        if (!UUID.test(id)) return badRequest([`id "${id}" is not a request id; expected the lower-case UUID POST /translations answered with`], context.awsRequestId);
        const item = await store.get(id);
        if (!item) return json(404, { message: `no translation request ${id}`, requestId: context.awsRequestId });
        const errors = item.errors ?? {};
        return json(200, { id: item.id, status: item.status, createdAt: item.createdAt, cultures: item.cultures, translations: item.translations ?? {}, ...(Object.keys(errors).length > 0 ? { errors } : {}) });
    };
}

let tracer: Observability["tracer"];
let instance: ReturnType<typeof createStatusHandler> | undefined;

/** The Lambda entry point; the client is created once per container. */
export const handler = (event: APIGatewayProxyEvent, context: Context) => {
    if (!instance) {
        const observability = defaultObservability();
        tracer = observability.tracer;
        const client = new DynamoDBClient({});
        const documents = DynamoDBDocumentClient.from(observability.tracer?.captureAWSv3Client(client) ?? client);
        instance = createStatusHandler({ ...observability, store: new TranslationReader(documents, requiredEnv("TRANSLATIONS_TABLE")) });
    }
    const run = instance;
    return traced(tracer, "status", () => run(event, context));
};
