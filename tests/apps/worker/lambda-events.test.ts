import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { handleSqsEvent, startEventServer } from "../../../apps/worker/src/lambda-events";
import type { IdempotencyStore } from "../../../apps/worker/src/worker";

const quiet = { info: () => undefined, error: () => undefined };

/** Processed ids in memory: the contract DynamoDbIdempotencyStore keeps in DynamoDB. */
class MemoryIdempotency implements IdempotencyStore {
    readonly ids = new Set<string>();
    done(messageId: string) {
        return Promise.resolve(this.ids.has(messageId));
    }
    record(messageId: string) {
        this.ids.add(messageId);
        return Promise.resolve();
    }
}

/** An SQS event as Lambda's event source sends it. */
const record = (messageId: string, body: string, receiveCount = 1) => ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: "1764900000000" },
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:platform-dev-queue-work",
    awsRegion: "eu-west-1",
});

/**
 * The worker's Lambda path, over HTTP as the Web Adapter calls it: a POST of the raw SQS event to
 * the pass-through path, answered with the partial batch response Lambda reads.
 */
describe("apps/worker on Lambda: SQS batches through the Web Adapter's pass-through path", () => {
    let server: Server;
    let base: string;
    const idempotency = new MemoryIdempotency();
    const handled: string[] = [];
    before(async () => {
        server = await startEventServer({
            port: 0,
            passThroughPath: "/events",
            healthPaths: ["/readyz"],
            idempotency,
            logger: quiet,
            handle: (body, message) => {
                if (body === "poison") return Promise.reject(new Error("cannot handle"));
                handled.push(message.messageId);
                return Promise.resolve();
            },
        });
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const post = (event: unknown) => fetch(`${base}/events`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof event === "string" ? event : JSON.stringify(event) });

    it("answers the adapter's readiness check on the readiness path", async () => {
        expect((await fetch(`${base}/readyz`)).status).to.equal(200);
        expect((await fetch(`${base}/other`)).status).to.equal(404);
    });

    it("reports exactly the failed messages as batchItemFailures, and processes the others once", async () => {
        const response = await post({ Records: [record("m-1", "{}"), record("m-2", "poison"), record("m-3", "{}")] });
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
        expect(handled.sort()).to.deep.equal(["m-1", "m-3"]);
    });

    it("acknowledges a redelivered message already processed without processing it again", async () => {
        const response = await post({ Records: [record("m-1", "{}", 2), record("m-2", "poison", 2)] });
        expect(await response.json()).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
        expect(handled.filter((id) => id === "m-1")).to.have.length(1);
    });

    it("fails the invocation (a 5xx, which AWS_LWA_ERROR_STATUS_CODES turns into a failed invocation) for a body that is not an SQS event", async () => {
        expect((await post("not json")).status).to.equal(500);
        expect((await post({ detail: {} })).status).to.equal(500);
    });

    it("answers an empty failure list for a fully processed batch (Lambda deletes every message)", async () => {
        expect(await handleSqsEvent({ Records: [record("m-9", "{}")] }, { idempotency, logger: quiet, handle: () => Promise.resolve() })).to.deep.equal({ batchItemFailures: [] });
    });
});
