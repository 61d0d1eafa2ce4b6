import type { RecordedResource } from "../mock-cloud";
import { finding, type ReadinessFinding, type ReadinessRule } from "./types";

const SERVICE = "aws:ecs/service:Service";
const RULE = "aws:lb/listenerRule:ListenerRule";
const LISTENER = "aws:lb/listener:Listener";
const DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html";

const rec = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * What ECS needs before a blue/green, canary or linear release can move traffic, checked on the
 * synthesized service and the load balancer resources it names:
 * - a load balancer entry with `advancedConfiguration`: an alternate (green) target group other
 *   than the primary, ECS's infrastructure role, and a production listener RULE (for an ALB ECS
 *   moves rule weights, not a listener's default action);
 * - that rule only forwards: ECS refuses rules that mix forward with redirect, fixed-response or
 *   authentication actions (a listener whose default action does not forward is a warning);
 * - the rule forwards to both target groups, and Pulumi ignores its actions after creation (ECS
 *   leaves the weights where the last release ended; a `pulumi up` resetting them would send
 *   production traffic back to the old tasks' target group).
 */
export const ecsReleaseRule: ReadinessRule = {
    id: "ecs-release",
    title: "blue/green, canary and linear ECS services have the target groups, listener rules and role ECS moves traffic with",
    doc: DOC,
    check({ resources }) {
        const byArn = new Map(resources.filter((r) => typeof r.state.arn === "string").map((r) => [r.state.arn as string, r]));
        const findings: ReadinessFinding[] = [];
        for (const service of resources.filter((r) => r.type === SERVICE)) {
            const strategy = text(rec(service.inputs.deploymentConfiguration).strategy) || "ROLLING";
            if (strategy === "ROLLING") continue;
            const fail = (message: string) => findings.push(finding(ecsReleaseRule, service, "failure", `${strategy}: ${message}`));
            const entries = list(service.inputs.loadBalancers).map(rec);
            if (entries.length === 0) {
                fail("ECS shifts traffic between two target groups of a load balancer, and this service has none (a queue worker releases with ROLLING)");
                continue;
            }
            for (const entry of entries) {
                const advanced = rec(entry.advancedConfiguration);
                if (!advanced.alternateTargetGroupArn || !advanced.productionListenerRule || !advanced.roleArn) {
                    fail("loadBalancers[].advancedConfiguration needs alternateTargetGroupArn, productionListenerRule and roleArn (ECS's infrastructure role for load balancers)");
                    continue;
                }
                if (advanced.alternateTargetGroupArn === entry.targetGroupArn) fail("the alternate target group is the primary one; green tasks need a target group of their own");
                findings.push(...checkRule(service, strategy, "production", text(advanced.productionListenerRule), [entry.targetGroupArn, advanced.alternateTargetGroupArn], byArn));
                if (advanced.testListenerRule) findings.push(...checkRule(service, strategy, "test", text(advanced.testListenerRule), [entry.targetGroupArn, advanced.alternateTargetGroupArn], byArn));
            }
        }
        return findings;
    },
};

function checkRule(service: RecordedResource, strategy: string, which: string, ruleArn: string, targetGroups: unknown[], byArn: Map<string, RecordedResource>): ReadinessFinding[] {
    const fail = (resource: RecordedResource, message: string) => finding(ecsReleaseRule, resource, "failure", `${strategy} ${which} rule: ${message}`);
    const rule = byArn.get(ruleArn);
    if (!rule || rule.type !== RULE) {
        const what = rule?.type === LISTENER || /:listener\/app\//.test(ruleArn) ? "a listener" : "nothing this stack builds";
        return [fail(service, `${ruleArn} is ${what}; an Application Load Balancer needs a listener RULE here (aws.lb.ListenerRule), whose weights ECS moves`)];
    }
    const findings: ReadinessFinding[] = [];
    const actions = list(rule.inputs.actions).map(rec);
    if (actions.some((action) => action.type !== "forward")) findings.push(fail(rule, "every action must forward; ECS refuses rules that mix forward with redirect, fixed-response or authentication"));
    const forwarded = actions.flatMap((action) => [action.targetGroupArn, ...list(rec(action.forward).targetGroups).map((group) => rec(group).arn)]).filter(Boolean);
    for (const group of targetGroups) if (!forwarded.includes(group)) findings.push(fail(rule, `does not forward to target group ${String(group)}; it must name both blue and green (weights 100 and 0)`));
    if (!rule.ignoreChanges.includes("actions")) findings.push(fail(rule, "its actions are not in ignoreChanges: ECS leaves the weights where a release ended, and the next pulumi up would move production traffic back"));
    const listener = byArn.get(String(rule.inputs.listenerArn));
    if (listener && list(listener.inputs.defaultActions).some((action) => rec(action).type !== "forward")) {
        // AWS has listed listeners mixing forward with other action types as unsupported for blue/green; a
        // shared listener whose default answers 404 to unknown hosts is such a listener: worth checking on a first release.
        findings.push(
            finding(
                ecsReleaseRule,
                listener,
                "warning",
                `${strategy} ${which} rule: its listener's default action does not forward (a shared listener's 404 for unknown hosts); AWS has listed listeners that mix forward with other actions as unsupported for blue/green: watch the first release`,
            ),
        );
    }
    return findings;
}
