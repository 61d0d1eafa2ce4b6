/**
 * Bundles a container app's entry, apps/<app>/src/main.ts, and all its dependencies into one
 * CommonJS file for Node 22, so the runtime image needs no node_modules and no npm.
 *
 *   npx tsx scripts/bundle-app.ts <app> [outdir]      (default: apps/<app>/dist)
 *
 * apps/web/Dockerfile and apps/batch/Dockerfile run exactly this; tests/apps/web/bundle.test.ts
 * runs it too and starts the result.
 */
import * as path from "node:path";
import { build, type BuildResult } from "esbuild";

const APPS = path.resolve(__dirname, "..", "apps");

/** The entry point of `app`'s container image. */
export function entryPoint(app: string): string {
    return path.join(APPS, app, "src", "main.ts");
}

export async function bundleApp(app: string, outdir: string = path.join(APPS, app, "dist")): Promise<{ outfile: string; result: BuildResult }> {
    const outfile = path.join(outdir, "main.js");
    const result = await build({
        entryPoints: [entryPoint(app)],
        outfile,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        // Readable stack traces in production logs (node --enable-source-maps); no minification,
        // so an operator can still read the bundle in an emergency.
        sourcemap: "linked",
        minify: false,
        // Third-party licence comments go to main.js.LEGAL.txt next to the bundle.
        legalComments: "linked",
        logLevel: "warning",
        metafile: true,
    });
    if (result.errors.length > 0) throw new Error(`esbuild failed with ${result.errors.length} errors`);
    return { outfile, result };
}

if (require.main === module) {
    const [app, out] = process.argv.slice(2);
    if (!app) {
        console.error("usage: tsx scripts/bundle-app.ts <app> [outdir]");
        process.exit(2);
    }
    bundleApp(app, out === undefined ? undefined : path.resolve(out)).then(
        ({ outfile }) => console.log(`bundled ${path.relative(process.cwd(), entryPoint(app))} -> ${outfile}`),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
