import { expect } from "chai";
import { ConfigError, resolvePlatformConfig } from "../platform/config";
import { SynthError } from "../platform/offline/synth";
import { captureWarnings, only, sharedSynth, statementsOf, synthPlatform } from "./helpers";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY = "aws:kms/key:Key";
const resolve = (values: Record<string, unknown>, stack = "dev") => resolvePlatformConfig({ project: "platform", stack, values, region: "eu-west-1" });
const bySid = (statements: any[]) => Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));

function configError(values: Record<string, unknown>): ConfigError {
    try {
        resolve(values);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    expect.fail("expected a ConfigError");
}

/** Every stack app a binding can reference, and a web app binding one of each kind. */
const STACK = {
    translate: { enabled: true },
    fanout: { enabled: true },
    uploads: {},
    ingest: {},
    batch: {},
    queues: { work: { processingTimeoutSeconds: 30 } },
};
const WEB = {
    imageTag: "1.0.0",
    runtimes: ["ecs", "eks"],
    tables: { TRANSLATIONS_TABLE: { ref: "translate.requests", actions: ["GetItem", "Query"] }, RESULTS_TABLE: { ref: "uploads.results", actions: ["PutItem"] } },
    buckets: { UPLOADS_BUCKET: { ref: "uploads.bucket", actions: ["PutObject", "ListBucket"] } },
    queues: { WORK_QUEUE_URL: { ref: "queues.work", actions: ["SendMessage"] } },
    topics: { ALERTS_TOPIC_ARN: { ref: "fanout.alerts", actions: ["Publish"] } },
    buses: { EVENTS_BUS: { ref: "fanout.bus", actions: ["PutEvents"] } },
    streams: { INGEST_STREAM: { ref: "ingest.stream", actions: ["PutRecords"] } },
};

describe("app bindings to the stack's own resources", () => {
    describe("configuration", () => {
        it("refuses an unknown reference, naming the key and listing the stack's resources of that kind", () => {
            const error = configError({ ...STACK, apps: { web: { tables: { TRANSLATIONS_TABLE: { ref: "translate.translations" } } } } });
            const problem = error.problems.find((p) => p.key === "platform:apps.web.tables.TRANSLATIONS_TABLE.ref");
            expect(problem, error.message).to.not.equal(undefined);
            expect(problem!.message).to.include('unknown DynamoDB table reference "translate.translations"');
            expect(problem!.message).to.include("translate.idempotency, translate.requests, uploads.results, ingest.events".split(", ").sort().join(", "));
        });

        it("refuses a reference to an app the stack does not enable, saying there is none", () => {
            const error = configError({ apps: { web: { streams: { S: { ref: "ingest.stream" } } } } });
            expect(error.problems.map((p) => p.key)).to.deep.equal(["platform:apps.web.streams.S.ref"]);
            expect(error.problems[0].message).to.match(/this stack's streams are none/);
        });

        it("says where a reference of another kind belongs", () => {
            const error = configError({ ...STACK, apps: { web: { tables: { T: { ref: "queues.work" } } } } });
            expect(error.problems[0].message).to.match(/it is a SQS queue: bind it under queues/);
        });

        const bad: { title: string; binding: Record<string, unknown>; key: string; says: RegExp }[] = [
            {
                title: "both ref and arn",
                binding: { tables: { T: { ref: "translate.requests", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" } } },
                key: "platform:apps.web.tables.T",
                says: /exactly one of ref .* or arn/,
            },
            { title: "neither ref nor arn", binding: { queues: { Q: { actions: ["SendMessage"] } } }, key: "platform:apps.web.queues.Q", says: /exactly one of ref/ },
            {
                title: "a kmsKeyArn with a reference",
                binding: { tables: { T: { ref: "translate.requests", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0b7f2a52-5c1e-4a59-9a6e-0d2c3f4e5a6b" } } },
                key: "platform:apps.web.tables.T.kmsKeyArn",
                says: /brings the key/,
            },
            { title: "an action of another service", binding: { buckets: { B: { ref: "uploads.bucket", actions: ["GetItem"] } } }, key: "platform:apps.web.buckets.B.actions[0]", says: /GetObject, PutObject/ },
            { title: "a wildcard action", binding: { queues: { Q: { ref: "queues.work", actions: ["*"] } } }, key: "platform:apps.web.queues.Q.actions[0]", says: /SendMessage/ },
            { title: "a malformed reference", binding: { topics: { T: { ref: "fanout/alerts" } } }, key: "platform:apps.web.topics.T.ref", says: /<owner>\.<resource>/ },
            { title: "a queue ARN that is a URL", binding: { queues: { Q: { arn: "https://sqs.eu-west-1.amazonaws.com/123456789012/q" } } }, key: "platform:apps.web.queues.Q.arn", says: /SQS queue ARN such as/ },
            { title: "a variable bound twice", binding: { environment: { OUT: "x" }, topics: { OUT: { ref: "fanout.alerts" } } }, key: "platform:apps.web.topics.OUT", says: /also set in environment/ },
        ];
        for (const { title, binding, key, says } of bad) {
            it(`refuses ${title} (${key})`, () => {
                const error = configError({ ...STACK, apps: { web: binding } });
                const problem = error.problems.find((p) => p.key === key);
                expect(problem, error.message).to.not.equal(undefined);
                expect(problem!.message).to.match(says);
            });
        }

        it("fails the deploy before any resource is registered", async () => {
            let error: unknown;
            try {
                await captureWarnings(() => synthPlatform("dev", { ...STACK, apps: { web: { tables: { T: { ref: "translate.nope" } } } } }));
            } catch (err) {
                error = err;
            }
            expect(error).to.be.instanceOf(SynthError);
            const synthError = error as SynthError;
            expect(synthError.cause).to.be.instanceOf(ConfigError);
            // Nothing but the stack root, which the runtime registers before the program runs.
            expect(synthError.cloud.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
        });

        it("defaults each kind to its least action", () => {
            const config = resolve({ ...STACK, apps: { web: { tables: { T: { ref: "translate.requests" } }, queues: { Q: { ref: "queues.work" } }, buckets: { B: { ref: "batch.bucket" } } } } });
            expect(config.apps.web.tables.T.actions).to.deep.equal(["GetItem"]);
            expect(config.apps.web.queues.Q.actions).to.deep.equal(["SendMessage"]);
            expect(config.apps.web.buckets.B.actions).to.deep.equal(["GetObject"]);
        });
    });

    for (const stack of ["dev", "prod"] as const) {
        describe(`grants, resolved in one deploy (${stack})`, function () {
            this.timeout(120_000);
            let resources: Awaited<ReturnType<typeof synthPlatform>>["cloud"]["resources"];
            let dataKeyArn: string;
            before(async () => {
                const { result } = await captureWarnings(() => synthPlatform(stack, { ...STACK, apps: { web: WEB } }));
                resources = result.cloud.resources;
                dataKeyArn = String(only(resources, KEY, "-data").state.arn);
            });
            const state = (type: string, suffix: string, attribute: string) => String(only(resources, type, suffix).state[attribute]);

            for (const [runtime, role] of [
                ["ecs", "-web-task"],
                ["eks", "-web-pods"],
            ] as const) {
                it(`grants ${runtime}'s role exactly each binding's actions on exactly its resource, and the data key through that service`, () => {
                    const policies = resources.filter((r) => r.type === ROLE_POLICY && r.name.includes(role));
                    const statements = bySid(policies.flatMap((policy) => statementsOf(policy)));
                    const table = state("aws:dynamodb/table:Table", "-translate-requests", "arn");
                    const results = state("aws:dynamodb/table:Table", "-uploads-results", "arn");
                    const bucket = state("aws:s3/bucket:Bucket", "-uploads", "arn");
                    const queue = state("aws:sqs/queue:Queue", "-queue-work", "arn");
                    const topic = only(resources, "aws:sns/topic:Topic", "-fanout-alerts").state.arn;
                    const bus = state("aws:cloudwatch/eventBus:EventBus", "-fanout-bus", "arn");
                    const stream = state("aws:kinesis/stream:Stream", "-ingest", "arn");
                    const via = (service: string) => ({ StringEquals: { "kms:ViaService": `${service}.eu-west-1.amazonaws.com` } });

                    expect(statements.TableTRANSLATIONSTABLE).to.deep.include({ Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [table, `${table}/index/*`] });
                    expect(statements.TableTRANSLATIONSTABLEKey).to.deep.include({ Action: ["kms:Decrypt"], Resource: [dataKeyArn], Condition: via("dynamodb") });
                    expect(statements.TableRESULTSTABLE).to.deep.include({ Action: ["dynamodb:PutItem"], Resource: [results] });
                    expect(statements.TableRESULTSTABLEKey).to.deep.include({ Action: ["kms:Decrypt", "kms:GenerateDataKey"], Condition: via("dynamodb") });
                    expect(statements.BucketUPLOADSBUCKETObjects).to.deep.include({ Action: ["s3:PutObject"], Resource: [`${bucket}/*`] });
                    expect(statements.BucketUPLOADSBUCKETList).to.deep.include({ Action: ["s3:ListBucket"], Resource: [bucket] });
                    expect(statements.BucketUPLOADSBUCKETKey).to.deep.include({ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Condition: via("s3") });
                    expect(statements.QueueWORKQUEUEURL).to.deep.include({ Action: ["sqs:SendMessage"], Resource: [queue] });
                    expect(statements.QueueWORKQUEUEURLKey).to.deep.include({ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Condition: via("sqs") });
                    expect(statements.TopicALERTSTOPICARN).to.deep.include({ Action: ["sns:Publish"], Resource: [topic] });
                    expect(statements.TopicALERTSTOPICARNKey).to.deep.include({ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Condition: via("sns") });
                    expect(statements.BusEVENTSBUS).to.deep.include({ Action: ["events:PutEvents"], Resource: [bus] });
                    // The bus uses EventBridge's AWS-owned key: no key grant.
                    expect(statements).to.not.have.property("BusEVENTSBUSKey");
                    expect(statements.StreamINGESTSTREAM).to.deep.include({ Action: ["kinesis:PutRecords"], Resource: [stream] });
                    expect(statements.StreamINGESTSTREAMKey).to.deep.include({ Action: ["kms:GenerateDataKey"], Condition: via("kinesis") });
                });
            }

            it("hands each variable the resource's name, URL or ARN on both runtimes", () => {
                const task = only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-web");
                const env = Object.fromEntries(JSON.parse(String(task.inputs.containerDefinitions))[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]));
                const expected = {
                    TRANSLATIONS_TABLE: state("aws:dynamodb/table:Table", "-translate-requests", "name"),
                    UPLOADS_BUCKET: state("aws:s3/bucket:Bucket", "-uploads", "bucket"),
                    WORK_QUEUE_URL: state("aws:sqs/queue:Queue", "-queue-work", "url"),
                    ALERTS_TOPIC_ARN: state("aws:sns/topic:Topic", "-fanout-alerts", "arn"),
                    EVENTS_BUS: state("aws:cloudwatch/eventBus:EventBus", "-fanout-bus", "name"),
                    INGEST_STREAM: state("aws:kinesis/stream:Stream", "-ingest", "name"),
                };
                expect(env).to.include(expected);
                const deployment = only(resources, "kubernetes:apps/v1:Deployment", "-web");
                const podEnv = Object.fromEntries((deployment.inputs as any).spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
                expect(podEnv).to.include(expected);
            });
        });
    }

    it("grants a literal ARN's key only when kmsKeyArn is given, and derives the queue URL from the ARN", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/0b7f2a52-5c1e-4a59-9a6e-0d2c3f4e5a6b";
        const { result } = await captureWarnings(() =>
            synthPlatform("dev", {
                apps: {
                    web: {
                        imageTag: "1.0.0",
                        queues: { IN: { arn: "arn:aws:sqs:eu-west-1:210987654321:orders", kmsKeyArn: key, actions: ["ReceiveMessage", "DeleteMessage"] } },
                        tables: { T: { arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/legacy" } },
                    },
                },
            }),
        );
        const statements = bySid(statementsOf(only(result.cloud.resources, ROLE_POLICY, "-web-task")));
        expect(statements.QueueIN).to.deep.include({ Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: ["arn:aws:sqs:eu-west-1:210987654321:orders"] });
        expect(statements.QueueINKey).to.deep.include({ Action: ["kms:Decrypt"], Resource: [key] });
        expect(statements.TableT).to.deep.include({ Action: ["dynamodb:GetItem"], Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/legacy"] });
        expect(statements).to.not.have.property("TableTKey");
        const task = only(result.cloud.resources, "aws:ecs/taskDefinition:TaskDefinition", "-web");
        const env = JSON.parse(String(task.inputs.containerDefinitions))[0].environment;
        expect(env).to.deep.include({ name: "IN", value: "https://sqs.eu-west-1.amazonaws.com/210987654321/orders" });
        expect(env).to.deep.include({ name: "T", value: "legacy" });
    });

    it("the shipped dev stack binds web to the translations table by reference, with no memory store", async function () {
        this.timeout(120_000);
        const result = await sharedSynth("dev");
        const task = only(result.cloud.resources, "aws:ecs/taskDefinition:TaskDefinition", "-web");
        const env = JSON.parse(String(task.inputs.containerDefinitions))[0].environment as { name: string; value: string }[];
        const table = only(result.cloud.resources, "aws:dynamodb/table:Table", "-translate-requests");
        expect(env).to.deep.include({ name: "TRANSLATIONS_TABLE", value: table.state.name });
        expect(env.map((e) => e.name)).to.not.include("STORE");
    });
});
