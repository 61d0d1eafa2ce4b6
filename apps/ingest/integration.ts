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
 * partitioned by the sender's idempotency key, or API Gateway's request id without one. The key
 * is base64-encoded too: `$util.escapeJavaScript` escapes `'` as `\'`, which is not JSON, so a
 * key holding a quote would otherwise break the request. Kinesis allows 256-character partition
 * keys: keys of up to 192 bytes fit.
 */
export function putRecordRequestTemplate(streamName: string): string {
    if (!STREAM_NAME_PATTERN.test(streamName)) throw new Error(`not a Kinesis stream name: ${streamName}`);
    return [
        `#set($key = $input.params('${IDEMPOTENCY_HEADER}'))`,
        `#if("$!key" == "")#set($key = $context.requestId)#end`,
        "{",
        `  "StreamName": "${streamName}",`,
        `  "PartitionKey": "$util.base64Encode($key)",`,
        `  "Data": "$util.base64Encode($input.body)"`,
        "}",
    ].join("\n");
}

/** 200: the sequence number (a receipt) and the request id; never the shard or stream. */
export const ACCEPTED_RESPONSE_TEMPLATE = `{"accepted": true, "sequenceNumber": "$input.path('$.SequenceNumber')", "requestId": "$context.requestId"}`;
