/**
 * The webhook's API Gateway -> Kinesis service integration (no function in the request path):
 * Velocity mapping templates that turn a request into a Kinesis `PutRecord` call and Kinesis'
 * answer into the caller's. Rendered offline in tests with velocityjs and API Gateway's
 * `$input`/`$util`/`$context` (tests/apps/ingest/integration.test.ts).
 */

/** The header a sender sets to make retries safe: the same key is stored once (apps/ingest/src/consumer.ts). */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * Request template: the body goes to the stream as it came (base64, as PutRecord takes it),
 * partitioned by `<caller's account id>/<idempotency key>` (API Gateway's request id without
 * one): keys are scoped to the calling account, so two tenants' `order-1` never collide. The
 * account, not the principal: a sender's retry may come from another role session. The key
 * is base64-encoded: `$util.escapeJavaScript` escapes `'` as `\'`, which is not JSON, so a
 * key holding a quote would otherwise break the request. Kinesis allows 256-character partition
 * keys: 192 bytes fit, 179 of them for the key.
 */
export function putRecordRequestTemplate(streamName: string): string {
    if (!STREAM_NAME_PATTERN.test(streamName)) throw new Error(`not a Kinesis stream name: ${streamName}`);
    return [
        `#set($key = $input.params('${IDEMPOTENCY_HEADER}'))`,
        `#if("$!key" == "")#set($key = $context.requestId)#end`,
        `#set($partitionKey = "$context.identity.accountId/$key")`,
        "{",
        `  "StreamName": "${streamName}",`,
        `  "PartitionKey": "$util.base64Encode($partitionKey)",`,
        `  "Data": "$util.base64Encode($input.body)"`,
        "}",
    ].join("\n");
}

/** 200: the sequence number (a receipt) and the request id; never the shard or stream. */
export const ACCEPTED_RESPONSE_TEMPLATE = `{"accepted": true, "sequenceNumber": "$input.path('$.SequenceNumber')", "requestId": "$context.requestId"}`;

/**
 * Kinesis' "slow down" errors, which it answers with HTTP 400: the API turns them into 503 with
 * `Retry-After` so senders retry (with the same Idempotency-Key, a retry is stored once).
 */
export const KINESIS_THROTTLING_ERROR_TYPES = ["ProvisionedThroughputExceededException", "KMSThrottlingException", "LimitExceededException"];
