import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { CATALOG, frameworkId } from "../../policy/catalog";
import { FSBP_CONTROLS } from "../../policy/catalog/fsbp";
import { OTHER_CONTROLS, RELIABILITY_CONTROLS } from "../../policy/lib/frameworks";
import { POLICY_REGISTRY } from "../../policy/policies";
import { implementersOf, REFERENCE, referenceDoc } from "./reference-doc";

/**
 * The pack's frameworks and catalogs: no control ID is used that is not defined, every catalog
 * check is implemented or not applicable (never both, never neither), the reference page is
 * generated from the metadata, and the severity rule holds in every shipped stack config.
 */
describe("policy frameworks and catalogs", () => {
    const infos = Object.values(POLICY_REGISTRY);
    const defined = new Set([...CATALOG.map(frameworkId), ...RELIABILITY_CONTROLS.map((c) => c.id), ...OTHER_CONTROLS.map((c) => c.id)]);

    it("uses only control IDs that a framework table or catalog defines", () => {
        const undefinedIds = infos.flatMap((info) => info.frameworks.filter((id) => !defined.has(id)).map((id) => `${info.name}: ${id}`));
        expect(undefinedIds).to.deep.equal([]);
    });

    it("lists every control the FSBP standard applies to the platform's services", () => {
        const listed = new Set(CATALOG.filter((check) => check.catalog === "FSBP").map((check) => check.id));
        expect([...FSBP_CONTROLS].filter((id) => !listed.has(id))).to.deep.equal([]);
    });

    it("defines no catalog check twice", () => {
        const ids = CATALOG.map(frameworkId);
        expect(ids.filter((id, index) => ids.indexOf(id) !== index)).to.deep.equal([]);
    });

    it("gives every catalog check a status: implemented by existing policies, or not applicable with a reason", () => {
        const problems: string[] = [];
        for (const check of CATALOG) {
            const implementers = implementersOf(check);
            const unknown = implementers.filter((name) => !POLICY_REGISTRY[name]);
            if (unknown.length > 0) problems.push(`${frameworkId(check)} names unknown policies ${unknown.join(", ")}`);
            if (implementers.length > 0 && check.notApplicable) problems.push(`${frameworkId(check)} is implemented by ${implementers.join(", ")} but also marked not applicable`);
            if (implementers.length === 0 && (check.notApplicable ?? "").length < 20) problems.push(`${frameworkId(check)} has no policy and no reason`);
        }
        expect(problems).to.deep.equal([]);
    });

    it("links every policy to the documentation of its first control", () => {
        expect(infos.filter((info) => !/^https:\/\//.test(info.documentation)).map((info) => info.name)).to.deep.equal([]);
    });

    it("defines each reliability rule once, numbered 1..n, each used by some policy", () => {
        expect(RELIABILITY_CONTROLS.map((c) => c.id)).to.deep.equal(RELIABILITY_CONTROLS.map((_, i) => `Reliability ${i + 1}`));
        const used = new Set(infos.flatMap((info) => info.frameworks));
        expect(RELIABILITY_CONTROLS.filter((c) => !used.has(c.id)).map((c) => c.id)).to.deep.equal([]);
    });

    it("makes every high and critical policy mandatory by default, and a medium one advisory only for its cost", () => {
        for (const info of infos) {
            if (info.severity === "high" || info.severity === "critical") expect(info.enforcementLevel, info.name).to.equal("mandatory");
            if (info.severity === "medium" && info.enforcementLevel === "advisory") expect(info.advisoryBecause, `${info.name} advisoryBecause`).to.be.a("string");
        }
    });

    for (const stack of ["dev", "staging"]) {
        it(`keeps every high and critical policy mandatory in policy/config/${stack}.json`, () => {
            const config = JSON.parse(readFileSync(path.resolve(__dirname, `../../policy/config/${stack}.json`), "utf8")) as Record<string, unknown>;
            const levelOf = (entry: unknown) => (typeof entry === "string" ? entry : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel);
            const all = levelOf(config.all);
            const lowered = infos
                .filter((info) => info.severity === "high" || info.severity === "critical")
                .filter((info) => {
                    const level = levelOf(config[info.name]) ?? all;
                    return level !== undefined && level !== "mandatory" && level !== "remediate";
                })
                .map((info) => info.name);
            expect(lowered).to.deep.equal([]);
        });
    }

    it("keeps docs/policies.md up to date (npx tsx tests/policy/reference-doc.ts --write)", () => {
        expect(readFileSync(REFERENCE, "utf8")).to.equal(referenceDoc());
    });

    it("states the pack version in policy/PulumiPolicy.yaml as in policy/package.json", () => {
        const version = JSON.parse(readFileSync(path.resolve(__dirname, "../../policy/package.json"), "utf8")).version;
        expect(readFileSync(path.resolve(__dirname, "../../policy/PulumiPolicy.yaml"), "utf8")).to.match(new RegExp(`^version: ${version.replace(/\./g, "\\.")}$`, "m"));
    });
});
