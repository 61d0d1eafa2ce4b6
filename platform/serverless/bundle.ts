import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";
import { BuildCache, inputsOf } from "../build-cache";

/** The repository root: handler entries are resolved from here. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Handler code must live in an app: `apps/<app>/src/<file>.ts`. */
const ENTRY_PATTERN = /^apps\/[a-z0-9-]+\/src\/[A-Za-z0-9_./-]+\.ts$/;

/**
 * Node.js built-ins and what the Lambda Node.js runtime provides: the AWS SDK v3 (`@aws-sdk/*`,
 * with its `@smithy/*` dependencies). Leaving the SDK out keeps bundles small and cold starts
 * short; the runtime's SDK is kept current by AWS. Powertools, zod and the app's own code are
 * bundled (the runtime has neither).
 */
export const EXTERNALS = ["@aws-sdk/*"];

/**
 * How every handler is built: one CommonJS file for Node 22 (the X-Ray SDK inside Powertools'
 * tracer uses `require`, which ESM output would need a shim for), minified, tree-shaken (ESM entry
 * points preferred so unused exports drop out), with a linked source map: the code ends in
 * `//# sourceMappingURL=index.js.map`, which `NODE_OPTIONS=--enable-source-maps` (set on every
 * function) follows, so a stack trace in CloudWatch names the `.ts` file and line. An "external"
 * map has no such comment and would never be read. The map carries names and lines, not the
 * sources, to keep the package small.
 */
const BUILD_OPTIONS = {
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    treeShaking: true,
    mainFields: ["module", "main"],
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    external: EXTERNALS,
    logLevel: "silent",
} satisfies esbuild.BuildOptions;

/** The file names inside the deployment package. */
const CODE_FILE = "index.js";
const MAP_FILE = "index.js.map";

export interface Bundle {
    /** Entry, relative to the repository root. */
    entry: string;
    /** The deployment package: `index.js` and `index.js.map`, in memory. */
    archive: pulumi.asset.AssetArchive;
    /** sha256 of the code and map: changes exactly when the deployed code would (tagged on the function as `bundle-sha256`). */
    sha256: string;
    /** Bytes of `index.js` (what Lambda loads), and of the source map. */
    codeBytes: number;
    mapBytes: number;
    /**
     * esbuild's metafile for this entry alone: `inputs` holds every file the build read for it
     * (relative to the repository root, with its imports), `outputs` the one output, `index.js`,
     * with the bytes each input contributed.
     */
    metafile: esbuild.Metafile;
}

/** One line of the synth report's bundle section. */
export interface BundleRecord {
    functionName: string;
    entry: string;
    codeBytes: number;
    mapBytes: number;
    sha256: string;
}

/** A built entry, as kept in memory and in the disk cache. */
interface Built {
    entry: string;
    code: string;
    map: string;
    sha256: string;
    codeBytes: number;
    mapBytes: number;
    metafile: esbuild.Metafile;
}

export interface BundleCacheSettings {
    /** Directory of the disk cache; false keeps bundles in memory only (built once per process). */
    dir: string | false;
    /** On a miss, also rebuild every other handler whose cache is stale, in the same esbuild call. */
    batch: boolean;
}

/** PLATFORM_BUNDLE_CACHE: a directory, or `off`; default `out/.cache/bundles` (gitignored with `out/`). */
function defaultSettings(): BundleCacheSettings {
    const setting = process.env.PLATFORM_BUNDLE_CACHE;
    return { dir: setting === "off" ? false : setting ? path.resolve(setting) : path.join(REPO_ROOT, "out", ".cache", "bundles"), batch: true };
}

let settings = defaultSettings();
const memory = new Map<string, Built>();
const records = new Map<string, BundleRecord>();
/** Every cached bundle depends on esbuild's version and options, the lock file and tsconfig besides its inputs. */
const disk = new BuildCache<Built>(
    () => settings.dir,
    () => ({ data: { esbuild: esbuild.version, options: BUILD_OPTIONS, codeFile: CODE_FILE, mapFile: MAP_FILE }, files: ["package-lock.json", "tsconfig.json"] }),
);

/**
 * Changes where and how bundles are cached, for this process (tests use it to compare with a
 * cold, one-entry-at-a-time build). Forgets the bundles built so far; returns a function that
 * restores the previous settings.
 */
export function configureBundleCache(next: Partial<BundleCacheSettings>): () => void {
    const previous = settings;
    settings = { ...settings, ...next };
    memory.clear();
    disk.forget();
    return () => {
        settings = previous;
        memory.clear();
        disk.forget();
    };
}

/**
 * Bundles a handler with esbuild while the program runs (see BUILD_OPTIONS). The result is cached
 * in memory for the process and on disk, keyed by the esbuild version, the options, the lock file
 * and tsconfig, and validated by the content hash of every file the previous build read, so an
 * unchanged handler is never rebuilt and the output (deterministic) never redeploys. On a miss,
 * the entry is built in one esbuild call together with every other handler whose cache is stale.
 */
export function bundleHandler(entry: string): Bundle {
    const relative = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, entry)).split(path.sep).join("/");
    if (!ENTRY_PATTERN.test(relative)) throw new Error(`handler entry "${entry}": expected a TypeScript file under apps/<app>/src/, e.g. apps/translate/src/submit.ts`);
    const built = memory.get(relative) ?? loadOrBuild(relative);
    return {
        entry: built.entry,
        sha256: built.sha256,
        codeBytes: built.codeBytes,
        mapBytes: built.mapBytes,
        metafile: built.metafile,
        archive: new pulumi.asset.AssetArchive({ [CODE_FILE]: new pulumi.asset.StringAsset(built.code), [MAP_FILE]: new pulumi.asset.StringAsset(built.map) }),
    };
}

/** The bundled `index.js` of an entry, as Lambda will load it (tests run it). */
export function bundleCode(entry: string): string {
    return bundleFiles(entry)[CODE_FILE];
}

/** The files of an entry's deployment package: `index.js` and `index.js.map`. */
export function bundleFiles(entry: string): Record<typeof CODE_FILE | typeof MAP_FILE, string> {
    const relative = bundleHandler(entry).entry;
    const built = memory.get(relative)!;
    return { [CODE_FILE]: built.code, [MAP_FILE]: built.map };
}

/** Notes that a function was built from a bundle, for the synth report. */
export function recordBundle(functionName: string, bundle: Bundle): void {
    records.set(functionName, { functionName, entry: bundle.entry, codeBytes: bundle.codeBytes, mapBytes: bundle.mapBytes, sha256: bundle.sha256 });
}

/** The bundles functions were built from in this process, by function name. */
export function bundleRecords(): BundleRecord[] {
    return [...records.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
}

/** A size for people: `412.3 KiB`. */
export function formatBytes(bytes: number): string {
    return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function loadOrBuild(relative: string): Built {
    if (!existsSync(path.join(REPO_ROOT, relative))) throw new Error(`handler entry "${relative}" does not exist`);
    const cached = disk.read(relative);
    if (cached) return remember(cached);
    const batch = [relative];
    if (settings.batch) {
        for (const other of knownHandlers()) {
            if (other === relative || memory.has(other)) continue;
            const valid = disk.read(other);
            if (valid) remember(valid);
            else batch.push(other);
        }
    }
    let built: Built[];
    try {
        built = build(batch);
    } catch (err) {
        // Another handler of the batch may be what failed: build this one alone for its own verdict.
        if (batch.length === 1) throw err;
        built = build([relative]);
    }
    for (const result of built) {
        remember(result);
        // The metafile holds exactly the files the build read for this entry.
        disk.write(result.entry, result, Object.keys(result.metafile.inputs));
    }
    return memory.get(relative)!;
}

function remember(built: Built): Built {
    memory.set(built.entry, built);
    return built;
}

/** Builds entries in one esbuild call; one Built per entry. */
function build(entries: string[]): Built[] {
    let result: esbuild.BuildResult<{ write: false; metafile: true }> & { outputFiles: esbuild.OutputFile[] };
    try {
        result = esbuild.buildSync({
            ...BUILD_OPTIONS,
            entryPoints: entries.map((entry) => path.join(REPO_ROOT, entry)),
            absWorkingDir: REPO_ROOT,
            // Outputs sit (in memory) at the root, so the map's source paths read `apps/<app>/src/<file>.ts`
            // from /var/task, as a single `index.js` build's did; names are only unique within the batch.
            outdir: REPO_ROOT,
            entryNames: "[name]-[hash]",
            write: false,
            metafile: true,
        });
    } catch (err) {
        // esbuild's failure lists each error with its file and line: keep them, say which handlers.
        const errors = (err as { errors?: esbuild.Message[] }).errors ?? [];
        const details = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`).join("; ");
        throw new Error(`bundling ${entries.join(", ")} failed: ${details || (err as Error).message}`, { cause: err });
    }
    const files = new Map(result.outputFiles.map((file) => [path.relative(REPO_ROOT, file.path).split(path.sep).join("/"), file.text]));
    return Object.entries(result.metafile.outputs)
        .filter(([, output]) => output.entryPoint !== undefined)
        .map(([outputPath, output]) => {
            const entry = output.entryPoint!;
            // esbuild links the map by its batch name; in the package the map is index.js.map.
            const code = files.get(outputPath)!.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${MAP_FILE}\n`);
            const map = files.get(`${outputPath}.map`) ?? "";
            const inputs = inputsOf(entry, result.metafile.inputs);
            const metafile: esbuild.Metafile = {
                inputs: Object.fromEntries(inputs.map((input) => [input, result.metafile.inputs[input]])),
                outputs: { [CODE_FILE]: { ...output, bytes: Buffer.byteLength(code) } },
            };
            const sha256 = createHash("sha256").update(code).update("\0").update(map).digest("hex");
            return { entry, code, map, sha256, codeBytes: Buffer.byteLength(code), mapBytes: Buffer.byteLength(map), metafile };
        });
}

/**
 * Handlers known to this repository: those with a cache entry, and the app modules that export a
 * `handler` (so a cold cache is filled in one esbuild call too).
 */
function knownHandlers(): string[] {
    const known = new Set<string>(disk.entries());
    const apps = path.join(REPO_ROOT, "apps");
    for (const app of existsSync(apps) ? readdirSync(apps) : []) {
        const src = path.join(apps, app, "src");
        if (!existsSync(src)) continue;
        for (const file of readdirSync(src)) {
            if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
            const entry = `apps/${app}/src/${file}`;
            if (ENTRY_PATTERN.test(entry) && /^export (const|async function|function) handler\b/m.test(readFileSync(path.join(src, file), "utf8"))) known.add(entry);
        }
    }
    return [...known].filter((entry) => ENTRY_PATTERN.test(entry) && existsSync(path.join(REPO_ROOT, entry))).sort();
}
