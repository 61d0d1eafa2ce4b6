// The TypeScript loader for this program: `node --require ./platform/runtime/register.js <file.ts>`.
// Pulumi's Node.js runtime loads it through `nodeargs` in Pulumi.yaml (with `typescript: false`),
// and `npm run synth` and `npm run bench` use it too. It is plain JavaScript because it has to run
// before anything can load TypeScript.
//
// What it does, and why it is not tsx or ts-node:
// - Only `.ts` files go through it: each is transpiled by esbuild (type-stripping, no type check;
//   `npm test` type-checks) to CommonJS with an inline source map, and the result is cached on
//   disk by a hash of the source, the esbuild version and options, and the tsconfig. Every other
//   file (all of node_modules) is loaded by Node itself. tsx also inspects every `.js` file a
//   program loads, which was most of its cost here; ts-node type-checks unless told otherwise.
// - Node's compile cache (V8 code cache) is enabled under the same directory.
// - Source maps are enabled for the project's own code only (Node >= 22.14,
//   `module.setSourceMapsSupport(true, { nodeModules: false })`): mapping a stack through the
//   `.js.map` files of the SDKs costs a parse per package and was a hot spot of every synth, since
//   the Pulumi SDK captures a stack for each of its promises.
//
// Cache: `out/.cache/ts/` (gitignored with `out/`), or the directory in PLATFORM_TS_CACHE; set
// PLATFORM_TS_CACHE=off to transpile in memory only. A cache that cannot be written is skipped.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..", "..");

// V8's compile cache for every module this process loads (Node >= 22.1; Node checks each entry
// against the file's content): loading the SDKs is most of a synth's start-up.
if (typeof Module.enableCompileCache === "function" && process.env.PLATFORM_TS_CACHE !== "off" && !process.env.NODE_COMPILE_CACHE) {
    Module.enableCompileCache(path.join(process.env.PLATFORM_TS_CACHE ? path.resolve(process.env.PLATFORM_TS_CACHE) : path.join(REPO_ROOT, "out", ".cache", "ts"), "v8"));
}

if (typeof Module.setSourceMapsSupport === "function") {
    Module.setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
} else {
    process.setSourceMapsEnabled(true);
}

/** The compiler options esbuild honours when transpiling one file (class fields, decorators, imports kept or dropped). */
function tsconfigRaw() {
    try {
        const text = fs.readFileSync(path.join(REPO_ROOT, "tsconfig.json"), "utf8");
        const options = JSON.parse(text).compilerOptions ?? {};
        const keep = [
            "target",
            "useDefineForClassFields",
            "experimentalDecorators",
            "verbatimModuleSyntax",
            "preserveValueImports",
            "importsNotUsedAsValues",
            "jsx",
            "jsxFactory",
            "jsxFragmentFactory",
            "alwaysStrict",
            "strict",
        ];
        return { compilerOptions: Object.fromEntries(keep.filter((key) => key in options).map((key) => [key, options[key]])) };
    } catch {
        return { compilerOptions: {} };
    }
}

const TSCONFIG = tsconfigRaw();
const ESBUILD_VERSION = require("esbuild/package.json").version;
const OPTIONS = { loader: "ts", format: "cjs", target: "node22", sourcemap: "inline", sourcesContent: false, tsconfigRaw: TSCONFIG };
const OPTIONS_KEY = createHash("sha256")
    .update(JSON.stringify({ esbuild: ESBUILD_VERSION, options: OPTIONS }))
    .digest("hex");
const setting = process.env.PLATFORM_TS_CACHE;
const CACHE_DIR = setting === "off" ? undefined : setting ? path.resolve(setting) : path.join(REPO_ROOT, "out", ".cache", "ts");

let esbuild;
let cacheWritable = CACHE_DIR !== undefined;

/** JavaScript for one TypeScript file: from the cache when its source, esbuild and the options are unchanged. */
function transpile(source, filename) {
    const key = createHash("sha256").update(OPTIONS_KEY).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = CACHE_DIR && path.join(CACHE_DIR, key.slice(0, 2), `${key}.js`);
    if (cached) {
        try {
            return fs.readFileSync(cached, "utf8");
        } catch {
            // Not cached yet.
        }
    }
    esbuild ??= require("esbuild");
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    if (cached && cacheWritable) {
        try {
            fs.mkdirSync(path.dirname(cached), { recursive: true });
            // Written beside, then renamed: a concurrent reader sees the whole file or none.
            const temporary = `${cached}.${process.pid}.tmp`;
            fs.writeFileSync(temporary, code);
            fs.renameSync(temporary, cached);
        } catch {
            cacheWritable = false;
        }
    }
    return code;
}

if (!Module._extensions[".ts"] || !Module._extensions[".ts"].platformLoader) {
    const load = function (module, filename) {
        module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
    };
    load.platformLoader = true;
    Module._extensions[".ts"] = load;
}

module.exports = { transpile, REPO_ROOT };
