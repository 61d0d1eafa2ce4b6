import { expect } from "chai";
import { resolvePlatformConfig, sharedListenerPort } from "../platform/config";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { ecsReleaseRule } from "../platform/offline/readiness/ecs-release";
import { CONTROLLER_TAG, TARGET_GROUP_BINDING_API } from "../platform/eks/target-group-binding";
import { captureWarnings, configProblems, only, sharedSynth, synthPlatform } from "./helpers";
import { run } from "./readiness/fixtures";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const TG = "aws:lb/targetGroup:TargetGroup";
const TGB = `kubernetes:${TARGET_GROUP_BINDING_API}:TargetGroupBinding`;
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const WEB = { imageTag: "1.0.0", runtimes: ["ecs", "eks"] };
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const problemsOf = (stack: string, values: Record<string, unknown>) => {
    return configProblems(() => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1" }));
};

describe("a shared load balancer per stack (network.loadBalancers: shared)", function () {
    this.timeout(180_000);
    let resources: RecordedResource[];
    let outputs: Record<string, any>;
    before(async () => {
        const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { web: WEB } }));
        resources = result.cloud.resources;
        outputs = result.outputs;
    });

    it("builds one internet-facing load balancer for the ECS service and the EKS app, and no Ingress", () => {
        const balancers = ofType(resources, LB);
        expect(balancers.map((lb) => lb.name)).to.deep.equal(["platform-dev-public"]);
        expect(ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress")).to.deep.equal([]);
        // It keeps what an app's own load balancer has.
        expect(balancers[0].inputs).to.deep.include({ internal: false, dropInvalidHeaderFields: true, desyncMitigationMode: "defensive", enableDeletionProtection: false, idleTimeout: 60 });
        expect(balancers[0].inputs.accessLogs).to.deep.include({ prefix: "shared", enabled: true });
        expect(balancers[0].dependsOn).to.include(only(resources, "aws:s3/bucketPolicy:BucketPolicy", "-public-logs").urn);
    });

    it("routes each runtime's app on a listener port of its own, derived from its name, forwarding to its target group", () => {
        const ecsPort = sharedListenerPort("web", "ecs");
        const eksPort = sharedListenerPort("web", "eks");
        expect(ecsPort).to.not.equal(eksPort);
        const listeners = Object.fromEntries(ofType(resources, LISTENER).map((l) => [l.inputs.port, l.inputs]));
        expect(Object.keys(listeners).map(Number).sort()).to.deep.equal([ecsPort, eksPort].sort());
        expect(listeners[ecsPort].defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: only(resources, TG, "-web").state.arn }]);
        expect(listeners[eksPort].defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: only(resources, TG, "-web-shared").state.arn }]);
        const dns = String(only(resources, LB).state.dnsName);
        expect(outputs.appEndpoints.web).to.deep.equal({ ecs: `http://${dns}:${ecsPort}`, eks: `http://${dns}:${eksPort}` });
    });

    it("binds the EKS app's pods through a TargetGroupBinding in a target group the controller may register in", () => {
        const targetGroup = only(resources, TG, "-web-shared");
        expect(targetGroup.inputs).to.deep.include({ targetType: "ip", port: 8080, protocol: "HTTP" });
        // The controller's policy registers targets only in target groups with this tag (platform/eks/lbc-policy.ts).
        expect((targetGroup.inputs.tags as Record<string, string>)[CONTROLLER_TAG]).to.equal(outputs.eksClusterName);
        const binding = only(resources, TGB) as any;
        expect(binding.inputs.metadata).to.deep.include({ name: "web", namespace: "web" });
        expect(binding.inputs.spec).to.deep.equal({
            serviceRef: { name: "web", port: 80 },
            targetGroupARN: targetGroup.state.arn,
            targetType: "ip",
            networking: { ingress: [{ from: [{ securityGroup: { groupID: only(resources, "aws:ec2/securityGroup:SecurityGroup", "-public-alb").state.id } }], ports: [{ protocol: "TCP", port: 8080 }] }] },
        });
    });

    it("lets only the shared load balancer reach the ECS tasks, on the container port", () => {
        const tasks = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-web-tasks").state.id;
        const inbound = resources.filter((r) => r.type === INGRESS_RULE && r.inputs.securityGroupId === tasks);
        expect(inbound.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([[only(resources, "aws:ec2/securityGroup:SecurityGroup", "-public-alb").state.id, 8080, 8080]]);
    });

    it("keeps an app's port when another app joins (the port depends on the app's own name)", async () => {
        const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { web: WEB, api: { imageTag: "1.0.0" } } }));
        const ports = ofType(result.cloud.resources, LISTENER).map((l) => l.inputs.port);
        expect(ports).to.include.members([sharedListenerPort("web", "ecs"), sharedListenerPort("web", "eks"), sharedListenerPort("api", "ecs")]);
        expect(ofType(result.cloud.resources, LB)).to.have.length(1);
    });

    it("routes an app with a host by a host-header rule on the shared listener, which answers 404 to other hosts", async () => {
        const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { web: { imageTag: "1.0.0", host: "web.example.com" } } }));
        const all = result.cloud.resources;
        const listener = only(all, LISTENER);
        expect(listener.inputs).to.deep.include({ port: 80, protocol: "HTTP" });
        expect((listener.inputs.defaultActions as any[])[0]).to.deep.include({ type: "fixed-response" });
        const rule = only(all, "aws:lb/listenerRule:ListenerRule", "-host");
        expect(rule.inputs).to.deep.include({ listenerArn: listener.state.arn, conditions: [{ hostHeader: { values: ["web.example.com"] } }] });
        expect(rule.inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: only(all, TG, "-web").state.arn }]);
        expect((result.outputs as any).appEndpoints.web).to.deep.equal({ ecs: "http://web.example.com" });
    });

    it("releases blue/green on the shared load balancer: the app's listener carries the production rule ECS moves", async () => {
        const { result } = await captureWarnings(() => synthPlatform("staging", { apps: { web: { imageTag: "1.0.0" } } }));
        const all = result.cloud.resources;
        const service = only(all, "aws:ecs/service:Service") as any;
        expect(service.inputs.deploymentConfiguration.strategy).to.equal("BLUE_GREEN");
        const rule = only(all, "aws:lb/listenerRule:ListenerRule", "-web-production");
        expect(rule.inputs.listenerArn).to.equal(only(all, LISTENER, `-web-${sharedListenerPort("web", "ecs")}-http`).state.arn);
        expect(service.inputs.loadBalancers[0].advancedConfiguration.productionListenerRule).to.equal(rule.state.arn);
        expect(run(ecsReleaseRule, all)).to.deep.equal([]);
    });

    it("releases blue/green through a host rule: the host rule itself is the production rule, forwarding 100/0", async () => {
        const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { web: { imageTag: "1.0.0", host: "web.example.com", release: { strategy: "blueGreen" } } } }));
        const all = result.cloud.resources;
        const rule = only(all, "aws:lb/listenerRule:ListenerRule", "-host");
        expect((only(all, "aws:ecs/service:Service") as any).inputs.loadBalancers[0].advancedConfiguration.productionListenerRule).to.equal(rule.state.arn);
        expect((rule.inputs.actions as any[])[0].forward.targetGroups.map((g: any) => g.weight)).to.deep.equal([100, 0]);
        expect(rule.ignoreChanges).to.deep.equal(["actions"]);
        expect(run(ecsReleaseRule, all).map((f) => f.severity)).to.deep.equal(["warning"]);
    });

    it("the shipped dev stack has one load balancer for all its apps", async () => {
        const dev = await sharedSynth("dev");
        expect(dev.cloud.ofType(LB).map((lb) => lb.name)).to.deep.equal(["platform-dev-public"]);
        expect(dev.cloud.ofType("kubernetes:networking.k8s.io/v1:Ingress")).to.deep.equal([]);
    });

    describe("config", () => {
        it("defaults to shared in dev and staging, perApp in prod", () => {
            for (const [stack, mode] of [
                ["dev", "shared"],
                ["staging", "shared"],
                ["prod", "perApp"],
            ]) {
                expect(resolvePlatformConfig({ project: "platform", stack, values: { apps: { web: {} } }, region: "eu-west-1" }).network.loadBalancers, stack).to.equal(mode);
            }
        });

        it("refuses a host or listener port where apps have their own load balancers, naming the key", () => {
            expect(problemsOf("prod", { apps: { web: { host: "web.example.com" } } }).map((p) => p.key)).to.deep.equal(["platform:apps.web.host"]);
            expect(problemsOf("prod", { apps: { web: { listenerPort: 12000 } } }).map((p) => p.key)).to.deep.equal(["platform:apps.web.listenerPort"]);
        });

        it("refuses a host on an app that runs on both ECS and EKS behind it: both copies would claim the host rule's priority", () => {
            const problems = problemsOf("dev", { apps: { web: { host: "web.example.com", runtimes: ["ecs", "eks"] } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:apps.web.host"]);
            expect(problems[0].message).to.match(/runs on ecs and eks behind the shared load balancer; drop host/);
            expect(resolvePlatformConfig({ project: "platform", stack: "dev", values: { apps: { web: { host: "web.example.com", runtimes: ["ecs"] } } }, region: "eu-west-1" }).apps.web.host).to.equal("web.example.com");
        });

        it("refuses two apps on one port, and a port taken by the shared listeners", () => {
            const problems = problemsOf("dev", { apps: { web: { listenerPort: 12000 }, api: { listenerPort: 12000 } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:apps.api.listenerPort"]);
            expect(problems[0].message).to.match(/port 12000 is already apps.web's ecs listener port/);
            expect(problemsOf("dev", { apps: { web: { release: { strategy: "blueGreen", testListenerPort: sharedListenerPort("web", "ecs") } } } }).map((p) => p.key)).to.deep.equal([
                "platform:apps.web.release.testListenerPort",
            ]);
        });
    });
});
