import { expect } from "chai";
import { defaultPolicyConfigFile, readPolicyConfig } from "../../platform/offline/policy-gate";
import type { SynthResult } from "../../platform/offline/synth";
import { toReport } from "../../platform/offline/synth";
import { bundleRecords, configureBundleCache } from "../../platform/serverless/bundle";
import { ALL_POLICIES, runPolicies } from "../../policy/harness";
import type { PackPolicy } from "../../policy/lib/define";
import { buildPlatform, platformOutputs } from "../../platform";
import { loadPlatformConfig } from "../../platform/config";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { synthesize } from "../../platform/offline/synth";
import { FIXTURE_STACKS, REPO_ROOT, sharedSynth } from "../helpers";

const STACKS = ["dev", "staging", "prod"];
const packConfig = (stack: string) => {
    const file = defaultPolicyConfigFile(REPO_ROOT, stack);
    return file ? readPolicyConfig(file) : {};
};

/**
 * The speed-ups (bundles from the disk cache built in one esbuild call, the policy index, one
 * stack view, the program yielding between apps) must not change what a stack produces. The
 * baseline is derived here, from the plain paths: the platform built in one synchronous pass,
 * every bundle built alone with no cache, every policy called on every resource. prod is
 * synthesized again on the plain paths and compared whole; dev and staging (the same handlers, in
 * fewer or smaller apps) are compared on what the plain paths could change: every function's
 * bundle against the plain build of its entry, and the indexed gate against the exhaustive one.
 */
describe("speed-ups change nothing a shipped stack produces", function () {
    this.timeout(240_000);
    const optimized: Record<string, SynthResult> = {};
    let plainProd: SynthResult;
    /** Each handler entry's bundle digest when built alone with no cache. */
    const plainBundles = new Map<string, string>();

    before(async () => {
        for (const stack of STACKS) optimized[stack] = await sharedSynth(stack);
        const restore = configureBundleCache({ dir: false, batch: false });
        try {
            // Built in one synchronous pass (buildPlatform), where the program yields between apps (buildPlatformAsync).
            const files = loadStackFiles(FIXTURE_STACKS, "prod");
            plainProd = await synthesize({ project: files.project, stack: "prod", config: files.config, secretKeys: files.secretKeys, program: () => platformOutputs(buildPlatform(loadPlatformConfig())) });
            for (const record of bundleRecords()) if (record.functionName.startsWith("platform-prod-")) plainBundles.set(record.entry, record.sha256);
        } finally {
            restore();
        }
    });

    it("prod: the same resources (inputs, bundles, options) and the same violations as on the plain paths", async () => {
        const fast = await runPolicies(optimized.prod.cloud.resources, { config: packConfig("prod") });
        const plain = await runPolicies(plainProd.cloud.resources, { config: packConfig("prod"), exhaustive: true });
        // Yielding between apps changes the order in which resources register (a Pulumi program is a
        // graph; the order means nothing to the engine); a report lists them in URN order.
        const fastReport = toReport("prod", "index.ts", optimized.prod.cloud.resources, fast.violations);
        const plainReport = toReport("prod", "index.ts", plainProd.cloud.resources, plain.violations);
        expect(fastReport.resources.length).to.be.greaterThan(400);
        expect(fastReport.resources.map((r) => r.urn)).to.deep.equal(plainReport.resources.map((r) => r.urn));
        expect(fastReport).to.deep.equal(plainReport);
        expect(fast.notApplicable).to.equal(plain.notApplicable);
        expect(fast.indeterminate).to.deep.equal(plain.indeterminate);
    });

    for (const stack of STACKS) {
        it(`${stack}: every function ships the plain build of its entry, and the indexed gate finds exactly what the exhaustive one does`, async () => {
            const resources = optimized[stack].cloud.resources;
            const functions = resources.filter((r) => r.type === "aws:lambda/function:Function");
            expect(functions.length).to.be.greaterThan(0);
            const entries = new Map(bundleRecords().map((record) => [record.functionName, record.entry]));
            for (const fn of functions) {
                const entry = entries.get(fn.name);
                expect(entry, fn.name).to.be.a("string");
                expect(plainBundles.get(entry!), `${fn.name} (${entry})`).to.be.a("string");
                expect((fn.inputs.tags as Record<string, string>)["bundle-sha256"], `${fn.name} (${entry})`).to.equal(plainBundles.get(entry!));
            }
            const fast = await runPolicies(resources, { config: packConfig(stack) });
            const plain = await runPolicies(resources, { config: packConfig(stack), exhaustive: true });
            expect(resources.length).to.be.greaterThan(400);
            expect(toReport(stack, "index.ts", resources, fast.violations)).to.deep.equal(toReport(stack, "index.ts", resources, plain.violations));
            expect(fast.notApplicable).to.equal(plain.notApplicable);
            expect(fast.indeterminate).to.deep.equal(plain.indeterminate);
        });
    }

    it("a report lists resources by URN and violations by URN, policy and message, whatever order they were registered and found in", async () => {
        const dev = optimized.dev.cloud.resources;
        const { violations } = await runPolicies(dev, { config: packConfig("dev") });
        expect(violations.length).to.be.greaterThan(1);
        const report = toReport("dev", "index.ts", dev, violations);
        const urns = report.resources.map((r) => r.urn);
        expect(urns).to.deep.equal([...urns].sort());
        const keys = report.violations.map((v) => `${v.urn}\0${v.policy}\0${v.message}`);
        expect(keys).to.deep.equal([...keys].sort());
        expect(toReport("dev", "index.ts", [...dev].reverse(), [...violations].reverse())).to.deep.equal(report);
    });

    it("stack policies share one view of the stack and leave it as they found it", async () => {
        const resources = optimized.prod.cloud.resources;
        const views: unknown[] = [];
        const probe = (label: string): PackPolicy => ({
            name: `probe-${label}`,
            description: "records the view it is given",
            enforcementLevel: "advisory",
            validateStack: (args) => void views.push(args.resources),
        });
        let after = "";
        const check: PackPolicy = {
            name: "probe-check",
            description: "serializes the view after every other policy ran",
            enforcementLevel: "advisory",
            validateStack: (args) => void (after = JSON.stringify(args.resources.map((r) => r.props))),
        };
        await runPolicies(resources, { policies: [probe("first"), ...ALL_POLICIES, probe("last"), check] });
        expect(views[0]).to.equal(views[1]);
        expect(after).to.equal(JSON.stringify(resources.map((r) => r.inputs)));
    });
});
