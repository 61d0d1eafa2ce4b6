import { expect } from "chai";
import { resolvePlatformConfig } from "../platform/config";
import type { RecordedResource } from "../platform/offline/mock-cloud";
import { captureWarnings, configProblems, only, synthPlatform } from "./helpers";

const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** dev's VPC CIDR, as the profile resolves it. */
const VPC_CIDR = resolvePlatformConfig({ project: "platform", stack: "dev", values: {}, region: "eu-west-1" }).network.cidr;

const problemsOf = (values: Record<string, unknown>) => {
    return configProblems(() => resolvePlatformConfig({ project: "platform", stack: "dev", values, region: "eu-west-1" }));
};

/** web calls a database network, the internal api app, the VPC's cache port and HTTPS anywhere; jobs reaches S3 through its gateway endpoint's prefix list (ECS only). */
const APPS = {
    web: {
        imageTag: "1.0.0",
        runtimes: ["ecs", "eks"],
        user: "65532",
        egress: [{ cidr: "10.20.0.0/16", port: 5432 }, { to: "api" }, { to: "vpc", port: 6379 }, { cidr: "0.0.0.0/0", port: 443 }],
        jobs: { nightly: { schedule: "rate(1 day)", command: ["x"] } },
    },
    api: { imageTag: "1.0.0", runtimes: ["ecs", "eks"], user: "65532", ingress: "internal", port: 9000 },
    exporter: {
        imageTag: "1.0.0",
        egress: [
            { prefixList: "pl-6ea54007", port: 443 },
            { cidr: "192.0.2.10/32", port: 514, protocol: "udp" },
        ],
    },
};

describe("per-app egress rules", function () {
    this.timeout(120_000);

    describe("configuration", () => {
        const app = (egress: unknown[], extra: Record<string, unknown> = {}) => ({ apps: { web: { egress, ...extra }, api: { ingress: "internal" }, front: {} } });
        const cases: { title: string; values: Record<string, unknown>; key: string; says: RegExp }[] = [
            { title: "a CIDR with host bits", values: app([{ cidr: "10.20.0.1/16", port: 5432 }]), key: "platform:apps.web.egress[0].cidr", says: /IPv4 CIDR such as 10.20.0.0\/16, with no host bits/ },
            { title: "not a CIDR", values: app([{ cidr: "10.20.0.0", port: 5432 }]), key: "platform:apps.web.egress[0].cidr", says: /IPv4 CIDR/ },
            { title: "a port out of range", values: app([{ cidr: "10.20.0.0/16", port: 70000 }]), key: "platform:apps.web.egress[0].port", says: /destination port.*1 to 65535/ },
            { title: "no port for a CIDR", values: app([{ cidr: "10.20.0.0/16" }]), key: "platform:apps.web.egress[0].port", says: /expected a destination port from 1 to 65535/ },
            { title: "two destinations", values: app([{ cidr: "10.20.0.0/16", to: "vpc", port: 1 }]), key: "platform:apps.web.egress[0]", says: /exactly one destination.*got cidr and to/ },
            { title: "no destination", values: app([{ port: 443 }]), key: "platform:apps.web.egress[0]", says: /exactly one destination.*got none/ },
            { title: "an unknown app", values: app([{ to: "apii" }]), key: "platform:apps.web.egress[0].to", says: /vpc or an app of this stack \(api, front, web\), got "apii"/ },
            { title: "a port with to: <app>", values: app([{ to: "api", port: 80 }]), key: "platform:apps.web.egress[0].port", says: /no port with to: api/ },
            { title: "a public app from ECS", values: app([{ to: "front" }]), key: "platform:apps.web.egress[0].to", says: /front has a public load balancer.*ingress: internal/ },
            {
                title: "a prefix list on EKS",
                values: app([{ prefixList: "pl-6ea54007", port: 443 }], { runtimes: ["eks"] }),
                key: "platform:apps.web.egress[0].prefixList",
                says: /NetworkPolicy cannot name a prefix list/,
            },
            { title: "an app on a runtime it does not run on", values: app([{ to: "api" }], { runtimes: ["ecs", "eks"] }), key: "platform:apps.web.egress[0].to", says: /api does not run on eks/ },
            {
                title: "egress on an app that runs on Lambda (outside the VPC)",
                values: { apps: { web: { runtimes: ["lambda"], egress: [{ cidr: "10.20.0.0/16", port: 5432 }] } } },
                key: "platform:apps.web.egress",
                says: /runs outside the VPC/,
            },
            { title: "a protocol other than tcp or udp", values: app([{ cidr: "10.20.0.0/16", port: 1, protocol: "icmp" }]), key: "platform:apps.web.egress[0].protocol", says: /one of tcp, udp/ },
        ];
        for (const { title, values, key, says } of cases) {
            it(`refuses ${title}, naming the key`, () => {
                const problems = problemsOf(values);
                expect(problems.map((p) => p.key)).to.deep.equal([key]);
                expect(problems[0].message).to.match(says);
            });
        }
    });

    describe("built", () => {
        let resources: RecordedResource[];
        before(async () => {
            const { result } = await captureWarnings(() => synthPlatform("dev", { apps: APPS, network: { loadBalancers: "perApp" } }));
            resources = result.cloud.resources;
        });
        const rulesOf = (groupSuffix: string) => {
            const group = only(resources, "aws:ec2/securityGroup:SecurityGroup", groupSuffix);
            return resources.filter((r) => r.type === EGRESS_RULE && r.inputs.securityGroupId === group.state.id);
        };
        const shape = (rule: RecordedResource) => {
            const { ipProtocol, fromPort, toPort, cidrIpv4, prefixListId, referencedSecurityGroupId } = rule.inputs;
            return Object.fromEntries(Object.entries({ ipProtocol, fromPort, toPort, cidrIpv4, prefixListId, referencedSecurityGroupId }).filter(([, value]) => value !== undefined));
        };

        it("ECS: the task security group allows exactly the listed destinations, the app's internal load balancer by its security group on its listener port", () => {
            const apiAlb = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-api-alb");
            expect(rulesOf("platform-dev-web-tasks").map(shape)).to.have.deep.members([
                { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.20.0.0/16" },
                { ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: apiAlb.state.id },
                { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: VPC_CIDR },
                { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
            ]);
        });

        it("ECS: a prefix list and UDP, and the scheduled jobs get the app's rules too", () => {
            expect(rulesOf("platform-dev-exporter-tasks").map(shape)).to.have.deep.members([
                { ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListId: "pl-6ea54007" },
                { ipProtocol: "udp", fromPort: 514, toPort: 514, cidrIpv4: "192.0.2.10/32" },
            ]);
            const apiAlb = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-api-alb");
            expect(rulesOf("platform-dev-web-jobs").map(shape)).to.deep.include.members([
                { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.20.0.0/16" },
                { ipProtocol: "tcp", fromPort: 80, toPort: 80, referencedSecurityGroupId: apiAlb.state.id },
            ]);
        });

        it("ECS: an app without egress keeps HTTPS anywhere, under its former resource name", () => {
            const rules = rulesOf("platform-dev-api-tasks");
            expect(rules.map(shape)).to.deep.equal([{ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }]);
            expect(rules[0].name).to.equal("platform-dev-api-tasks-https-out");
        });

        it("EKS: the namespace's egress policy keeps DNS and the Pod Identity agent, then exactly the listed destinations, the other app as its server pods on their port", () => {
            const policy = resources.find((r) => r.type === POLICY && r.name === "platform-dev-eks-web-allow-egress")!;
            const egress = (policy.inputs.spec as any).egress;
            expect(egress[0].ports).to.deep.equal([
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ]);
            expect(egress[1]).to.deep.equal({ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] });
            expect(egress.slice(2)).to.deep.equal([
                { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "api" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/component": "server" } } }],
                    ports: [{ protocol: "TCP", port: 9000 }],
                },
                { to: [{ ipBlock: { cidr: VPC_CIDR } }], ports: [{ protocol: "TCP", port: 6379 }] },
                { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
            ]);
        });

        it("EKS: an app without egress keeps HTTPS anywhere", () => {
            const policy = resources.find((r) => r.type === POLICY && r.name === "platform-dev-eks-api-allow-egress")!;
            expect((policy.inputs.spec as any).egress.slice(2)).to.deep.equal([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        });
    });
});
