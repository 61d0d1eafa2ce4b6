import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigError } from "../../config";
import { DEFAULT_USAGE, type Usage } from "./defaults";

export { DEFAULT_USAGE, type Usage } from "./defaults";

/** The `usage` map of `cost/usage.<stack>.yaml`: DEFAULT_USAGE's keys, each optional, zero or more. */
const UsageOverridesSchema = z.strictObject(
    Object.fromEntries(
        Object.keys(DEFAULT_USAGE).map((key) => [
            key,
            z
                .number({ error: `expected a number (${key})` })
                .nonnegative({ error: `expected zero or more (${key})` })
                .optional(),
        ]),
    ) as Record<keyof Usage, z.ZodOptional<z.ZodNumber>>,
);

export const UsageFileSchema = z.strictObject({
    /** Format version of the file. */
    version: z.literal(1, { error: "expected version: 1" }),
    usage: UsageOverridesSchema.optional(),
});

export interface LoadedUsage {
    usage: Usage;
    /** The file the overrides came from, relative to the project, or undefined when defaults apply. */
    file?: string;
    /** The keys the file set. */
    overridden: (keyof Usage)[];
}

export function usageFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, "cost", `usage.${stack}.yaml`);
}

/** Reads `cost/usage.<stack>.yaml` when it exists; throws ConfigError naming the key on bad content. */
export function loadUsage(projectDir: string, stack: string): LoadedUsage {
    const file = usageFilePath(projectDir, stack);
    if (!existsSync(file)) return { usage: { ...DEFAULT_USAGE }, overridden: [] };
    const relative = path.relative(projectDir, file);
    let raw: unknown;
    try {
        raw = parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new ConfigError(stack, [{ key: relative, message: `not readable YAML: ${(err as Error).message}` }]);
    }
    return { ...resolveUsage(raw, stack, relative), file: relative };
}

/** Validates a parsed usage file and applies it over the defaults. */
export function resolveUsage(raw: unknown, stack: string, label = "usage file"): Omit<LoadedUsage, "file"> {
    const parsed = UsageFileSchema.safeParse(raw ?? {});
    if (!parsed.success) {
        throw new ConfigError(
            stack,
            parsed.error.issues.map((issue) => ({
                key: `${label}: ${issue.path.map(String).join(".") || "(top level)"}`,
                // zod names unknown keys in the message; say what is accepted instead of leaving a guess.
                message: issue.code === "unrecognized_keys" ? `${issue.message}; accepted keys: ${issue.path.length === 0 ? "version, usage" : Object.keys(DEFAULT_USAGE).join(", ")}` : issue.message,
            })),
        );
    }
    const overrides = Object.fromEntries(Object.entries(parsed.data.usage ?? {}).filter(([, v]) => v !== undefined)) as Partial<Usage>;
    return { usage: { ...DEFAULT_USAGE, ...overrides }, overridden: Object.keys(overrides) as (keyof Usage)[] };
}
