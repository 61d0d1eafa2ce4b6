import { expect } from "chai";
import { buildPlatform, platformOutputs } from "../../platform";
import { loadPlatformConfig } from "../../platform/config";
import type { PlatformExtensions } from "../../platform/extensions";
import { securityGroupDuplicatesRule } from "../../platform/offline/readiness/security-group-duplicates";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { synthesize } from "../../platform/offline/synth";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { captureWarnings, FIXTURE_STACKS } from "../helpers";
import { shippedStack } from "./stacks";

async function devWith(extend: PlatformExtensions): Promise<ReadinessContext> {
    const files = loadStackFiles(FIXTURE_STACKS, "dev");
    const { result } = await captureWarnings(() =>
        synthesize({ project: files.project, stack: "dev", config: files.config, secretKeys: files.secretKeys, program: () => platformOutputs(buildPlatform(loadPlatformConfig(), { extend })) }),
    );
    return { project: "platform", stack: "dev", region: "eu-west-1", accountId: "123456789012", resources: result.cloud.resources, bundles: [] };
}

describe("readiness rule security-group-duplicates: EC2 refuses a rule a group already has", function () {
    this.timeout(120_000);

    it("the shipped stacks repeat no rule", async () => {
        for (const stack of ["dev", "staging", "prod"]) expect(securityGroupDuplicatesRule.check(await shippedStack(stack)), stack).to.deep.equal([]);
    });

    it("an additional egress rule that repeats the worker's derived HTTPS rule fails, naming both; on another port it passes", async () => {
        const https = { direction: "egress", protocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS out" } as const;
        const findings = securityGroupDuplicatesRule.check(await devWith({ apps: { worker: { securityGroupRules: [https] } } }));
        expect(findings.map((f) => `${f.severity} ${f.name}`)).to.deep.equal(["failure platform-dev-worker-tasks-additional-egress-0"]);
        expect(findings[0].message).to.match(/repeats platform-dev-worker-tasks-\S+ \(.* egress tcp 443-443 cidrIpv4=0\.0\.0\.0\/0\): EC2 refuses it with InvalidPermission\.Duplicate/);
        expect(securityGroupDuplicatesRule.check(await devWith({ apps: { worker: { securityGroupRules: [{ ...https, fromPort: 8443, toPort: 8443 }] } } }))).to.deep.equal([]);
    });
});
