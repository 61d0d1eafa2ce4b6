import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { bundleCode, bundleFiles, bundleHandler, configureBundleCache, REPO_ROOT } from "../../platform/serverless/bundle";

const ENTRY = "apps/fanout/src/notifier.ts";
/** The handler modules of the repository (what a cold cache builds in one esbuild call). */
const handlerModules = () =>
    readdirSync(path.join(REPO_ROOT, "apps")).flatMap((app) => {
        const src = path.join(REPO_ROOT, "apps", app, "src");
        let files: string[];
        try {
            files = readdirSync(src);
        } catch {
            return [];
        }
        return files.filter((file) => file.endsWith(".ts") && /^export (const|async function|function) handler\b/m.test(readFileSync(path.join(src, file), "utf8"))).map((file) => `apps/${app}/src/${file}`);
    });

describe("Lambda bundles: disk cache and source maps", function () {
    this.timeout(120_000);

    it("a cold cache builds every handler once; a warm one serves the cached build; a changed input rebuilds", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "bundle-cache-"));
        const restore = configureBundleCache({ dir });
        try {
            const first = bundleHandler(ENTRY);
            const [optionsDir] = readdirSync(dir);
            const cached = readdirSync(path.join(dir, optionsDir)).filter((file) => file.endsWith(".json"));
            expect(cached.map((file) => file.replace(/\.json$/, "").replace(/__/g, "/")).sort()).to.deep.equal(handlerModules().sort());

            // Served from disk: a marker written into the cached code comes back.
            const file = path.join(dir, optionsDir, "apps__fanout__src__notifier.ts.json");
            const entry = JSON.parse(readFileSync(file, "utf8"));
            writeFileSync(file, JSON.stringify({ ...entry, value: { ...entry.value, code: `${entry.value.code}/*from-cache*/` } }));
            configureBundleCache({ dir });
            expect(bundleCode(ENTRY)).to.match(/\/\*from-cache\*\/$/);

            // An input whose content no longer matches its recorded hash: rebuilt, same output as the first build.
            const marked = JSON.parse(readFileSync(file, "utf8"));
            marked.inputs["apps/fanout/src/events.ts"] = "0".repeat(64);
            writeFileSync(file, JSON.stringify(marked));
            configureBundleCache({ dir });
            const rebuilt = bundleHandler(ENTRY);
            expect(bundleCode(ENTRY)).to.not.contain("/*from-cache*/");
            expect(rebuilt.sha256).to.equal(first.sha256);
        } finally {
            restore();
        }
    });

    it("keeps esbuild's metafile per entry: every file the build read, and the one output", () => {
        const { metafile, entry } = bundleHandler(ENTRY);
        expect(Object.keys(metafile.inputs)).to.include.members([ENTRY, "apps/fanout/src/events.ts", "apps/shared/src/tracing.ts"]);
        expect(Object.keys(metafile.inputs).some((input) => input.startsWith("node_modules/@aws-lambda-powertools/logger/"))).to.equal(true);
        expect(metafile.outputs["index.js"].entryPoint).to.equal(entry);
    });

    it("an error thrown in a bundled handler names the .ts file and line under --enable-source-maps (as the functions run)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "lambda-task-"));
        const files = bundleFiles(ENTRY);
        expect(files["index.js"]).to.match(/\/\/# sourceMappingURL=index\.js\.map\n?$/);
        for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
        const script = `
            const context = { functionName: "f", functionVersion: "$LATEST", invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f", memoryLimitInMB: "128", awsRequestId: "r", logGroupName: "g", logStreamName: "s", getRemainingTimeInMillis: () => 1000 };
            Promise.resolve().then(() => require("./index.js").handler({ not: "an event" }, context)).then(() => process.exit(3), (err) => { console.log(err.stack); });`;
        const run = spawnSync(process.execPath, ["--enable-source-maps", "-e", script], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, NODE_OPTIONS: "", POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_TRACE_ENABLED: "false", AWS_REGION: "eu-west-1" },
        });
        expect(run.status, run.stderr).to.equal(0);
        const throwLine =
            readFileSync(path.join(REPO_ROOT, "apps/fanout/src/events.ts"), "utf8")
                .split("\n")
                .findIndex((line) => line.includes("throw new Error(`not an EventBridge event")) + 1;
        expect(run.stdout).to.contain("not an EventBridge event");
        expect(run.stdout).to.match(new RegExp(`apps/fanout/src/events\\.ts:${throwLine}:\\d+`));
        expect(run.stdout).to.match(/apps\/fanout\/src\/notifier\.ts:\d+:\d+/);
    });
});
