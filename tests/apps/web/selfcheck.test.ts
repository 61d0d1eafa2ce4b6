import { expect } from "chai";
import { createLogger } from "../../../apps/web/src/logger";
import { selfcheck } from "../../../apps/web/src/selfcheck";
import { InMemoryTranslationStore, StoreError, type TranslationStore } from "../../../apps/web/src/store";
import { LogCapture } from "./helpers";

describe("apps/web selfcheck (the nightly canary job)", () => {
    it("passes when the store answers a read, and closes the store", async () => {
        const logs = new LogCapture();
        let closed = false;
        const memory = new InMemoryTranslationStore([]);
        const store: TranslationStore = {
            get: (id) => memory.get(id),
            close: () => {
                closed = true;
            },
        };
        const result = await selfcheck(store, createLogger({ level: "info", destination: logs }));
        expect(result.ok).to.equal(true);
        expect(closed).to.equal(true);
        expect(logs.withMsg("selfcheck passed")).to.have.length(1);
    });

    it("fails, naming the cause, when the store cannot be read", async () => {
        const logs = new LogCapture();
        const broken: TranslationStore = { get: () => Promise.reject(new StoreError("AccessDeniedException: not authorized to perform dynamodb:GetItem", { retryable: false })) };
        const result = await selfcheck(broken, createLogger({ level: "info", destination: logs }));
        expect(result.ok).to.equal(false);
        expect(result.error).to.contain("AccessDeniedException");
        expect(logs.withMsg("selfcheck failed")[0].level).to.equal("error");
    });

    it("fails when startup work (credentials) fails, before any read", async () => {
        let reads = 0;
        const store: TranslationStore = {
            init: () => Promise.reject(new Error("could not load credentials")),
            get: () => {
                reads++;
                return Promise.resolve(undefined);
            },
        };
        const result = await selfcheck(store, createLogger({ level: "info", destination: new LogCapture() }));
        expect(result).to.include({ ok: false, error: "could not load credentials" });
        expect(reads).to.equal(0);
    });
});
