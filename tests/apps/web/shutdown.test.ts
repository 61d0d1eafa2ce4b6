import * as http from "node:http";
import { expect } from "chai";
import { InMemoryTranslationStore, type TranslationStore } from "../../../apps/web/src/store";
import { COMPLETE_RECORD, GatedStore, ID_COMPLETE, get, startApp, stopAll, tryConnect, waitFor } from "./helpers";

describe("apps/web graceful shutdown", () => {
    afterEach(stopAll);

    it("drains (readiness 503), stops accepting, lets the in-flight request finish with 200, then reports success", async () => {
        const store = new GatedStore(new Map([[ID_COMPLETE, COMPLETE_RECORD]]));
        const { app, port, logs } = await startApp(store, { drainDelayMs: 300, shutdownTimeoutMs: 5_000 });

        let inFlightSettled = false;
        const inFlight = get(port, `/translations/${ID_COMPLETE}`, { keepAlive: true }).finally(() => (inFlightSettled = true));
        await waitFor("the request to reach the store", () => store.pending === 1);

        const shutdown = app.shutdown("SIGTERM");
        expect(app.state, "state right after the signal").to.equal("draining");

        // During the drain delay the listener still accepts: readiness fails, liveness holds.
        const ready = await get(port, "/readyz", { keepAlive: true });
        expect(ready.status, "readiness while draining").to.equal(503);
        expect(ready.json).to.deep.equal({ status: "draining" });
        expect(ready.headers.connection, "draining responses close their connection").to.equal("close");
        expect((await get(port, "/healthz")).status, "liveness while draining").to.equal(200);

        // After the drain delay, new connections are refused while the request is still running.
        await waitFor("new connections to be refused", async () => (await tryConnect(port)) === "ECONNREFUSED");
        expect(app.state, "state after the drain delay").to.equal("closing");
        expect(inFlightSettled, "the in-flight request is still running").to.equal(false);
        expect(app.inFlight, "requests in flight").to.equal(1);

        store.releaseAll();
        const response = await inFlight;
        expect(response.status, "in-flight response").to.equal(200);
        expect(response.json).to.deep.equal(COMPLETE_RECORD);
        expect(response.headers.connection, "in-flight response closes its keep-alive connection").to.equal("close");

        const result = await shutdown;
        expect(result).to.include({ ok: true, signal: "SIGTERM", abandonedRequests: 0 });
        expect(result.durationMs, "shutdown waited for the drain delay, and no longer than the request").to.be.at.least(290).and.below(2_000);
        expect(app.state).to.equal("stopped");

        const messages = logs.entries().map((entry) => entry.msg);
        expect(messages).to.include.members(["shutdown started; readiness now 503", "closing listener; waiting for in-flight requests", "shutdown complete"]);
        expect(logs.withMsg("shutdown started; readiness now 503")[0]).to.include({ signal: "SIGTERM", drainDelayMs: 300, inFlight: 1 });
    });

    it("reports failure, destroys the connection and logs when in-flight work outlives SHUTDOWN_TIMEOUT_MS", async () => {
        const store = new GatedStore(new Map([[ID_COMPLETE, COMPLETE_RECORD]]));
        const { app, port, logs } = await startApp(store, { drainDelayMs: 0, shutdownTimeoutMs: 200 });

        const inFlight = get(port, `/translations/${ID_COMPLETE}`, { keepAlive: true }).then(
            (response) => `answered ${response.status}`,
            (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
        await waitFor("the request to reach the store", () => store.pending === 1);

        const result = await app.shutdown("SIGTERM");
        expect(result.ok, "shutdown result").to.equal(false);
        expect(result.abandonedRequests).to.equal(1);
        expect(result.reason).to.equal("in-flight requests exceeded the 200 ms shutdown timeout");
        expect(result.durationMs, "gave up at the timeout, not before").to.be.at.least(190).and.below(2_000);
        expect(await inFlight, "the abandoned client sees its connection reset").to.equal("ECONNRESET");
        expect(app.state).to.equal("stopped");

        const [timedOut] = logs.withMsg("shutdown timed out; destroying remaining connections");
        expect(timedOut).to.include({ level: "error", abandonedRequests: 1, shutdownTimeoutMs: 200 });
        expect(logs.withMsg("shutdown finished with errors")).to.have.length(1);
        expect(logs.withMsg("shutdown complete")).to.have.length(0);

        store.releaseAll(); // the handler now answers into a destroyed socket, which must not throw
        await new Promise((resolve) => setImmediate(resolve));
    });

    it("closes idle keep-alive connections at once instead of waiting for their 65 s timeout", async () => {
        const { app, port } = await startApp(new InMemoryTranslationStore(), { drainDelayMs: 0, shutdownTimeoutMs: 5_000 });
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
            const response = await get(port, "/healthz", { agent });
            expect(response.headers.connection, "the connection is kept alive").to.equal("keep-alive");
            await waitFor("the socket to be back in the agent's pool", () => Object.values(agent.freeSockets).flat().length === 1);
            const socket = Object.values(agent.freeSockets).flat()[0];
            const socketClosed = new Promise<void>((resolve) => socket?.once("close", () => resolve()));

            const result = await app.shutdown("SIGTERM");
            expect(result.ok).to.equal(true);
            expect(result.durationMs, "shutdown did not wait on the idle connection").to.be.below(1_000);
            await socketClosed;
        } finally {
            agent.destroy();
        }
    });

    it("skips the drain delay when the app never became ready (nothing routes to it)", async () => {
        const neverReady: TranslationStore = { get: () => Promise.resolve(undefined), init: () => new Promise<void>(() => undefined) };
        const { app } = await startApp(neverReady, { drainDelayMs: 3_000, shutdownTimeoutMs: 5_000 }, { awaitReady: false });
        const result = await app.shutdown("SIGTERM");
        expect(result.ok).to.equal(true);
        expect(result.durationMs).to.be.below(1_000);
    });

    it("is idempotent: a second call gets the same result and starts nothing new", async () => {
        const { app, logs } = await startApp(new InMemoryTranslationStore(), { drainDelayMs: 50 });
        const first = app.shutdown("SIGTERM");
        const second = app.shutdown("SIGINT");
        expect(second, "the same promise").to.equal(first);
        expect((await second).signal).to.equal("SIGTERM");
        expect(logs.withMsg("shutdown started; readiness now 503")).to.have.length(1);
    });

    it("closes the store after the server", async () => {
        const events: string[] = [];
        const store: TranslationStore = { get: () => Promise.resolve(undefined), close: () => void events.push("store closed") };
        const { app } = await startApp(store);
        const result = await app.shutdown("SIGTERM");
        events.push(`shutdown resolved ok=${String(result.ok)}`);
        expect(events).to.deep.equal(["store closed", "shutdown resolved ok=true"]);
    });
});
