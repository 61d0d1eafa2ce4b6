import { expect } from "chai";
import { ConfigError, layoutSubnets, PROFILE_DEFAULTS, resolvePlatformConfig } from "../platform/config";
import { parseIpv4Cidr } from "../platform/config/cidr";
import { SynthError } from "../platform/offline/synth";
import { synthPlatform } from "./helpers";

const resolve = (stack: string, values: Record<string, unknown>, region: unknown = "eu-west-1") => resolvePlatformConfig({ project: "platform", stack, values, region });

describe("stack configuration", () => {
    describe("profiles", () => {
        it("dev is cheap: 2 AZs, one NAT instance, spot, 14-day logs, nothing protected", () => {
            const config = resolve("dev", {});
            expect(config.profile).to.equal("dev");
            expect(config.network.azCount).to.equal(2);
            expect(config.network.natStrategy).to.equal("instance");
            expect(config.network.natInstanceType).to.equal("t4g.nano");
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

        it("gives each stack its own ECR namespace, and the registry-wide settings to the account owner only", () => {
            expect(resolve("staging", {}).registry).to.include({ namespace: "platform-staging", enhancedScanning: false, pullThroughCache: false });
            expect(resolve("prod", {}).registry).to.include({ namespace: "platform-prod", enhancedScanning: false, pullThroughCache: false });
            expect(resolve("prod", { account: { owner: true } }).registry).to.include({ namespace: "platform-prod", enhancedScanning: true, pullThroughCache: true });
            expect(resolve("prod", {}).account).to.deep.equal({ owner: false });
        });

        it("accepts the longest names the schema allows: a 40-character app, a 24-character job and the stack prod-eu-central", () => {
            const app = "a".repeat(40);
            const config = resolve("prod-eu-central", { apps: { [app]: { jobs: { ["j".repeat(24)]: { schedule: "rate(1 day)", command: ["/app/main.js"] } } } } });
            expect(config.name).to.equal("platform-prod-eu-central");
            expect(Object.keys(config.apps[app].jobs)).to.deep.equal(["j".repeat(24)]);
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

    describe("app spec and ECS profiles", () => {
        it("gives an app the runtime-neutral defaults: port 8080, /healthz and /readyz, arm64, non-root, /tmp writable, ECS only", () => {
            const web = resolve("dev", { apps: { web: {} } }).apps.web;
            expect(web).to.deep.include({ port: 8080, architecture: "arm64", user: "1000", writablePaths: ["/tmp"], runtimes: ["ecs"], stopTimeoutSeconds: 30, imageTag: undefined });
            expect(web.healthCheck).to.deep.equal({ livenessPath: "/healthz", readinessPath: "/readyz", gracePeriodSeconds: 60 });
            expect(web).to.deep.include({ environment: {}, secrets: {}, tables: {}, jobs: {} });
        });

        it("sizes and scales apps per profile: dev 1-2 small tasks, staging 2-4, prod 2-10 of 512/1024", () => {
            expect(resolve("dev", { apps: { web: {} } }).apps.web).to.deep.include({ cpu: 256, memory: 512, replicas: { min: 1, max: 2 } });
            expect(resolve("staging", { apps: { web: {} } }).apps.web).to.deep.include({ cpu: 256, memory: 512, replicas: { min: 2, max: 4 } });
            expect(resolve("prod", { apps: { web: {} } }).apps.web).to.deep.include({ cpu: 512, memory: 1024, replicas: { min: 2, max: 10 } });
        });

        it("gives a CPU set without memory that CPU's smallest memory, and a job the app's size", () => {
            const web = resolve("prod", { apps: { web: { cpu: 2048, jobs: { nightly: { schedule: "rate(1 day)", command: ["x"] }, big: { schedule: "rate(1 day)", command: ["x"], cpu: 4096 } } } } }).apps.web;
            expect(web).to.deep.include({ cpu: 2048, memory: 4096 });
            expect(web.jobs.nightly).to.deep.include({ cpu: 2048, memory: 4096, timezone: "UTC" });
            expect(web.jobs.big).to.deep.include({ cpu: 4096, memory: 8192 });
        });

        it("mixes capacity per profile: dev mostly spot, staging half, prod on-demand only unless spot is allowed", () => {
            expect(resolve("dev", {}).ecs).to.deep.equal({ containerInsights: "enabled", capacity: { fargateBase: 0, fargateWeight: 1, fargateSpotWeight: 3 }, exec: { enabled: true } });
            expect(resolve("staging", {}).ecs.capacity).to.deep.equal({ fargateBase: 1, fargateWeight: 1, fargateSpotWeight: 1 });
            expect(resolve("prod", {}).ecs).to.deep.equal({ containerInsights: "enhanced", capacity: { fargateBase: 2, fargateWeight: 1, fargateSpotWeight: 0 }, exec: { enabled: false } });
            expect(resolve("prod", { compute: { spot: true } }).ecs.capacity.fargateSpotWeight).to.equal(1);
            expect(resolve("dev", { compute: { spot: false } }).ecs.capacity.fargateSpotWeight).to.equal(0);
            expect(resolve("dev", { compute: { spot: false }, ecs: { capacity: { fargateSpotWeight: 2 } } }).ecs.capacity.fargateSpotWeight).to.equal(2);
        });

        it("serves ingress on the internet with a TLS 1.3 policy, 60 s idle timeout and 30 s deregistration delay unless told otherwise", () => {
            expect(resolve("prod", {}).ingress).to.deep.equal({
                certificateArn: undefined,
                allowedCidrs: ["0.0.0.0/0"],
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                idleTimeoutSeconds: 60,
                deregistrationDelaySeconds: 30,
            });
            expect(resolve("prod", {}).alarms).to.deep.equal({ emails: [] });
        });

        it("turns environment values into strings, as ECS wants them", () => {
            expect(resolve("dev", { apps: { web: { environment: { SHUTDOWN_TIMEOUT_MS: 25000, FEATURE_X: true } } } }).apps.web.environment).to.deep.equal({ SHUTDOWN_TIMEOUT_MS: "25000", FEATURE_X: "true" });
        });

        it("accepts what Scheduler accepts: weekday names, L, #, ranges and steps", () => {
            for (const schedule of [
                "cron(0 3 * * ? *)",
                "cron(15 10 ? * MON-FRI *)",
                "cron(0 8 L * ? *)",
                "cron(0 8 ? * 6#3 *)",
                "cron(0/15 * * * ? *)",
                "cron(0 0 1 JAN,JUL ? 2030-2035)",
                "rate(1 day)",
                "rate(5 minutes)",
            ]) {
                expect(() => resolve("dev", { apps: { web: { jobs: { j: { schedule, command: ["x"] } } } } }), schedule).to.not.throw();
            }
        });

        it("reports a job's bad schedule and the app's other problems in one run", () => {
            let error: ConfigError | undefined;
            try {
                resolve("dev", { apps: { web: { cpu: 256, memory: 8192, jobs: { nightly: { schedule: "daily", command: ["x"] } } } } });
            } catch (err) {
                error = err as ConfigError;
            }
            expect(error!.problems.map((p) => p.key)).to.have.members(["platform:apps.web.jobs.nightly.schedule", "platform:apps.web.memory"]);
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
            { title: "an unknown NAT strategy", values: { network: { natStrategy: "perZone" } }, key: "platform:network.natStrategy", says: /none, instance, single, perAz/ },
            {
                title: "zone names that do not match the AZ count",
                values: { network: { azCount: 3, availabilityZoneNames: ["eu-west-1a", "eu-west-1b"] } },
                key: "platform:network.availabilityZoneNames",
                says: /expected 3 zone names/,
            },
            { title: "zone names from another region", values: { network: { azCount: 2, availabilityZoneNames: ["us-east-1a", "us-east-1b"] } }, key: "platform:network.availabilityZoneNames", says: /region eu-west-1/ },
            { title: "an unknown interface endpoint", values: { network: { interfaceEndpoints: ["ecr"] } }, key: "platform:network.interfaceEndpoints[0]", says: /ecr\.api/ },
            { title: "a duplicated interface endpoint", values: { network: { interfaceEndpoints: ["sts", "sts"] } }, key: "platform:network.interfaceEndpoints", says: /at most once/ },
            { title: "a log retention CloudWatch does not accept", values: { logs: { retentionDays: 45 } }, key: "platform:logs.retentionDays", says: /1, 3, 5, 7, 14, 30/ },
            { title: "a flow log retention CloudWatch does not accept", values: { network: { flowLogs: { retentionDays: 0 } } }, key: "platform:network.flowLogs.retentionDays" },
            {
                title: "a flow log aggregation interval AWS does not offer",
                values: { network: { flowLogs: { aggregationIntervalSeconds: 300 } } },
                key: "platform:network.flowLogs.aggregationIntervalSeconds",
                says: /60 or 600/,
            },
            { title: "a malformed region", values: {}, region: "eu-west", key: "aws:region", says: /such as eu-west-1/ },
            { title: "a missing region", values: {}, region: null, key: "aws:region", says: /required/ },
            { title: "a malformed account id", values: { accountId: "12345" }, key: "platform:accountId", says: /12-digit/ },
            { title: "a stack name whose <project>-<stack> prefix is over 40 characters", stack: "prod-eu-central-1-blue-green-canary-two", values: {}, key: "stack name", says: /at most 40 characters/ },
            { title: "a stack name with capitals (S3 and ECR names are lowercase)", stack: "prod-EU", values: {}, key: "stack name", says: /lowercase letters, digits and single hyphens/ },
            {
                title: "registry-wide enhanced scanning in a stack that does not own the account",
                stack: "staging",
                values: { registry: { enhancedScanning: true } },
                key: "platform:registry.enhancedScanning",
                says: /account\.owner: true/,
            },
            {
                title: "a pull-through cache rule in a stack that does not own the account",
                values: { registry: { pullThroughCache: true } },
                key: "platform:registry.pullThroughCache",
                says: /one per account and region/,
            },
            { title: "a non-boolean account owner flag", values: { account: { owner: "yes" } }, key: "platform:account.owner", says: /true or false/ },
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
            {
                title: "a CPU/memory pair Fargate does not offer",
                values: { apps: { web: { cpu: 256, memory: 4096 } } },
                key: "platform:apps.web.memory",
                says: /not a Fargate size for platform:apps\.web\.cpu = 256: .*one of 512, 1024, 2048/,
            },
            { title: "a CPU value Fargate does not offer", values: { apps: { web: { cpu: 300 } } }, key: "platform:apps.web.cpu", says: /256, 512, 1024/ },
            {
                title: "a job's CPU/memory pair Fargate does not offer",
                values: { apps: { web: { jobs: { nightly: { schedule: "rate(1 day)", command: ["x"], cpu: 1024, memory: 512 } } } } },
                key: "platform:apps.web.jobs.nightly.memory",
                says: /apps\.web\.jobs\.nightly\.cpu = 1024/,
            },
            { title: "more minimum replicas than maximum", values: { apps: { web: { replicas: { min: 4, max: 3 } } } }, key: "platform:apps.web.replicas", says: /min \(4\) to be at most max \(3\)/ },
            { title: "a maximum below the profile's minimum", stack: "prod", values: { apps: { web: { replicas: { max: 1 } } } }, key: "platform:apps.web.replicas", says: /min \(2\)/ },
            {
                title: "a password in environment",
                values: { apps: { web: { environment: { DB_PASSWORD: "hunter2" } } } },
                key: "platform:apps.web.environment.DB_PASSWORD",
                says: /credential: put it in this app's secrets/,
            },
            { title: "AWS credentials in environment (ECS.8)", values: { apps: { web: { environment: { AWS_SECRET_ACCESS_KEY: "x" } } } }, key: "platform:apps.web.environment.AWS_SECRET_ACCESS_KEY", says: /ECS\.8/ },
            {
                title: "an environment variable name that is not one",
                values: { apps: { web: { environment: { "LOG-LEVEL": "info" } } } },
                key: "platform:apps.web.environment.LOG-LEVEL",
                says: /environment variable name/,
            },
            {
                title: "a secret ARN without the Secrets Manager suffix",
                values: { apps: { web: { secrets: { DB_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db" } } } },
                key: "platform:apps.web.secrets.DB_PASSWORD",
                says: /full Secrets Manager secret ARN/,
            },
            { title: "a secret given as a plain value", values: { apps: { web: { secrets: { API_TOKEN: "s3cr3t" } } } }, key: "platform:apps.web.secrets.API_TOKEN", says: /SSM parameter ARN/ },
            {
                title: "a variable set both in environment and secrets",
                values: { apps: { web: { environment: { DB_HOST: "db" }, secrets: { DB_HOST: "arn:aws:ssm:eu-west-1:123456789012:parameter/db-host" } } } },
                key: "platform:apps.web.secrets.DB_HOST",
                says: /also set in environment/,
            },
            { title: "a malformed secrets KMS key ARN", values: { apps: { web: { secretsKmsKeyArn: "alias/secrets" } } }, key: "platform:apps.web.secretsKmsKeyArn", says: /KMS key ARN/ },
            { title: "a malformed table ARN", values: { apps: { web: { tables: { TRANSLATIONS_TABLE: { arn: "translations" } } } } }, key: "platform:apps.web.tables.TRANSLATIONS_TABLE.arn", says: /DynamoDB table ARN/ },
            {
                title: "a DynamoDB action that does not exist",
                values: { apps: { web: { tables: { T: { arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t", actions: ["ReadItem"] } } } } },
                key: "platform:apps.web.tables.T.actions[0]",
                says: /GetItem/,
            },
            {
                title: "a cron expression with an out-of-range minute",
                values: { apps: { web: { jobs: { nightly: { schedule: "cron(61 3 * * ? *)", command: ["x"] } } } } },
                key: "platform:apps.web.jobs.nightly.schedule",
                says: /cron minutes field \(0-59\), but 61 is out of range/,
            },
            {
                title: "a cron expression with both day fields set",
                values: { apps: { web: { jobs: { nightly: { schedule: "cron(0 3 * * * *)", command: ["x"] } } } } },
                key: "platform:apps.web.jobs.nightly.schedule",
                says: /\? in exactly one of day-of-month and day-of-week/,
            },
            {
                title: "a Unix cron expression (5 fields, no cron())",
                values: { apps: { web: { jobs: { nightly: { schedule: "0 3 * * *", command: ["x"] } } } } },
                key: "platform:apps.web.jobs.nightly.schedule",
                says: /cron\(minutes hours/,
            },
            {
                title: "a rate with the wrong grammatical number",
                values: { apps: { web: { jobs: { hourly: { schedule: "rate(1 hours)", command: ["x"] } } } } },
                key: "platform:apps.web.jobs.hourly.schedule",
                says: /rate\(1 hour\)/,
            },
            {
                title: "an unknown time zone",
                values: { apps: { web: { jobs: { nightly: { schedule: "rate(1 day)", command: ["x"], timezone: "Europe/Atlantis" } } } } },
                key: "platform:apps.web.jobs.nightly.timezone",
                says: /IANA time zone/,
            },
            { title: "a job without a command", values: { apps: { web: { jobs: { nightly: { schedule: "rate(1 day)" } } } } }, key: "platform:apps.web.jobs.nightly.command", says: /command/ },
            {
                title: "a job name that is not a DNS label",
                values: { apps: { web: { jobs: { Nightly_Purge: { schedule: "rate(1 day)", command: ["x"] } } } } },
                key: "platform:apps.web.jobs.Nightly_Purge",
                says: /job name/,
            },
            { title: "an unknown runtime", values: { apps: { web: { runtimes: ["fargate"] } } }, key: "platform:apps.web.runtimes[0]", says: /ecs, eks, lambda/ },
            { title: "a runtime listed twice", values: { apps: { web: { runtimes: ["ecs", "ecs"] } } }, key: "platform:apps.web.runtimes", says: /at most once/ },
            { title: "an unknown architecture", values: { apps: { web: { architecture: "arm" } } }, key: "platform:apps.web.architecture", says: /arm64, x86_64/ },
            { title: "a container running as root (ECS.1)", values: { apps: { web: { user: "0:0" } } }, key: "platform:apps.web.user", says: /non-root/ },
            { title: "a privileged container port", values: { apps: { web: { port: 80 } } }, key: "platform:apps.web.port", says: /1024-65535/ },
            { title: "a health path that is not a path", values: { apps: { web: { healthCheck: { readinessPath: "readyz" } } } }, key: "platform:apps.web.healthCheck.readinessPath", says: /HTTP path/ },
            { title: "a relative writable path", values: { apps: { web: { writablePaths: ["tmp"] } } }, key: "platform:apps.web.writablePaths[0]", says: /absolute directory/ },
            { title: "a stop timeout beyond Fargate's limit", values: { apps: { web: { stopTimeoutSeconds: 300 } } }, key: "platform:apps.web.stopTimeoutSeconds", says: /2-120/ },
            { title: "a typo in an app spec key", values: { apps: { web: { replica: { min: 2 } } } }, key: "platform:apps.web.replica", says: /did you mean "replicas"/ },
            { title: "an unknown Container Insights level", values: { ecs: { containerInsights: "on" } }, key: "platform:ecs.containerInsights", says: /enabled, enhanced/ },
            { title: "a capacity mix without any weight", values: { ecs: { capacity: { fargateWeight: 0, fargateSpotWeight: 0 } } }, key: "platform:ecs.capacity", says: /above 0/ },
            {
                title: "spot only for an arm64 app (Fargate Spot runs no ARM64 tasks)",
                values: { apps: { web: {} }, ecs: { capacity: { fargateWeight: 0, fargateSpotWeight: 3 } } },
                key: "platform:ecs.capacity.fargateWeight",
                says: /apps\.web is arm64 and Fargate Spot does not run ARM64 tasks/,
            },
            { title: "a malformed certificate ARN", values: { ingress: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:cert/abc" } }, key: "platform:ingress.certificateArn", says: /ACM certificate ARN/ },
            {
                title: "a certificate from another region",
                values: { ingress: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555" } },
                key: "platform:ingress.certificateArn",
                says: /certificate in eu-west-1/,
            },
            { title: "a TLS policy older than TLS 1.3 (ELB.17)", values: { ingress: { sslPolicy: "ELBSecurityPolicy-2016-08" } }, key: "platform:ingress.sslPolicy", says: /TLS 1\.3/ },
            { title: "an allowed CIDR with host bits", values: { ingress: { allowedCidrs: ["203.0.113.7/24"] } }, key: "platform:ingress.allowedCidrs[0]", says: /IPv4 CIDR/ },
            { title: "an alarm email that is not an address", values: { alarms: { emails: ["on-call"] } }, key: "platform:alarms.emails[0]", says: /email address/ },
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
            expect(error!.problems.map((p) => p.key)).to.have.members(["aws:region", "platform:network.azCount", "platform:network.natStrategy", "platform:logs.retentionDays", "platform:typo"]);
            expect(error!.message).to.match(/5 problems/);
        });
    });
});
