import Module from "node:module";
import * as path from "node:path";
import { expect } from "chai";
import { bundleCode, REPO_ROOT } from "../../platform/serverless/bundle";
import { apiEvent, lambdaContext, sqsEvent, sqsRecord } from "./lambda-helpers";

/**
 * Loads a bundle as Lambda does: one CommonJS file whose only imports are Node built-ins and the
 * runtime's AWS SDK (resolved here from the repository's node_modules, standing in for the runtime's).
 */
function loadBundle(entry: string): (...args: unknown[]) => Promise<any> {
    const filename = path.join(REPO_ROOT, ".bundle-test", entry.replace(/\//g, "_"), "index.js");
    const loaded = new Module(filename) as Module & { _compile(code: string, filename: string): void };
    loaded.filename = filename;
    loaded.paths = [path.join(REPO_ROOT, "node_modules")];
    loaded._compile(bundleCode(entry), filename);
    const handler = (loaded.exports as { handler?: unknown }).handler;
    expect(handler, `${entry} exports handler`).to.be.a("function");
    return handler as (...args: unknown[]) => Promise<any>;
}

describe("handler bundles run as Lambda loads them", () => {
    const settings = { POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_TRACE_ENABLED: "false", MAX_CULTURES: "3", MAX_TEXT_BYTES: "10000", AWS_REGION: "eu-west-1" };
    const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
    before(() => Object.assign(process.env, settings));
    after(() => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });

    it("translate sync: the minified bundle validates and answers 400 without calling AWS", async () => {
        const handler = loadBundle("apps/translate/src/sync.ts");
        const response = await handler(apiEvent({ body: JSON.stringify({ data: "", culture: ["fr-FR", "xx-YY"] }) }), lambdaContext("r-bundle"));
        expect(response.statusCode).to.equal(400);
        expect(JSON.parse(response.body).errors).to.deep.equal(['"data" is empty; expected the text to translate', 'culture "xx-YY" has no language Amazon Translate supports']);
    });

    it("fanout auditor: the bundle reports the poison record of a batch", async () => {
        const handler = loadBundle("apps/fanout/src/auditor.ts");
        const event = { id: "e1", source: "platform.fanout.api", "detail-type": "OrderPlaced", time: "2026-01-01T00:00:00Z", detail: {} };
        const response = await handler(sqsEvent(sqsRecord("ok", JSON.stringify(event)), sqsRecord("bad", "nope")), lambdaContext());
        expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "bad" }] });
    });

    it("every other entry loads and exports its handler (environment is read at the first call, not at load)", () => {
        for (const entry of ["apps/translate/src/submit.ts", "apps/translate/src/status.ts", "apps/translate/src/worker.ts", "apps/fanout/src/notifier.ts"]) loadBundle(entry);
    });
});
