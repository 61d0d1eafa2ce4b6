import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Stored {
    id: string;
    body: string;
    receiveCount: number;
    visibleAt: number;
    handle?: string;
}

/**
 * An SQS queue speaking the JSON protocol on loopback (ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility), with what a worker relies on: a message received is
 * invisible for the visibility timeout, comes back if not deleted, and moves to the dead-letter
 * list after `maxReceiveCount` receives (SQS's redrive policy). Requests must be SigV4-signed.
 */
export class FakeSqs {
    readonly messages: Stored[] = [];
    readonly deadLetters: Stored[] = [];
    readonly unsigned: string[] = [];
    private server?: Server;
    private next = 0;
    now = 0;

    constructor(
        readonly queueUrl: string,
        private readonly options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
    ) {}

    send(body: string): string {
        const id = `m-${++this.next}`;
        this.messages.push({ id, body, receiveCount: 0, visibleAt: 0 });
        return id;
    }

    async start(): Promise<string> {
        this.server = createServer((req, res) => {
            let raw = "";
            req.on("data", (chunk) => (raw += chunk));
            req.on("end", () => {
                const target = String(req.headers["x-amz-target"] ?? "");
                if (!/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/.test(String(req.headers.authorization))) this.unsigned.push(target);
                const input = JSON.parse(raw || "{}");
                const reply = (status: number, body: unknown) => {
                    res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
                    res.end(JSON.stringify(body));
                };
                if (input.QueueUrl !== this.queueUrl) return reply(400, { __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
                switch (target) {
                    case "AmazonSQS.ReceiveMessage":
                        return reply(200, { Messages: this.receive(input.MaxNumberOfMessages ?? 1) });
                    case "AmazonSQS.DeleteMessage": {
                        const index = this.messages.findIndex((m) => m.handle === input.ReceiptHandle);
                        if (index === -1) return reply(400, { __type: "com.amazonaws.sqs#ReceiptHandleIsInvalid", message: "invalid handle" });
                        this.messages.splice(index, 1);
                        return reply(200, {});
                    }
                    case "AmazonSQS.ChangeMessageVisibility": {
                        const message = this.messages.find((m) => m.handle === input.ReceiptHandle);
                        if (message) message.visibleAt = this.now + input.VisibilityTimeout;
                        return reply(200, {});
                    }
                    default:
                        return reply(400, { __type: "com.amazonaws.sqs#InvalidAction", message: target });
                }
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server!.close(() => resolve()));
    }

    private receive(max: number) {
        const out = [];
        for (const message of [...this.messages]) {
            if (out.length >= max || message.visibleAt > this.now) continue;
            if (message.receiveCount >= this.options.maxReceiveCount) {
                // The redrive policy: moved to the dead-letter queue instead of being received again.
                this.messages.splice(this.messages.indexOf(message), 1);
                this.deadLetters.push(message);
                continue;
            }
            message.receiveCount += 1;
            message.visibleAt = this.now + this.options.visibilityTimeoutSeconds;
            message.handle = `${message.id}-${message.receiveCount}-${Math.random().toString(36).slice(2)}`;
            out.push({ MessageId: message.id, ReceiptHandle: message.handle, Body: message.body, Attributes: { ApproximateReceiveCount: String(message.receiveCount) } });
        }
        return out;
    }
}
