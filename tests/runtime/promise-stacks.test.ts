import { expect } from "chai";
import { leanPromiseCount, leanPromiseStacks } from "../../platform/runtime/promise-stacks";
import { synthPlatform } from "../helpers";

// The SDK's internal modules (absent from its .d.ts), as platform/runtime/promise-stacks.ts uses them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise(p: Promise<unknown>, ctx: unknown): Promise<unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>> } };

describe("lean SDK promise wrapper (platform/runtime/promise-stacks.ts)", function () {
    this.timeout(120_000);
    before(async function () {
        if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) this.skip();
        // A synth installs the wrapper and makes its first call (the SDK's own, which schedules its exit-time leak check).
        await synthPlatform("dev", { apps: { web: {} } });
        expect(leanPromiseStacks()).to.equal(true);
    });

    it("sits in the SDK's path: a synth wraps its promises through it", async () => {
        const before = leanPromiseCount();
        await synthPlatform("dev", { apps: { web: {} } });
        expect(leanPromiseCount() - before).to.be.greaterThan(1000);
    });

    it("keeps a pending promise among the stack's leak candidates until it settles, and resolves with its value", async () => {
        let resolve!: (value: string) => void;
        const pending = new Promise<string>((r) => (resolve = r));
        const wrapped = debuggable.debuggablePromise(pending, "test");
        expect(state.getStore().leakCandidates.has(pending)).to.equal(true);
        // No debug stack or context is attached (only PULUMI_DEBUG_PROMISE_LEAKS reads them).
        expect(Object.getOwnPropertyNames(pending)).to.deep.equal([]);
        resolve("done");
        expect(await wrapped).to.equal("done");
        expect(state.getStore().leakCandidates.has(pending)).to.equal(false);
    });

    it("rejects with the same error, naming the promise, and leaves the leak candidates", async () => {
        const failing = Promise.reject(new Error("boom"));
        const error = await debuggable.debuggablePromise(failing, "test").then(
            () => undefined,
            (err: unknown) => err,
        );
        expect((error as Error).message).to.equal("boom");
        expect((error as { promise?: unknown }).promise).to.equal(failing);
        expect(state.getStore().leakCandidates.has(failing)).to.equal(false);
    });
});
