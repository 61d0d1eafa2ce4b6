/**
 * Loaded by mocha before any test (.mocharc.json). Offline there is no engine, so the Pulumi SDK
 * prints what it would send the engine (`warning: [runtime] ...`, `error: [runtime] ...`) with
 * console.warn / console.error. Those lines are kept here instead of printed, so `npm test` shows
 * only test results; a test that cares reads them with `captureWarnings` (tests/helpers.ts) or
 * `engineMessages()`.
 */
const ENGINE_LINE = /^(warning|error|info|debug): \[runtime\] /;
const captured: string[] = [];

for (const method of ["warn", "error"] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
        const line = args.map(String).join(" ");
        if (ENGINE_LINE.test(line)) captured.push(line);
        else original(...args);
    };
}

/** Every engine message logged so far in this process, oldest first. */
export function engineMessages(): readonly string[] {
    return captured;
}

/** True once the AWS X-Ray SDK is loaded in this process: its automatic mode registers the `AWSXRay` cls-hooked namespace. */
export function xraySdkLoaded(): boolean {
    return Boolean((process as { namespaces?: Record<string, unknown> }).namespaces?.AWSXRay);
}

/**
 * The X-Ray SDK's async hook stays installed for the rest of a mocha worker and doubles the cost of
 * every synth after it, so `scripts/test-unit.cjs` runs the files that load app code (tests/apps/)
 * last. A file elsewhere that loads it fails here, naming itself, instead of slowing the suite unseen.
 * Root hooks run once per file in mocha's parallel mode; with several files in one run (serial
 * mode) the check is skipped, as it cannot tell which file loaded the SDK.
 */
let loadedByEarlierFile = false;
export const mochaHooks = {
    // afterAll, not beforeAll: a file's imports run before its root hooks, so the state before a
    // file is the state after the one before it in this worker.
    afterAll(this: Mocha.Context): void {
        const loadedBefore = loadedByEarlierFile;
        loadedByEarlierFile = xraySdkLoaded();
        const files = new Set((this.test?.parent?.suites ?? []).map((suite) => suite.file).filter(Boolean));
        if (files.size !== 1 || loadedBefore || !loadedByEarlierFile) return;
        const relative = [...files][0]!
            .split("\\")
            .join("/")
            .replace(/^.*?\/tests\//, "tests/");
        if (!relative.startsWith("tests/apps/")) {
            throw new Error(`${relative} loads the AWS X-Ray SDK (app handler code): move it under tests/apps/, which scripts/test-unit.cjs runs last`);
        }
    },
};
