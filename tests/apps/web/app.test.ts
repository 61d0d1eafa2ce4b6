import { expect } from "chai";
import { StoreError, InMemoryTranslationStore, type TranslationRecord, type TranslationStore } from "../../../apps/web/src/store";
import { COMPLETE_ITEM, GatedStore, ID_ABSENT, ID_COMPLETE, get, startApp, stopAll } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

class FailingStore implements TranslationStore {
    constructor(private readonly error: Error) {}

    get(): Promise<TranslationRecord | undefined> {
        return Promise.reject(this.error);
    }
}

describe("apps/web HTTP API", () => {
    afterEach(stopAll);

    describe("probes", () => {
        it("GET /healthz answers 200 {status: ok}", async () => {
            const { port } = await startApp(new InMemoryTranslationStore());
            const response = await get(port, "/healthz");
            expect(response.status).to.equal(200);
            expect(response.json).to.deep.equal({ status: "ok" });
            expect(response.headers["content-type"]).to.equal("application/json; charset=utf-8");
        });

        it("GET /readyz answers 200 once started", async () => {
            const { port, app } = await startApp(new InMemoryTranslationStore());
            expect(app.state).to.equal("ready");
            const response = await get(port, "/readyz");
            expect(response.status).to.equal(200);
            expect(response.json).to.deep.equal({ status: "ready" });
        });

        it("GET /readyz answers 503 while startup work (store.init) is still running, 200 after", async () => {
            let finishInit: () => void = () => undefined;
            const store = new InMemoryTranslationStore();
            const slowInit: TranslationStore = {
                get: (id) => store.get(id),
                init: () => new Promise<void>((resolve) => (finishInit = resolve)),
            };
            const { port, app } = await startApp(slowInit, {}, { awaitReady: false });

            const before = await get(port, "/readyz");
            expect(before.status, "readiness before init completes").to.equal(503);
            expect(before.json).to.deep.equal({ status: "starting" });
            expect((await get(port, "/healthz")).status, "liveness before init completes").to.equal(200);

            finishInit();
            await app.started();
            expect((await get(port, "/readyz")).status, "readiness after init").to.equal(200);
        });

        it("started() rejects and readiness stays 503 when startup work fails", async () => {
            const failingInit: TranslationStore = {
                get: () => Promise.resolve(undefined),
                init: () => Promise.reject(new StoreError("could not resolve AWS credentials: none", { retryable: false })),
            };
            const { port, app, logs } = await startApp(failingInit, {}, { awaitReady: false });
            let rejection: unknown;
            await app.started().catch((error: unknown) => (rejection = error));
            expect(rejection).to.be.instanceOf(StoreError);
            expect((await get(port, "/readyz")).status).to.equal(503);
            expect(logs.withMsg("startup failed")).to.have.length(1);
        });
    });

    describe("GET /translations/:id", () => {
        it("returns the stored request's status and results, without the source text", async () => {
            const { port } = await startApp(new InMemoryTranslationStore([COMPLETE_ITEM]));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(200);
            expect(response.json).to.deep.equal({
                id: ID_COMPLETE,
                status: "COMPLETE",
                createdAt: "2025-03-01T10:15:00.000Z",
                cultures: ["fr-FR", "es-ES"],
                translations: { "fr-FR": "Bonjour", "es-ES": "Buenos días" },
            });
            expect(response.headers["cache-control"]).to.equal("no-store");
        });

        it("includes per-culture errors for a PARTIAL request", async () => {
            const partial = { ...COMPLETE_ITEM, status: "PARTIAL", translations: { "fr-FR": "Bonjour" }, errors: { "es-ES": "unsupported" } };
            const { port } = await startApp(new InMemoryTranslationStore([partial]));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(200);
            expect(response.json.status).to.equal("PARTIAL");
            expect(response.json.errors).to.deep.equal({ "es-ES": "unsupported" });
            expect(response.json).not.to.have.property("sourceText");
        });

        it("looks an upper-case id up in lower case", async () => {
            const { port } = await startApp(new InMemoryTranslationStore([COMPLETE_ITEM]));
            const response = await get(port, `/translations/${ID_COMPLETE.toUpperCase()}`);
            expect(response.status).to.equal(200);
            expect(response.json.id).to.equal(ID_COMPLETE);
        });

        it("answers 404 with a JSON error body when the request does not exist", async () => {
            const { port } = await startApp(new InMemoryTranslationStore([COMPLETE_ITEM]));
            const response = await get(port, `/translations/${ID_ABSENT}`, { headers: { "x-request-id": "req-404" } });
            expect(response.status).to.equal(404);
            expect(response.json).to.deep.equal({ error: "not_found", message: `translation ${ID_ABSENT} not found`, requestId: "req-404" });
        });

        for (const badId of ["not-a-uuid", "3f2b8c1e5d6a4b7c8e9f0a1b2c3d4e5f", "3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5g", "%27%20OR%201%3D1"]) {
            it(`answers 400 without calling the store for a malformed id (${badId})`, async () => {
                const store = new GatedStore();
                const { port } = await startApp(store);
                const response = await get(port, `/translations/${badId}`);
                expect(response.status).to.equal(400);
                expect(response.json.error).to.equal("invalid_id");
                expect(response.json.message).to.equal("translation id must be a UUID");
                expect(store.calls, "store lookups").to.deep.equal([]);
            });
        }

        it("answers 503 with Retry-After when the store fails in a retryable way, and logs the cause", async () => {
            const cause = Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException" });
            const { port, logs } = await startApp(new FailingStore(new StoreError("DynamoDB GetItem failed", { retryable: true, cause })));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(503);
            expect(response.headers["retry-after"]).to.equal("1");
            expect(response.json.error).to.equal("store_unavailable");
            expect(response.body, "no stack trace in the body").not.to.match(/ at |\.ts:|StoreError|Rate exceeded/);
            const [logged] = logs.withMsg("translation store unavailable");
            expect(logged.level).to.equal("warn");
            expect(logged.translationId).to.equal(ID_COMPLETE);
            expect(logged.err.message, "pino appends the cause").to.equal("DynamoDB GetItem failed: Rate exceeded");
        });

        it("answers 500 with a generic JSON body when the store fails for good, and logs the stack", async () => {
            const { port, logs } = await startApp(new FailingStore(new StoreError("DynamoDB GetItem failed: AccessDeniedException", { retryable: false })));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(500);
            expect(response.json).to.deep.equal({ error: "internal_error", message: "internal server error", requestId: response.headers["x-request-id"] });
            const [logged] = logs.withMsg("translation store failed");
            expect(logged.level).to.equal("error");
            expect(logged.err.stack, "the stack goes to the log").to.contain("StoreError: DynamoDB GetItem failed: AccessDeniedException");
        });

        it("answers 500 for a malformed stored item without leaking its content", async () => {
            const broken = { ...COMPLETE_ITEM, status: "DONE", sourceText: "secret source" };
            const { port } = await startApp(new InMemoryTranslationStore([broken]));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(500);
            expect(response.body).not.to.contain("DONE");
            expect(response.body).not.to.contain("secret");
        });

        it("answers 500 when the store throws something that is not a StoreError", async () => {
            const { port } = await startApp(new FailingStore(new TypeError("undefined is not a function")));
            const response = await get(port, `/translations/${ID_COMPLETE}`);
            expect(response.status).to.equal(500);
            expect(response.body).not.to.contain("undefined is not a function");
        });
    });

    describe("other routes", () => {
        it("answers 404 with a JSON body for an unknown route", async () => {
            const { port } = await startApp(new InMemoryTranslationStore());
            const response = await get(port, "/translations?limit=10");
            expect(response.status).to.equal(404);
            expect(response.json.error).to.equal("not_found");
            expect(response.json.message).to.equal("no route for GET /translations");
        });
    });

    describe("request ids", () => {
        it("echoes a well-formed x-request-id (letters, digits and . _ : = + / -)", async () => {
            const { port } = await startApp(new InMemoryTranslationStore());
            const response = await get(port, "/healthz", { headers: { "x-request-id": "Root=1-67891233-abcdef012345678912345678" } });
            expect(response.headers["x-request-id"]).to.equal("Root=1-67891233-abcdef012345678912345678");
        });

        it("generates a UUID when the header is absent, and a fresh one for each request", async () => {
            const { port } = await startApp(new InMemoryTranslationStore());
            const first = await get(port, "/healthz");
            const second = await get(port, "/healthz");
            expect(first.headers["x-request-id"]).to.match(UUID);
            expect(second.headers["x-request-id"]).to.match(UUID);
            expect(first.headers["x-request-id"]).not.to.equal(second.headers["x-request-id"]);
        });

        it("replaces an over-long or oddly shaped x-request-id with a generated one", async () => {
            const { port } = await startApp(new InMemoryTranslationStore());
            const long = await get(port, "/healthz", { headers: { "x-request-id": "a".repeat(129) } });
            const odd = await get(port, "/healthz", { headers: { "x-request-id": "<script>" } });
            expect(long.headers["x-request-id"]).to.match(UUID);
            expect(odd.headers["x-request-id"]).to.match(UUID);
        });
    });

    describe("structured logs", () => {
        it("writes one JSON access-log line per request with time, level, msg, request id, method, path, status and duration", async () => {
            const { port, logs } = await startApp(new InMemoryTranslationStore([COMPLETE_ITEM]));
            await get(port, `/translations/${ID_COMPLETE}?verbose=1`, { headers: { "x-request-id": "req-log-1" } });
            await get(port, `/translations/${ID_ABSENT}`, { headers: { "x-request-id": "req-log-2" } });

            const completed = logs.withMsg("request completed").filter((entry) => entry.route === "/translations/:id");
            expect(completed).to.have.length(2);
            const [found, missing] = completed;
            expect(found).to.include({ level: "info", service: "web", requestId: "req-log-1", method: "GET", path: `/translations/${ID_COMPLETE}`, status: 200 });
            expect(found.time, "ISO-8601 time").to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
            expect(found.durationMs).to.be.a("number").and.to.be.at.least(0);
            expect(missing).to.include({ requestId: "req-log-2", status: 404 });
            // Every line on the stream is one JSON object.
            expect(logs.lines.length).to.equal(logs.entries().length);
        });

        it("logs probes at debug, and a 5xx at error", async () => {
            const { port, logs } = await startApp(new FailingStore(new StoreError("boom", { retryable: false })));
            await get(port, "/healthz");
            await get(port, `/translations/${ID_COMPLETE}`);
            const lines = logs.withMsg("request completed");
            expect(lines.find((entry) => entry.path === "/healthz")?.level).to.equal("debug");
            expect(lines.find((entry) => entry.status === 500)?.level).to.equal("error");
        });
    });
});
