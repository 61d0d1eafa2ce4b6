/**
 * Tolerant readers for resource properties. Policies see plain JSON (inputs or outputs) in which
 * any optional block may be missing, a scalar may arrive as a string ("true", "443"), and a list
 * may be given as a single value. These helpers never throw on shape; reading an unknown value at
 * preview still throws UnknownValueError through the engine's proxy, on purpose.
 */

export type Props = Record<string, any>;

export function isRecord(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object at `value`, or an empty one when the block is omitted or not an object. */
export function rec(value: unknown): Record<string, any> {
    return isRecord(value) ? value : {};
}

/** A list: arrays as is, a single value as a one-item list, nothing as an empty list. */
export function list(value: unknown): any[] {
    if (Array.isArray(value)) return value;
    return value === undefined || value === null ? [] : [value];
}

export function str(value: unknown): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return undefined;
}

export function num(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** true/false also from the provider's string booleans ("true"); undefined when unset or unparseable. */
export function bool(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

/** A readable rendering of a value for a violation message. */
export function show(value: unknown): string {
    if (value === undefined) return "not set";
    if (typeof value === "string") return JSON.stringify(value);
    try {
        return JSON.stringify(value) ?? typeof value;
    } catch {
        return typeof value;
    }
}

/** "a, b and c" for messages. */
export function joinWords(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Case-insensitive glob with `*` and `?`, as IAM actions and exemption patterns use. */
export function globToRegExp(pattern: string, flags = "i"): RegExp {
    const escaped = escapeRegExp(pattern).replace(/\\\*/g, ".*").replace(/\\\?/g, ".");
    return new RegExp(`^${escaped}$`, flags);
}

/** Compiled case-insensitive globs: the same few patterns (exemptions, IAM actions) are matched against every resource. */
const compiledGlobs = new Map<string, RegExp>();

export function globMatch(pattern: string, value: string): boolean {
    let compiled = compiledGlobs.get(pattern);
    if (!compiled) {
        compiled = globToRegExp(pattern);
        // Bounded: patterns come from config and policies, but a program could feed many distinct ARNs through here.
        if (compiledGlobs.size >= 10_000) compiledGlobs.clear();
        compiledGlobs.set(pattern, compiled);
    }
    return compiled.test(value);
}

/** Compares dotted versions numerically ("1.30" > "1.9"); returns <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map((part) => parseInt(part, 10) || 0);
    const pb = b.split(".").map((part) => parseInt(part, 10) || 0);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (diff !== 0) return diff;
    }
    return 0;
}
