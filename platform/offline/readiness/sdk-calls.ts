import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { BuildCache, inputsOf } from "../../build-cache";
import { EXTERNALS, REPO_ROOT } from "../../serverless/bundle";

/**
 * What a handler's or container app's code calls in AWS, found in the code esbuild would ship:
 * the entry is bundled the way platform/serverless/bundle.ts bundles it (same resolution, the
 * AWS SDK v3 external, tree-shaken) but unminified, and the output is scanned for SDK v3 command
 * objects (`new GetItemCommand(...)`, lib-dynamodb's `new GetCommand(...)`) and paginators.
 * Bundled dependencies count too: Powertools idempotency's DynamoDB persistence layer shows up
 * as the GetItem, PutItem, UpdateItem and DeleteItem commands it sends. Only what survives tree
 * shaking is reported, so an imported but unused command is not.
 */

/** One SDK v3 operation the code can send. */
export interface SdkCall {
    /** `@aws-sdk/client-dynamodb`, `@aws-sdk/lib-dynamodb`. */
    sdkPackage: string;
    /** The command class without `Command` (`GetItem`, lib-dynamodb's `Get`), or a paginator's operation. */
    operation: string;
    /** Where it is constructed: the source file (relative to the repository root, node_modules included) and how. */
    source: string;
    how: "command" | "paginator";
}

/** What the scan found in one entry's bundle. */
export interface CodeScan {
    entry: string;
    calls: SdkCall[];
    /** Aggregated SDK clients (`new DynamoDB()`, `DynamoDBDocument.from`): method calls on them cannot be mapped. */
    aggregatedClients: { sdkPackage: string; name: string; source: string }[];
    /** Source files (relative) bundled, e.g. to tell whether Powertools' tracer is in. */
    sources: string[];
    /** Custom metrics the code emits through Powertools (`metrics.addMetric("EventsStored", ...)`: the string literals of the name). */
    metricNames: string[];
    /** Dimensions it adds besides Powertools' `service` (`addDimension("k", ...)`, `addDimensions({ k: ... })`). */
    dimensionNames: string[];
}

const cache = new Map<string, CodeScan>();

/**
 * How the scan bundles an entry: as bundle.ts would ship it (same resolution, the SDK external,
 * tree-shaken) but unminified, so the scan can read import bindings and module markers.
 */
const SCAN_OPTIONS = {
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    treeShaking: true,
    minify: false,
    external: EXTERNALS,
    logLevel: "silent",
} satisfies esbuild.BuildOptions;

/**
 * Bumped when scanBundle's output changes for the same bundle, so older cache entries miss.
 * (The scanner's source is hashed into the key too; this is for changes that live elsewhere.)
 */
const SCAN_FORMAT = 1;

export interface ScanCacheSettings {
    /** Directory of the disk cache; false scans in memory only (once per process). */
    dir: string | false;
}

/** PLATFORM_SCAN_CACHE: a directory, or `off`; default `out/.cache/code-scan` (gitignored with `out/`). */
function defaultScanSettings(): ScanCacheSettings {
    const setting = process.env.PLATFORM_SCAN_CACHE;
    return { dir: setting === "off" ? false : setting ? path.resolve(setting) : path.join(REPO_ROOT, "out", ".cache", "code-scan") };
}

let scanSettings = defaultScanSettings();
/** A scan depends on esbuild's version, the scan options, this scanner's source, the lock file and tsconfig besides its inputs. */
const disk = new BuildCache<CodeScan>(
    () => scanSettings.dir,
    () => ({
        data: { esbuild: esbuild.version, options: SCAN_OPTIONS, format: SCAN_FORMAT },
        files: [path.relative(REPO_ROOT, __filename).split(path.sep).join("/"), "package-lock.json", "tsconfig.json"],
    }),
);

/**
 * Changes where scans are cached, for this process (tests point it at a temporary directory).
 * Forgets the scans made so far; returns a function that restores the previous settings.
 */
export function configureScanCache(next: Partial<ScanCacheSettings>): () => void {
    const previous = scanSettings;
    scanSettings = { ...scanSettings, ...next };
    forget();
    return () => {
        scanSettings = previous;
        forget();
    };
}

function forget(): void {
    cache.clear();
    disk.forget();
}

/**
 * Scans the given entries. A scan is cached in memory for the process and on disk, keyed by the
 * esbuild version, the scan options, this scanner's source, the lock file (the SDK typings read
 * by isAggregatedClient come from there) and tsconfig, and validated by the content hash of every
 * file the bundle read (from esbuild's metafile), so an unchanged entry is never re-bundled. The
 * entries that miss are bundled in one esbuild call.
 */
export function scanEntries(entries: string[]): Map<string, CodeScan> {
    const unique = [...new Set(entries)];
    for (const entry of unique) {
        if (cache.has(entry)) continue;
        const cached = disk.read(entry);
        if (cached) cache.set(entry, cached);
    }
    const missing = unique.filter((entry) => !cache.has(entry));
    if (missing.length > 0) {
        const result = esbuild.buildSync({
            ...SCAN_OPTIONS,
            entryPoints: Object.fromEntries(missing.map((entry, index) => [`e${index}`, path.join(REPO_ROOT, entry)])),
            absWorkingDir: REPO_ROOT,
            write: false,
            outdir: "readiness-scan",
            metafile: true,
        });
        missing.forEach((entry, index) => {
            const output = result.outputFiles.find((file) => path.basename(file.path) === `e${index}.js`);
            if (!output) throw new Error(`readiness scan: esbuild produced no output for ${entry}`);
            const scan = scanBundle(entry, output.text);
            cache.set(entry, scan);
            const meta = Object.entries(result.metafile.outputs).find(([file]) => path.basename(file) === `e${index}.js`)?.[1];
            if (meta?.entryPoint) disk.write(entry, scan, inputsOf(meta.entryPoint, result.metafile.inputs));
        });
    }
    return new Map(entries.map((entry) => [entry, cache.get(entry)!]));
}

/** The SDK packages whose exports are command classes (`<Name>Command`). */
const SDK_PACKAGE = /^@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)$/;

/**
 * Scans esbuild's unminified CommonJS output. esbuild turns every import of an external module
 * into `var import_x = require("pkg")` (or `__toESM(require("pkg"))`) and every use of an import
 * into `import_x.Name`; a module's code is preceded by a `// <path>` comment.
 */
export function scanBundle(entry: string, code: string): CodeScan {
    const bindings = new Map<string, string>();
    for (const match of code.matchAll(/\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:__toESM\()?require\("(@aws-sdk\/[^"]+)"\)/g)) {
        if (SDK_PACKAGE.test(match[2])) bindings.set(match[1], match[2]);
    }
    const calls: SdkCall[] = [];
    const aggregatedClients: CodeScan["aggregatedClients"] = [];
    const sources: string[] = [];
    const seen = new Set<string>();
    let source = entry;
    for (const line of code.split("\n")) {
        const marker = /^\s*\/\/ ((?:node_modules|apps|platform|policy)\/\S+\.(?:[cm]?js|ts|tsx))\s*$/.exec(line);
        if (marker) {
            source = marker[1];
            sources.push(source);
            continue;
        }
        if (!line.includes("new ") && !line.includes(".paginate") && !line.includes(".DynamoDBDocument")) continue;
        for (const match of line.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)\.([A-Za-z0-9]+)\s*\(/g)) {
            const sdkPackage = bindings.get(match[1]);
            if (!sdkPackage) continue;
            const name = match[2];
            if (name.endsWith("Command")) add({ sdkPackage, operation: name.slice(0, -"Command".length), source, how: "command" });
            else if (isAggregatedClient(sdkPackage, name)) aggregatedClients.push({ sdkPackage, name, source });
        }
        for (const match of line.matchAll(/\b([A-Za-z_$][\w$]*)\.(paginate[A-Z][A-Za-z0-9]*|DynamoDBDocument)\b/g)) {
            const sdkPackage = bindings.get(match[1]);
            if (!sdkPackage) continue;
            if (match[2] === "DynamoDBDocument") aggregatedClients.push({ sdkPackage, name: match[2], source });
            else add({ sdkPackage, operation: match[2].slice("paginate".length), source, how: "paginator" });
        }
    }
    function add(call: SdkCall): void {
        const key = `${call.sdkPackage} ${call.operation} ${call.source}`;
        if (seen.has(key)) return;
        seen.add(key);
        calls.push(call);
    }
    const metricNames = new Set<string>();
    for (const match of code.matchAll(/\.addMetric\(([^,]*),/g)) for (const literal of match[1].matchAll(/"([^"]+)"(?!\s+in\b)/g)) metricNames.add(literal[1]);
    const dimensionNames = new Set<string>();
    for (const match of code.matchAll(/\.addDimension\(\s*"([^"]+)"/g)) dimensionNames.add(match[1]);
    for (const match of code.matchAll(/\.(?:addDimensions|setDefaultDimensions)\(\s*\{([^}]*)\}/g)) for (const key of match[1].matchAll(/(?:^|,)\s*"?([A-Za-z_][\w-]*)"?\s*:/g)) dimensionNames.add(key[1]);
    return { entry, calls, aggregatedClients, sources, metricNames: [...metricNames], dimensionNames: [...dimensionNames] };
}

/**
 * The aggregated client of a package (`DynamoDB` in client-dynamodb, `S3` in client-s3): its
 * methods (`getItem`) send commands the scan cannot see. Read from the package's own typings:
 * it is the exported class that extends `<Name>Client`.
 */
function isAggregatedClient(sdkPackage: string, name: string): boolean {
    if (name.endsWith("Client") || name.endsWith("Exception") || name.endsWith("Command")) return false;
    try {
        const typings = path.join(path.dirname(require.resolve(`${sdkPackage}/package.json`, { paths: [REPO_ROOT] })), "dist-types", `${name}.d.ts`);
        return readFileSync(typings, "utf8").includes(`extends ${name}Client`);
    } catch {
        return false;
    }
}

/** Whether a bundle carries Powertools' tracer (the X-Ray SDK): with active tracing it sends segments. */
export function usesTracer(scan: CodeScan): boolean {
    return scan.sources.some((source) => source.startsWith("node_modules/@aws-lambda-powertools/tracer/") || source.startsWith("node_modules/aws-xray-sdk-core/"));
}
