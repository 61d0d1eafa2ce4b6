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

/** The sentinel the engine uses for a string not known until the update runs (a recorded preview input carries it). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
