// The pack's entry (package.json `main`) for the Pulumi policy runtime. That runtime registers
// ts-node with type-checking for every pack, which costs seconds at each start of `pulumi preview
// --policy-pack policy`; inside this repository the pack's TypeScript is loaded by the project's
// loader instead (esbuild, no type check: `npm test` type-checks policy/ with the rest), which
// takes `.ts` over from ts-node. A pack copied out of the repository loads through ts-node as
// before.
"use strict";
try {
    require("../platform/runtime/register.js");
} catch (err) {
    if (err.code !== "MODULE_NOT_FOUND") throw err;
}
require("./index.ts");
