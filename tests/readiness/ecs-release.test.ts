import { expect } from "chai";
import { ecsReleaseRule } from "../../platform/offline/readiness/ecs-release";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { captureWarnings, synthPlatform } from "../helpers";
import { broken, pick, run } from "./fixtures";

const SERVICE = "aws:ecs/service:Service";
const RULE = "aws:lb/listenerRule:ListenerRule";

describe("readiness: ECS blue/green, canary and linear releases", function () {
    this.timeout(120_000);
    let resources: RecordedResource[];
    before(async () => {
        const { result } = await captureWarnings(() => synthPlatform("prod", { apps: { web: { imageTag: "1.0.0", release: { strategy: "blueGreen", testListenerPort: 8443 } } } }));
        resources = result.cloud.resources;
    });

    it("passes the platform's blue/green service: green target group, forward-only production and test rules ECS may move", () => {
        expect(run(ecsReleaseRule, resources)).to.deep.equal([]);
    });

    it("fails a production listener given as a listener instead of a rule", () => {
        const copy = broken(resources, (all) => {
            const service = pick(all, SERVICE, "-web");
            const listener = pick(all, "aws:lb/listener:Listener", "-web-http");
            (service.inputs.loadBalancers as any)[0].advancedConfiguration.productionListenerRule = listener.state.arn;
        });
        const findings = run(ecsReleaseRule, copy);
        expect(findings.map((f) => [f.type, f.severity])).to.deep.equal([[SERVICE, "failure"]]);
        expect(findings[0].message).to.contain("is a listener; an Application Load Balancer needs a listener RULE");
    });

    it("fails a rule whose weights the next pulumi up would reset, and a rule that does not forward to green", () => {
        const copy = broken(resources, (all) => {
            const rule = pick(all, RULE, "-web-production");
            rule.ignoreChanges = [];
            (rule.inputs.actions as any)[0].forward.targetGroups.pop();
        });
        const messages = run(ecsReleaseRule, copy).map((f) => f.message);
        expect(messages.some((m) => m.includes("not in ignoreChanges"))).to.equal(true);
        expect(messages.some((m) => m.includes("does not forward to target group") && m.includes("-web-green"))).to.equal(true);
    });

    it("fails a blue/green service without a load balancer, and a green target group that is the blue one", () => {
        const noLoadBalancer = broken(resources, (all) => void (pick(all, SERVICE, "-web").inputs.loadBalancers = []));
        expect(run(ecsReleaseRule, noLoadBalancer)[0].message).to.contain("this service has none");
        const sameGroup = broken(resources, (all) => {
            const entry = (pick(all, SERVICE, "-web").inputs.loadBalancers as any)[0];
            entry.advancedConfiguration.alternateTargetGroupArn = entry.targetGroupArn;
        });
        expect(run(ecsReleaseRule, sameGroup).map((f) => f.message)).to.include.members(["BLUE_GREEN: the alternate target group is the primary one; green tasks need a target group of their own"]);
    });

    it("warns about a rule's listener whose default action does not forward", () => {
        const copy = broken(resources, (all) => {
            pick(all, "aws:lb/listener:Listener", "-web-http").inputs.defaultActions = [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "text/plain" } }];
        });
        expect(run(ecsReleaseRule, copy).map((f) => [f.type, f.severity])).to.deep.equal([["aws:lb/listener:Listener", "warning"]]);
    });
});
