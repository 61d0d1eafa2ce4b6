import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Api, ApiAuthorization, ApiGatewayLoggingRole, LambdaFunction } from "../../platform/serverless";
import { ACCOUNT, LOGS_KEY, Recorded, REGION, synthConstructs, testContext } from "./fixtures";

const ENTRY = "apps/fanout/src/auditor.ts";
const POOL_A = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_AbCdEf123`;
const POOL_B = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_ZyXwVu987`;

interface Variant {
    authorization?: ApiAuthorization;
    /** The PutEvents template, built from an Output as fanout's is. */
    templateSuffix?: string;
}

/** One API with a service route whose template is an Output, and a route inheriting the API's authorization. */
function apiProgram(variant: Variant = {}) {
    return () => {
        const ctx = testContext();
        const loggingRole = new ApiGatewayLoggingRole("s-logging");
        const template = pulumi.output("bus-name").apply((bus) => `{"EventBusName":"${bus}${variant.templateSuffix ?? ""}"}`);
        new Api("s-api", {
            ctx,
            description: "stage",
            authorization: variant.authorization ?? { type: "AWS_IAM" },
            throttle: { rateLimit: 5, burstLimit: 10 },
            loggingRole,
            routes: [{ method: "POST", path: "/events", integration: { kind: "aws", service: "events", action: "PutEvents", requestTemplate: template } }],
        });
    };
}

async function triggersOf(variant: Variant): Promise<unknown> {
    const synth = await synthConstructs(apiProgram(variant), "fingerprint");
    return new Recorded(synth.cloud.resources).one("aws:apigateway/deployment:Deployment").inputs.triggers;
}

describe("serverless Api: stage, logging and deployment", () => {
    let r: Recorded;
    before(async () => {
        const synth = await synthConstructs(apiProgram(), "stage");
        r = new Recorded(synth.cloud.resources);
    });

    it("creates the stage and its method settings only after the account's logging role setting and the execution log group exist", () => {
        const account = r.one("aws:apigateway/account:Account");
        const executionGroup = r.named("aws:cloudwatch/logGroup:LogGroup", "s-api-execution");
        for (const resource of [r.one("aws:apigateway/stage:Stage"), r.one("aws:apigateway/methodSettings:MethodSettings")]) {
            // dependsOn the logging component expands to its children, the Account setting among them.
            expect(resource.dependsOn, resource.type).to.include(account.urn);
            expect(resource.dependsOn, resource.type).to.include(executionGroup.urn);
        }
    });

    it("pre-creates the execution log group API Gateway writes to, with retention and the logs key", () => {
        const group = r.named("aws:cloudwatch/logGroup:LogGroup", "s-api-execution").inputs;
        const restApiId = r.one("aws:apigateway/restApi:RestApi").id;
        expect(group).to.include({ name: `API-Gateway-Execution-Logs_${restApiId}/v1`, retentionInDays: 14, kmsKeyId: LOGS_KEY });
    });

    it("keeps the account-wide logging role and setting when a stack is destroyed (other stacks log through them)", () => {
        expect(r.one("aws:apigateway/account:Account").retainOnDelete).to.equal(true);
        expect(r.named("aws:iam/role:Role", "s-logging").retainOnDelete).to.equal(true);
    });

    it("maps the service's 403 (our integration role refused) to 502, other 4xx to 400", () => {
        const patterns = Object.fromEntries(r.all("aws:apigateway/integrationResponse:IntegrationResponse").map((response) => [response.inputs.statusCode, response.inputs.selectionPattern as string | undefined]));
        const selects = (status: string, code: string) => new RegExp(`^(?:${patterns[status]})$`).test(code);
        expect(selects("502", "403")).to.equal(true);
        expect(selects("400", "403")).to.equal(false);
        for (const code of ["400", "401", "404", "413", "429"]) expect([selects("400", code), selects("502", code)], code).to.deep.equal([true, false]);
        expect(selects("502", "500")).to.equal(true);
    });

    it("keeps a service route without throttlingErrorTypes as it was: a plain 400, no 503 response, no Retry-After", () => {
        const clientError = r.named("aws:apigateway/integrationResponse:IntegrationResponse", "s-api-post-events-400").inputs.responseTemplates as Record<string, string>;
        expect(clientError["application/json"]).to.equal('{"message":"rejected by the service","requestId":"$context.requestId"}');
        expect(
            r
                .all("aws:apigateway/methodResponse:MethodResponse")
                .map((response) => response.inputs.statusCode)
                .sort(),
        ).to.deep.equal(["200", "400", "502"]);
        expect(r.all("aws:apigateway/methodResponse:MethodResponse").filter((response) => response.inputs.responseParameters !== undefined)).to.be.empty;
    });

    it("redeploys when the API-wide authorization, the Cognito scopes or an Output template change, and only then", async () => {
        const base = await triggersOf({});
        expect(await triggersOf({})).to.deep.equal(base);
        const cognito = await triggersOf({ authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL_A] } });
        const scoped = await triggersOf({ authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL_A], scopes: ["orders/write"] } });
        const otherPool = await triggersOf({ authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL_B] } });
        const template = await triggersOf({ templateSuffix: "-2" });
        const all = [base, cognito, scoped, otherPool, template].map((triggers) => JSON.stringify(triggers));
        expect(new Set(all).size).to.equal(all.length);
    });
});

describe("serverless Api: gateway responses and authorizers", () => {
    it("answers a body failing the schema with valid JSON whatever the validation message holds", async () => {
        const synth = await synthConstructs(() => {
            const ctx = testContext();
            const fn = new LambdaFunction("v-fn", { ctx, entry: ENTRY, description: "x", behindApi: true });
            new Api("v-api", {
                ctx,
                description: "x",
                authorization: { type: "AWS_IAM" },
                throttle: { rateLimit: 1, burstLimit: 1 },
                routes: [{ method: "POST", path: "/x", requestSchema: { type: "object" }, integration: { kind: "function", function: fn } }],
            });
        }, "bad-body");
        const template = new Recorded(synth.cloud.resources).one("aws:apigateway/response:Response").inputs.responseTemplates as Record<string, string>;
        // What API Gateway substitutes: messageString is a JSON string literal, quotes escaped.
        const message = 'Invalid request body: [object has missing required properties (["data"])]';
        const body = template["application/json"].replace("$context.error.messageString", JSON.stringify(message)).replace("$context.requestId", "req-1");
        expect(JSON.parse(body)).to.deep.equal({ message, requestId: "req-1" });
    });

    it("refuses Cognito routes naming different user pools (one API has one Cognito authorizer)", async () => {
        const refused = await synthConstructs(() => {
            const service = { kind: "aws", service: "events", action: "PutEvents", requestTemplate: "{}" } as const;
            new Api("c-api", {
                ctx: testContext(),
                description: "x",
                authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL_A] },
                throttle: { rateLimit: 1, burstLimit: 1 },
                routes: [
                    { method: "GET", path: "/a", integration: service },
                    { method: "GET", path: "/b", authorization: { type: "COGNITO_USER_POOLS", userPoolArns: [POOL_B] }, integration: service },
                ],
            });
        }, "cognito").then(
            () => "no error",
            (err: Error) => err.message,
        );
        expect(refused).to.contain("route GET /b names other Cognito user pools");
    });

    it("refuses a throttlingErrorTypes entry that is not an error type name (it is spliced into the template), naming the route", async () => {
        const refused = await synthConstructs(() => {
            new Api("t-api", {
                ctx: testContext(),
                description: "x",
                authorization: { type: "AWS_IAM" },
                throttle: { rateLimit: 1, burstLimit: 1 },
                routes: [{ method: "POST", path: "/t", integration: { kind: "aws", service: "kinesis", action: "PutRecord", requestTemplate: "{}", throttlingErrorTypes: ["Busy') || true || ('"] } }],
            });
        }, "throttling-types").then(
            () => "no error",
            (err: Error) => err.message,
        );
        expect(refused).to.contain("route POST /t: throttlingErrorTypes entry");
    });
});
