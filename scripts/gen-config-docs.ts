// `npm run docs:config`: writes docs/configuration.md from platform/config (tests/docs.test.ts checks it is current).
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigurationReference } from "../platform/config/reference";

const file = path.join(__dirname, "..", "docs", "configuration.md");
writeFileSync(file, renderConfigurationReference());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
