/**
 * The Pulumi SDK wraps each of its promises with `debuggablePromise`
 * (@pulumi/pulumi/runtime/debuggable.js), which stores `new Error().stack` on the promise: about
 * 58 stacks per resource. The stack is only read to explain a leaked promise when
 * PULUMI_DEBUG_PROMISE_LEAKS is set, yet capturing and formatting it (and mapping every frame
 * through source maps, which tsx, `--enable-source-maps` and the runtime's source-map-support all
 * do) was the largest single cost of a synth, and grew with the stack: about 20 µs a promise here.
 *
 * Outside leak debugging, leanPromiseStacks makes those captures cheap without changing what the
 * SDK does or patching its files:
 * 1. The SDK calls `debuggablePromise` through its module's exports object (`debuggable_1.debuggablePromise(...)`
 *    in every caller), so the export is wrapped: the SDK's own function runs unchanged, with
 *    `Error.stackTraceLimit` at 0 for its duration, so its `new Error()` records no frames.
 * 2. If a future SDK calls it another way, (1) no longer applies; then the stack is still not
 *    formatted: a wrapper around whichever `Error.prepareStackTrace` is installed (Node's, or
 *    source-map-support's under `pulumi up`) returns a fixed note for a stack whose first frame is
 *    `debuggablePromise` in the SDK's file, and formats every other error exactly as before.
 * 3. For the SDK version whose `debuggablePromise` this was written against (its source's digest
 *    is checked), the wrapper does what the SDK's function does when PULUMI_DEBUG_PROMISE_LEAKS
 *    is unset, and only that: the promise joins the stack's leak candidates and leaves them when it
 *    settles (so the SDK's exit-time check still fails a program that leaves promises pending),
 *    without the Error, the three debug properties (read only by the leak-debugging report) and the
 *    second derived promise. At 6,400 resources (100 apps) that is about 58 x 6,400 promises lighter
 *    while the program's registrations are pending.
 * With PULUMI_DEBUG_PROMISE_LEAKS set nothing is installed, so the leak report keeps its stacks.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";

/** What a promise's debug stack says instead of the frames, when (2) applies. */
export const UNCAPTURED_PROMISE_STACK = "Error: promise stack not captured (set PULUMI_DEBUG_PROMISE_LEAKS=1 to capture it)";

type DebuggablePromise = (promise: Promise<unknown>, context: unknown) => Promise<unknown>;
type PrepareStackTrace = (error: Error, stack: NodeJS.CallSite[]) => unknown;

const DEBUGGABLE_MODULE = "@pulumi/pulumi/runtime/debuggable";
const STATE_MODULE = "@pulumi/pulumi/runtime/state";
/** sha256 of `debuggablePromise.toString()` in @pulumi/pulumi 3.270.0, the function (3) replaces. */
const KNOWN_DEBUGGABLE_SOURCE = "19d27a81e9df719cc4d1ba7ac2958e165c4953ea6f62143e46f634c8446e72c6";
const DEBUGGABLE_FILE = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");
const installed = Symbol.for("platform.leanPromiseStacks");
let wrappedCalls = 0;

/** How many SDK promises were wrapped without a stack in this process (tests check the wrapper is in the SDK's path). */
export function leanPromiseCount(): number {
    return wrappedCalls;
}

/** Installs both measures once per process (the formatter again if something replaced it). Returns false when PULUMI_DEBUG_PROMISE_LEAKS asks for the stacks. */
export function leanPromiseStacks(): boolean {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return false;
    wrapDebuggablePromise();
    wrapStackFormatter();
    return true;
}

function wrapDebuggablePromise(): void {
    // The SDK marks the module @internal (it is absent from the .d.ts), so it is required untyped.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require(DEBUGGABLE_MODULE) as { debuggablePromise?: DebuggablePromise & { [installed]?: true } };
    const original = sdk.debuggablePromise;
    if (typeof original !== "function" || original[installed]) return;
    const lean = (knownDebuggablePromise(original) ? leakTrackingOnly(original) : withoutStack(original)) as DebuggablePromise & { [installed]?: true };
    lean[installed] = true;
    sdk.debuggablePromise = lean;
}

/** True when the SDK's function is the one leakTrackingOnly was written against. */
function knownDebuggablePromise(original: DebuggablePromise): boolean {
    return createHash("sha256").update(original.toString()).digest("hex") === KNOWN_DEBUGGABLE_SOURCE;
}

/** (1): the SDK's own function, with no frames captured. */
function withoutStack(original: DebuggablePromise): DebuggablePromise {
    return function (this: unknown, promise, context) {
        wrappedCalls++;
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original.call(this, promise, context);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
}

/**
 * (3): the leak bookkeeping of the SDK's function and nothing else. The first call goes through
 * the SDK's own function (1), which schedules the SDK's exit-time leak check once per process.
 */
function leakTrackingOnly(original: DebuggablePromise): DebuggablePromise {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require(STATE_MODULE) as { getStore(): { leakCandidates: Set<Promise<unknown>> } };
    const first = withoutStack(original);
    let scheduled = false;
    return function (this: unknown, promise, context) {
        if (!scheduled) {
            scheduled = true;
            return first.call(this, promise, context);
        }
        wrappedCalls++;
        const candidates = state.getStore().leakCandidates;
        candidates.add(promise);
        return promise.then(
            (value) => {
                candidates.delete(promise);
                return value;
            },
            (err: unknown) => {
                candidates.delete(promise);
                (err as { promise?: unknown }).promise = promise;
                throw err;
            },
        );
    };
}

/** True for the stack of the SDK's `debuggablePromise` (the first frame is that function, in the SDK's file). */
function isPromiseDebugStack(stack: NodeJS.CallSite[]): boolean {
    const top = stack[0];
    return top !== undefined && top.getFunctionName() === "debuggablePromise" && (top.getFileName() ?? "").endsWith(DEBUGGABLE_FILE);
}

function wrapStackFormatter(): void {
    const current = (Error as { prepareStackTrace?: PrepareStackTrace & { [installed]?: true } }).prepareStackTrace;
    if (current?.[installed]) return;
    const lean: PrepareStackTrace & { [installed]?: true } = (error, stack) => {
        if (isPromiseDebugStack(stack)) return UNCAPTURED_PROMISE_STACK;
        // Node >= 22 always has a default formatter here; otherwise format as V8 does.
        return current ? current(error, stack) : `${String(error)}${stack.map((frame) => `\n    at ${(frame as { toString(): string }).toString()}`).join("")}`;
    };
    lean[installed] = true;
    Error.prepareStackTrace = lean;
}
