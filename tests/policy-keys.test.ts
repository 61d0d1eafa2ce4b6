import { expect } from "chai";
import { z } from "zod";
import { PlatformInputSchema } from "../platform/config/schema";
import { formatGate, orderViolations } from "../platform/offline/policy-gate";
import { POLICY_CONFIG_KEYS, remediationFor } from "../platform/offline/policy-keys";
import { ALL_POLICIES, type PolicyViolation } from "../policy/harness";

/** Whether a dotted config path (`<app>` for any record key) exists in the platform schema. */
function schemaHas(path: string): boolean {
    let schema: z.ZodType = PlatformInputSchema;
    for (const segment of path.split(".")) {
        while (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
        if (schema instanceof z.ZodRecord && segment.startsWith("<")) schema = schema.valueType as z.ZodType;
        else if (schema instanceof z.ZodObject && segment in schema.shape) schema = schema.shape[segment] as z.ZodType;
        else return false;
    }
    return true;
}

const violation = (policy: string, level: "mandatory" | "advisory", exempted?: { reason: string; expires?: string }): PolicyViolation => ({
    policy,
    urn: `urn:pulumi:dev::platform::aws:lb/listener:Listener::${policy}-resource`,
    type: "aws:lb/listener:Listener",
    name: `${policy}-resource`,
    enforcementLevel: exempted ? "advisory" : level,
    message: "m",
    description: "d",
    severity: "medium",
    frameworks: [],
    remediation: "the pack's remediation",
    ...(exempted ? { exempted: { ...exempted, enforcementLevel: level } } : {}),
});

describe("policy findings as the synth prints them", () => {
    it("names config keys that exist, for policies that exist", () => {
        const policies = new Set(ALL_POLICIES.map((policy) => policy.name));
        for (const [policy, entry] of Object.entries(POLICY_CONFIG_KEYS)) {
            expect(policies.has(policy), policy).to.equal(true);
            for (const key of entry.keys) expect(schemaHas(key), `${policy}: ${key}`).to.equal(true);
        }
    });

    it("orders mandatory, advisory, exempted; shows the exemption's expiry and the config key in the remediation", () => {
        const violations = [violation("elb-listeners-use-tls", "mandatory", { reason: "no certificate yet", expires: "2027-01-31" }), violation("apigateway-waf", "advisory"), violation("logs-retention", "mandatory")];
        expect(orderViolations(violations).map((v) => v.policy)).to.deep.equal(["logs-retention", "apigateway-waf", "elb-listeners-use-tls"]);
        const text = formatGate({ violations, blocking: [violations[2]], indeterminate: 0 }, 3, { project: "platform" });
        const order = ["logs-retention [mandatory]", "apigateway-waf [advisory]", "elb-listeners-use-tls [exempted]"].map((heading) => text.indexOf(heading));
        expect(
            order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])),
            text,
        ).to.equal(true);
        expect(text).to.contain("exempted until 2027-01-31: no certificate yet");
        expect(text).to.contain("remediation: platform:logs.retentionDays: raise it");
        expect(remediationFor("ecs-no-host-pid", "platform", "the pack's remediation")).to.equal("the pack's remediation");
        expect(formatGate({ violations, blocking: [violations[2]], indeterminate: 0 }, 3, { project: "platform", summary: true })).to.not.contain("apigateway-waf [advisory]");
    });
});
