import { expect } from "chai";
import { ConfigError, layoutSubnets, PROFILE_DEFAULTS, resolvePlatformConfig } from "../platform/config";
import { parseIpv4Cidr } from "../platform/config/cidr";
import { SynthError } from "../platform/offline/synth";
import { synthPlatform } from "./helpers";

const resolve = (stack: string, values: Record<string, unknown>, region: unknown = "eu-west-1") => resolvePlatformConfig({ project: "platform", stack, values, region });

describe("stack configuration", () => {
    describe("profiles", () => {
        it("dev is cheap: 2 AZs, one NAT, spot, 14-day logs, nothing protected", () => {
            const config = resolve("dev", {});
            expect(config.profile).to.equal("dev");
            expect(config.network.azCount).to.equal(2);
            expect(config.network.natStrategy).to.equal("single");
            expect(config.compute.spot).to.equal(true);
            expect(config.logs.retentionDays).to.equal(14);
            expect(config.protection).to.deep.equal({ deletionProtection: false, protectStatefulResources: false });
        });

        it("prod is resilient: 3 AZs, NAT per AZ, on-demand, a year of logs, deletion protection and protect", () => {
            const config = resolve("prod", {});
            expect(config.network.azCount).to.equal(3);
            expect(config.network.natStrategy).to.equal("perAz");
            expect(config.compute.spot).to.equal(false);
            expect(config.logs.retentionDays).to.equal(365);
            expect(config.protection).to.deep.equal({ deletionProtection: true, protectStatefulResources: true });
        });

        it("takes the profile from the stack name's first part, and an explicit profile wins", () => {
            expect(resolve("prod-eu", {}).profile).to.equal("prod");
            expect(resolve("staging", {}).profile).to.equal("staging");
            expect(resolve("prod-eu", { profile: "dev" }).profile).to.equal("dev");
        });

        it("lets every profile default be overridden per stack", () => {
            const config = resolve("prod", {
                network: { azCount: 4, natStrategy: "single", cidr: "10.99.0.0/18", interfaceEndpoints: ["sts"], flowLogs: { retentionDays: 30, trafficType: "REJECT", aggregationIntervalSeconds: 600 } },
                logs: { retentionDays: 731 },
                protection: { deletionProtection: false, protectStatefulResources: false },
                compute: { spot: true },
                registry: { untaggedImageExpiryDays: 3, keepTaggedImages: 5, enhancedScanning: false, pullThroughCache: false, namespace: "team-a" },
            });
            expect(config.network).to.include({ azCount: 4, natStrategy: "single", cidr: "10.99.0.0/18" });
            expect(config.network.interfaceEndpoints).to.deep.equal(["sts"]);
            expect(config.network.flowLogs).to.deep.equal({ retentionDays: 30, trafficType: "REJECT", aggregationIntervalSeconds: 600 });
            expect(config.logs.retentionDays).to.equal(731);
            expect(config.protection).to.deep.equal({ deletionProtection: false, protectStatefulResources: false });
            expect(config.compute.spot).to.equal(true);
            expect(config.registry).to.include({ untaggedImageExpiryDays: 3, keepTaggedImages: 5, enhancedScanning: false, pullThroughCache: false, namespace: "team-a" });
        });

        it("flow logs keep the stack's log retention unless set on their own", () => {
            expect(resolve("dev", { logs: { retentionDays: 30 } }).network.flowLogs.retentionDays).to.equal(30);
            expect(resolve("prod", {}).network.flowLogs.retentionDays).to.equal(PROFILE_DEFAULTS.prod.logs.retentionDays);
        });
    });

    describe("subnet layout", () => {
        it("gives each AZ a fixed slot, so adding an AZ keeps every existing subnet's CIDR", () => {
            const two = layoutSubnets("10.30.0.0/16", { private: 19, public: 21 }, 2)!;
            const three = layoutSubnets("10.30.0.0/16", { private: 19, public: 21 }, 3)!;
            expect(three.private.slice(0, 2)).to.deep.equal(two.private);
            expect(three.public.slice(0, 2)).to.deep.equal(two.public);
            expect(three.private).to.deep.equal(["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]);
            expect(three.public).to.deep.equal(["10.30.128.0/21", "10.30.136.0/21", "10.30.144.0/21"]);
        });

        it("keeps subnets inside the VPC and apart from each other, for every AZ count", () => {
            for (const azCount of [2, 3, 4]) {
                const layout = layoutSubnets("10.0.0.0/20", { private: 23, public: 25 }, azCount)!;
                const blocks = [...layout.private, ...layout.public].map((cidr) => parseIpv4Cidr(cidr)!);
                const vpc = parseIpv4Cidr("10.0.0.0/20")!;
                for (const [i, a] of blocks.entries()) {
                    expect(a.base).to.be.at.least(vpc.base);
                    expect(a.base + 2 ** (32 - a.prefix)).to.be.at.most(vpc.base + 2 ** (32 - vpc.prefix));
                    for (const b of blocks.slice(i + 1)) {
                        const disjoint = a.base + 2 ** (32 - a.prefix) <= b.base || b.base + 2 ** (32 - b.prefix) <= a.base;
                        expect(disjoint, `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).to.equal(true);
                    }
                }
            }
        });

        it("derives subnet masks from the VPC size: /16 gives /19 private and /21 public", () => {
            expect(resolve("dev", { network: { cidr: "10.1.0.0/16" } }).network.subnetMasks).to.deep.equal({ private: 19, public: 21 });
            expect(resolve("dev", { network: { cidr: "10.1.0.0/20" } }).network.subnetMasks).to.deep.equal({ private: 23, public: 25 });
        });
    });

    describe("bad configuration fails before any resource is registered, naming the key", () => {
        // Each case: a stack, its values (or region), and the key path the error must name.
        const cases: { title: string; stack?: string; values: Record<string, unknown>; region?: string | null; key: string; says?: RegExp }[] = [
            { title: "a typo in a top-level key", values: { netwrok: { azCount: 2 } }, key: "platform:netwrok", says: /did you mean "network"/ },
            { title: "a typo in a nested key", values: { network: { natStratgy: "single" } }, key: "platform:network.natStratgy", says: /did you mean "natStrategy"/ },
            { title: "a malformed CIDR", values: { network: { cidr: "10.0.0/16" } }, key: "platform:network.cidr", says: /IPv4 CIDR/ },
            { title: "a CIDR with host bits set", values: { network: { cidr: "10.0.0.1/16" } }, key: "platform:network.cidr", says: /no host bits/ },
            { title: "a VPC larger than AWS allows", values: { network: { cidr: "10.0.0.0/8" } }, key: "platform:network.cidr", says: /\/16 to \/24/ },
            { title: "a CIDR too small for the subnets asked", values: { network: { cidr: "10.0.0.0/22", subnetMasks: { private: 24, public: 26 } } }, key: "platform:network.cidr", says: /too small/ },
            { title: "a subnet mask wider than the VPC", values: { network: { cidr: "10.0.0.0/20", subnetMasks: { private: 18 } } }, key: "platform:network.subnetMasks.private", says: /at least \/20/ },
            { title: "an AZ count above the range", values: { network: { azCount: 7 } }, key: "platform:network.azCount", says: /from 2 to 4/ },
            { title: "an AZ count below the range", values: { network: { azCount: 1 } }, key: "platform:network.azCount", says: /from 2 to 4/ },
            { title: "an AZ count that is not a number", values: { network: { azCount: "three" } }, key: "platform:network.azCount", says: /whole number/ },
            { title: "an unknown NAT strategy", values: { network: { natStrategy: "perZone" } }, key: "platform:network.natStrategy", says: /none, single, perAz/ },
            { title: "zone names that do not match the AZ count", values: { network: { azCount: 3, availabilityZoneNames: ["eu-west-1a", "eu-west-1b"] } }, key: "platform:network.availabilityZoneNames", says: /expected 3 zone names/ },
            { title: "zone names from another region", values: { network: { azCount: 2, availabilityZoneNames: ["us-east-1a", "us-east-1b"] } }, key: "platform:network.availabilityZoneNames", says: /region eu-west-1/ },
            { title: "an unknown interface endpoint", values: { network: { interfaceEndpoints: ["ecr"] } }, key: "platform:network.interfaceEndpoints[0]", says: /ecr\.api/ },
            { title: "a duplicated interface endpoint", values: { network: { interfaceEndpoints: ["sts", "sts"] } }, key: "platform:network.interfaceEndpoints", says: /at most once/ },
            { title: "a log retention CloudWatch does not accept", values: { logs: { retentionDays: 45 } }, key: "platform:logs.retentionDays", says: /1, 3, 5, 7, 14, 30/ },
            { title: "a flow log retention CloudWatch does not accept", values: { network: { flowLogs: { retentionDays: 0 } } }, key: "platform:network.flowLogs.retentionDays" },
            { title: "a flow log aggregation interval AWS does not offer", values: { network: { flowLogs: { aggregationIntervalSeconds: 300 } } }, key: "platform:network.flowLogs.aggregationIntervalSeconds", says: /60 or 600/ },
            { title: "a malformed region", values: {}, region: "eu-west", key: "aws:region", says: /such as eu-west-1/ },
            { title: "a missing region", values: {}, region: null, key: "aws:region", says: /required/ },
            { title: "a malformed account id", values: { accountId: "12345" }, key: "platform:accountId", says: /12-digit/ },
            { title: "an app name that is not a valid ECR repository name", values: { apps: { Web_App: {} } }, key: "platform:apps.Web_App", says: /valid ECR repository name/ },
            { title: "an app name with a slash", values: { apps: { "team/web": {} } }, key: "platform:apps.team/web", says: /valid ECR repository name/ },
            { title: "a malformed image tag", values: { apps: { web: { imageTag: "-latest" } } }, key: "platform:apps.web.imageTag", says: /image tag/ },
            { title: "an unknown profile", values: { profile: "production" }, key: "platform:profile", says: /dev, staging, prod/ },
            { title: "a stack name that names no profile, without a profile", stack: "sandbox", values: {}, key: "platform:profile", says: /does not name a profile/ },
            { title: "a malformed CI push role ARN", values: { registry: { ciPushRoleArn: "ci-role" } }, key: "platform:registry.ciPushRoleArn", says: /IAM role ARN/ },
            { title: "an invalid ECR namespace", values: { registry: { namespace: "Team A" } }, key: "platform:registry.namespace", says: /ECR repository namespace/ },
            { title: "an untagged-image expiry out of range", values: { registry: { untaggedImageExpiryDays: 0 } }, key: "platform:registry.untaggedImageExpiryDays", says: /from 1 to 365/ },
            { title: "a boolean given as a string", values: { protection: { deletionProtection: "yes" } }, key: "platform:protection.deletionProtection", says: /true or false/ },
            { title: "a reserved tag key", values: { tags: { "aws:owner": "me" } }, key: "platform:tags.aws:owner", says: /not starting with aws:/ },
            { title: "a section given as a scalar", values: { network: "big" }, key: "platform:network", says: /mapping/ },
        ];

        for (const testCase of cases) {
            it(`rejects ${testCase.title} (${testCase.key})`, async () => {
                const extra: Record<string, string> = testCase.region === null ? {} : { "aws:region": testCase.region ?? "eu-west-1" };
                let failure: unknown;
                try {
                    await synthPlatform(testCase.stack ?? "dev", testCase.values, extra);
                } catch (err) {
                    failure = err;
                }
                expect(failure, "synth should fail").to.be.instanceOf(SynthError);
                const synthError = failure as SynthError;
                expect(synthError.cause).to.be.instanceOf(ConfigError);
                const configError = synthError.cause as ConfigError;
                const problem = configError.problems.find((p) => p.key === testCase.key);
                expect(problem, `problems: ${configError.message}`).to.not.equal(undefined);
                expect(configError.message).to.contain(`${testCase.key}: `);
                if (testCase.says) expect(problem!.message).to.match(testCase.says);
                // Nothing but (at most) the stack root, which the runtime registers before the program runs.
                expect(synthError.cloud.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
            });
        }

        it("has at least 20 cases", () => expect(cases.length).to.be.at.least(20));

        it("reports every problem at once, not just the first", () => {
            let error: ConfigError | undefined;
            try {
                resolve("dev", { network: { azCount: 9, natStrategy: "many" }, logs: { retentionDays: 2 }, typo: true }, "nowhere");
            } catch (err) {
                error = err as ConfigError;
            }
            expect(error).to.be.instanceOf(ConfigError);
            expect(error!.problems.map((p) => p.key)).to.have.members([
                "aws:region",
                "platform:network.azCount",
                "platform:network.natStrategy",
                "platform:logs.retentionDays",
                "platform:typo",
            ]);
            expect(error!.message).to.match(/5 problems/);
        });
    });
});
