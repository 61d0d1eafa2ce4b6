import { expect } from "chai";
import { traced } from "../../apps/shared/src/tracing";

/** A tracer that records what the helper does with segments. */
function fakeTracer(enabled = true) {
    const events: string[] = [];
    const facade = { addNewSubsegment: (name: string) => (events.push(`open ${name}`), { name, close: () => events.push(`close ${name}`) }) };
    const tracer = {
        isTracingEnabled: () => enabled,
        getSegment: () => facade as any,
        setSegment: (segment: any) => events.push(`active ${segment === facade ? "facade" : segment.name}`),
        annotateColdStart: () => events.push("cold start"),
        addServiceNameAnnotation: () => events.push("service"),
        addErrorAsMetadata: (error: Error) => events.push(`error ${error.message}`),
    };
    return { tracer, events };
}

describe("traced: one X-Ray subsegment per invocation", () => {
    it("opens ## <name>, annotates, runs, closes and restores the facade segment", async () => {
        const { tracer, events } = fakeTracer();
        expect(await traced(tracer, "worker", () => Promise.resolve(42))).to.equal(42);
        expect(events).to.deep.equal(["open ## worker", "active ## worker", "cold start", "service", "close ## worker", "active facade"]);
    });

    it("records the error, closes the subsegment and rethrows", async () => {
        const { tracer, events } = fakeTracer();
        let caught: Error | undefined;
        await traced(tracer, "sync", () => Promise.reject(new Error("boom"))).catch((err: Error) => (caught = err));
        expect(caught?.message).to.equal("boom");
        expect(events.slice(-3)).to.deep.equal(["error boom", "close ## sync", "active facade"]);
    });

    it("just runs when tracing is off or there is no tracer", async () => {
        const { tracer, events } = fakeTracer(false);
        expect(await traced(tracer, "x", () => Promise.resolve("ok"))).to.equal("ok");
        expect(await traced(undefined, "x", () => Promise.resolve("ok"))).to.equal("ok");
        expect(events).to.deep.equal([]);
    });
});
