import type { RecordedResource } from "../../platform/offline/mock-cloud";

/**
 * Builders for policy tests: recorded resources as the mock cloud records them (URN, parent,
 * dependencies, options), without running a program.
 */

export const PROJECT = "platform";

export interface AddOptions {
    parent?: RecordedResource;
    dependsOn?: RecordedResource[];
    protect?: boolean;
    retainOnDelete?: boolean;
    provider?: RecordedResource;
    /** A component (remote for awsx/eks types unless told otherwise). */
    component?: boolean;
}

export class StackBuilder {
    readonly resources: RecordedResource[] = [];
    readonly root: RecordedResource;

    constructor(readonly stack: string) {
        this.root = this.record("pulumi:pulumi:Stack", `${PROJECT}-${stack}`, {}, undefined, {});
    }

    /** Registers a resource; its URN nests under its parent (the stack by default). */
    add(type: string, name: string, inputs: Record<string, unknown> = {}, options: AddOptions = {}): RecordedResource {
        return this.record(type, name, inputs, options.parent ?? this.root, options);
    }

    private record(type: string, name: string, inputs: Record<string, unknown>, parent: RecordedResource | undefined, options: AddOptions): RecordedResource {
        const qualified = parent ? `${parent.urn.split("::")[2]}$${type}` : type;
        const component = options.component ?? (type.startsWith("awsx:") || type.startsWith("eks:") || type.startsWith("pulumi:pulumi:") || type.startsWith("platform:"));
        const resource: RecordedResource = {
            urn: `urn:pulumi:${this.stack}::${PROJECT}::${qualified}::${name}`,
            type,
            name,
            parent: parent?.urn,
            custom: !component,
            remote: component && (type.startsWith("awsx:") || type.startsWith("eks:")),
            inputs,
            protect: options.protect ?? false,
            retainOnDelete: options.retainOnDelete ?? false,
            dependsOn: (options.dependsOn ?? []).map((dependency) => dependency.urn),
            provider: options.provider ? `${options.provider.urn}::00000000-0000-0000-0000-000000000000` : undefined,
            ignoreChanges: [],
            state: {},
        };
        this.resources.push(resource);
        return resource;
    }
}

/** A stack (default "prod") built by `build`; returns every recorded resource including the stack. */
export function stack(build: (s: StackBuilder) => void, name = "prod"): RecordedResource[] {
    const builder = new StackBuilder(name);
    build(builder);
    return builder.resources;
}

export interface SingleOptions extends AddOptions {
    stack?: string;
    name?: string;
}

/** A stack holding one resource named "subject" (or `name`). */
export function single(type: string, inputs: Record<string, unknown> = {}, options: SingleOptions = {}): RecordedResource[] {
    return stack((s) => s.add(type, options.name ?? "subject", inputs, options), options.stack);
}

/** An IAM policy document as the program serialises it (a JSON string). */
export function doc(...statements: Record<string, unknown>[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "999999999999";
