import { expect } from "chai";
import { SERVICE_COMPATIBILITY } from "../../platform/offline/readiness/service-compatibility";
import type { SynthResult } from "../../platform/offline/synth";
import { run } from "../readiness/fixtures";
import { only, statementsOf, synthPlatform } from "../helpers";

const IDEMPOTENCY_TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/worker-idempotency";

/** A queue worker on Lambda: the stack queue `work`, the worker consuming it, released. */
const WORKER = {
    imageTag: "1.0.0",
    runtimes: ["lambda"],
    consumes: { queue: "queues.work" },
    replicas: { min: 1, max: 4 },
    lambda: { batchSize: 20, batchWindowSeconds: 5 },
    tables: { IDEMPOTENCY_TABLE: { arn: IDEMPOTENCY_TABLE, actions: ["GetItem", "PutItem"] } },
};

describe("lambda runtime: a queue worker", () => {
    let result: SynthResult;
    before(async () => {
        result = await synthPlatform("dev", { queues: { work: {} }, apps: { worker: WORKER } });
    });
    const resources = () => result.cloud.resources;

    it("feeds the function from its queue: partial batch failures, the configured batch and window, at most replicas.max at once", () => {
        const mapping = only(resources(), "aws:lambda/eventSourceMapping:EventSourceMapping", "-lambda-worker");
        const fn = only(resources(), "aws:lambda/function:Function", "-lambda-worker");
        const queue = result.cloud.ofType("aws:sqs/queue:Queue").find((q) => q.state.arn === mapping.inputs.eventSourceArn)!;
        expect(queue.name).to.match(/-work$/);
        expect(mapping.inputs).to.deep.include({
            functionName: fn.state.arn,
            batchSize: 20,
            maximumBatchingWindowInSeconds: 5,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: 4 },
        });
        // Lambda checks the role may receive from the queue when the mapping is created.
        const policies = resources().filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("platform-dev-lambda-worker-queue-"));
        expect(policies).to.have.length(2);
        for (const policy of policies) expect(mapping.dependsOn).to.include(policy.urn);
    });

    it("grants the role exactly the consumer's SQS actions on that queue and the data key through SQS, beside its bindings", () => {
        const mapping = only(resources(), "aws:lambda/eventSourceMapping:EventSourceMapping", "-lambda-worker");
        const statements = resources()
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("platform-dev-lambda-worker-"))
            .flatMap((policy) => statementsOf(policy));
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        expect(Object.keys(bySid).sort()).to.deep.equal(["DecryptOwnEnvironment", "QueueQUEUEURL", "QueueQUEUEURLKey", "TableIDEMPOTENCYTABLE", "WriteOwnLogs"]);
        expect(bySid.QueueQUEUEURL).to.deep.include({ Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], Resource: [mapping.inputs.eventSourceArn] });
        expect(bySid.QueueQUEUEURLKey).to.deep.include({
            Action: ["kms:Decrypt"],
            Resource: [only(resources(), "aws:kms/key:Key", "-data").state.arn],
            Condition: { StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } },
        });
        expect(bySid.TableIDEMPOTENCYTABLE).to.deep.include({ Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [IDEMPOTENCY_TABLE] });
        expect(statements.flatMap((s) => s.Action).filter((action: string) => action.startsWith("sqs:"))).to.have.length(4);
    });

    it("tells the Web Adapter where events go, times out within the queue's processing timeout, reserves its maximum concurrency and has no endpoint", () => {
        const fn = only(resources(), "aws:lambda/function:Function", "-lambda-worker");
        const variables = (fn.inputs as any).environment.variables;
        expect(variables).to.deep.include({ AWS_LWA_PASS_THROUGH_PATH: "/events", AWS_LWA_ERROR_STATUS_CODES: "500-599" });
        expect(variables.QUEUE_URL).to.be.a("string");
        expect(fn.inputs.timeout).to.equal(60);
        expect(fn.inputs.reservedConcurrentExecutions).to.equal(4);
        expect(result.cloud.ofType("aws:apigatewayv2/api:Api")).to.deep.equal([]);
        expect(result.cloud.ofType("aws:lambda/functionUrl:FunctionUrl")).to.deep.equal([]);
        expect((result.outputs.appEndpoints as Record<string, Record<string, string>>).worker).to.deep.equal({ lambda: "worker" });
    });

    it("leaves the queue's visibility timeout at six times the function's timeout or more (Lambda refuses less than one)", () => {
        expect(run(SERVICE_COMPATIBILITY, resources()).filter((f) => f.message.startsWith("sqs-visibility-timeout:"))).to.deep.equal([]);
    });
});
