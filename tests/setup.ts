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
