// npm run test:unit: the suite in two parallel mocha jobs, then the one test that writes an app module
// into the source tree (tests/apps/registry.test.ts) on its own, and one closing line with the totals
// of both runs, so the last thing `npm test` prints is the whole count.
//
// Order matters for time: mocha's workers take the files in the order given and keep their
// modules between files. The tests under tests/apps/ load the apps' handler code, which loads the
// AWS X-Ray SDK, whose automatic mode (cls-hooked) installs an async hook with a destroy callback
// on every promise for the rest of that process. Every synth a worker runs after that costs about
// twice the CPU (measured: a dev synth 0.59 s before, 1.24 s after), so those files go last.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const mocha = path.join(ROOT, "node_modules", ".bin", "mocha");
const SERIAL = "tests/apps/registry.test.ts";
const APP_CODE_TESTS = "tests/apps/";

/** Every test file under tests/, relative to the repository root with `/` separators: the ones that load app code last. */
function orderedTestFiles() {
    const files = fs
        .readdirSync(path.join(ROOT, "tests"), { recursive: true })
        .map((file) => `tests/${String(file).split(path.sep).join("/")}`)
        .filter((file) => file.endsWith(".test.ts") && file !== SERIAL)
        .sort();
    const appCode = (file) => file.startsWith(APP_CODE_TESTS);
    return [...files.filter((file) => !appCode(file)), ...files.filter(appCode)];
}

/** Runs mocha with `args`, its output streamed through, and resolves with its exit status and output. */
function run(args) {
    return new Promise((resolve) => {
        const child = spawn(mocha, args, { stdio: ["inherit", "pipe", "inherit"] });
        let output = "";
        child.stdout.on("data", (chunk) => {
            process.stdout.write(chunk);
            output += chunk;
        });
        child.on("close", (status) => resolve({ status: status ?? 1, output }));
    });
}

async function main() {
    const runs = [["--parallel", "--jobs", "2", ...orderedTestFiles()], [SERIAL]];
    let passing = 0;
    let failing = 0;
    let status = 0;
    for (const args of runs) {
        const result = await run(args);
        passing += Number(/^\s*(\d+) passing/m.exec(result.output)?.[1] ?? 0);
        failing += Number(/^\s*(\d+) failing/m.exec(result.output)?.[1] ?? 0);
        if (result.status !== 0) status = result.status;
    }
    console.log(`\nmocha, both runs: ${passing} passing, ${failing} failing`);
    process.exit(status);
}

if (require.main === module) void main();
module.exports = { orderedTestFiles, APP_CODE_TESTS, SERIAL };
