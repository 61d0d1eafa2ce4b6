// npm run test:unit: the suite in two parallel mocha jobs, then the one test that writes an app module
// into the source tree (tests/apps/registry.test.ts) on its own, and one closing line with the totals
// of both runs, so the last thing `npm test` prints is the whole count.
const { spawn } = require("node:child_process");
const path = require("node:path");

const mocha = path.join(__dirname, "..", "node_modules", ".bin", "mocha");
const SERIAL = "tests/apps/registry.test.ts";
const RUNS = [["--parallel", "--jobs", "2", "--ignore", SERIAL, "tests/**/*.test.ts"], [SERIAL]];

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

(async () => {
    let passing = 0;
    let failing = 0;
    let status = 0;
    for (const args of RUNS) {
        const result = await run(args);
        passing += Number(/^\s*(\d+) passing/m.exec(result.output)?.[1] ?? 0);
        failing += Number(/^\s*(\d+) failing/m.exec(result.output)?.[1] ?? 0);
        if (result.status !== 0) status = result.status;
    }
    console.log(`\nmocha, both runs: ${passing} passing, ${failing} failing`);
    process.exit(status);
})();
