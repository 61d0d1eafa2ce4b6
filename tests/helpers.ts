import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as path from "node:path";
import { buildPlatformAsync, platformOutputs } from "../platform";
import { ConfigError, type ConfigProblem, loadPlatformConfig } from "../platform/config";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { loadStackFiles } from "../platform/offline/stack-files";
import { synthesize, SynthResult } from "../platform/offline/synth";

export const REPO_ROOT = path.resolve(__dirname, "..");
/**
 * The stacks the tests own (a Pulumi.yaml and Pulumi.<stack>.yaml for dev, staging and prod):
 * the tests never read the repository's own stack files, which are the user's to edit
 * (`npm run check:stacks` gates those).
 */
export const FIXTURE_STACKS = path.join(REPO_ROOT, "tests", "fixtures", "stacks");
export const PROJECT = "platform";

/**
 * Runs one of the repository's TypeScript entry points (`platform/offline/synth-cli.ts`, ...) in a
 * child process the way its npm script does: `node --require ./platform/runtime/register.js`, from
 * the repository root.
 */
export function runScript(script: string, args: string[], timeout = 90_000): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, ["--require", "./platform/runtime/register.js", script, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout });
}

/** The whole program, as index.ts runs it, but callable once per test. */
export async function platformProgram() {
    return platformOutputs(await buildPlatformAsync(loadPlatformConfig()));
}

/**
 * Synthesizes the platform offline with the given project-namespace values (structured values as
 * objects, like the YAML), as stack `stack`. Region defaults to eu-west-1 unless `aws:region` is
 * passed in `extra`.
 */
export function synthPlatform(stack: string, values: Record<string, unknown>, extra: Record<string, string> = { "aws:region": "eu-west-1" }): Promise<SynthResult> {
    const config: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(values)) config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    return synthesize({ project: PROJECT, stack, config, program: platformProgram });
}

/**
 * Synthesizes one of the test fixture stacks (tests/fixtures/stacks/Pulumi.<name>.yaml), as
 * `npm run synth -- --project tests/fixtures/stacks --stack <name>` does. The one helper for
 * "synth a named fixture stack".
 */
export function synthStackFile(stack: string): Promise<SynthResult> {
    const files = loadStackFiles(FIXTURE_STACKS, stack);
    return synthesize({ project: files.project, stack, config: files.config, secretKeys: files.secretKeys, program: platformProgram });
}

const sharedStacks = new Map<string, Promise<SynthResult>>();
/**
 * One of the repository's stack files, synthesized once per test process and shared by every test
 * that only reads it (a full stack is the costliest synth of the suite). Do not mutate the result.
 */
export function sharedSynth(stack: string): Promise<SynthResult> {
    if (!sharedStacks.has(stack)) sharedStacks.set(stack, synthStackFile(stack));
    return sharedStacks.get(stack)!;
}

/** The single recorded resource of a type (and optional name suffix); fails loudly otherwise. */
export function only(resources: RecordedResource[], type: string, nameEndsWith = ""): RecordedResource {
    const matches = resources.filter((resource) => resource.type === type && resource.name.endsWith(nameEndsWith));
    if (matches.length !== 1) throw new Error(`expected exactly one ${type} named *${nameEndsWith}, found ${matches.length}: ${matches.map((m) => m.name).join(", ")}`);
    return matches[0];
}

export function parseJson(value: unknown): any {
    if (typeof value !== "string") throw new Error(`expected a JSON string, got ${JSON.stringify(value)}`);
    return JSON.parse(value);
}

/** Runs `fn` with console.warn captured (where pulumi.log.warn goes offline); returns what was warned. */
export async function captureWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
    try {
        return { result: await fn(), warnings };
    } finally {
        console.warn = original;
    }
}

/** The statements of a recorded resource's JSON policy input (`policy` by default). */
export function statementsOf(resource: RecordedResource, input = "policy"): any[] {
    return parseJson(resource.inputs[input]).Statement;
}

/** The problems of the ConfigError `fn` throws; fails the test when it throws nothing or another error. */
export function configProblems(fn: () => unknown): ConfigProblem[] {
    try {
        fn();
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
    throw new Error("expected a ConfigError");
}
