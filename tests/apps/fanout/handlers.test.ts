import { expect } from "chai";
import { createAuditor } from "../../../apps/fanout/src/auditor";
import { createNotifier } from "../../../apps/fanout/src/notifier";
import { lambdaContext, quietObservability, sqsEvent, sqsRecord } from "../lambda-helpers";

const event = (id: string, detailType = "OrderPlaced") => ({
    version: "0",
    id,
    source: "platform.fanout.api",
    "detail-type": detailType,
    account: "123456789012",
    time: "2026-01-01T00:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail: { orderId: `o-${id}` },
});

describe("fan-out subscribers", () => {
    it("auditor: audits every event of a batch and reports exactly the record that is not an event", async () => {
        const observability = quietObservability();
        const audited: string[] = [];
        const original = observability.logger.info.bind(observability.logger);
        observability.logger.info = ((message: string, ...rest: any[]) => {
            if (message === "event audited") audited.push(rest[0].eventId);
            original(message, ...rest);
        }) as typeof observability.logger.info;
        const auditor = createAuditor(observability);
        const response = await auditor(
            sqsEvent(sqsRecord("m1", JSON.stringify(event("e1"))), sqsRecord("poison-1", "{not json"), sqsRecord("poison-2", JSON.stringify({ id: "x" })), sqsRecord("m2", JSON.stringify(event("e2", "Other")))),
            lambdaContext(),
        );
        expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: "poison-1" }, { itemIdentifier: "poison-2" }]);
        expect(audited).to.deep.equal(["e1", "e2"]);
    });

    it("notifier: accepts an EventBridge event, and throws on anything else so Lambda retries and keeps it in the on-failure queue", async () => {
        const notifier = createNotifier(quietObservability());
        expect(await notifier(event("e3"), lambdaContext())).to.deep.equal({ notified: "e3" });
        let error: Error | undefined;
        try {
            await notifier({ detail: "nope" }, lambdaContext());
        } catch (err) {
            error = err as Error;
        }
        expect(error?.message).to.match(/^not an EventBridge event: id: .*source/);
    });
});
