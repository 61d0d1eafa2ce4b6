import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

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
}

/** One line of the synth report's bundle section. */
export interface BundleRecord {
    functionName: string;
    entry: string;
    codeBytes: number;
    mapBytes: number;
    sha256: string;
}

const cache = new Map<string, Omit<Bundle, "archive"> & { code: string; map: string }>();
const records = new Map<string, BundleRecord>();

/**
 * Bundles a handler with esbuild while the program runs: one CommonJS file for Node 22 (the
 * X-Ray SDK inside Powertools' tracer uses `require`, which ESM output would need a shim for),
 * minified, tree-shaken (ESM entry points preferred so unused exports drop out), with a source
 * map the function loads through `NODE_OPTIONS=--enable-source-maps`. The same entry is built once
 * per process; the output is deterministic, so an unchanged handler never redeploys.
 */
export function bundleHandler(entry: string): Bundle {
    const relative = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, entry)).split(path.sep).join("/");
    if (!ENTRY_PATTERN.test(relative)) throw new Error(`handler entry "${entry}": expected a TypeScript file under apps/<app>/src/, e.g. apps/translate/src/submit.ts`);
    let built = cache.get(relative);
    if (!built) {
        if (!existsSync(path.join(REPO_ROOT, relative))) throw new Error(`handler entry "${relative}" does not exist`);
        let result: esbuild.BuildResult<{ write: false }> & { outputFiles: esbuild.OutputFile[] };
        try {
            result = esbuild.buildSync({
                entryPoints: [path.join(REPO_ROOT, relative)],
                absWorkingDir: REPO_ROOT,
                bundle: true,
                write: false,
                platform: "node",
                target: "node22",
                format: "cjs",
                outfile: "index.js",
                minify: true,
                treeShaking: true,
                mainFields: ["module", "main"],
                sourcemap: "external",
                // Stack traces need names and lines, not the sources: keeps the package small.
                sourcesContent: false,
                legalComments: "none",
                external: EXTERNALS,
                logLevel: "silent",
            });
        } catch (err) {
            // esbuild's failure lists each error with its file and line: keep them, say which handler.
            const errors = (err as { errors?: esbuild.Message[] }).errors ?? [];
            const details = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`).join("; ");
            throw new Error(`bundling ${relative} failed: ${details || (err as Error).message}`, { cause: err });
        }
        const code = result.outputFiles.find((file) => file.path.endsWith("index.js"))?.text ?? "";
        const map = result.outputFiles.find((file) => file.path.endsWith("index.js.map"))?.text ?? "";
        const sha256 = createHash("sha256").update(code).update("\0").update(map).digest("hex");
        built = { entry: relative, code, map, sha256, codeBytes: Buffer.byteLength(code), mapBytes: Buffer.byteLength(map) };
        cache.set(relative, built);
    }
    return {
        entry: built.entry,
        sha256: built.sha256,
        codeBytes: built.codeBytes,
        mapBytes: built.mapBytes,
        archive: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(built.code), "index.js.map": new pulumi.asset.StringAsset(built.map) }),
    };
}

/** The bundled `index.js` of an entry, as Lambda will load it (tests run it). */
export function bundleCode(entry: string): string {
    bundleHandler(entry);
    const relative = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, entry)).split(path.sep).join("/");
    return cache.get(relative)!.code;
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
