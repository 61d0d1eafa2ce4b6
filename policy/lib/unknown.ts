import * as policySdk from "@pulumi/policy";

/**
 * @pulumi/policy 1.21 exports `unknownCheckingProxy` and `UnknownValueError` at runtime but its
 * .d.ts marks them internal (proxy.d.ts is empty), so they are typed here once.
 */
interface ProxyInternals {
    unknownCheckingProxy: <T>(value: T) => T;
    UnknownValueError: new (...args: any[]) => Error & { props: PropertyKey[] };
}

const internals = policySdk as unknown as ProxyInternals;

/** Wraps resource properties as the engine does: reading an unknown (preview) value throws UnknownValueError. */
export const unknownCheckingProxy: <T>(value: T) => T = internals.unknownCheckingProxy;
export const UnknownValueError = internals.UnknownValueError;

export function isUnknownValueError(error: unknown): error is Error {
    return error instanceof UnknownValueError;
}

/**
 * The sentinels the engine uses for values not known until the update runs (all the same in
 * @pulumi/pulumi's wire format and @pulumi/policy's proxy). A recorded preview input carries the
 * string one.
 */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    UNKNOWN_STRING,
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** True for a raw unknown sentinel (a value read without the proxy, e.g. inside a parsed document). */
export function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && SENTINELS.has(value);
}
