/**
 * `npm run synth -- --stack <name> [--summary] [--json <file>] [--project <dir>] [--program <entry.ts>] [--policy-config <file>] [--no-policy]`
 *
 * Runs a Pulumi program offline against the mock cloud with a stack's configuration, prints the
 * resource inventory and how long it took, evaluates the policy pack on what was recorded (the
 * offline policy gate) and the deploy-readiness rules (AWS's own limits the mock cloud does not
 * enforce), and optionally writes the JSON report. `--summary` prints only the counts and what
 * blocks (failures and mandatory violations). The pack config is the stack's profile's
 * (policy/config/<profile>.json) overridden by the stack's own (policy/config/<stack>.json), and
 * is validated before the program runs.
 * Exit codes: 0 success; 1 a mandatory policy violation or a readiness failure; 2 configuration or program error.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseConfigValue, profileFromStackName, PROFILES } from "../config";
import { ALL_POLICIES, PolicyConfigError } from "../../policy/harness";
import { estimateCost, formatCost, loadUsage, type Usage } from "./cost";
import { bundleRecords, formatBytes } from "../serverless/bundle";
import { formatInventory, summarize } from "./inventory";
import { formatGate, policyConfigFiles, runPolicyGate, stackPolicyConfig } from "./policy-gate";
import { formatReadiness, readinessFailures, runReadiness, type ReadinessContext } from "./readiness";
import { oneAccountRule } from "./readiness/one-account";
import { listStacks, loadStackFiles, StackFileError, type StackFiles } from "./stack-files";
import { SynthError, synthesize, toReport } from "./synth";

const USAGE =
    "usage: npm run synth -- --stack <name> [--summary] [--json <file>] [--project <dir>] [--program <entry.ts>] [--policy-config <file>] [--no-policy]\n       npm run synth -- --all-stacks [--json <file>] [--project <dir>] [--program <entry.ts>]";

async function main(argv: string[]): Promise<number> {
    let values: { stack?: string; json?: string; project?: string; program?: string; "policy-config"?: string; "no-policy"?: boolean; summary?: boolean; "all-stacks"?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s" },
                json: { type: "string" },
                project: { type: "string" },
                program: { type: "string" },
                summary: { type: "boolean" },
                "policy-config": { type: "string" },
                "no-policy": { type: "boolean" },
                "all-stacks": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const stack = values.stack ?? "dev";
    const program = path.resolve(values.program ?? "index.ts");
    if (!existsSync(program)) {
        console.error(`--program: ${program} does not exist\n${USAGE}`);
        return 2;
    }
    // --project names the directory of Pulumi.yaml and the stack files; else a program's config
    // lives beside it when it is its own project; otherwise use this project's.
    const projectDir = values.project ? path.resolve(values.project) : existsSync(path.join(path.dirname(program), "Pulumi.yaml")) ? path.dirname(program) : process.cwd();
    const summary = values.summary === true;
    if (values["all-stacks"]) {
        if (values.stack) {
            console.error(`--all-stacks and --stack exclude each other\n${USAGE}`);
            return 2;
        }
        return allStacks(projectDir, program, values.json);
    }

    try {
        const files = loadStackFiles(projectDir, stack);
        // The pack config is read and validated before the program runs: a bad file fails in a second.
        const profile = profileOf(files);
        const policyFiles = values["no-policy"] ? [] : values["policy-config"] ? [path.resolve(values["policy-config"])] : policyConfigFiles(projectDir, stack, profile);
        const policyConfig = values["no-policy"] ? {} : stackPolicyConfig(policyFiles, profile);
        const result = await synthesize({
            project: files.project,
            stack,
            config: files.config,
            secretKeys: files.secretKeys,
            program: () => runProgramModule(program),
        });
        const resources = result.cloud.resources;
        const counts = summarize(resources);
        console.log(
            `Synthesized stack "${stack}" of project "${files.project}" from ${path.relative(process.cwd(), program) || program} (${files.config["aws:region"] ?? "no region"}), offline against the mock cloud${summary ? "" : "\n"}`,
        );
        if (!summary) console.log(formatInventory(resources));
        if (!summary && Object.keys(result.outputs).length > 0) {
            console.log("\nOutputs:");
            for (const [key, value] of Object.entries(result.outputs)) console.log(`  ${key}: ${JSON.stringify(value)}`);
        }
        const bundles = bundleRecords();
        if (!summary && bundles.length > 0) {
            console.log("\nFunction bundles (esbuild, minified; the AWS SDK v3 comes from the runtime):");
            const width = Math.max(...bundles.map((bundle) => bundle.functionName.length));
            for (const bundle of bundles)
                console.log(
                    `  ${bundle.functionName.padEnd(width)}  ${formatBytes(bundle.codeBytes).padStart(10)} code  ${formatBytes(bundle.mapBytes).padStart(10)} map  ${bundle.entry}  sha256:${bundle.sha256.slice(0, 12)}`,
                );
        }
        console.log(
            `${summary ? "" : "\n"}${counts.total} resources (${counts.custom} cloud resources, ${counts.components} components, ${counts.remote} remote components) in ${(result.durationMs / 1000).toFixed(2)} s`,
        );

        const readiness = runReadiness({
            project: files.project,
            stack,
            region: result.cloud.options.region,
            accountId: result.cloud.options.accountId,
            resources,
            bundles,
        });
        console.log(`\n${formatReadiness(readiness)}`);

        const usage = loadUsage(projectDir, stack);
        const cost = estimateCost(resources, { region: result.cloud.options.region, usage: usage.usage, usageFile: usage.file });
        console.log(`\n${formatCost(cost)}`);

        let gate: Awaited<ReturnType<typeof runPolicyGate>> | undefined;
        if (!values["no-policy"]) {
            gate = await runPolicyGate(resources, withUsage(policyConfig, usage.usage));
            const used = policyFiles.map((file) => path.relative(process.cwd(), file)).join(", then ");
            console.log(`\n${formatGate(gate, ALL_POLICIES.length, { project: files.project, summary })}\n(pack config: ${used || "none"}; environment: ${profile ?? "from the stack name"})`);
        }
        if (values.json) {
            const file = path.resolve(values.json);
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, `${JSON.stringify({ ...toReport(stack, path.relative(process.cwd(), program) || program, resources, gate?.violations ?? []), readiness, cost, bundles }, null, 2)}\n`);
            console.log(`Report written to ${path.relative(process.cwd(), file)}`);
        }
        const readinessFailed = readinessFailures(readiness);
        if (readinessFailed.length > 0) {
            console.error(`\nDeploy readiness failed: ${readinessFailed.length} finding${readinessFailed.length === 1 ? "" : "s"} AWS would refuse (${[...new Set(readinessFailed.map((f) => f.rule))].join(", ")})`);
        }
        if (gate && gate.blocking.length > 0) {
            console.error(`\nPolicy gate failed: ${gate.blocking.length} mandatory violation${gate.blocking.length === 1 ? "" : "s"} (${[...new Set(gate.blocking.flatMap((v) => v.frameworks))].join(", ")})`);
            return 1;
        }
        return readinessFailed.length > 0 ? 1 : 0;
    } catch (err) {
        const cause = err instanceof SynthError ? err.cause : err;
        if (cause instanceof ConfigError || cause instanceof StackFileError || cause instanceof PolicyConfigError) {
            console.error(cause.message);
        } else {
            console.error(`Synth of stack "${stack}" failed: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
        }
        return 2;
    }
}

/** The pack config with the stack's usage assumptions given to the budget policies (unless the config sets its own). */
function withUsage(config: Record<string, unknown>, usage: Usage): Record<string, unknown> {
    const result = { ...config };
    for (const policy of ["cost-budget-warning", "cost-within-budget"]) {
        const own = result[policy];
        if (typeof own === "string") result[policy] = { enforcementLevel: own, usage };
        else result[policy] = { usage, ...(own as Record<string, unknown> | undefined) };
    }
    return result;
}

/** The stack's profile as the program will resolve it: `<project>:profile`, else the stack name. */
function profileOf(files: StackFiles): string | undefined {
    const configured = files.config[`${files.project}:profile`];
    if (configured !== undefined) {
        const value = parseConfigValue(configured);
        return typeof value === "string" && (PROFILES as readonly string[]).includes(value) ? value : undefined;
    }
    return profileFromStackName(files.stack);
}

/**
 * Synthesizes every stack file of the project, one after the other in this process, each into its
 * configured region and account (the mock account when none is pinned: one account for all), and
 * reports each stack's readiness and the names and singletons two stacks would both claim.
 */
async function allStacks(projectDir: string, program: string, json: string | undefined): Promise<number> {
    const stacks = listStacks(projectDir);
    if (stacks.length === 0) {
        console.error(`no Pulumi.<stack>.yaml in ${projectDir}`);
        return 2;
    }
    const contexts: ReadinessContext[] = [];
    const perStack: { stack: string; resources: number; failures: number; warnings: number }[] = [];
    for (const stack of stacks) {
        try {
            const files = loadStackFiles(projectDir, stack);
            const result = await synthesize({ project: files.project, stack, config: files.config, secretKeys: files.secretKeys, program: () => runProgramModule(program, { fresh: true }) });
            const context: ReadinessContext = {
                project: files.project,
                stack,
                region: result.cloud.options.region,
                accountId: result.cloud.options.accountId,
                resources: result.cloud.resources,
                bundles: bundleRecords(),
            };
            const findings = runReadiness(context);
            const failures = readinessFailures(findings).length;
            contexts.push(context);
            perStack.push({ stack, resources: result.cloud.resources.length, failures, warnings: findings.length - failures });
        } catch (err) {
            const cause = err instanceof SynthError ? err.cause : err;
            console.error(cause instanceof ConfigError || cause instanceof StackFileError ? cause.message : `Synth of stack "${stack}" failed: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
            return 2;
        }
    }
    console.log(`Synthesized ${stacks.length} stacks of ${path.relative(process.cwd(), projectDir) || "."} offline, as if deployed into one account:`);
    for (const s of perStack)
        console.log(
            `  ${s.stack} (${contexts.find((c) => c.stack === s.stack)!.region}, account ${contexts.find((c) => c.stack === s.stack)!.accountId}): ${s.resources} resources; deploy readiness ${s.failures} failures, ${s.warnings} warnings (npm run synth -- --stack ${s.stack} for details)`,
        );
    const findings = oneAccountRule.checkAccount(contexts);
    console.log(`\n${formatReadiness(findings, [oneAccountRule]).replace(/^Deploy readiness \(1 rules\)/, "One account, many stacks")}`);
    if (json) {
        const file = path.resolve(json);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify({ stacks: perStack, readiness: findings }, null, 2)}\n`);
        console.log(`Report written to ${path.relative(process.cwd(), file)}`);
    }
    const failed = readinessFailures(findings).length + perStack.reduce((sum, s) => sum + s.failures, 0);
    if (failed > 0) console.error(`\nDeploy readiness failed: ${failed} finding${failed === 1 ? "" : "s"} AWS would refuse`);
    return failed > 0 ? 1 : 0;
}

/** Loads the program as the Pulumi Node.js runtime does: its exports (or a default function's result) are the outputs. */
async function runProgramModule(file: string, options: { fresh?: boolean } = {}): Promise<unknown> {
    // The entry module runs the program at load: load it anew for each stack of --all-stacks.
    if (options.fresh) delete require.cache[require.resolve(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as Record<string, unknown> | ((...args: unknown[]) => unknown);
    const entry = typeof loaded === "function" ? loaded : typeof loaded.default === "function" ? (loaded.default as () => unknown) : undefined;
    return entry ? await entry() : loaded;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(err);
        process.exit(2);
    },
);
