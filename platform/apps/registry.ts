import { readdirSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PlatformInputSchema, type Profile } from "../config/schema";
import type { ServerlessContext } from "../serverless/common";

/**
 * The extension point for serverless and data apps: an app is one module in platform/apps/ that
 * default-exports `defineApp({...})`, plus its code under apps/<name>/. Nothing else changes to
 * add one: the module is found when the config is loaded, its key (`platform:<key>`) is
 * validated with its own schema, and when the stack sets the key the app is built as a component
 * of the platform and its outputs become the stack output `<key>`.
 *
 * The switch is the same for every optional app: an app is deployed when its key is present
 * (`platform:<key>: {}` takes the defaults) unless it says `enabled: false`, which keeps its
 * settings in the stack file while it is off. See docs/your-first-app.md.
 */
export interface AppDefinition<Settings extends z.ZodObject = z.ZodObject, Resolved = any> {
    /** The config key (`platform:<key>`) and the app's name in resource names (`<project>-<stack>-<key>`). Lowercase letters, digits, hyphens. */
    key: string;
    /** One line: what the app does (docs/configuration.md). */
    description: string;
    /** The key's settings as a zod object (use z.strictObject so a typo is reported); `enabled` is added for you. */
    settings: Settings;
    /** Fills what the stack left out, per profile. @default the settings as given */
    resolve?: (settings: z.infer<Settings>, profile: Profile) => Resolved;
    /** The app builds an API Gateway API: it is handed the stack's API Gateway logging role. @default false */
    api?: boolean;
    /**
     * Services that must use the platform's data key for this app, added to the key's policy, e.g.
     * `["sns.amazonaws.com"]` when a topic delivers to the app's encrypted queue. @default []
     */
    keyServices?: string[];
    /** Builds the app's resources under `parent` (already a component named `name`) and returns its stack outputs. */
    build: (args: AppBuildArgs<Resolved>) => Record<string, pulumi.Input<unknown>>;
}

export interface AppBuildArgs<Resolved> {
    /** `<project>-<stack>-<key>`: prefix every resource name with it. */
    name: string;
    /** The app's resolved settings. */
    config: Resolved;
    profile: Profile;
    /** Region, account, keys, alarm topic and function defaults every serverless construct takes. */
    ctx: ServerlessContext;
    /** Pass as the options of every resource the app creates (parent and provider). */
    opts: pulumi.ComponentResourceOptions;
    /** The stack's API Gateway logging role, when `api` is true. */
    loggingRole?: pulumi.Resource;
}

/** Stack output names the platform itself uses (its config keys are read from the schema). */
const RESERVED_OUTPUTS = new Set(["profile", "region", "repositories"]);
const APP_KEY_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/** Declares an app; the module's default export. */
export function defineApp<Settings extends z.ZodObject, Resolved = z.infer<Settings>>(definition: AppDefinition<Settings, Resolved>): AppDefinition<Settings, Resolved> {
    if (!APP_KEY_PATTERN.test(definition.key)) throw new Error(`defineApp: key "${definition.key}" must be 1-24 lowercase letters, digits or hyphens, starting with a letter`);
    if (RESERVED_OUTPUTS.has(definition.key) || definition.key in PlatformInputSchema.shape) throw new Error(`defineApp: key "${definition.key}" is one of the platform's own keys`);
    return definition;
}

/** Where app modules live: every `.ts`/`.js` module here whose default export came from defineApp. */
export const APPS_DIR = __dirname;

let discovered: Map<string, AppDefinition> | undefined;

/**
 * Every app module in platform/apps/, by key. Loaded on first use (not at import time: the modules
 * import the config module, which asks for this list while it validates).
 */
export function registeredApps(): Map<string, AppDefinition> {
    if (discovered) return discovered;
    const apps = new Map<string, AppDefinition>();
    for (const file of readdirSync(APPS_DIR).sort()) {
        if (!/\.(ts|js)$/.test(file) || file.endsWith(".d.ts") || /^(registry|index)\.(ts|js)$/.test(file)) continue;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(APPS_DIR, file)) as { default?: unknown };
        const app = loaded.default;
        if (!isAppDefinition(app)) continue;
        const clash = apps.get(app.key);
        if (clash) throw new Error(`platform/apps/${file}: key "${app.key}" is already taken by another app module`);
        apps.set(app.key, app);
    }
    discovered = apps;
    return apps;
}

/** Forgets the discovered modules (a test that adds one calls this). */
export function forgetRegisteredApps(): void {
    discovered = undefined;
}

function isAppDefinition(value: unknown): value is AppDefinition {
    return (
        typeof value === "object" && value !== null && typeof (value as AppDefinition).key === "string" && (value as AppDefinition).settings instanceof z.ZodObject && typeof (value as AppDefinition).build === "function"
    );
}

/** The resolved settings of each registered app the stack deploys, by key. */
export type RegisteredAppsConfig = Record<string, unknown>;

/** The schema the stack's value of an app key is checked with: the app's settings plus `enabled`. */
export function settingsSchema(app: AppDefinition): z.ZodObject {
    return app.settings.extend({ enabled: z.boolean({ error: "expected true or false: whether the app is deployed" }).optional() });
}

/** Whether a deployed registered app builds an API (the stack then creates the logging role). */
export function registeredAppsUseApi(config: RegisteredAppsConfig): boolean {
    const apps = registeredApps();
    return Object.keys(config).some((key) => apps.get(key)?.api === true);
}

/** The component an app module's resources are parented to (type `platform:apps:<key>`). */
class RegisteredApp extends pulumi.ComponentResource {
    constructor(key: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(`platform:apps:${key}`, name, {}, opts);
    }

    done(outputs: Record<string, pulumi.Input<unknown>>): void {
        this.registerOutputs(outputs);
    }
}

/** Services the deployed registered apps need on the data key. */
export function registeredAppsKeyServices(config: RegisteredAppsConfig): string[] {
    const apps = registeredApps();
    return Object.keys(config).flatMap((key) => apps.get(key)?.keyServices ?? []);
}

/** Builds each registered app the stack deploys, as a component `<name>-<key>`; returns each one's outputs by key. */
export function buildRegisteredApps(
    name: string,
    profile: Profile,
    config: RegisteredAppsConfig,
    ctx: ServerlessContext,
    opts: pulumi.ComponentResourceOptions,
    loggingRole: pulumi.Resource | undefined,
): Record<string, Record<string, pulumi.Input<unknown>>> {
    const apps = registeredApps();
    const outputs: Record<string, Record<string, pulumi.Input<unknown>>> = {};
    for (const [key, settings] of Object.entries(config)) {
        const app = apps.get(key);
        if (!app) throw new Error(`platform:${key}: no app module defines this key`);
        if (app.api && !loggingRole) throw new Error(`${name}: platform:${key} builds an API; pass the stack's ApiGatewayLoggingRole`);
        const component = new RegisteredApp(key, `${name}-${key}`, opts);
        outputs[key] = app.build({ name: `${name}-${key}`, config: settings, profile, ctx, opts: { parent: component }, loggingRole });
        component.done(outputs[key]);
    }
    return outputs;
}
