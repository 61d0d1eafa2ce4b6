/**
 * The artefact the Dockerfile ships: scripts/bundle-app.ts builds one file, and main.ts in it
 * runs as the container would (`node --enable-source-maps main.js`), from a directory without any
 * node_modules, with its real signal handling and exit codes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import type { Metafile } from "esbuild";
import { bundleApp } from "../../../scripts/bundle-app";
import { DEMO_TRANSLATION_ID } from "../../../apps/web/src/store";
import { get } from "./helpers";

interface Run {
    child: ChildProcess;
    lines: Record<string, any>[];
    rawLines: string[];
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(mainJs: string, env: Record<string, string>): Run {
    // Only the variables given: nothing from this machine's environment (AWS_*, PORT, ...) leaks in.
    const child = spawn(process.execPath, ["--enable-source-maps", mainJs], { cwd: path.dirname(mainJs), env, stdio: ["ignore", "pipe", "pipe"] });
    const lines: Record<string, any>[] = [];
    const rawLines: string[] = [];
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
        const parts = (partial + chunk.toString("utf8")).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts.filter((part) => part.length > 0)) {
            rawLines.push(line);
            lines.push(JSON.parse(line) as Record<string, any>);
        }
    });
    child.stderr?.on("data", (chunk: Buffer) => rawLines.push(`stderr: ${chunk.toString("utf8")}`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    return { child, lines, rawLines, exited };
}

async function waitForLine(running: Run, msg: string, timeoutMs = 10_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = running.lines.find((line) => line.msg === msg);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no "${msg}" log line within ${timeoutMs} ms; got:\n${running.rawLines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

describe("apps/web bundle (what the image runs)", function () {
    this.timeout(60_000);
    let outdir: string;
    let mainJs: string;
    let metafile: Metafile;
    const started: Run[] = [];

    before(async () => {
        outdir = mkdtempSync(path.join(os.tmpdir(), "apps-web-bundle-"));
        const built = await bundleApp("web", outdir);
        mainJs = built.outfile;
        if (built.result.metafile === undefined) throw new Error("esbuild returned no metafile");
        metafile = built.result.metafile;
    });

    afterEach(() => {
        for (const running of started.splice(0)) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGKILL");
    });

    after(() => rmSync(outdir, { recursive: true, force: true }));

    it("is self-contained: everything left external is a Node built-in, and the dependencies are inside", () => {
        const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined);
        expect(output, "the main.js output in esbuild's metafile").not.to.equal(undefined);
        const externals = new Set((output?.imports ?? []).filter((entry) => entry.external).map((entry) => entry.path));
        expect(externals.size, "some built-ins stay external").to.be.above(0);
        expect(
            [...externals].filter((name) => !isBuiltin(name)),
            "external imports that are not built-ins",
        ).to.deep.equal([]);
        const inputs = Object.keys(metafile.inputs);
        const dependencies = [
            "node_modules/fastify/",
            "node_modules/pino/",
            "node_modules/zod/",
            "node_modules/@aws-sdk/lib-dynamodb/",
            "node_modules/@aws-sdk/client-dynamodb/",
            // Credentials on ECS (task role) and EKS Pod Identity come over HTTP; IRSA uses web identity.
            "node_modules/@aws-sdk/credential-provider-http/",
            "node_modules/@aws-sdk/credential-provider-web-identity/",
        ];
        for (const dependency of dependencies) {
            expect(
                inputs.some((input) => input.includes(dependency)),
                `${dependency} is bundled`,
            ).to.equal(true);
        }
        expect(readFileSync(mainJs, "utf8"), "main.js ends with its source map link").to.match(/\/\/# sourceMappingURL=main\.js\.map\s*$/);
    });

    it("serves with STORE=memory and exits 0 after a graceful SIGTERM", async () => {
        const running = run(mainJs, { STORE: "memory", HOST: "127.0.0.1", PORT: "0", DRAIN_DELAY_MS: "100", LOG_LEVEL: "info" });
        started.push(running);
        const ready = await waitForLine(running, "ready");
        expect(ready.port, "ephemeral port").to.be.a("number").and.above(0);

        expect((await get(ready.port, "/healthz")).status).to.equal(200);
        const demo = await get(ready.port, `/translations/${DEMO_TRANSLATION_ID}`);
        expect(demo.status).to.equal(200);
        expect(demo.json.status).to.equal("PARTIAL");

        running.child.kill("SIGTERM");
        const { code } = await running.exited;
        expect(code, `exit code; output:\n${running.rawLines.join("\n")}`).to.equal(0);
        const messages = running.lines.map((line) => line.msg);
        expect(messages).to.include.members(["starting", "ready", "request completed", "shutdown started; readiness now 503", "shutdown complete"]);
        expect(
            running.rawLines.filter((line) => line.startsWith("stderr:")),
            "nothing on stderr",
        ).to.deep.equal([]);
    });

    it("exits 1 at once with one fatal JSON line naming every missing variable", async () => {
        const running = run(mainJs, { PORT: "eighty" });
        started.push(running);
        const { code } = await running.exited;
        expect(code).to.equal(1);
        expect(running.lines, `output:\n${running.rawLines.join("\n")}`).to.have.length(1);
        const [fatal] = running.lines;
        expect(fatal.level).to.equal("fatal");
        expect(fatal.issues.map((issue: { variable: string }) => issue.variable).sort()).to.deep.equal(["AWS_REGION", "PORT", "TRANSLATIONS_TABLE"]);
        expect(fatal.msg).to.contain("TRANSLATIONS_TABLE: is required unless STORE=memory");
    });

    it("exits 1 when a second signal arrives during the drain", async () => {
        const running = run(mainJs, { STORE: "memory", HOST: "127.0.0.1", PORT: "0", DRAIN_DELAY_MS: "20000", SHUTDOWN_TIMEOUT_MS: "25000" });
        started.push(running);
        await waitForLine(running, "ready");
        running.child.kill("SIGTERM");
        await waitForLine(running, "shutdown started; readiness now 503");
        running.child.kill("SIGINT");
        const { code } = await running.exited;
        expect(code).to.equal(1);
        expect(running.lines.map((line) => line.msg)).to.include("second signal during shutdown; exiting now");
    });
});
