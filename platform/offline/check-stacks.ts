/**
 * `npm run check:stacks [-- [--project <dir>] <stack> ...]`: the policy gate and the deploy-readiness
 * rules on the user's own stack files (every `Pulumi.<stack>.yaml` of the project, or the ones named), each
 * synthesized offline in its own process as `npm run synth -- --stack <stack> --summary` would.
 * The product's tests never read these files (they own theirs under tests/fixtures/stacks), so
 * this is the check that says whether your edits to a stack file still deploy cleanly.
 * Exit code: the worst of the stacks' (0 clean, 1 a blocking finding, 2 config or program error).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { listStacks } from "./stack-files";

function main(argv: string[]): number {
    const { values, positionals } = parseArgs({ args: argv, options: { project: { type: "string" } }, allowPositionals: true, strict: true });
    const projectDir = path.resolve(values.project ?? ".");
    const stacks = positionals.length > 0 ? positionals : listStacks(projectDir);
    if (stacks.length === 0) {
        console.error(`no Pulumi.<stack>.yaml in ${projectDir}`);
        return 2;
    }
    const results: { stack: string; code: number }[] = [];
    for (const stack of stacks) {
        console.log(`\n=== ${stack} (Pulumi.${stack}.yaml)`);
        const run = spawnSync(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "synth-cli.ts"), "--project", projectDir, "--stack", stack, "--summary"], { stdio: "inherit" });
        results.push({ stack, code: run.status ?? 2 });
    }
    const verdict = (code: number) => (code === 0 ? "ok" : code === 1 ? "blocked (mandatory violation or readiness failure)" : "config or program error");
    console.log(`\nStacks: ${results.map(({ stack, code }) => `${stack} ${verdict(code)}`).join("; ")}`);
    return Math.max(...results.map((result) => result.code));
}

process.exitCode = main(process.argv.slice(2));
