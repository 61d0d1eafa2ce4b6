/**
 * The environment (dev, staging, prod) a stack belongs to, for thresholds and rules that apply
 * only in some environments. Derived from the stack name in the URN the same way the program
 * derives its profile (`dev`, `development`, `staging`, `stage`, `prod`, `production`, then the
 * part before the first `-`, `_` or `.`), unless a policy's config pins it. A stack name that
 * names no environment is treated as prod: the strictest reading is the safe default.
 */

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const ALIASES: Record<string, Environment> = { dev: "dev", development: "dev", staging: "staging", stage: "staging", prod: "prod", production: "prod" };

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` parts; tolerant of malformed input. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
    const parts = urn.split("::");
    const stack = parts[0]?.startsWith("urn:pulumi:") ? parts[0].slice("urn:pulumi:".length) : "";
    const chain = parts[2] ?? "";
    return { stack, project: parts[1] ?? "", type: chain.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

export function environmentOfStack(stack: string): Environment {
    const head = stack.toLowerCase().split(/[-_.]/)[0];
    return ALIASES[stack.toLowerCase()] ?? ALIASES[head] ?? "prod";
}

/**
 * The configured environment when not "auto"; otherwise the `Profile` default tag of the AWS
 * provider (the platform program tags every resource with its stack's profile, so a stack named
 * `sandbox` with profile dev is dev); otherwise the one the URN's stack name implies.
 */
export function resolveEnvironment(configured: unknown, urn: string | undefined, providerProfile?: unknown): Environment {
    if (typeof configured === "string" && (ENVIRONMENTS as readonly string[]).includes(configured)) return configured as Environment;
    if (typeof providerProfile === "string" && (ENVIRONMENTS as readonly string[]).includes(providerProfile)) return providerProfile as Environment;
    return environmentOfStack(urn ? parseUrn(urn).stack : "");
}

/** The `Profile` in an AWS provider's `defaultTags`, if its props carry a known one. */
export function profileTagOf(provider: { type?: string; props?: unknown } | undefined): unknown {
    if (!provider || provider.type !== "pulumi:providers:aws") return undefined;
    try {
        const props = provider.props as { defaultTags?: unknown } | undefined;
        const defaultTags = typeof props?.defaultTags === "string" ? JSON.parse(props.defaultTags) : props?.defaultTags;
        return (defaultTags as { tags?: Record<string, unknown> } | undefined)?.tags?.Profile;
    } catch {
        return undefined; // unknown at preview, or not JSON: fall back to the stack name
    }
}

/** A threshold given either as one value or per environment (`{dev: 7, staging: 30, prod: 365}`). */
export type PerEnvironment<T> = T | Partial<Record<Environment, T>>;

export function forEnvironment<T>(value: PerEnvironment<T> | undefined, environment: Environment, fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value === "object" && !Array.isArray(value)) {
        const chosen = (value as Partial<Record<Environment, T>>)[environment];
        return chosen === undefined ? fallback : chosen;
    }
    return value;
}
