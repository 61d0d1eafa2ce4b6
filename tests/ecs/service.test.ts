import { expect } from "chai";
import { captureWarnings, synthPlatform } from "../helpers";
import { devStack, prodStack, Synthesized, WEB } from "./fixtures";

const SERVICE = "aws:ecs/service:Service";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

describe("ECS cluster and service", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    before(async () => {
        dev = await devStack();
        prod = await prodStack();
    });
    const vpcState = (s: Synthesized) => s.one("awsx:ec2:Vpc").state;

    describe("cluster", () => {
        it("turns Container Insights on: enabled in dev, enhanced in prod (ECS.12)", () => {
            expect(dev.one("aws:ecs/cluster:Cluster").inputs.settings).to.deep.equal([{ name: "containerInsights", value: "enabled" }]);
            expect(prod.one("aws:ecs/cluster:Cluster").inputs.settings).to.deep.equal([{ name: "containerInsights", value: "enhanced" }]);
        });

        it("offers FARGATE and FARGATE_SPOT; dev's default mix is mostly spot, prod's an on-demand baseline of 2 with no spot", () => {
            const devProviders = dev.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs;
            expect(devProviders.capacityProviders).to.deep.equal(["FARGATE", "FARGATE_SPOT"]);
            expect(devProviders.defaultCapacityProviderStrategies).to.deep.equal([
                { capacityProvider: "FARGATE", base: 0, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ]);
            expect(prod.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs.defaultCapacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE", base: 2, weight: 1 }]);
        });

        it("encrypts and records ECS Exec sessions in dev, and has no ECS Exec in prod", () => {
            const auditLog = dev.one("aws:cloudwatch/logGroup:LogGroup", "-exec");
            const logsKey = dev.one("aws:kms/key:Key", "-logs").state.arn;
            expect(auditLog.inputs).to.include({ name: "/platform-dev/ecs/exec", retentionInDays: 14, kmsKeyId: logsKey });
            expect(dev.one("aws:ecs/cluster:Cluster").inputs.configuration).to.deep.equal({
                executeCommandConfiguration: { kmsKeyId: logsKey, logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "/platform-dev/ecs/exec", cloudWatchEncryptionEnabled: true } },
            });
            expect(dev.one(SERVICE).inputs.enableExecuteCommand).to.equal(true);
            expect(prod.one("aws:ecs/cluster:Cluster").inputs).to.not.have.property("configuration");
            expect(prod.all("aws:cloudwatch/logGroup:LogGroup").map((group) => group.inputs.name)).to.not.include("/platform-prod/ecs/exec");
            expect(prod.one(SERVICE).inputs.enableExecuteCommand).to.equal(false);
        });
    });

    describe("service", () => {
        it("rolls back a failed deployment: dev's rolling one with the circuit breaker and the 5xx and latency alarms, 100% healthy minimum, 200% maximum", () => {
            const service = dev.one(SERVICE).inputs;
            expect(service.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            expect(service).to.include({ deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200 });
            expect(service.deploymentController).to.deep.equal({ type: "ECS" });
            expect(service.alarms).to.deep.equal({
                alarmNames: [dev.one("aws:cloudwatch/metricAlarm:MetricAlarm", "-web-5xx").state.name, dev.one("aws:cloudwatch/metricAlarm:MetricAlarm", "-web-latency").state.name],
                enable: true,
                rollback: true,
            });
            // prod's blue/green release rolls back on the same two alarms (tests/ecs/release.test.ts).
            expect((prod.one(SERVICE).inputs.alarms as any).alarmNames).to.have.length(2);
        });

        for (const [stack, count] of [
            ["dev", 1],
            ["prod", 2],
        ] as const) {
            it(`starts ${count} task(s) in ${stack} and leaves the count to autoscaling afterwards`, () => {
                const service = (stack === "dev" ? dev : prod).one(SERVICE);
                expect(service.inputs.desiredCount).to.equal(count);
                expect(service.ignoreChanges).to.deep.equal(["desiredCount"]);
            });

            it(`runs ${stack} tasks in the private subnets of every AZ, without a public IP, behind its own security group`, () => {
                const s = stack === "dev" ? dev : prod;
                const network = s.one(SERVICE).inputs.networkConfiguration as Record<string, unknown>;
                expect(network.assignPublicIp).to.equal(false);
                expect(network.subnets).to.deep.equal(vpcState(s).privateSubnetIds);
                expect((network.subnets as string[]).length).to.equal(stack === "dev" ? 2 : 3);
                expect(network.securityGroups).to.deep.equal([s.one("aws:ec2/securityGroup:SecurityGroup", "-web-tasks").state.id]);
            });
        }

        it("uses the latest platform, rebalances across AZs, propagates and manages tags, and does not block `pulumi up` on steady state", () => {
            for (const s of [dev, prod]) {
                expect(s.one(SERVICE).inputs).to.include({
                    name: "web",
                    platformVersion: "LATEST",
                    availabilityZoneRebalancing: "ENABLED",
                    propagateTags: "SERVICE",
                    enableEcsManagedTags: true,
                    waitForSteadyState: false,
                    healthCheckGracePeriodSeconds: 60,
                });
                expect(s.one(SERVICE).inputs).to.not.have.property("launchType");
            }
        });

        it("never places arm64 tasks on FARGATE_SPOT (Fargate Spot runs no ARM64 tasks): dev's arm64 service is on FARGATE alone, prod's too", () => {
            const devTask = dev.one("aws:ecs/taskDefinition:TaskDefinition", "-web").inputs as any;
            expect(devTask.runtimePlatform.cpuArchitecture).to.equal("ARM64");
            expect(dev.one(SERVICE).inputs.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE", base: 0, weight: 1 }]);
            expect(prod.one(SERVICE).inputs.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE", base: 2, weight: 1 }]);
        });

        it("says when an arm64 app cannot use the spot share the stack asks for (dev), and not where there is none (prod)", () => {
            expect(dev.warnings.join("\n")).to.contain("web: Fargate Spot runs no ARM64 tasks, so this arm64 app's service and jobs run on FARGATE only");
            expect(prod.warnings.join("\n")).to.not.contain("Fargate Spot");
        });

        it("places an x86_64 app's dev tasks mostly on FARGATE_SPOT, without the arm64 notice", async () => {
            const { result, warnings } = await captureWarnings(() => synthPlatform("dev", { apps: { web: { ...WEB, architecture: "x86_64" } } }));
            expect(warnings.join("\n")).to.not.contain("Fargate Spot");
            const service = result.cloud.ofType(SERVICE)[0];
            expect(service.inputs.capacityProviderStrategies).to.deep.equal([
                { capacityProvider: "FARGATE", base: 0, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ]);
        });

        it("registers the container port with the target group, after the listeners exist", () => {
            const service = prod.one(SERVICE);
            expect((service.inputs.loadBalancers as any[]).map(({ advancedConfiguration: _green, ...entry }) => entry)).to.deep.equal([
                { targetGroupArn: prod.one("aws:lb/targetGroup:TargetGroup", "-web").state.arn, containerName: "web", containerPort: 8080 },
            ]);
            for (const listener of prod.all("aws:lb/listener:Listener")) expect(service.dependsOn).to.include(listener.urn);
            expect(service.inputs.taskDefinition).to.equal(prod.one("aws:ecs/taskDefinition:TaskDefinition", "-web").state.arn);
        });
    });

    describe("runtimes", () => {
        it("deploys on ECS the apps whose runtimes include ecs, and the eks ones on EKS only", async () => {
            const { result, warnings } = await captureWarnings(() => synthPlatform("dev", { apps: { web: { runtimes: ["ecs", "eks"] }, worker: { runtimes: ["eks"] } } }));
            expect(result.cloud.ofType(SERVICE).map((service) => service.inputs.name)).to.deep.equal(["web"]);
            expect(result.cloud.ofType("aws:ecr/repository:Repository")).to.have.length(2);
            expect(warnings.filter((warning) => warning.includes("runtimes includes eks"))).to.deep.equal([]);
            expect(result.cloud.ofType("platform:eks:App").map((app) => app.name)).to.deep.equal(["platform-dev-eks-web", "platform-dev-eks-worker"]);
            expect(Object.keys(result.outputs.appUrls as object)).to.deep.equal(["web"]);
        });

        it("creates no cluster at all when no app runs on ECS", async () => {
            const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { worker: { runtimes: ["eks"] } } }));
            expect(result.cloud.ofType("platform:ecs:Runtime")).to.deep.equal([]);
            expect(result.cloud.ofType("aws:sns/topic:Topic")).to.have.length(1);
            expect(result.outputs.ecsClusterName).to.equal(undefined);
        });
    });

    describe("security groups", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`lets only the load balancer reach ${stack} tasks, and only on the container port`, () => {
                const s = stack === "dev" ? dev : prod;
                const taskSg = s.one("aws:ec2/securityGroup:SecurityGroup", "-web-tasks").state.id;
                const albSg = s.one("aws:ec2/securityGroup:SecurityGroup", "-web-alb").state.id;
                const taskIngress = s.all(INGRESS_RULE).filter((rule) => rule.inputs.securityGroupId === taskSg);
                expect(taskIngress.map((rule) => rule.inputs)).to.deep.equal([
                    { securityGroupId: taskSg, description: "From the web load balancer on the container port", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, referencedSecurityGroupId: albSg },
                ]);
                const albEgress = s.all(EGRESS_RULE).filter((rule) => rule.inputs.securityGroupId === albSg);
                expect(albEgress.map((rule) => [rule.inputs.referencedSecurityGroupId, rule.inputs.fromPort, rule.inputs.toPort])).to.deep.equal([[taskSg, 8080, 8080]]);
                // Nothing inbound at all for the jobs' tasks.
                const jobsSg = s.one("aws:ec2/securityGroup:SecurityGroup", "-web-jobs").state.id;
                expect(s.all(INGRESS_RULE).filter((rule) => rule.inputs.securityGroupId === jobsSg)).to.deep.equal([]);
            });
        }

        it("opens the prod load balancer on 443 and 80 (redirect) to the allowed CIDRs only, and dev's on 80", () => {
            const openPorts = (s: Synthesized) => {
                const albSg = s.one("aws:ec2/securityGroup:SecurityGroup", "-web-alb").state.id;
                return s
                    .all(INGRESS_RULE)
                    .filter((rule) => rule.inputs.securityGroupId === albSg)
                    .map((rule) => `${String(rule.inputs.fromPort)}-${String(rule.inputs.toPort)} ${String(rule.inputs.cidrIpv4)}`);
            };
            expect(openPorts(prod)).to.have.members(["443-443 0.0.0.0/0", "80-80 0.0.0.0/0"]);
            expect(openPorts(dev)).to.deep.equal(["80-80 0.0.0.0/0"]);
        });

        it("lets tasks out on HTTPS only", () => {
            const taskSg = prod.one("aws:ec2/securityGroup:SecurityGroup", "-web-tasks").state.id;
            const egress = prod.all(EGRESS_RULE).filter((rule) => rule.inputs.securityGroupId === taskSg);
            expect(egress.map((rule) => rule.inputs)).to.deep.equal([{ securityGroupId: taskSg, description: "HTTPS to AWS APIs and the internet", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }]);
            // Rules are separate resources, so a later inline list cannot silently replace them.
            for (const sg of prod.all("aws:ec2/securityGroup:SecurityGroup").filter((group) => group.name.includes("-web-"))) {
                expect(sg.inputs, sg.name).to.not.have.property("ingress");
                expect(sg.inputs, sg.name).to.not.have.property("egress");
            }
        });
    });
});
