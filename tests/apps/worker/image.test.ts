import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { loadStackFiles } from "../../../platform/offline/stack-files";
import { FIXTURE_STACKS, REPO_ROOT } from "../../helpers";

const DOCKERFILE = readFileSync(path.join(REPO_ROOT, "apps/worker/Dockerfile"), "utf8");

/** The Dockerfile's esbuild command, its arguments as written (continuation lines joined). */
function esbuildArgs(outfile: string): string[] {
    const command = /^RUN node_modules\/\.bin\/esbuild ((?:.*\\\n)*.*)$/m.exec(DOCKERFILE)?.[1];
    if (!command) throw new Error("no esbuild RUN line in apps/worker/Dockerfile");
    return command
        .replace(/\\\n/g, " ")
        .split(/\s+/)
        .filter(Boolean)
        .map((arg) => (arg.startsWith("--outfile=") ? `--outfile=${outfile}` : arg));
}

/**
 * What apps/worker/Dockerfile ships: its esbuild command bundles main.ts into one file that runs
 * without node_modules, serves the probes the EKS Deployment calls on the image's PORT, and stops
 * on SIGTERM; the dev stack runs it as the image's user.
 */
describe("apps/worker image (Dockerfile)", function () {
    this.timeout(60_000);
    let outdir: string;
    let mainJs: string;

    before(() => {
        outdir = mkdtempSync(path.join(os.tmpdir(), "worker-bundle-"));
        mainJs = path.join(outdir, "main.js");
        execFileSync(path.join(REPO_ROOT, "node_modules/.bin/esbuild"), esbuildArgs(mainJs), { cwd: REPO_ROOT, stdio: "pipe" });
    });
    after(() => rmSync(outdir, { recursive: true, force: true }));

    it("runs as the user and on the port the dev stack gives the worker", () => {
        const user = /^USER (\d+)(?::\d+)?$/m.exec(DOCKERFILE)?.[1];
        const port = /PORT=(\d+)/.exec(DOCKERFILE)?.[1];
        const apps = JSON.parse(loadStackFiles(FIXTURE_STACKS, "dev").config["platform:apps"]) as Record<string, Record<string, unknown>>;
        expect(apps.worker.user).to.equal(user);
        // The app spec's port defaults to 8080: the probes go there.
        expect(apps.worker.port ?? 8080).to.equal(Number(port));
        expect(/^CMD \[.*"(\/app\/[^"]+\.js)"\]$/m.exec(DOCKERFILE)?.[1]).to.equal("/app/main.js");
    });

    it("starts from the bundle alone, answers /healthz, and exits 0 on SIGTERM", async () => {
        const env = {
            AWS_REGION: "eu-west-1",
            // With placeholder credentials every receive fails (unreachable or refused): the loop keeps retrying while the probes answer.
            QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/work",
            AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9",
            IDEMPOTENCY_TABLE: "idempotency",
            AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "secret",
        };
        const port = 20000 + Math.floor(Math.random() * 20000);
        const child = spawn(process.execPath, ["--enable-source-maps", mainJs], { cwd: outdir, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
        const output: string[] = [];
        child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        try {
            let status = 0;
            for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
                status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
                    (response) => response.status,
                    () => 0,
                );
                if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
            }
            expect(status, output.join("")).to.equal(200);
            // No receive has succeeded: not ready.
            expect(await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.status)).to.equal(503);
        } finally {
            child.kill("SIGTERM");
        }
        expect(await exited, output.join("")).to.equal(0);
    });
});
