/**
 * A small SQS client over the JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`, AWS JSON 1.0),
 * signed with Signature Version 4: the three calls a worker makes. Spoken over HTTPS to the
 * regional endpoint in AWS, and to any HTTP endpoint in tests.
 * Protocol: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface QueueMessage {
    messageId: string;
    receiptHandle: string;
    body: string;
    /** How many times SQS has handed this message out, this time included. */
    receiveCount: number;
}

export interface QueueClient {
    receive(options: { maxMessages: number; waitSeconds: number }, signal?: AbortSignal): Promise<QueueMessage[]>;
    delete(receiptHandle: string): Promise<void>;
    /** Makes the message visible again after `seconds` (0: now). */
    changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) => (typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));

/** SHA-256 (and HMAC-SHA-256 with a secret) in the shape SignatureV4 expects. */
class Sha256 {
    private readonly hash;
    constructor(secret?: SourceData) {
        this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
    }
    update(data: SourceData): void {
        this.hash.update(bytes(data));
    }
    digest(): Promise<Uint8Array> {
        return Promise.resolve(new Uint8Array(this.hash.digest()));
    }
}

export class SqsError extends Error {
    constructor(
        message: string,
        readonly type: string,
        readonly status: number,
    ) {
        super(message);
        this.name = "SqsError";
    }
}

export interface SqsJsonClientOptions {
    queueUrl: string;
    region: string;
    credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** Where requests go; default `https://sqs.<region>.amazonaws.com` (tests: a loopback server). */
    endpoint?: string;
}

export class SqsJsonClient implements QueueClient {
    private readonly signer: SignatureV4;
    private readonly endpoint: URL;

    constructor(private readonly options: SqsJsonClientOptions) {
        this.endpoint = new URL(options.endpoint ?? `https://sqs.${options.region}.amazonaws.com`);
        this.signer = new SignatureV4({ service: "sqs", region: options.region, credentials: options.credentials, sha256: Sha256 });
    }

    async receive(options: { maxMessages: number; waitSeconds: number }, signal?: AbortSignal): Promise<QueueMessage[]> {
        const output = await this.call<{ Messages?: { MessageId: string; ReceiptHandle: string; Body: string; Attributes?: Record<string, string> }[] }>(
            "ReceiveMessage",
            { QueueUrl: this.options.queueUrl, MaxNumberOfMessages: options.maxMessages, WaitTimeSeconds: options.waitSeconds, MessageSystemAttributeNames: ["ApproximateReceiveCount"] },
            signal,
        );
        return (output.Messages ?? []).map((message) => ({
            messageId: message.MessageId,
            receiptHandle: message.ReceiptHandle,
            body: message.Body,
            receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? "1"),
        }));
    }

    async delete(receiptHandle: string): Promise<void> {
        await this.call("DeleteMessage", { QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle });
    }

    async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
        await this.call("ChangeMessageVisibility", { QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds });
    }

    private async call<T>(action: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
        const body = JSON.stringify(input);
        const signed = await this.signer.sign({
            method: "POST",
            protocol: this.endpoint.protocol,
            hostname: this.endpoint.hostname,
            port: this.endpoint.port ? Number(this.endpoint.port) : undefined,
            path: "/",
            query: {},
            headers: { host: this.endpoint.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${action}` },
            body,
        });
        const response = await fetch(new URL("/", this.endpoint), { method: "POST", headers: signed.headers, body, signal });
        const text = await response.text();
        const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (!response.ok) {
            const error = parsed as { __type?: string; message?: string; Message?: string };
            const type = (error.__type ?? "UnknownError").split("#").pop() as string;
            throw new SqsError(`SQS ${action} failed: ${type}: ${error.message ?? error.Message ?? response.statusText}`, type, response.status);
        }
        return parsed as T;
    }
}
