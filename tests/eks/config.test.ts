import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EKS_DEFAULT_VERSION, EKS_VERSION_CALENDAR, EksInputSchema, eksVersionFloor } from "../../platform/config/eks";
import { ConfigError, kubernetesSchedule, resolvePlatformConfig } from "../../platform/config";
import { SynthError } from "../../platform/offline/synth";
import { REPO_ROOT, synthPlatform } from "../helpers";

const resolve = (stack: string, values: Record<string, unknown>, today?: string) => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1", today });
const problemsOn = (today: string, eks: Record<string, unknown>) => {
    try {
        resolve("prod", { eks: { enabled: true, ...eks } }, today);
        return [];
    } catch (err) {
        return (err as ConfigError).problems;
    }
};

describe("platform:eks configuration", () => {
    it("builds no cluster unless enabled or an app runs on eks", () => {
        expect(resolve("dev", {}).eks.enabled).to.equal(false);
        expect(resolve("dev", { apps: { web: { runtimes: ["eks"] } } }).eks.enabled).to.equal(true);
        expect(resolve("dev", { eks: { enabled: true } }).eks.enabled).to.equal(true);
    });

    it("follows the profile: dev one shared spot workload node, prod a dedicated system group and on-demand workload nodes, two or more; Karpenter, Bottlerocket", () => {
        const dev = resolve("dev", { eks: { enabled: true } }).eks;
        const prod = resolve("prod", { eks: { enabled: true } }).eks;
        expect(dev.nodeGroups.workload).to.include({ capacityType: "SPOT", minSize: 1 });
        expect([dev.systemNodes, prod.systemNodes, dev.compute, prod.compute]).to.deep.equal(["shared", "dedicated", "managed", "managed"]);
        expect(prod.nodeGroups.workload).to.include({ capacityType: "ON_DEMAND", minSize: 2 });
        expect(prod.nodeGroups.system.capacityType).to.equal("ON_DEMAND");
        expect(prod).to.include({ autoscaler: "karpenter", nodeOs: "bottlerocket", version: EKS_DEFAULT_VERSION });
        expect(prod.publicAccessCidrs).to.deep.equal([]);
        // Standard support unless asked: EKS's own default (extended) costs 6x once a version ages out.
        expect(prod.supportType).to.equal("STANDARD");
        expect(resolve("prod", { eks: { enabled: true, supportType: "EXTENDED" } }).eks.supportType).to.equal("EXTENDED");
        // compute.spot: false in dev turns spot off for the workload group too.
        expect(resolve("dev", { compute: { spot: false }, eks: { enabled: true } }).eks.nodeGroups.workload.capacityType).to.equal("ON_DEMAND");
    });

    describe("converts Scheduler expressions to CronJob schedules", () => {
        const cases: [string, string][] = [
            ["cron(0 3 * * ? *)", "0 3 * * *"],
            ["cron(15 10 ? * MON-FRI *)", "15 10 * * MON-FRI"],
            ["cron(0 8 ? * 2-6 *)", "0 8 * * 1-5"],
            ["cron(0 8 ? * 1,7 *)", "0 8 * * 0,6"],
            ["cron(0/15 * * * ? *)", "0/15 * * * *"],
            ["rate(5 minutes)", "*/5 * * * *"],
            ["rate(6 hours)", "0 */6 * * *"],
            ["rate(1 day)", "0 0 * * *"],
        ];
        for (const [scheduler, cron] of cases) it(`${scheduler} -> ${cron}`, () => expect(kubernetesSchedule(scheduler)).to.deep.equal({ schedule: cron }));

        it("refuses what a CronJob cannot express: L, #, a year, uneven rates", () => {
            for (const expression of ["cron(0 8 L * ? *)", "cron(0 8 ? * 6#3 *)", "cron(0 0 1 1 ? 2030)", "rate(7 minutes)", "rate(2 days)"]) {
                expect(kubernetesSchedule(expression), expression).to.have.property("problem");
            }
        });
    });

    type Case = { title: string; stack?: string; values: Record<string, unknown>; key: string; says?: RegExp };
    const cases: Case[] = [
        { title: "a Kubernetes version the EKS calendar table does not list", values: { eks: { enabled: true, version: "1.29" } }, key: "platform:eks.version", says: /EKS calendar/ },
        {
            title: "1.33, out of standard support since 2026-07-29",
            values: { eks: { enabled: true, version: "1.33" } },
            key: "platform:eks.version",
            says: /left EKS standard support on 2026-07-29; expected 1\.35 or later/,
        },
        { title: "1.34, out of standard support since 2026-12-02", values: { eks: { enabled: true, version: "1.34" } }, key: "platform:eks.version", says: /left EKS standard support on 2026-12-02/ },
        { title: "a version that is not a minor version string", values: { eks: { enabled: true, version: 1.33 } }, key: "platform:eks.version", says: /quoted/ },
        {
            title: "a public endpoint open to the whole internet",
            values: { eks: { enabled: true, endpoint: { publicAccessCidrs: ["0.0.0.0/0"] } } },
            key: "platform:eks.endpoint.publicAccessCidrs[0]",
            says: /never the whole internet/,
        },
        { title: "a deployer CIDR that is not a CIDR", values: { eks: { enabled: true, endpoint: { privateAccessCidrs: ["vpn"] } } }, key: "platform:eks.endpoint.privateAccessCidrs[0]", says: /IPv4 CIDR/ },
        {
            title: "a deployer CIDR that admits everything",
            stack: "prod",
            values: { eks: { enabled: true, endpoint: { privateAccessCidrs: ["0.0.0.0/0"] } } },
            key: "platform:eks.endpoint.privateAccessCidrs[0]",
            says: /named deployer network/,
        },
        {
            title: "a Fargate profile selecting an arm64 app's pods (EKS Fargate runs x86_64 only)",
            values: { apps: { web: { runtimes: ["eks"], user: "65532" } }, eks: { fargateProfiles: { web: { namespace: "web" } } } },
            key: "platform:eks.fargateProfiles.web",
            says: /an arm64 app.*Fargate on EKS runs x86_64 pods only/,
        },
        { title: "a public endpoint in prod", stack: "prod", values: { eks: { enabled: true, endpoint: { publicAccessCidrs: ["203.0.113.0/24"] } } }, key: "platform:eks.endpoint.publicAccessCidrs", says: /dev only/ },
        { title: "a public CIDR that is not a CIDR", values: { eks: { enabled: true, endpoint: { publicAccessCidrs: ["office"] } } }, key: "platform:eks.endpoint.publicAccessCidrs[0]", says: /IPv4 CIDR/ },
        { title: "an unknown EKS support type", values: { eks: { enabled: true, supportType: "LTS" } }, key: "platform:eks.supportType", says: /STANDARD, EXTENDED/ },
        { title: "an unknown autoscaler", values: { eks: { enabled: true, autoscaler: "keda" } }, key: "platform:eks.autoscaler", says: /karpenter, cluster-autoscaler/ },
        { title: "a misspelt key", values: { eks: { enabled: true, nodegroups: {} } }, key: "platform:eks.nodegroups", says: /did you mean "nodeGroups"/ },
        { title: "a spot system group", stack: "prod", values: { eks: { enabled: true, nodeGroups: { system: { capacityType: "SPOT" } } } }, key: "platform:eks.nodeGroups.system.capacityType", says: /ON_DEMAND/ },
        { title: "system group settings with shared system nodes", values: { eks: { enabled: true, nodeGroups: { system: { minSize: 2 } } } }, key: "platform:eks.nodeGroups.system", says: /eks.systemNodes: dedicated/ },
        {
            title: "shared system nodes on a workload group that may scale to zero",
            values: { eks: { enabled: true, nodeGroups: { workload: { minSize: 0 } } } },
            key: "platform:eks.nodeGroups.workload.minSize",
            says: /CoreDNS/,
        },
        { title: "node group bounds the wrong way round", values: { eks: { enabled: true, nodeGroups: { workload: { minSize: 5, maxSize: 2 } } } }, key: "platform:eks.nodeGroups.workload", says: /minSize \(5\)/ },
        { title: "a kube-proxy build for another Kubernetes version", values: { eks: { enabled: true, version: "1.32" } }, key: "platform:eks.addons.kubeProxy", says: /v1\.32/ },
        { title: "an add-on version that is not an EKS build", values: { eks: { enabled: true, addons: { coredns: "1.11" } } }, key: "platform:eks.addons.coredns", says: /eksbuild/ },
        { title: "external-dns without a hosted zone", values: { eks: { enabled: true, addons: { externalDns: { enabled: true } } } }, key: "platform:eks.addons.externalDns.hostedZoneId", says: /hosted zone id/ },
        {
            title: "external-dns given a domain instead of a zone id",
            values: { eks: { enabled: true, addons: { externalDns: { enabled: true, hostedZoneId: "example.com" } } } },
            key: "platform:eks.addons.externalDns.hostedZoneId",
            says: /Z0123456789ABCDEFGHIJ/,
        },
        {
            title: "an unknown VPA mode",
            values: { eks: { enabled: true, addons: { verticalPodAutoscaler: { enabled: true, mode: "Auto" } } } },
            key: "platform:eks.addons.verticalPodAutoscaler.mode",
            says: /recommend or auto/,
        },
        {
            title: "Auto Mode with a node autoscaler set",
            values: { eks: { enabled: true, compute: "autoMode", autoscaler: "karpenter" } },
            key: "platform:eks.autoscaler",
            says: /no node autoscaler with eks.compute: autoMode/,
        },
        { title: "Auto Mode with node groups", values: { eks: { enabled: true, compute: "autoMode", nodeGroups: { system: { minSize: 1 } } } }, key: "platform:eks.nodeGroups", says: /Auto Mode launches the nodes/ },
        { title: "Auto Mode with a CNI build", values: { eks: { enabled: true, compute: "autoMode", addons: { vpcCni: "v1.20.1-eksbuild.3" } } }, key: "platform:eks.addons.vpcCni", says: /pod networking/ },
        { title: "an unknown compute mode", values: { eks: { enabled: true, compute: "fargate" } }, key: "platform:eks.compute", says: /managed, autoMode/ },
        { title: "an admin that is not a role ARN", values: { eks: { enabled: true, adminRoleArns: ["admin"] } }, key: "platform:eks.adminRoleArns[0]", says: /IAM role ARN/ },
        { title: "an eks app whose user is a name", values: { apps: { web: { runtimes: ["eks"], user: "node" } } }, key: "platform:apps.web.user", says: /numeric uid/ },
        { title: "an eks app whose uid is 0 written with leading zeros", values: { apps: { web: { runtimes: ["eks"], user: "000:1000" } } }, key: "platform:apps.web.user", says: /non-zero uid/ },
        { title: "an eks app running as uid 0", values: { apps: { web: { runtimes: ["eks"], user: "0" } } }, key: "platform:apps.web.user", says: /non-root/ },
        {
            title: "a node group mixing architectures",
            values: { eks: { enabled: true, nodeGroups: { workload: { instanceTypes: ["m7g.large", "m7i.large"] } } } },
            key: "platform:eks.nodeGroups.workload.instanceTypes",
            says: /one architecture/,
        },
        { title: "eks disabled while an app runs on it", values: { apps: { web: { runtimes: ["eks"] } }, eks: { enabled: false } }, key: "platform:eks.enabled", says: /web list eks/ },
        {
            title: "an x86 app on Graviton-only nodes under the Cluster Autoscaler",
            values: { apps: { web: { runtimes: ["eks"], architecture: "x86_64" } }, eks: { autoscaler: "cluster-autoscaler" } },
            key: "platform:apps.web.architecture",
            says: /arm64/,
        },
        {
            title: "an eks job schedule a CronJob cannot express",
            values: { apps: { web: { runtimes: ["eks"], jobs: { j: { schedule: "cron(0 8 L * ? *)", command: ["x"] } } } } },
            key: "platform:apps.web.jobs.j.schedule",
            says: /CronJob/,
        },
    ];
    for (const testCase of cases) {
        it(`rejects ${testCase.title} (${testCase.key}) before creating anything`, async () => {
            let failure: unknown;
            try {
                await synthPlatform(testCase.stack ?? "dev", testCase.values);
            } catch (err) {
                failure = err;
            }
            expect(failure, "synth should fail").to.be.instanceOf(SynthError);
            const configError = (failure as SynthError).cause as ConfigError;
            expect(configError).to.be.instanceOf(ConfigError);
            const problem = configError.problems.find((p) => p.key === testCase.key);
            expect(problem, configError.message).to.not.equal(undefined);
            if (testCase.says) expect(problem!.message).to.match(testCase.says);
            expect((failure as SynthError).cloud.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
        });
    }

    describe("the EKS version calendar", () => {
        it("defaults to a version in standard support today, with a kube-proxy build for that version", () => {
            const today = new Date().toISOString().slice(0, 10);
            expect(EKS_VERSION_CALENDAR[EKS_DEFAULT_VERSION].standardSupportEnds > today, `${EKS_DEFAULT_VERSION} still in standard support on ${today}`).to.equal(true);
            const eks = resolve("prod", { eks: { enabled: true } }).eks;
            expect(eks.addons.kubeProxy.startsWith(`v${EKS_DEFAULT_VERSION}.`)).to.equal(true);
        });

        it("raises the floor as dates pass: 1.33 until 2026-07-28, then 1.34, then 1.35 from 2026-12-02", () => {
            expect(eksVersionFloor("2026-07-28", "STANDARD")).to.equal("1.33");
            expect(eksVersionFloor("2026-07-29", "STANDARD")).to.equal("1.34");
            expect(eksVersionFloor("2026-12-05", "STANDARD")).to.equal("1.35");
            expect(eksVersionFloor("2026-12-05", "EXTENDED")).to.equal("1.32");
        });

        it("accepts 1.35 until its standard support ends (2027-03-27), then only with supportType EXTENDED, until 2028-03-27", () => {
            expect(problemsOn("2027-03-26", { version: "1.35" })).to.deep.equal([]);
            expect(problemsOn("2027-03-27", { version: "1.35" }).map((p) => p.key)).to.deep.equal(["platform:eks.version"]);
            expect(problemsOn("2027-03-27", { version: "1.35", supportType: "EXTENDED" })).to.deep.equal([]);
            expect(problemsOn("2028-03-27", { version: "1.35", supportType: "EXTENDED" })[0].message).to.match(/left EKS extended support on 2028-03-27/);
        });
    });

    it("accepts a Fargate profile on an arm64 app's namespace whose labels none of the app's pods carry, and any profile for an x86_64 app", () => {
        const web = { runtimes: ["eks"], user: "65532" };
        expect(() => resolve("dev", { apps: { web }, eks: { fargateProfiles: { other: { namespace: "web", labels: { "platform/compute": "fargate" } } } } })).to.not.throw();
        expect(() => resolve("dev", { apps: { web: { ...web, architecture: "x86_64" } }, eks: { fargateProfiles: { web: { namespace: "web" } } } })).to.not.throw();
    });

    it("accepts an office CIDR on the dev endpoint", () => {
        expect(resolve("dev", { eks: { enabled: true, endpoint: { publicAccessCidrs: ["203.0.113.0/24"] } } }).eks.publicAccessCidrs).to.deep.equal(["203.0.113.0/24"]);
    });

    it("documents every platform:eks key in the configuration reference (docs/configuration.md) and the module README", () => {
        const root = readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
        const module = readFileSync(path.join(REPO_ROOT, "platform/eks/README.md"), "utf8");
        for (const key of Object.keys(EksInputSchema.shape)) {
            expect(root, `eks.${key}`).to.contain(`\`eks.${key}`);
            expect(module, key).to.contain(`\`${key}`);
        }
    });
});
