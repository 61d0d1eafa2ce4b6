import { expect } from "chai";
import { resolvePlatformConfig } from "../../platform/config";
import { ECS_LOAD_BALANCER_POLICY_ARN, PRE_TRAFFIC_STAGE, trafficSteps } from "../../platform/ecs/release";
import { captureWarnings, configProblems, only, parseJson, statementsOf, synthPlatform } from "../helpers";
import { devStack, prodStack, Synthesized, WEB } from "./fixtures";

const SERVICE = "aws:ecs/service:Service";
const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const resolve = (stack: string, values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1" });
const problemsOf = (values: Record<string, unknown>, stack = "prod") => {
    return configProblems(() => resolve(stack, values));
};

async function synth(stack: string, values: Record<string, unknown>): Promise<Synthesized> {
    const { result, warnings } = await captureWarnings(() => synthPlatform(stack, values));
    const resources = result.cloud.resources;
    return { result, warnings, resources, one: (type, suffix = "") => only(resources, type, suffix), all: (type) => result.cloud.ofType(type) };
}

describe("ECS releases (apps.<name>.release)", function () {
    this.timeout(120_000);

    describe("prod web releases blue/green with bake time and alarm rollback", () => {
        let prod: Synthesized;
        before(async () => {
            prod = await prodStack();
        });

        it("uses ECS's BLUE_GREEN strategy with prod's 15-minute bake time, and the circuit breaker that fails a green set that never turns healthy", () => {
            const service = prod.one(SERVICE).inputs as any;
            expect(service.deploymentController).to.deep.equal({ type: "ECS" });
            expect(service.deploymentConfiguration).to.deep.equal({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" });
            expect(service.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        });

        it("rolls back on the app's own 5xx and latency alarms, which watch blue and green together", () => {
            const service = prod.one(SERVICE).inputs as any;
            const errors = prod.one(ALARM, "-web-5xx");
            const latency = prod.one(ALARM, "-web-latency");
            expect(service.alarms).to.deep.equal({ alarmNames: [errors.state.name, latency.state.name], enable: true, rollback: true });
            const blue = prod.one(TARGET_GROUP, "-web").state.arnSuffix;
            const green = prod.one(TARGET_GROUP, "-web-green").state.arnSuffix;
            for (const alarm of [errors, latency]) {
                const groups = (alarm.inputs.metricQueries as any[]).filter((query) => query.metric).map((query) => query.metric.dimensions.TargetGroup);
                expect(new Set(groups)).to.deep.equal(new Set([blue, green]));
            }
            expect(latency.inputs.threshold).to.equal(2);
        });

        it("gives ECS a green target group, a production listener RULE forwarding 100/0 that Pulumi leaves alone, and its infrastructure role", () => {
            const service = prod.one(SERVICE).inputs as any;
            const blue = prod.one(TARGET_GROUP, "-web");
            const green = prod.one(TARGET_GROUP, "-web-green");
            const rule = prod.one(RULE, "-web-production");
            const role = prod.one("aws:iam/role:Role", "-ecs-load-balancers");
            expect(service.loadBalancers).to.deep.equal([
                {
                    targetGroupArn: blue.state.arn,
                    containerName: "web",
                    containerPort: 8080,
                    advancedConfiguration: { alternateTargetGroupArn: green.state.arn, productionListenerRule: rule.state.arn, roleArn: role.state.arn },
                },
            ]);
            expect(rule.inputs.listenerArn).to.equal(prod.one("aws:lb/listener:Listener", "-web-https").state.arn);
            expect(rule.inputs.actions).to.deep.equal([
                {
                    type: "forward",
                    forward: {
                        targetGroups: [
                            { arn: blue.state.arn, weight: 100 },
                            { arn: green.state.arn, weight: 0 },
                        ],
                    },
                },
            ]);
            expect(rule.ignoreChanges).to.deep.equal(["actions"]);
            expect(parseJson(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                { Sid: "AllowAccessToECSForInfrastructureManagement", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            expect(prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-ecs-load-balancers").inputs).to.deep.equal({ role: role.state.name, policyArn: ECS_LOAD_BALANCER_POLICY_ARN });
        });

        it("scales on requests per task over both target groups, since production traffic may be on either", () => {
            const config = prod.one("aws:appautoscaling/policy:Policy", "-web-requests").inputs.targetTrackingScalingPolicyConfiguration as any;
            expect(config).to.not.have.property("predefinedMetricSpecification");
            expect(config.customizedMetricSpecification.metrics.map((m: any) => m.id)).to.deep.equal(["blue", "green", "tasks", "perTask"]);
            expect(config.targetValue).to.equal(500);
        });
    });

    it("dev rolls: ROLLING with the circuit breaker, one target group, the listener forwarding to it", async () => {
        const dev = await devStack();
        const service = dev.one(SERVICE).inputs as any;
        expect(service.deploymentConfiguration).to.deep.equal({ strategy: "ROLLING" });
        expect(service.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        expect(service.loadBalancers[0]).to.not.have.property("advancedConfiguration");
        expect(dev.all(TARGET_GROUP).map((group) => group.name)).to.deep.equal(["platform-dev-web"]);
        expect(dev.all(RULE)).to.deep.equal([]);
        expect(dev.all("aws:iam/role:Role").filter((role) => role.name.endsWith("-ecs-load-balancers"))).to.deep.equal([]);
    });

    it("a canary config yields its two steps: the canary share, then everything after the canary's bake time", async () => {
        const release = { strategy: "canary", canary: { percent: 12.5, bakeTimeMinutes: 7 }, bakeTimeMinutes: 3 };
        const stack = await synth("dev", { apps: { web: { ...WEB, release } } });
        expect((stack.one(SERVICE).inputs as any).deploymentConfiguration).to.deep.equal({ strategy: "CANARY", bakeTimeInMinutes: "3", canaryConfiguration: { canaryPercent: 12.5, canaryBakeTimeInMinutes: "7" } });
        expect(trafficSteps(resolve("dev", { apps: { web: { release } } }).apps.web.release)).to.deep.equal([12.5, 100]);
        // The defaults when only the strategy is named: ECS's 10% for 10 minutes.
        expect(resolve("dev", { apps: { web: { release: { strategy: "canary" } } } }).apps.web.release.canary).to.deep.equal({ percent: 10, bakeTimeMinutes: 10 });
    });

    it("a linear config yields equal steps every interval up to 100%", async () => {
        const release = { strategy: "linear", linear: { stepPercent: 30, intervalMinutes: 4 } };
        const stack = await synth("dev", { apps: { web: { ...WEB, release } } });
        expect((stack.one(SERVICE).inputs as any).deploymentConfiguration).to.deep.equal({ strategy: "LINEAR", bakeTimeInMinutes: "0", linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: "4" } });
        expect(trafficSteps(resolve("dev", { apps: { web: { release } } }).apps.web.release)).to.deep.equal([30, 60, 90, 100]);
    });

    it("probes the green tasks through the test listener before production traffic moves (pre-traffic hook)", async () => {
        const release = { testListenerPort: 8443, preTrafficHook: true };
        const prod = await synth("prod", { apps: { web: { ...WEB, release } }, ingress: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-4333-8444-555555555555" } });
        const service = prod.one(SERVICE).inputs as any;
        const fn = prod.one("aws:lambda/function:Function", "-release-probe");
        const invokeRole = prod.one("aws:iam/role:Role", "-release-hook");
        const alb = prod.one("aws:lb/loadBalancer:LoadBalancer", "-web");
        const [hook] = service.deploymentConfiguration.lifecycleHooks;
        expect(hook).to.deep.include({ targetType: "AWS_LAMBDA", hookTargetArn: fn.state.arn, roleArn: invokeRole.state.arn, lifecycleStages: [PRE_TRAFFIC_STAGE] });
        expect(JSON.parse(hook.hookDetails)).to.deep.equal({ url: `https://${String(alb.state.dnsName)}:8443/readyz` });
        expect(statementsOf(prod.one("aws:iam/rolePolicy:RolePolicy", "-release-hook"))).to.deep.equal([{ Sid: "InvokeTheReleaseProbe", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.state.arn }]);
        // The test listener and its rule, which ECS points at green first.
        const test = prod.one("aws:lb/listener:Listener", "-web-test");
        expect(test.inputs).to.deep.include({ port: 8443, protocol: "HTTPS" });
        expect(service.loadBalancers[0].advancedConfiguration.testListenerRule).to.equal(prod.one(RULE, "-web-test").state.arn);
        const albGroup = prod.one("aws:ec2/securityGroup:SecurityGroup", "-web-alb").state.id;
        const admitted = prod.all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === albGroup && r.inputs.fromPort === 8443);
        expect(admitted.map((r) => r.inputs.cidrIpv4)).to.deep.equal(["0.0.0.0/0"]);
        // The probe runs in the private subnets and may only reach the test port.
        const probeGroup = prod.one("aws:ec2/securityGroup:SecurityGroup", "-release-probe").state.id;
        const egress = prod.all("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.inputs.securityGroupId === probeGroup);
        expect(egress.map((r) => [r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([[8443, 8443]]);
        expect((fn.inputs.vpcConfig as any).securityGroupIds).to.deep.equal([probeGroup]);
    });

    describe("combinations AWS refuses fail the config, naming the key", () => {
        const WORK = { queues: { work: {} } };
        const cases: [string, Record<string, unknown>, string, RegExp][] = [
            [
                "blue/green on a queue worker (no load balancer)",
                { ...WORK, apps: { worker: { consumes: { queue: "queues.work" }, release: { strategy: "blueGreen" } } } },
                "platform:apps.worker.release.strategy",
                /expected rolling on a queue worker/,
            ],
            ["a bake time beyond ECS's 1440 minutes", { apps: { web: { release: { bakeTimeMinutes: 2000 } } } }, "platform:apps.web.release.bakeTimeMinutes", /0 to 1440/],
            ["a canary share off ECS's 0.1 grid", { apps: { web: { release: { strategy: "canary", canary: { percent: 0.05 } } } } }, "platform:apps.web.release.canary.percent", /0.1 to 100 in steps of 0.1/],
            ["a linear step below ECS's 3%", { apps: { web: { release: { strategy: "linear", linear: { stepPercent: 2 } } } } }, "platform:apps.web.release.linear.stepPercent", /3 to 100/],
            ["canary settings on a blue/green release", { apps: { web: { release: { strategy: "blueGreen", canary: { percent: 5 } } } } }, "platform:apps.web.release.canary", /only used with strategy canary/],
            ["a pre-traffic hook without a test listener", { apps: { web: { release: { preTrafficHook: true } } } }, "platform:apps.web.release.preTrafficHook", /set release.testListenerPort/],
            ["a test listener on a rolling release", { apps: { web: { release: { strategy: "rolling", testListenerPort: 8443 } } } }, "platform:apps.web.release.testListenerPort", /not rolling/],
            ["a test listener on the production port", { apps: { web: { release: { testListenerPort: 443 } } } }, "platform:apps.web.release.testListenerPort", /other than 80 and 443/],
        ];
        for (const [what, values, key, message] of cases) {
            it(what, () => {
                const problems = problemsOf(values);
                expect(problems.map((p) => p.key)).to.deep.equal([key]);
                expect(problems[0].message).to.match(message);
            });
        }

        it("a worker and an app off ECS roll by default, whatever the profile prefers", () => {
            const config = resolve("prod", { queues: { work: {} }, apps: { worker: { consumes: { queue: "queues.work" } }, web: { runtimes: ["eks"] } }, eks: { enabled: true } });
            expect(config.apps.worker.release.strategy).to.equal("rolling");
            expect(config.apps.web.release.strategy).to.equal("rolling");
        });
    });
});
