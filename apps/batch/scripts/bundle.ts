/**
 * Bundles apps/batch/src/main.ts (the ECS item processor) and its dependencies (the AWS SDK, Powertools, zod) into one
 * CommonJS file for Node 22, so the runtime image needs no node_modules and no npm.
 *
 *   npx tsx apps/batch/scripts/bundle.ts [outdir]      (default: apps/batch/dist)
 *
 * apps/batch/Dockerfile runs exactly this.
 */
import * as path from "node:path";
import { build, type BuildResult } from "esbuild";

export const ENTRY_POINT = path.resolve(__dirname, "..", "src", "main.ts");
export const DEFAULT_OUTDIR = path.resolve(__dirname, "..", "dist");

export async function bundle(outdir: string = DEFAULT_OUTDIR): Promise<{ outfile: string; result: BuildResult }> {
    const outfile = path.join(outdir, "main.js");
    const result = await build({
        entryPoints: [ENTRY_POINT],
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
    const outdir = process.argv[2] === undefined ? DEFAULT_OUTDIR : path.resolve(process.argv[2]);
    bundle(outdir).then(
        ({ outfile }) => console.log(`bundled ${path.relative(process.cwd(), ENTRY_POINT)} -> ${outfile}`),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
