// Preloaded into every benchmarked process (`--require ./bench/measure.js`): at exit, writes the
// process's CPU time and peak RSS as one JSON line to the file named by BENCH_MEASURE_FILE.
"use strict";
const fs = require("node:fs");
const file = process.env.BENCH_MEASURE_FILE;
if (file) {
    process.on("exit", () => {
        const usage = process.resourceUsage();
        fs.writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
    });
}
