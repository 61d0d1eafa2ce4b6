import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig, resolvePlatformConfig } from "./load";

export * from "./load";
export * from "./schema";
export * from "./lambda";
export { PROFILE_DEFAULTS, profileFromStackName } from "./profiles";
export { PROVIDER_NAMESPACES } from "./namespaces";

/**
 * Reads the whole project namespace from the running stack's configuration and validates it.
 * Reading every key (not `config.get` key by key) is what lets an unknown key, usually a typo,
 * be reported instead of silently ignored.
 */
export function loadPlatformConfig(): PlatformConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    const otherKeys: string[] = [];
    const all = pulumi.runtime.allConfig();
    for (const [fullKey, value] of Object.entries(all)) {
        if (fullKey.startsWith(prefix)) values[fullKey.slice(prefix.length)] = parseConfigValue(value);
        else otherKeys.push(fullKey);
    }
    return resolvePlatformConfig({ project, stack: pulumi.getStack(), values, region: all["aws:region"], otherKeys });
}

/**
 * Pulumi hands every value over as a string; structured values (objects, lists) arrive as JSON.
 * Scalars stay strings: every top-level key of the schema that is not a mapping is a string, and
 * parsing "012345678901" as a number would lose the account id's leading zero.
 */
export function parseConfigValue(value: string): unknown {
    if (!/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
export * from "./eks";
export * from "./serverless";
export * from "./bindings";
export * from "./references";
export * from "./fargate-profiles";
export * from "./release";
