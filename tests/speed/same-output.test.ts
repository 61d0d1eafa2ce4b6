import { expect } from "chai";
import { defaultPolicyConfigFile, readPolicyConfig } from "../../platform/offline/policy-gate";
import type { SynthResult } from "../../platform/offline/synth";
import { toReport } from "../../platform/offline/synth";
import { configureBundleCache } from "../../platform/serverless/bundle";
import { ALL_POLICIES, runPolicies } from "../../policy/harness";
import type { PackPolicy } from "../../policy/lib/define";
import { REPO_ROOT, sharedSynth, synthStackFile } from "../helpers";

const STACKS = ["dev", "staging", "prod"];
const packConfig = (stack: string) => {
    const file = defaultPolicyConfigFile(REPO_ROOT, stack);
    return file ? readPolicyConfig(file) : {};
};

/**
 * The speed-ups (bundles from the disk cache built in one esbuild call, the policy index, one
 * stack view) must not change what a stack produces. The baseline is derived here, from the plain
 * paths: every bundle built alone with no cache, every policy called on every resource.
 */
describe("speed-ups change nothing a shipped stack produces", function () {
    this.timeout(240_000);
    const optimized: Record<string, SynthResult> = {};
    const baseline: Record<string, SynthResult> = {};

    before(async () => {
        for (const stack of STACKS) optimized[stack] = await sharedSynth(stack);
        const restore = configureBundleCache({ dir: false, batch: false });
        try {
            for (const stack of STACKS) baseline[stack] = await synthStackFile(stack);
        } finally {
            restore();
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: the same resources (inputs, bundles, options) and the same violations`, async () => {
            const fast = await runPolicies(optimized[stack].cloud.resources, { config: packConfig(stack) });
            const plain = await runPolicies(baseline[stack].cloud.resources, { config: packConfig(stack), exhaustive: true });
            const fastReport = toReport(stack, "index.ts", optimized[stack].cloud.resources, fast.violations);
            const plainReport = toReport(stack, "index.ts", baseline[stack].cloud.resources, plain.violations);
            expect(fastReport.resources.length).to.be.greaterThan(400);
            expect(fastReport.resources.map((r) => r.urn)).to.deep.equal(plainReport.resources.map((r) => r.urn));
            expect(fastReport).to.deep.equal(plainReport);
            expect(fast.notApplicable).to.equal(plain.notApplicable);
            expect(fast.indeterminate).to.deep.equal(plain.indeterminate);
        });
    }

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
