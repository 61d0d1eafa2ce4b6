/**
 * `npm run docs:cost`: synthesizes the shipped stacks offline and rewrites README.md's "What it
 * costs" block from their estimates (`--check` only reports whether it is stale).
 * `npm run bench:cost`: prints dev's idle fixed cost against the same platform on the anchors'
 * defaults (awsx Vpc NAT per AZ, @pulumi/eks default node group, one ALB per app).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadPlatformConfig } from "../platform/config";
import { buildPlatform, platformOutputs } from "../platform";
import { benchmark, costBlock, type StackCost, withCostBlock } from "../platform/offline/cost/readme";
import { loadStackFiles } from "../platform/offline/stack-files";
import { synthesize } from "../platform/offline/synth";

const ROOT = path.resolve(__dirname, "..");
export const SHIPPED_STACKS = ["dev", "staging", "prod"];

export async function synthStacks(stacks = SHIPPED_STACKS): Promise<StackCost[]> {
    const result: StackCost[] = [];
    for (const stack of stacks) {
        const files = loadStackFiles(ROOT, stack);
        const synth = await synthesize({ project: files.project, stack, config: files.config, secretKeys: files.secretKeys, program: () => platformOutputs(buildPlatform(loadPlatformConfig())) });
        result.push({ stack, region: synth.cloud.options.region, resources: synth.cloud.resources });
    }
    return result;
}

async function main(argv: string[]): Promise<number> {
    const [command = "docs", ...flags] = argv;
    const stacks = await synthStacks();
    const dev = stacks.find((s) => s.stack === "dev")!;
    const bench = benchmark(dev);
    if (command === "bench") {
        const usd = (v: number) => `$${v.toFixed(2)}`;
        console.log(`dev idle fixed monthly cost (${dev.region}): ${usd(bench.platform.fixedMonthly)}`);
        for (const g of bench.platform.fixedByType) console.log(`  ${g.key.padEnd(45)} ${usd(g.monthly).padStart(9)}`);
        console.log(`same platform on the anchors' defaults: ${usd(bench.anchors.fixedMonthly)}`);
        for (const g of bench.anchors.fixedByType) console.log(`  ${g.key.padEnd(45)} ${usd(g.monthly).padStart(9)}`);
        console.log(`ratio: ${(bench.ratio * 100).toFixed(1)}% (target: at most 50%); dev target: at most $130.00`);
        // What no dev option removes while EKS stays a runtime: the control plane's fixed fee.
        const controlPlane = bench.platform.lines.filter((l) => l.kind === "fixed" && l.priceId.startsWith("eks.cluster.")).reduce((a, l) => a + l.monthly, 0);
        console.log(`of which the EKS control plane (no cheaper tier exists): ${usd(controlPlane)}, ${((controlPlane / 130) * 100).toFixed(0)}% of the $130.00 target`);
        return 0;
    }
    const file = path.join(ROOT, "README.md");
    const readme = readFileSync(file, "utf8");
    const updated = withCostBlock(readme, costBlock(stacks, bench));
    if (flags.includes("--check")) {
        console.log(updated === readme ? "README.md cost block is current" : "README.md cost block is stale: run npm run docs:cost");
        return updated === readme ? 0 : 1;
    }
    if (updated !== readme) writeFileSync(file, updated);
    console.log(updated === readme ? "README.md cost block already current" : "README.md cost block rewritten");
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            console.error(err);
            process.exit(2);
        },
    );
}
