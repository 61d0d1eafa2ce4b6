import * as pulumi from "@pulumi/pulumi";

/** A resource class such as `aws.ecs.TaskDefinition` or `k8s.apps.v1.Deployment`. */
type ResourceClass = abstract new (name: string, args: any, opts?: any) => pulumi.Resource;

/** The args a resource class's constructor takes: what a transform receives and returns. */
export type ArgsOf<C extends ResourceClass> = NonNullable<ConstructorParameters<C>[1]>;

/**
 * One change to the child resources a component creates: for each child of the given class (and,
 * optionally, whose logical name matches), a function from the args the component chose to the args
 * to use. Made with {@link transform}; passed in a component's `transform` list or to
 * `buildPlatform(config, { transform })` for the whole platform.
 */
export interface Transform {
    /** What it changes, for error messages: e.g. `aws:ecs/taskDefinition:TaskDefinition named /web/`. */
    readonly description: string;
    /** @internal */
    readonly matches: (resource: pulumi.Resource, name: string) => boolean;
    /** @internal */
    readonly apply: (props: pulumi.Inputs, name: string) => pulumi.Inputs;
}

/** The `transform` option every platform component takes. */
export interface Transformable {
    /**
     * Changes to the child resources this component creates, applied as each is constructed (the
     * escape hatch for what the component's args do not offer). Each is type-checked against the
     * child's class; the function may edit the args in place or return new ones.
     * @default []
     * @example
     * transform: [transform(aws.ecs.TaskDefinition, (args) => ({ ...args, ephemeralStorage: { sizeInGib: 50 } }))]
     */
    transform?: Transform[];
}

/**
 * A transform of every child of class `cls` (whose logical name matches `name`, when given).
 * @example
 * // web's task definition gets 50 GiB of ephemeral storage; no other resource changes.
 * transform(aws.ecs.TaskDefinition, (args) => ({ ...args, ephemeralStorage: { sizeInGib: 50 } }), { name: /-web$/ })
 */
export function transform<C extends ResourceClass>(cls: C, change: (args: ArgsOf<C>, name: string) => ArgsOf<C> | void, options: { name?: RegExp } = {}): Transform {
    return {
        description: `${cls.name}${options.name ? ` named ${String(options.name)}` : ""}`,
        matches: (resource, name) => resource instanceof cls && (options.name === undefined || options.name.test(name)),
        apply: (props, name) => {
            // A copy, so a change made in place cannot leak into what another resource was given.
            const copy = structuredCloneInputs(props) as ArgsOf<C>;
            return change(copy, name) ?? copy;
        },
    };
}

/**
 * The options a component passes to `super(...)`: the caller's, plus one resource transformation
 * that applies `transforms` to every child (Pulumi applies a parent's transformations to all of its
 * descendants as they are constructed).
 */
export function withTransforms<O extends pulumi.ResourceOptions>(opts: O | undefined, transforms: Transform[] | undefined): O {
    if (!transforms || transforms.length === 0) return opts ?? ({} as O);
    const transformation: pulumi.ResourceTransformation = (args) => {
        const matching = transforms.filter((t) => t.matches(args.resource, args.name));
        if (matching.length === 0) return undefined;
        const props = matching.reduce((current, t) => t.apply(current, args.name), args.props);
        return { props, opts: args.opts };
    };
    return { ...(opts ?? ({} as O)), transformations: [...(opts?.transformations ?? []), transformation] };
}

/** A shallow-per-level copy of plain objects and arrays; Outputs, resources and assets are kept as they are. */
function structuredCloneInputs(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(structuredCloneInputs);
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, structuredCloneInputs(inner)]));
    }
    return value;
}
