import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as state from "@pulumi/pulumi/runtime/state";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { answerInvoke } from "./invokes";
import { shapeRemoteComponent, shapeResource } from "./shapes";

// Runtime functions the SDK marks @internal (absent from its .d.ts); setMocks uses the same ones.
const internals = state as unknown as { getStore(): Record<string, unknown> };
const settingsInternals = settings as unknown as { waitForRPCs(): Promise<void> };

/** Resolves when every registration, invoke and apply the program started has finished. */
export function settled(): Promise<void> {
    return settingsInternals.waitForRPCs();
}

/** One resource registration as the engine would have received it. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent; undefined only for the stack itself. */
    parent?: string;
    /** A custom resource (a cloud object), as opposed to a component. */
    custom: boolean;
    /** A multi-language component (awsx, eks) whose children live in a provider plugin. */
    remote: boolean;
    inputs: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    /** Provider reference, `<provider urn>::<provider id>`, when one was given explicitly or inherited. */
    provider?: string;
    ignoreChanges: string[];
    id?: string;
    /** The outputs the mock cloud answered with. */
    state: Record<string, unknown>;
}

export interface RecordedInvoke {
    token: string;
    inputs: Record<string, unknown>;
}

export interface MockCloudOptions {
    project: string;
    stack: string;
    region: string;
    accountId: string;
    /** Run as `pulumi preview` would (unknown outputs stay unknown). Default false. */
    preview?: boolean;
}

export interface ShapeContext {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>;
    region: string;
    accountId: string;
    /** Deterministic hex digest of the URN, for IDs that look real and never change between runs. */
    hash: string;
}

/** Raised when the program registers two resources with one URN, as the engine would refuse. */
export class DuplicateUrnError extends Error {
    constructor(readonly urn: string) {
        super(`Duplicate resource URN ${urn}: the Pulumi engine rejects a second resource with the same type, name and parent. Give one of them another name.`);
        this.name = "DuplicateUrnError";
    }
}

/**
 * An offline stand-in for AWS and the Pulumi engine: answers every resource registration and
 * invoke with deterministic, realistic IDs and ARNs in the stack's region and account, shapes the
 * outputs of remote components (which register no children offline), and records every
 * registration with its options so tests, `npm run synth` and the policy gate see what the
 * engine would.
 */
export class MockCloud implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    readonly invokes: RecordedInvoke[] = [];
    readonly errors: Error[] = [];

    constructor(readonly options: MockCloudOptions) {}

    /** Points the Pulumi runtime of this process at this mock cloud, resetting earlier state. */
    install(): void {
        const { project, stack, preview } = this.options;
        settings.setMockOptions(new RecordingMonitor(this), project, stack, preview ?? false);
        const store = internals.getStore();
        store.supportsSecrets = true;
        store.supportsResourceReferences = true;
        store.supportsOutputValues = false;
        store.supportsDeletedWith = true;
        store.supportsAliasSpecs = true;
        store.supportsTransforms = false;
        store.supportsInvokeTransforms = false;
    }

    newResource(args: pulumi.runtime.MockResourceArgs & { urn?: string }): pulumi.runtime.MockResourceResult {
        const context = this.context(args.type, args.name, args.urn ?? `${args.type}::${args.name}`, args.inputs);
        if (args.custom === false) {
            return { id: undefined, state: shapeRemoteComponent(context) ?? {} };
        }
        const shaped = shapeResource(context);
        return { id: shaped.id, state: { ...args.inputs, ...shaped.state } };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        this.invokes.push({ token: args.token, inputs: args.inputs });
        try {
            return answerInvoke(args.token, args.inputs, this.options);
        } catch (err) {
            this.errors.push(err as Error);
            throw err;
        }
    }

    /** Every recorded resource of a type token, e.g. `aws:ecr/repository:Repository`. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    /** The children (direct or nested) of the resource with this URN. */
    descendantsOf(urn: string): RecordedResource[] {
        const children = this.resources.filter((resource) => resource.parent === urn);
        return children.flatMap((child) => [child, ...this.descendantsOf(child.urn)]);
    }

    private context(type: string, name: string, urn: string, inputs: Record<string, any>): ShapeContext {
        const hash = createHash("sha256").update(urn).digest("hex");
        return { type, name, urn, inputs, region: this.options.region, accountId: this.options.accountId, hash };
    }
}

/**
 * The SDK's MockMonitor, extended to see what MockResourceArgs leaves out (parent, dependsOn,
 * protect, provider), to pass the URN to the mocks, and to refuse duplicate URNs.
 */
class RecordingMonitor extends MockMonitor {
    private readonly seen = new Set<string>();

    constructor(private readonly cloud: MockCloud) {
        super(cloud);
    }

    override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        const type: string = req.getType();
        const name: string = req.getName();
        const parent: string = req.getParent();
        const urn = urnOf(parent, type, name);
        if (this.seen.has(urn)) {
            const error = new DuplicateUrnError(urn);
            this.cloud.errors.push(error);
            callback(error, undefined);
            return;
        }
        this.seen.add(urn);
        try {
            const inputs = plain(req.getObject().toJavaScript()) as Record<string, unknown>;
            const custom: boolean = req.getCustom();
            const remote: boolean = req.getRemote();
            const result = this.cloud.newResource({ type, name, inputs, provider: req.getProvider(), custom, id: req.getImportid(), urn });
            const serializedState = await rpc.serializeProperties("", result.state);
            this.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
            this.cloud.resources.push({
                urn,
                type,
                name,
                parent: parent || undefined,
                custom,
                remote,
                inputs,
                protect: req.getProtect() === true,
                retainOnDelete: req.getRetainondelete() === true,
                dependsOn: req.getDependenciesList(),
                provider: req.getProvider() || undefined,
                ignoreChanges: req.getIgnorechangesList(),
                id: result.id,
                state: result.state,
            });
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(result.id ?? "");
            response.setObject(structproto.Struct.fromJavaScript(serializedState));
            callback(null, response);
        } catch (err) {
            this.cloud.errors.push(err as Error);
            callback(err, undefined);
        }
    }
}

/** The URN the engine gives a resource: the parent's type chain, then this type and name. */
export function urnOf(parent: string, type: string, name: string): string {
    let qualifiedType = type;
    const parentType = parent ? parent.split("::")[2].split("$").pop() : undefined;
    // The engine does not qualify children of the stack root with the stack's type.
    if (parentType && parentType !== "pulumi:pulumi:Stack") qualifiedType = `${parentType}$${type}`;
    return `urn:pulumi:${settings.getStack()}::${settings.getProject()}::${qualifiedType}::${name}`;
}

/**
 * Wire values to plain JSON: secrets become their value, resource references their URN (and
 * id), assets their path or text. What the engine hands a policy is this same plain shape.
 */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    switch (record[rpc.specialSigKey]) {
        case rpc.specialSecretSig:
            return plain(record.value);
        case rpc.specialResourceSig:
            return record.id === undefined ? { urn: record.urn } : { urn: record.urn, id: plain(record.id) };
        case rpc.specialAssetSig:
        case rpc.specialArchiveSig:
            return { asset: record.path ?? record.uri ?? record.text ?? "(archive)" };
        case rpc.specialOutputValueSig:
            return plain(record.value);
        default:
            return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, plain(inner)]));
    }
}
