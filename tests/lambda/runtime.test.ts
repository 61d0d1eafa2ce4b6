import { expect } from "chai";
import { ConfigError } from "../../platform/config";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { SynthError, synthesize } from "../../platform/offline/synth";
import { loadStackFiles } from "../../platform/offline/stack-files";
import { SERVICE_COMPATIBILITY } from "../../platform/offline/readiness/service-compatibility";
import { runReadiness } from "../../platform/offline/readiness";
import { policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../../platform/offline/policy-gate";
import { bundleRecords } from "../../platform/serverless/bundle";
import { run } from "../readiness/fixtures";
import { captureWarnings, FIXTURE_STACKS, only, parseJson, platformProgram, statementsOf, synthPlatform } from "../helpers";

const FUNCTION = "aws:lambda/function:Function";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TAG = "3f9a1c2";

/** The shipped dev fixture stack with `web`'s settings changed (an image tag, say). */
async function devWith(web: Record<string, unknown>) {
    const files = loadStackFiles(FIXTURE_STACKS, "dev");
    const apps = JSON.parse(files.config["platform:apps"]);
    apps.web = { ...apps.web, ...web };
    const config = { ...files.config, "platform:apps": JSON.stringify(apps) };
    return captureWarnings(() => synthesize({ project: files.project, stack: "dev", config, secretKeys: files.secretKeys, program: platformProgram }));
}

/** The statements of every inline policy a role's component created, by Sid. */
function statementsBySid(resources: RecordedResource[], policyNamePrefix: string): Record<string, any> {
    const policies = resources.filter((r) => r.type === ROLE_POLICY && r.name.startsWith(policyNamePrefix));
    return Object.fromEntries(policies.flatMap((policy) => statementsOf(policy)).map((statement) => [statement.Sid, statement]));
}

describe("lambda runtime: one app spec on Lambda, ECS and EKS", () => {
    let released: Awaited<ReturnType<typeof devWith>>;
    before(async () => {
        released = await devWith({ imageTag: TAG });
    });

    it("runs web's one image on all three runtimes in dev: the ECS task, the EKS pods and a container-image function", () => {
        const { resources } = released.result.cloud;
        const repositoryUrl = only(resources, "aws:ecr/repository:Repository", "-web").state.repositoryUrl;
        const image = `${String(repositoryUrl)}:${TAG}`;
        const fn = only(resources, FUNCTION, "-lambda-web");
        expect(fn.inputs.name).to.equal("platform-dev-web-lambda");
        expect(fn.inputs.packageType).to.equal("Image");
        expect(fn.inputs.imageUri).to.equal(image);
        expect(fn.inputs.architectures).to.deep.equal(["arm64"]);
        // The profile's function reservation (dev: 5), a cap the shared pool cannot take from it.
        expect(fn.inputs.reservedConcurrentExecutions).to.equal(5);
        const task = only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-web");
        expect(parseJson(task.inputs.containerDefinitions)[0].image).to.equal(image);
        const deployment = only(resources, "kubernetes:apps/v1:Deployment", "-web");
        expect((deployment.inputs as any).spec.template.spec.containers[0].image).to.equal(image);
    });

    it("gives the function the same environment as the other runtimes, plus the Web Adapter's port and readiness path", () => {
        const { resources } = released.result.cloud;
        const variables = (only(resources, FUNCTION, "-lambda-web").inputs as any).environment.variables;
        const container = parseJson(only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-web").inputs.containerDefinitions)[0];
        const ecsEnvironment = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
        // Lambda sets AWS_REGION itself (and refuses it in the configuration).
        const { AWS_REGION, ...shared } = ecsEnvironment;
        expect(AWS_REGION).to.equal("eu-west-1");
        expect(variables).to.deep.include(shared);
        expect(variables).to.not.have.property("AWS_REGION");
        expect(variables.TRANSLATIONS_TABLE).to.equal(ecsEnvironment.TRANSLATIONS_TABLE);
        expect(variables).to.deep.include({ AWS_LWA_PORT: "8080", AWS_LWA_READINESS_CHECK_PATH: "/readyz", AWS_LWA_READINESS_CHECK_HEALTHY_STATUS: "200-399" });
        expect(variables).to.not.have.property("AWS_LWA_PASS_THROUGH_PATH");
    });

    it("grants the function role exactly web's bindings (the same statements as the ECS task role), its own logs and its environment key", () => {
        const { resources } = released.result.cloud;
        const lambda = statementsBySid(resources, "platform-dev-lambda-web-");
        const ecs = Object.fromEntries(statementsOf(only(resources, ROLE_POLICY, "-web-task")).map((s: any) => [s.Sid, s]));
        const bindingSids = Object.keys(ecs).filter((sid) => !sid.startsWith("EcsExec"));
        expect(bindingSids).to.include("TableTRANSLATIONSTABLE");
        for (const sid of bindingSids) expect(lambda[sid], sid).to.deep.equal(ecs[sid]);
        expect(Object.keys(lambda).sort()).to.deep.equal([...bindingSids, "DecryptOwnEnvironment", "WriteOwnLogs"].sort());
        const logGroup = only(resources, "aws:cloudwatch/logGroup:LogGroup", "-lambda-web");
        expect(lambda.WriteOwnLogs.Resource).to.deep.equal([`${String(logGroup.state.arn)}:log-stream:*`]);
        expect(lambda.DecryptOwnEnvironment.Condition.StringEquals).to.deep.equal({ "kms:EncryptionContext:aws:lambda:FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:platform-dev-web-lambda" });
    });

    it("logs to its own KMS-encrypted group with the stack's retention, like the other runtimes", () => {
        const { resources } = released.result.cloud;
        const group = only(resources, "aws:cloudwatch/logGroup:LogGroup", "-lambda-web");
        const ecsGroup = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.inputs.name === "/platform-dev/ecs/web")!;
        expect(group.inputs.name).to.equal("/aws/lambda/platform-dev-web-lambda");
        expect(group.inputs.retentionInDays).to.equal(ecsGroup.inputs.retentionInDays);
        expect(group.inputs.kmsKeyId).to.equal(only(resources, "aws:kms/key:Key", "-logs").state.arn);
        expect((only(resources, FUNCTION, "-lambda-web").inputs as any).loggingConfig.logGroup).to.equal(group.state.name ?? group.inputs.name);
    });

    it("fronts it with an IAM-authorized HTTP API: one $default route, access logs encrypted, throttled, and only that API may invoke it", () => {
        const { resources } = released.result.cloud;
        const api = only(resources, "aws:apigatewayv2/api:Api", "-lambda-web");
        expect(api.inputs.protocolType).to.equal("HTTP");
        const route = only(resources, "aws:apigatewayv2/route:Route", "-lambda-web");
        expect(route.inputs).to.deep.include({ routeKey: "$default", authorizationType: "AWS_IAM" });
        const integration = only(resources, "aws:apigatewayv2/integration:Integration", "-lambda-web");
        expect(integration.inputs).to.deep.include({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0", timeoutMilliseconds: 30000 });
        const stage = only(resources, "aws:apigatewayv2/stage:Stage", "-lambda-web");
        const accessLogs = only(resources, "aws:cloudwatch/logGroup:LogGroup", "-lambda-web-access");
        expect((stage.inputs as any).accessLogSettings.destinationArn).to.equal(accessLogs.state.arn);
        expect(accessLogs.inputs.kmsKeyId).to.equal(only(resources, "aws:kms/key:Key", "-logs").state.arn);
        expect(stage.inputs.defaultRouteSettings).to.deep.include({ throttlingRateLimit: 50, throttlingBurstLimit: 100 });
        const permission = only(resources, "aws:lambda/permission:Permission", "-lambda-web");
        expect(permission.inputs.principal).to.equal("apigateway.amazonaws.com");
        expect(api.state.executionArn).to.match(/^arn:aws:execute-api:eu-west-1:123456789012:[a-z0-9]+$/);
        expect(permission.inputs.sourceArn).to.equal(`${String(api.state.executionArn)}/*/$default`);
    });

    it("alarms on errors, throttles and a p99 duration above 80% of the timeout", () => {
        const alarms = released.result.cloud.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) => alarm.name.startsWith("platform-dev-lambda-web-"));
        const byMetric = Object.fromEntries(alarms.map((alarm) => [`${String(alarm.inputs.namespace)}/${String(alarm.inputs.metricName)}`, alarm]));
        expect(Object.keys(byMetric).sort()).to.deep.equal(["AWS/ApiGateway/5xx", "AWS/Lambda/Duration", "AWS/Lambda/Errors", "AWS/Lambda/Throttles"]);
        expect(byMetric["AWS/Lambda/Duration"].inputs).to.deep.include({ extendedStatistic: "p99", threshold: 23200 });
    });

    it("graphs the function on the app's own dashboard beside its ECS graphs", async () => {
        const result = await synthPlatform("dev", { observability: { dashboards: "perApp" }, apps: { web: { imageTag: TAG, runtimes: ["ecs", "lambda"] } } });
        const dashboard = result.cloud.ofType("aws:cloudwatch/dashboard:Dashboard").find((d) => String(d.inputs.dashboardName).endsWith("-web"))!;
        const metrics = parseJson(dashboard.inputs.dashboardBody).widgets.flatMap((w: any) => w.properties?.metrics ?? []);
        expect(metrics.some((m: unknown[]) => m[0] === "AWS/Lambda" && m[1] === "Invocations" && m[3] === "platform-dev-web-lambda")).to.equal(true);
        expect(metrics.some((m: unknown[]) => m[0] === "AWS/ApplicationELB")).to.equal(true);
    });

    it("publishes the function's URL as web's lambda endpoint, beside its ECS and EKS ones", () => {
        const endpoints = released.result.outputs.appEndpoints as Record<string, Record<string, string>>;
        expect(Object.keys(endpoints.web).sort()).to.deep.equal(["ecs", "eks", "lambda"]);
        expect(endpoints.web.lambda).to.match(/^https:\/\/[a-z0-9]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        expect(endpoints.web.lambda).to.equal(only(released.result.cloud.resources, "aws:apigatewayv2/api:Api", "-lambda-web").state.apiEndpoint);
    });

    it("passes every deploy readiness rule and the policy pack's mandatory policies with web released", async () => {
        const { cloud } = released.result;
        const context = { project: "platform", stack: "dev", region: cloud.options.region, accountId: cloud.options.accountId, resources: cloud.resources, bundles: bundleRecords() };
        expect(runReadiness(context).filter((f) => f.severity === "failure")).to.deep.equal([]);
        const gate = await runPolicyGate(cloud.resources, stackPolicyConfig(policyConfigFiles(FIXTURE_STACKS, "dev", "dev"), "dev"));
        expect(gate.blocking.map((v) => `${v.policy}: ${v.name}`)).to.deep.equal([]);
    });

    it("passes the offline container-image checks: an image of this region's ECR, whose repository policy admits Lambda", () => {
        const findings = run(SERVICE_COMPATIBILITY, released.result.cloud.resources).filter((f) => f.message.startsWith("lambda-container-image:") || f.message.startsWith("lambda-quotas:"));
        expect(findings).to.deep.equal([]);
        expect(released.result.cloud.resources.some((r) => r.type === FUNCTION && r.inputs.packageType === "Image")).to.equal(true);
    });

    it("creates no function or endpoint before the first release, and says so", async () => {
        const { result, warnings } = await devWith({});
        const { resources } = result.cloud;
        expect(resources.filter((r) => r.name.startsWith("platform-dev-lambda-web"))).to.deep.equal([]);
        expect(resources.filter((r) => r.type === "aws:apigatewayv2/api:Api")).to.deep.equal([]);
        expect(
            warnings.some((warning) => /web: no apps\.web\.imageTag is set, so no Lambda function is created/.test(warning)),
            warnings.join("\n"),
        ).to.equal(true);
        // The other runtimes still run the placeholder.
        expect(resources.filter((r) => r.type === "aws:ecs/service:Service" && r.name.endsWith("-web"))).to.have.length(1);
        expect((result.outputs.appEndpoints as Record<string, object>).web).to.not.have.property("lambda");
    });

    it("in prod: the prod reservation (50), protected log groups with prod's retention, the same HTTP API", async () => {
        const result = await synthPlatform("prod", { apps: { web: { imageTag: TAG, runtimes: ["ecs", "lambda"] } } });
        const { resources } = result.cloud;
        const fn = only(resources, FUNCTION, "-lambda-web");
        expect(fn.inputs.reservedConcurrentExecutions).to.equal(50);
        const ecsGroup = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.inputs.name === "/platform-prod/ecs/web")!;
        for (const suffix of ["-lambda-web", "-lambda-web-access"]) {
            const group = only(resources, "aws:cloudwatch/logGroup:LogGroup", suffix);
            expect(group.protect, suffix).to.equal(true);
            expect(group.inputs.retentionInDays, suffix).to.equal(ecsGroup.inputs.retentionInDays);
        }
        expect(only(resources, "aws:apigatewayv2/route:Route", "-lambda-web").inputs.authorizationType).to.equal("AWS_IAM");
    });

    it("keeps every physical name within its limit for a 40-character app name in a long stack name", async () => {
        const app = "a".repeat(40);
        const result = await synthPlatform("prod-eu-central", { apps: { [app]: { imageTag: TAG, runtimes: ["lambda"] } } }, { "aws:region": "eu-central-1" });
        const fn = only(result.cloud.resources, FUNCTION);
        expect(String(fn.inputs.name).length).to.be.at.most(64);
        const role = result.cloud.ofType("aws:iam/role:Role").find((r) => r.name.endsWith(`-lambda-${app}`))!;
        expect(String(role.inputs.name).length).to.be.at.most(64);
        const context = { project: "platform", stack: "prod-eu-central", region: "eu-central-1", accountId: result.cloud.options.accountId, resources: result.cloud.resources, bundles: [] };
        expect(runReadiness(context).filter((f) => f.severity === "failure" && f.rule === "physical-names")).to.deep.equal([]);
    });

    it("puts a function URL with AWS_IAM auth in front instead when lambda.endpoint is functionUrl (and no HTTP API)", async () => {
        const result = await synthPlatform("dev", { apps: { web: { imageTag: TAG, runtimes: ["lambda"], lambda: { endpoint: "functionUrl", timeoutSeconds: 120 } } } });
        const url = only(result.cloud.resources, "aws:lambda/functionUrl:FunctionUrl");
        expect(url.inputs.authorizationType).to.equal("AWS_IAM");
        expect((result.outputs.appEndpoints as Record<string, Record<string, string>>).web.lambda).to.match(/^https:\/\/[a-z0-9]+\.lambda-url\.eu-west-1\.on\.aws\/$/);
        expect(only(result.cloud.resources, FUNCTION, "-lambda-web").inputs.timeout).to.equal(120);
        expect(result.cloud.ofType("aws:apigatewayv2/api:Api")).to.deep.equal([]);
    });

    it("authorizes with a JWT authorizer when lambda.auth is jwt", async () => {
        const jwt = { issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", audience: ["4example"] };
        const result = await synthPlatform("dev", { apps: { web: { imageTag: TAG, runtimes: ["lambda"], lambda: { auth: "jwt", jwt } } } });
        const authorizer = only(result.cloud.resources, "aws:apigatewayv2/authorizer:Authorizer");
        expect(authorizer.inputs).to.deep.include({ authorizerType: "JWT", jwtConfiguration: { issuer: jwt.issuer, audiences: jwt.audience } });
        expect(only(result.cloud.resources, "aws:apigatewayv2/route:Route").inputs).to.deep.include({ authorizationType: "JWT", authorizerId: authorizer.id });
    });

    it("grants exactly the app's secrets and passes their ARNs, never their values", async () => {
        const secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/db-AbCdEf";
        const parameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/web/api-key";
        const result = await synthPlatform("dev", { apps: { web: { imageTag: TAG, runtimes: ["lambda"], secrets: { DB_PASSWORD: `${secret}:password::`, API_KEY: parameter } } } });
        const statements = statementsBySid(result.cloud.resources, "platform-dev-lambda-web-");
        expect(statements.ReadOwnSecrets).to.deep.include({ Action: ["secretsmanager:GetSecretValue"], Resource: [secret] });
        expect(statements.ReadOwnParameters).to.deep.include({ Action: ["ssm:GetParameters"], Resource: [parameter] });
        const variables = (only(result.cloud.resources, FUNCTION).inputs as any).environment.variables;
        expect(JSON.parse(variables.PLATFORM_SECRETS)).to.deep.equal({ DB_PASSWORD: `${secret}:password::`, API_KEY: parameter });
        expect(variables).to.not.have.property("DB_PASSWORD");
    });
});

describe("lambda runtime: what Lambda cannot do fails config, naming the key", () => {
    const web = (settings: Record<string, unknown>) => ({ apps: { web: { imageTag: TAG, runtimes: ["lambda"], ...settings } } });
    const worker = (settings: Record<string, unknown>) => ({ queues: { work: {} }, apps: { worker: { imageTag: TAG, runtimes: ["lambda"], consumes: { queue: "queues.work" }, ...settings } } });
    const cases: { title: string; values: Record<string, unknown>; key: string; says: RegExp }[] = [
        { title: "memory below Lambda's 128 MB", values: web({ lambda: { memoryMb: 64 } }), key: "platform:apps.web.lambda.memoryMb", says: /128 to 10240/ },
        { title: "an app memory above 10240 MB without lambda.memoryMb", values: web({ cpu: 4096, memory: 16384 }), key: "platform:apps.web.memory", says: /lambda\.memoryMb/ },
        { title: "a timeout above 900 s", values: web({ lambda: { endpoint: "functionUrl", timeoutSeconds: 901 } }), key: "platform:apps.web.lambda.timeoutSeconds", says: /1 to 900/ },
        { title: "a timeout an HTTP API cannot wait for", values: web({ lambda: { timeoutSeconds: 31 } }), key: "platform:apps.web.lambda.timeoutSeconds", says: /at most 30/ },
        { title: "/tmp larger than 10240 MB", values: web({ lambda: { ephemeralStorageMb: 20480 } }), key: "platform:apps.web.lambda.ephemeralStorageMb", says: /512 to 10240/ },
        { title: "a writable path other than /tmp", values: web({ writablePaths: ["/tmp", "/var/cache/app"] }), key: "platform:apps.web.writablePaths", says: /only \/tmp/ },
        { title: "the runtime API's port", values: web({ port: 9001 }), key: "platform:apps.web.port", says: /runtime API/ },
        { title: "a variable Lambda reserves", values: web({ environment: { AWS_REGION: "eu-west-1" } }), key: "platform:apps.web.environment.AWS_REGION", says: /reserved on Lambda/ },
        { title: "jobs with no runtime to schedule them", values: web({ jobs: { nightly: { schedule: "cron(0 3 * * ? *)", command: ["x"] } } }), key: "platform:apps.web.jobs", says: /ecs or eks/ },
        { title: "an internal app (HTTP APIs and URLs are public)", values: web({ ingress: "internal" }), key: "platform:apps.web.ingress", says: /public endpoints/ },
        { title: "JWT auth without issuer and audience", values: web({ lambda: { auth: "jwt" } }), key: "platform:apps.web.lambda.jwt", says: /issuer, audience/ },
        { title: "JWT auth on a function URL", values: web({ lambda: { endpoint: "functionUrl", auth: "jwt" } }), key: "platform:apps.web.lambda.auth", says: /AWS_IAM only/ },
        { title: "lambda settings on an app not on Lambda", values: { apps: { web: { lambda: { memoryMb: 512 } } } }, key: "platform:apps.web.lambda.memoryMb", says: /add lambda to runtimes/ },
        { title: "a batch size on an HTTP app", values: web({ lambda: { batchSize: 5 } }), key: "platform:apps.web.lambda.batchSize", says: /queue worker/ },
        { title: "a worker batch above 10 without a window", values: worker({ replicas: { max: 4 }, lambda: { batchSize: 100 } }), key: "platform:apps.worker.lambda.batchWindowSeconds", says: /at least 1/ },
        { title: "a worker concurrency below the event source's 2", values: worker({ replicas: { min: 1, max: 1 } }), key: "platform:apps.worker.replicas.max", says: /maximum concurrency/ },
        {
            title: "a worker outliving its queue's processing timeout",
            values: worker({ replicas: { max: 4 }, lambda: { timeoutSeconds: 120 } }),
            key: "platform:apps.worker.lambda.timeoutSeconds",
            says: /processingTimeoutSeconds \(60\)/,
        },
        { title: "a worker on Lambda and ECS at once", values: worker({ runtimes: ["ecs", "lambda"], replicas: { max: 4 } }), key: "platform:apps.worker.runtimes", says: /split queues\.work's messages/ },
        { title: "an endpoint on a worker", values: worker({ replicas: { max: 4 }, lambda: { endpoint: "httpApi" } }), key: "platform:apps.worker.lambda.endpoint", says: /no endpoint/ },
    ];
    for (const testCase of cases) {
        it(`refuses ${testCase.title} (${testCase.key}), registering nothing`, async () => {
            let failure: unknown;
            try {
                await synthPlatform("dev", testCase.values);
            } catch (error) {
                failure = error;
            }
            expect(failure, "synth should fail").to.be.instanceOf(SynthError);
            const cause = (failure as SynthError).cause;
            expect(cause).to.be.instanceOf(ConfigError);
            const problem = (cause as ConfigError).problems.find((p) => p.key === testCase.key);
            expect(problem, (cause as ConfigError).message).to.not.equal(undefined);
            expect(problem!.message).to.match(testCase.says);
            expect((failure as SynthError).cloud.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
        });
    }
});
