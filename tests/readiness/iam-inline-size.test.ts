import { expect } from "chai";
import { buildPlatform, platformOutputs } from "../../platform";
import { loadPlatformConfig } from "../../platform/config";
import type { PlatformExtensions } from "../../platform/extensions";
import { iamInlineSizeRule, ROLE_INLINE_POLICY_CHARACTERS } from "../../platform/offline/readiness/iam-inline-size";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { synthesize } from "../../platform/offline/synth";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { captureWarnings, FIXTURE_STACKS } from "../helpers";
import { shippedStack } from "./stacks";

/** The dev fixture stack built with `extend`, as a readiness context. */
async function devWith(extend: PlatformExtensions): Promise<ReadinessContext> {
    const files = loadStackFiles(FIXTURE_STACKS, "dev");
    const { result } = await captureWarnings(() =>
        synthesize({ project: files.project, stack: "dev", config: files.config, secretKeys: files.secretKeys, program: () => platformOutputs(buildPlatform(loadPlatformConfig(), { extend })) }),
    );
    return { project: "platform", stack: "dev", region: "eu-west-1", accountId: "123456789012", resources: result.cloud.resources, bundles: [] };
}

/** `count` statements reading one object each of a partner bucket: about 110 counted characters apiece. */
const reads = (count: number) => Array.from({ length: count }, (_, i) => ({ Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: `arn:aws:s3:::partner-feed/exports/object-${String(i).padStart(4, "0")}` }));

describe("readiness rule iam-inline-size: a role's inline policies within IAM's 10,240 characters", function () {
    this.timeout(120_000);

    it("the shipped stacks' roles are all within the quota", async () => {
        for (const stack of ["dev", "staging", "prod"]) expect(iamInlineSizeRule.check(await shippedStack(stack)), stack).to.deep.equal([]);
    });

    it("statements added with extend that push the web task role past the quota fail, naming the role; fewer pass", async () => {
        const over = iamInlineSizeRule.check(await devWith({ apps: { web: { policyStatements: reads(100) } } }));
        expect(over.map((f) => `${f.severity} ${f.name}`)).to.include("failure platform-dev-web-task");
        const task = over.find((f) => f.name === "platform-dev-web-task")!;
        expect(task.message).to.match(new RegExp(`above IAM's ${ROLE_INLINE_POLICY_CHARACTERS} per role \\(largest: platform-dev-web-task-additional \\d+`));
        expect(iamInlineSizeRule.check(await devWith({ apps: { web: { policyStatements: reads(10) } } }))).to.deep.equal([]);
    });
});
