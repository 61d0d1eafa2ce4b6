/**
 * `npm run bench [-- --runs N] [--skip-loaders]`: time to verdict, measured side by side.
 *
 * Every case runs in its own process; the cases alternate within each round (floor, dev, staging,
 * prod, 1/10/100 apps, loaders, bundle loads), so a busy machine slows them alike, and each figure
 * is the median of the rounds with its min and max. Wall time is what a user waits; CPU time
 * (user + system of the process) is steadier on a shared machine and is printed beside it.
 *
 * - floor: `node -e` requiring the six SDK modules (@pulumi/pulumi, aws, awsx, eks, kubernetes,
 *   policy) with plain Node: what any program using them pays before it does anything.
 * - synth <stack>: `npm run synth -- --stack <stack>` (program, policy gate, readiness, report).
 * - apps <N>: bench/apps-stack.ts, the prod stack with N container apps, synthesized and gated.
 * - loader <name>: the SDK's cmd/run started as the language host starts it, against a fake
 *   monitor, until the first resource registration (platform/offline/runtime-probe.ts): the
 *   runtime options of Pulumi.yaml, tsx in nodeargs, and ts-node with type-check (Pulumi's default).
 * - bundle <entry>: the bytes of each Lambda bundle and the time Node takes to load it cold, with
 *   and without --enable-source-maps (what the functions run with).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { probeRuntime } from "../platform/offline/runtime-probe";
import { bundleFiles, bundleHandler, formatBytes } from "../platform/serverless/bundle";

const REPO_ROOT = path.resolve(__dirname, "..");
const LOADER = ["--require", "./platform/runtime/register.js"];
const MEASURE = ["--require", "./bench/measure.js"];
const SDK_MODULES = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "@pulumi/eks", "@pulumi/kubernetes", "@pulumi/policy"];

interface Sample {
    wallMs: number;
    cpuMs?: number;
    maxRssKb?: number;
}

interface Case {
    name: string;
    run: () => Promise<Sample>;
}

/** Runs node with args in the repository, measuring wall time, and CPU and peak RSS through bench/measure.js. */
function node(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Sample> {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-"));
    const file = path.join(dir, "measure.json");
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...MEASURE, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...extraEnv, BENCH_MEASURE_FILE: file }, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => {
            const wallMs = performance.now() - started;
            if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`));
            const measured = JSON.parse(readFileSync(file, "utf8")) as { cpuMs: number; maxRssKb: number };
            rmSync(dir, { recursive: true, force: true });
            resolve({ wallMs, ...measured });
        });
    });
}

function cases(options: { skipLoaders: boolean; apps: number[] }): Case[] {
    const list: Case[] = [{ name: "floor (six SDK modules)", run: () => node(["-e", `for (const m of ${JSON.stringify(SDK_MODULES)}) require(m)`]) }];
    for (const stack of ["dev", "staging", "prod"]) list.push({ name: `synth ${stack}`, run: () => node([...LOADER, "platform/offline/synth-cli.ts", "--stack", stack]) });
    for (const count of options.apps) list.push({ name: `apps ${count}`, run: () => node([...LOADER, "bench/apps-stack.ts", String(count)]) });
    if (!options.skipLoaders) {
        const loaders: [string, Parameters<typeof probeRuntime>[0]["runtime"]][] = [
            ["loader Pulumi.yaml", undefined],
            ["loader tsx", { typescript: false, nodeargs: "--require tsx/cjs" }],
            ["loader ts-node type-check", { typescript: true }],
        ];
        for (const [name, runtime] of loaders) list.push({ name, run: async () => ({ wallMs: (await probeRuntime({ projectDir: REPO_ROOT, stack: "dev", runtime, timeoutMs: 600_000 })).ms }) });
    }
    return list;
}

/** Cold loads of each bundle, as Lambda's runtime would load index.js (with and without source maps). */
function bundleCases(): { cases: Case[]; sizes: string[] } {
    const appsDir = path.join(REPO_ROOT, "platform", "apps");
    const sources = readdirSync(appsDir)
        .filter((file) => file.endsWith(".ts"))
        .map((file) => readFileSync(path.join(appsDir, file), "utf8"));
    // The apps' handler entries: paths named in platform/apps whose module exports a handler.
    const entries = [...new Set(sources.flatMap((source) => source.match(/apps\/[a-z0-9-]+\/src\/[\w.-]+\.ts/g) ?? []))]
        .filter((entry) => /^export (const|async function|function) handler\b/m.test(readFileSync(path.join(REPO_ROOT, entry), "utf8")))
        .sort();
    const all = entries.length > 0 ? entries : ["apps/fanout/src/notifier.ts"];
    const sizes: string[] = [];
    const list: Case[] = [];
    const dirs: string[] = [];
    for (const entry of all) {
        const bundle = bundleHandler(entry);
        const dir = mkdtempSync(path.join(tmpdir(), "bench-bundle-"));
        dirs.push(dir);
        for (const [name, text] of Object.entries(bundleFiles(entry))) writeFileSync(path.join(dir, name), text);
        sizes.push(
            `  ${entry.padEnd(36)} ${formatBytes(bundle.codeBytes).padStart(10)} code ${formatBytes(bundle.mapBytes).padStart(10)} map (${Math.round((100 * bundle.mapBytes) / (bundle.codeBytes + bundle.mapBytes))}% of the package)`,
        );
        const load = `require(${JSON.stringify(path.join(dir, "index.js"))})`;
        // The AWS SDK is external (the Lambda runtime provides it): the repository's copy stands in for it.
        const sdk = { NODE_PATH: path.join(REPO_ROOT, "node_modules") };
        list.push({ name: `bundle ${path.basename(entry, ".ts")} load`, run: () => node(["-e", load], sdk) });
        list.push({ name: `bundle ${path.basename(entry, ".ts")} load --enable-source-maps`, run: () => node(["--enable-source-maps", "-e", load], sdk) });
    }
    return { cases: list, sizes };
}

function stats(values: number[]): { median: number; min: number; max: number } {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0], max: sorted[sorted.length - 1] };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const range = (values: number[], unit: (n: number) => string) => {
    const { median, min, max } = stats(values);
    return `${unit(median)} [${unit(min)}..${unit(max)}]`;
};

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "skip-loaders": { type: "boolean" }, apps: { type: "string", default: "1,10,100" } } });
    const runs = Number(values.runs);
    const apps = values.apps.split(",").map(Number);
    // The caches are warm in every measured round (the state a developer and CI with a kept cache see).
    spawnSync(process.execPath, [...LOADER, "platform/offline/synth-cli.ts", "--stack", "prod"], { cwd: REPO_ROOT, stdio: "ignore" });
    const bundles = bundleCases();
    const all = [...cases({ skipLoaders: values["skip-loaders"] ?? false, apps }), ...bundles.cases];
    const samples = new Map<string, Sample[]>(all.map((c) => [c.name, []]));
    for (let round = 1; round <= runs; round++) {
        for (const c of all) {
            samples.get(c.name)!.push(await c.run());
            process.stderr.write(".");
        }
        process.stderr.write(` round ${round}/${runs}\n`);
    }

    const width = Math.max(...all.map((c) => c.name.length));
    console.log(`\nMedians of ${runs} alternated runs [min..max]: wall | CPU | peak RSS\n`);
    for (const c of all) {
        const list = samples.get(c.name)!;
        const cpu = list.every((x) => x.cpuMs !== undefined)
            ? range(
                  list.map((x) => x.cpuMs!),
                  s,
              )
            : "-";
        const rss = list.every((x) => x.maxRssKb !== undefined) ? `${Math.round(stats(list.map((x) => x.maxRssKb!)).median / 1024)} MiB` : "-";
        console.log(
            `  ${c.name.padEnd(width)}  ${range(
                list.map((x) => x.wallMs),
                s,
            ).padEnd(28)} ${cpu.padEnd(28)} ${rss}`,
        );
    }
    console.log("\nLambda bundles:");
    for (const line of bundles.sizes) console.log(line);

    const median = (name: string, key: "wallMs" | "cpuMs" = "wallMs") => stats(samples.get(name)!.map((x) => x[key] ?? NaN)).median;
    const ratio = (a: string, b: string, key: "wallMs" | "cpuMs" = "wallMs") => median(a, key) / median(b, key);
    const lines: string[] = [];
    lines.push(`synth prod / floor: ${ratio("synth prod", "floor (six SDK modules)").toFixed(2)}x wall, ${ratio("synth prod", "floor (six SDK modules)", "cpuMs").toFixed(2)}x CPU (target <= 3x)`);
    if (apps.includes(1) && apps.includes(10) && apps.includes(100)) {
        for (const key of ["wallMs", "cpuMs"] as const) {
            const at10 = (median("apps 10", key) - median("apps 1", key)) / 9;
            const at100 = (median("apps 100", key) - median("apps 10", key)) / 90;
            lines.push(`per-app cost (${key === "wallMs" ? "wall" : "CPU"}): ${s(at10)} from 1 to 10 apps, ${s(at100)} from 10 to 100: ${(at100 / at10).toFixed(2)}x (target <= 1.1x)`);
        }
        const hundred = samples.get("apps 100")!;
        lines.push(
            `100 apps: ${range(
                hundred.map((x) => x.wallMs),
                s,
            )} wall, ${range(
                hundred.map((x) => x.cpuMs!),
                s,
            )} CPU, peak RSS ${range(
                hundred.map((x) => x.maxRssKb! / 1024),
                (n) => `${Math.round(n)} MiB`,
            )} (target <= 15 s, 1 GiB)`,
        );
    }
    if (!values["skip-loaders"]) {
        lines.push(`runtime loader / tsx: ${ratio("loader Pulumi.yaml", "loader tsx").toFixed(2)}x (target <= 1.5x); ts-node type-check / tsx: ${ratio("loader ts-node type-check", "loader tsx").toFixed(2)}x`);
    }
    console.log(`\nSummary (medians; min..max above):\n${lines.map((line) => `  ${line}`).join("\n")}`);
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
