import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyOccurrenceAlarm } from "../alarms";
import { API_INTEGRATION_TIMEOUT_SECONDS } from "../config";
import { Grant, Grantee, RoleGrants } from "../grants";
import { policyJson } from "../iam";
import type { ServerlessContext } from "./common";
import type { LambdaFunction } from "./function";
import { RegionalWebAcl } from "./web-acl";
import { withTransforms, type Transformable } from "../transform";

/** Who may call a route. `NONE` must say why: a public route is a decision, not a default. */
export type ApiAuthorization = { type: "AWS_IAM" } | { type: "COGNITO_USER_POOLS"; userPoolArns: pulumi.Input<string>[]; scopes?: string[] } | { type: "NONE"; reason: string };

/** A Lambda proxy integration: the function gets the whole request and shapes the response. */
export interface FunctionIntegration {
    kind: "function";
    function: LambdaFunction;
}

/**
 * A direct AWS service integration (no function in the path): API Gateway calls `service`'s
 * `action` with the API's integration role (grant it exactly that action, e.g.
 * `bus.grantPutEvents(api.integrationRole)`), the request mapped by a VTL template.
 */
export interface ServiceIntegration {
    kind: "aws";
    /** Service as in the integration URI, e.g. `events`, `kinesis`, `states`, `sqs`. */
    service: string;
    /** API action, e.g. `PutEvents`, `PutRecord`, `StartExecution`. */
    action: string;
    /** VTL mapping of the request body (application/json) to the action's input. */
    requestTemplate: pulumi.Input<string>;
    /** Extra headers for the service call, e.g. `{ "X-Amz-Target": "'AWSEvents.PutEvents'", "Content-Type": "'application/x-amz-json-1.1'" }`. */
    requestHeaders?: Record<string, string>;
    /**
     * VTL mapping of the service's success response. May set
     * `$context.responseOverride.status` (e.g. 502 when PutEvents reports failed entries).
     * @default the service's response, unchanged
     */
    responseTemplate?: string;
    /**
     * Error types (the `__type` of the service's JSON error body, e.g. Kinesis'
     * `ProvisionedThroughputExceededException`) that the service reports with HTTP 400 but that
     * mean "busy, try again": answered 503 with `Retry-After` instead of 400, so well-behaved
     * senders retry rather than drop the request. Matched exactly or after a `namespace#` prefix.
     * @default undefined (every service 4xx but 403 is a 400)
     */
    throttlingErrorTypes?: string[];
}

export interface ApiRoute {
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    /** Path with `{param}` segments, e.g. `/translations/{id}`. */
    path: string;
    integration: FunctionIntegration | ServiceIntegration;
    /** @default the API's `authorization` */
    authorization?: ApiAuthorization;
    /**
     * JSON Schema (draft 4) the body must match; API Gateway answers 400 before any integration runs.
     * @default undefined (no body validation)
     */
    requestSchema?: Record<string, unknown>;
}

export interface ApiArgs extends Transformable {
    ctx: ServerlessContext;
    description: string;
    /** Every route the API serves; the deployment is rebuilt when they change. */
    routes: ApiRoute[];
    /** Authorization of every route that does not set its own. */
    authorization: ApiAuthorization;
    /** Stage-wide throttling (requests per second and burst), sized for the backend. */
    throttle: { rateLimit: number; burstLimit: number };
    /** @default "v1" */
    stageName?: string;
    /**
     * The account's API Gateway logging role (`ApiGatewayLoggingRole`): execution logging fails
     * until it is set, so the stage settings wait for it.
     */
    loggingRole?: pulumi.Resource;
    /**
     * An AWS WAF web ACL on the stage: AWS's common rule set and known-bad-inputs rule set, and a
     * per-IP rate limit (requests per 5 minutes) that blocks floods before they reach the backend.
     * Cost: $5 per month per ACL + $1 per rule + $0.60 per million requests.
     * `allowLargeBodies` counts rather than blocks bodies over the common set's 8 KB (webhooks).
     * @default undefined (no web ACL)
     */
    webAcl?: { rateLimitPer5Minutes: number; allowLargeBodies?: boolean };
}

/** `$context.error.messageString` is already a quoted JSON string: inserted as is, the body stays valid JSON whatever the message holds. */
const BAD_REQUEST_BODY_TEMPLATE = '{"message":$context.error.messageString,"requestId":"$context.requestId"}';

/** Service status -> method status of a direct service integration (403 is the integration role refused: ours). */
/** Seconds a throttled caller is told to wait (`Retry-After` of a 503 from `throttlingErrorTypes`). */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

const ERROR_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.]*$/;

/**
 * The 400 integration response's template: with `throttlingErrorTypes`, a service 400 whose
 * `__type` is one of them becomes a 503 with `Retry-After` (a response override: API Gateway
 * picks integration responses by status code only, and the service answers 400 for both).
 */
export function serviceClientErrorTemplate(throttlingErrorTypes?: string[]): string {
    const rejected = '{"message":"rejected by the service","requestId":"$context.requestId"}';
    if (!throttlingErrorTypes || throttlingErrorTypes.length === 0) return rejected;
    const matches = throttlingErrorTypes.map((type) => `$errorType == '${type}' || $errorType.endsWith('#${type}')`).join(" || ");
    return [
        `#set($errorType = "$!input.path('$.__type')")`,
        `#if(${matches})`,
        "#set($context.responseOverride.status = 503)",
        `#set($context.responseOverride.header.Retry-After = "${THROTTLED_RETRY_AFTER_SECONDS}")`,
        `{"message":"the service is busy: retry after ${THROTTLED_RETRY_AFTER_SECONDS} s","requestId":"$context.requestId"}`,
        "#else",
        rejected,
        "#end",
    ].join("\n");
}

const INTEGRATION_STATUS_PATTERNS = [
    ["200", undefined],
    ["400", "4(0[0-24-9]|[1-9]\\d)"],
    ["502", "5\\d{2}|403"],
] as const;

const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.caller",
    user: "$context.identity.user",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integration.latency",
    integrationStatus: "$context.integration.status",
    errorMessage: "$context.error.message",
    xrayTraceId: "$context.xrayTraceId",
});

/**
 * A regional REST API (API Gateway v1: the one with IAM auth, request validation, usage plans,
 * X-Ray and direct AWS service integrations). Every route carries an authorization type; the
 * stage has JSON access logs in a KMS-encrypted group with retention, execution logs at ERROR,
 * throttling and active tracing. A function behind it must time out within 29 s.
 *
 * Cost: $3.50 per million requests (first 333 million a month) plus data out.
 */
export class Api extends pulumi.ComponentResource {
    readonly restApi: aws.apigateway.RestApi;
    readonly stage: aws.apigateway.Stage;
    readonly accessLogGroup: aws.cloudwatch.LogGroup;
    /** `API-Gateway-Execution-Logs_<api id>/<stage>`, created here with retention and the logs key before execution logging writes to it. */
    readonly executionLogGroup: aws.cloudwatch.LogGroup;
    /** The base URL, `https://<id>.execute-api.<region>.amazonaws.com/<stage>`. */
    readonly url: pulumi.Output<string>;
    /** The role service integrations run with (present when a route has one): grant it what they call. */
    readonly integrationRole?: Grantee;
    readonly methods: aws.apigateway.Method[] = [];
    /** With `webAcl`. */
    readonly webAcl?: aws.wafv2.WebAcl;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:Api", name, {}, withTransforms(opts, args.transform));
        const stageName = args.stageName ?? "v1";
        validateRoutes(name, args.routes);
        if (args.authorization.type === "NONE" && !args.authorization.reason.trim()) throw new Error(`API ${name}: authorization NONE needs a reason (who calls it unauthenticated, and why that is safe)`);

        // Steps: the API, the role of its service integrations, body validation, the routes, a
        // deployment of them, the stage with its logs and throttling, the 5xx alarm, the web ACL.
        this.restApi = new aws.apigateway.RestApi(name, { description: args.description, endpointConfiguration: { types: "REGIONAL" } }, { parent: this });
        const integrationRole = this.createIntegrationRole(name, args.routes);
        if (integrationRole) this.integrationRole = new RoleGrants(`${name}-integration`, integrationRole, this);
        const { validator, deployed } = this.createRequestValidation(name, args.routes);
        deployed.push(...this.createRoutes(name, args, validator, integrationRole));
        const deployment = this.createDeployment(name, args, validator !== undefined, deployed);
        const logs = this.createStageLogGroups(name, args.ctx, stageName);
        this.accessLogGroup = logs.access;
        this.executionLogGroup = logs.execution;
        this.stage = this.createStage(name, args, stageName, deployment);
        this.createErrorAlarm(name, args.ctx);
        if (args.webAcl) {
            this.webAcl = new RegionalWebAcl(
                `${name}-waf`,
                { description: `Protects API ${name}`, rateLimitPerIp: args.webAcl.rateLimitPer5Minutes, allowLargeBodies: args.webAcl.allowLargeBodies, protects: [this.stage.arn] },
                { parent: this },
            ).webAcl;
        }
        this.url = pulumi.interpolate`https://${this.restApi.id}.execute-api.${args.ctx.region}.amazonaws.com/${this.stage.stageName}`;
        this.registerOutputs({ url: this.url, restApiId: this.restApi.id });
    }

    /** Lets `grantee` call one route (IAM-authorized APIs): `execute-api:Invoke` on that method and path only. */
    grantInvoke(grantee: Grantee, method: ApiRoute["method"], path: string, sid: string): void {
        const grant: Grant = {
            sid,
            actions: ["execute-api:Invoke"],
            resources: [pulumi.interpolate`${this.restApi.executionArn}/${this.stage.stageName}/${method}${path.replace(/\{[^}]+\}/g, "*")}`],
        };
        grantee.addGrant(grant);
    }

    /** The role API Gateway assumes to call AWS services, when a route integrates one directly. */
    private createIntegrationRole(name: string, routes: ApiRoute[]): aws.iam.Role | undefined {
        if (!routes.some((route) => route.integration.kind === "aws")) return undefined;
        return new aws.iam.Role(
            `${name}-integration`,
            {
                description: `API Gateway ${name}: calls AWS services for its routes`,
                assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            },
            { parent: this },
        );
    }

    /**
     * A request validator and the 400 it answers with, when a route has a schema. Returns what the
     * deployment snapshots so far (it waits for all of them).
     */
    private createRequestValidation(name: string, routes: ApiRoute[]): { validator?: aws.apigateway.RequestValidator; deployed: pulumi.Resource[] } {
        const restApi = this.restApi;
        const validator = routes.some((route) => route.requestSchema)
            ? new aws.apigateway.RequestValidator(name, { restApi: restApi.id, name: "body-and-parameters", validateRequestBody: true, validateRequestParameters: true }, { parent: this })
            : undefined;
        const deployed: pulumi.Resource[] = [];
        if (validator) {
            // The JSON-quoted message ($context.error.messageString is already a JSON string) and the id to find the request in the access log by.
            const badBody = new aws.apigateway.Response(
                `${name}-bad-body`,
                {
                    restApiId: restApi.id,
                    responseType: "BAD_REQUEST_BODY",
                    statusCode: "400",
                    responseTemplates: { "application/json": BAD_REQUEST_BODY_TEMPLATE },
                },
                { parent: this },
            );
            deployed.push(badBody);
        }
        return { validator, deployed };
    }

    /** Every route: its resource path, its method (with authorizer and validation) and its integration. Returns what the deployment snapshots. */
    private createRoutes(name: string, args: ApiArgs, validator: aws.apigateway.RequestValidator | undefined, integrationRole: aws.iam.Role | undefined): pulumi.Resource[] {
        const restApi = this.restApi;
        const deployed: pulumi.Resource[] = [];
        const authorizerFor = this.cognitoAuthorizers(name);
        const resources = new Map<string, pulumi.Input<string>>([["/", restApi.rootResourceId]]);
        const resourceFor = (path: string): pulumi.Input<string> => {
            const existing = resources.get(path);
            if (existing) return existing;
            const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
            const resource = new aws.apigateway.Resource(`${name}${slug(path)}`, { restApi: restApi.id, parentId: resourceFor(parentPath), pathPart: path.slice(path.lastIndexOf("/") + 1) }, { parent: this });
            resources.set(path, resource.id);
            return resource.id;
        };

        for (const route of args.routes) {
            const routeName = `${name}-${route.method.toLowerCase()}${slug(route.path)}`;
            const resourceId = resourceFor(route.path);
            const authorization = route.authorization ?? args.authorization;
            const authorizerId = authorization.type === "COGNITO_USER_POOLS" ? authorizerFor(route, authorization.userPoolArns).id : undefined;
            const method = this.createMethod(routeName, route, resourceId, authorization, authorizerId, validator);
            this.methods.push(method);
            deployed.push(method);
            const target: RouteTarget = { routeName, route, resourceId, method };
            if (route.integration.kind === "function") deployed.push(this.integrateFunction(name, target, route.integration));
            else deployed.push(...this.integrateService(target, route.integration, args.ctx.region, integrationRole!));
        }
        return deployed;
    }

    /** One Cognito authorizer per API, created for the first route that needs it; every such route must name the same pools. */
    private cognitoAuthorizers(name: string): (route: ApiRoute, userPoolArns: pulumi.Input<string>[]) => aws.apigateway.Authorizer {
        let authorizer: aws.apigateway.Authorizer | undefined;
        let cognitoPools: pulumi.Input<string>[] | undefined;
        return (route, userPoolArns) => {
            if (cognitoPools === undefined) cognitoPools = userPoolArns;
            else if (cognitoPools !== userPoolArns && !samePools(cognitoPools, userPoolArns)) {
                throw new Error(
                    `API ${name}: route ${route.method} ${route.path} names other Cognito user pools than an earlier route; one API has one Cognito authorizer, so every COGNITO_USER_POOLS route must name the same pools (scopes may differ)`,
                );
            }
            authorizer ??= new aws.apigateway.Authorizer(
                `${name}-cognito`,
                { restApi: this.restApi.id, type: "COGNITO_USER_POOLS", providerArns: userPoolArns, identitySource: "method.request.header.Authorization" },
                { parent: this },
            );
            return authorizer;
        };
    }

    /** The route's method: its authorization, and validation of its body (a model) and path parameters. */
    private createMethod(
        routeName: string,
        route: ApiRoute,
        resourceId: pulumi.Input<string>,
        authorization: ApiAuthorization,
        authorizerId: pulumi.Input<string> | undefined,
        validator: aws.apigateway.RequestValidator | undefined,
    ): aws.apigateway.Method {
        const restApi = this.restApi;
        const pathParameters = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]);
        let model: aws.apigateway.Model | undefined;
        if (route.requestSchema) {
            model = new aws.apigateway.Model(
                routeName,
                {
                    restApi: restApi.id,
                    name: sidLike(`${route.method}${route.path}`),
                    contentType: "application/json",
                    schema: JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", ...route.requestSchema }),
                },
                { parent: this },
            );
        }
        return new aws.apigateway.Method(
            routeName,
            {
                restApi: restApi.id,
                resourceId,
                httpMethod: route.method,
                authorization: authorization.type,
                authorizerId,
                authorizationScopes: authorization.type === "COGNITO_USER_POOLS" ? authorization.scopes : undefined,
                requestValidatorId: model || pathParameters.length > 0 ? validator?.id : undefined,
                requestModels: model ? { "application/json": model.name } : undefined,
                requestParameters: pathParameters.length > 0 ? Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])) : undefined,
            },
            { parent: this },
        );
    }

    /** A Lambda proxy integration, and the permission for exactly this route to invoke the function. */
    private integrateFunction(name: string, { routeName, route, resourceId, method }: RouteTarget, integration: FunctionIntegration): aws.apigateway.Integration {
        const restApi = this.restApi;
        const fn = integration.function;
        if (fn.timeoutSeconds > API_INTEGRATION_TIMEOUT_SECONDS) {
            throw new Error(
                `${fn.configKey}.timeoutSeconds: expected at most ${API_INTEGRATION_TIMEOUT_SECONDS} s for function ${fn.functionName}, which serves ${route.method} ${route.path} on API ${name} (the integration times out at ${API_INTEGRATION_TIMEOUT_SECONDS} s); got ${fn.timeoutSeconds}`,
            );
        }
        const proxy = new aws.apigateway.Integration(
            routeName,
            {
                restApi: restApi.id,
                resourceId,
                httpMethod: method.httpMethod,
                type: "AWS_PROXY",
                integrationHttpMethod: "POST",
                uri: fn.invokeArn,
                timeoutMilliseconds: API_INTEGRATION_TIMEOUT_SECONDS * 1000,
            },
            { parent: this },
        );
        // Only this method on this path, in any stage of this API, may invoke the function.
        const sourcePath = route.path.replace(/\{[^}]+\}/g, "*");
        new aws.lambda.Permission(
            routeName,
            { action: "lambda:InvokeFunction", function: fn.function.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${restApi.executionArn}/*/${route.method}${sourcePath}` },
            { parent: this },
        );
        return proxy;
    }

    /**
     * A direct service integration with the integration role and its method and integration
     * responses. Returns what the deployment snapshots.
     */
    private integrateService({ routeName, resourceId, method }: RouteTarget, integration: ServiceIntegration, region: string, integrationRole: aws.iam.Role): pulumi.Resource[] {
        const restApi = this.restApi;
        const headers = Object.fromEntries(Object.entries(integration.requestHeaders ?? {}).map(([header, value]) => [`integration.request.header.${header}`, value]));
        const serviceIntegration = new aws.apigateway.Integration(
            routeName,
            {
                restApi: restApi.id,
                resourceId,
                httpMethod: method.httpMethod,
                type: "AWS",
                integrationHttpMethod: "POST",
                uri: `arn:aws:apigateway:${region}:${integration.service}:action/${integration.action}`,
                credentials: integrationRole.arn,
                passthroughBehavior: "NEVER",
                requestParameters: Object.keys(headers).length > 0 ? headers : undefined,
                requestTemplates: { "application/json": integration.requestTemplate },
                timeoutMilliseconds: API_INTEGRATION_TIMEOUT_SECONDS * 1000,
            },
            { parent: this },
        );
        const deployed: pulumi.Resource[] = [serviceIntegration];
        // 200 passes the (mapped) service answer; the service's 4xx is the caller's fault, except 403: the
        // integration role was refused (a missing grant, a KMS key policy), which is ours, so 502 and the 5xx alarm.
        const throttles = (integration.throttlingErrorTypes ?? []).length > 0;
        // The 400 template may override the status to 503 with Retry-After: both responses declare the header.
        const retryAfter = throttles ? { "method.response.header.Retry-After": false } : undefined;
        if (throttles) {
            deployed.push(new aws.apigateway.MethodResponse(`${routeName}-503`, { restApi: restApi.id, resourceId, httpMethod: method.httpMethod, statusCode: "503", responseParameters: retryAfter }, { parent: this }));
        }
        for (const [status, pattern] of INTEGRATION_STATUS_PATTERNS) {
            const methodResponse = new aws.apigateway.MethodResponse(
                `${routeName}-${status}`,
                { restApi: restApi.id, resourceId, httpMethod: method.httpMethod, statusCode: status, responseParameters: status === "400" ? retryAfter : undefined },
                { parent: this },
            );
            deployed.push(
                methodResponse,
                new aws.apigateway.IntegrationResponse(
                    `${routeName}-${status}`,
                    { restApi: restApi.id, resourceId, httpMethod: method.httpMethod, statusCode: status, selectionPattern: pattern, responseTemplates: integrationResponseTemplates(status, integration) },
                    { parent: this, dependsOn: [serviceIntegration, methodResponse] },
                ),
            );
        }
        return deployed;
    }

    /** A new deployment whenever the routes change (an API Gateway deployment is a snapshot). */
    private createDeployment(name: string, args: ApiArgs, validated: boolean, deployed: pulumi.Resource[]): aws.apigateway.Deployment {
        const fingerprint = deploymentFingerprint(args, validated);
        return new aws.apigateway.Deployment(
            name,
            { restApi: this.restApi.id, description: pulumi.interpolate`routes ${fingerprint.apply((hash) => hash.slice(0, 12))}`, triggers: { routes: fingerprint } },
            { parent: this, dependsOn: deployed },
        );
    }

    /** The access log group and the execution log group, both with retention and the logs key. */
    private createStageLogGroups(name: string, ctx: ServerlessContext, stageName: string): { access: aws.cloudwatch.LogGroup; execution: aws.cloudwatch.LogGroup } {
        const access = new aws.cloudwatch.LogGroup(`${name}-access`, { name: `/aws/apigateway/${name}/access`, retentionInDays: ctx.logRetentionDays, kmsKeyId: ctx.logsKeyArn }, { parent: this, protect: ctx.protect });
        // Execution logging (loggingLevel ERROR) writes to this group, which API Gateway would otherwise create itself: no retention, no KMS.
        const execution = new aws.cloudwatch.LogGroup(
            `${name}-execution`,
            { name: pulumi.interpolate`API-Gateway-Execution-Logs_${this.restApi.id}/${stageName}`, retentionInDays: ctx.logRetentionDays, kmsKeyId: ctx.logsKeyArn },
            { parent: this, protect: ctx.protect },
        );
        return { access, execution };
    }

    /** The stage (access logs, tracing) and its method settings (execution logs at ERROR, metrics, throttling). */
    private createStage(name: string, args: ApiArgs, stageName: string, deployment: aws.apigateway.Deployment): aws.apigateway.Stage {
        const restApi = this.restApi;
        // A stage with access logs is refused until the account's API Gateway logging role is set.
        const stageDependsOn: pulumi.Resource[] = [this.executionLogGroup, ...(args.loggingRole ? [args.loggingRole] : [])];
        const stage = new aws.apigateway.Stage(
            name,
            {
                restApi: restApi.id,
                deployment: deployment.id,
                stageName,
                xrayTracingEnabled: true,
                accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
            },
            { parent: this, dependsOn: stageDependsOn },
        );
        new aws.apigateway.MethodSettings(
            name,
            {
                restApi: restApi.id,
                stageName: stage.stageName,
                methodPath: "*/*",
                settings: {
                    loggingLevel: "ERROR",
                    metricsEnabled: true,
                    // Full request/response logging would write bodies (personal data) to the logs.
                    dataTraceEnabled: false,
                    throttlingRateLimit: args.throttle.rateLimit,
                    throttlingBurstLimit: args.throttle.burstLimit,
                },
            },
            { parent: this, dependsOn: stageDependsOn },
        );
        return stage;
    }

    /** Any 5xx in five minutes notifies the alarm topic. */
    private createErrorAlarm(name: string, ctx: ServerlessContext): void {
        anyOccurrenceAlarm(
            `${name}-5xx`,
            ctx.alarmTopicArn,
            {
                alarmDescription: `API ${name} answered 5xx in the last 5 minutes: a backend failed or timed out. Look at the access log /aws/apigateway/${name}/access and the functions' alarms.`,
                namespace: "AWS/ApiGateway",
                metricName: "5XXError",
                dimensions: { ApiName: this.restApi.name, Stage: this.stage.stageName },
            },
            { parent: this },
        );
    }
}

/** Where a route's integration attaches: its method on its resource. */
interface RouteTarget {
    routeName: string;
    route: ApiRoute;
    resourceId: pulumi.Input<string>;
    method: aws.apigateway.Method;
}

/** The integration response template for a status: the service's answer (mapped) on 200, a JSON error otherwise. */
function integrationResponseTemplates(status: (typeof INTEGRATION_STATUS_PATTERNS)[number][0], integration: ServiceIntegration): Record<string, string> | undefined {
    if (status === "200") return integration.responseTemplate ? { "application/json": integration.responseTemplate } : undefined;
    return { "application/json": status === "400" ? serviceClientErrorTemplate(integration.throttlingErrorTypes) : '{"message":"the service failed","requestId":"$context.requestId"}' };
}

function validateRoutes(name: string, routes: ApiRoute[]): void {
    if (routes.length === 0) throw new Error(`API ${name}: expected at least one route`);
    const seen = new Set<string>();
    for (const route of routes) {
        if (!/^(\/(\{[A-Za-z0-9_]+\}|[A-Za-z0-9._-]+))+$/.test(route.path)) throw new Error(`API ${name}: path "${route.path}" must be /segment[/segment...], each a name or a {param}`);
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) throw new Error(`API ${name}: route ${key} is declared twice`);
        seen.add(key);
        const authorization = route.authorization;
        if (authorization?.type === "NONE" && !authorization.reason.trim()) throw new Error(`API ${name}: route ${key} has authorization NONE without a reason`);
        if (route.integration.kind === "aws") {
            // Spliced into a template: names only, nothing that could end the quoted literal.
            for (const type of route.integration.throttlingErrorTypes ?? []) {
                if (!ERROR_TYPE_PATTERN.test(type))
                    throw new Error(`API ${name}: route ${key}: throttlingErrorTypes entry "${type}" must be an error type name (letters, digits, '_' or '.'), e.g. ProvisionedThroughputExceededException`);
            }
        }
    }
}

/**
 * What the deployment snapshots, resolved (templates and user pools may be Outputs): routes with
 * their effective authorization (the API's when the route sets none), templates, schemas, and the
 * gateway responses and validator. Any change makes a new deployment.
 */
function deploymentFingerprint(args: ApiArgs, validated: boolean): pulumi.Output<string> {
    const described = {
        routes: args.routes.map((route) => {
            const integration = route.integration.kind === "function" ? { kind: "function", function: route.integration.function.functionName } : route.integration;
            return { method: route.method, path: route.path, authorization: route.authorization ?? args.authorization, integration, requestSchema: route.requestSchema };
        }),
        validator: validated ? { body: true, parameters: true, badBody: BAD_REQUEST_BODY_TEMPLATE } : undefined,
        integrationResponses: INTEGRATION_STATUS_PATTERNS,
    };
    return pulumi.output(described).apply((resolved) => createHash("sha256").update(JSON.stringify(resolved)).digest("hex"));
}

function samePools(a: pulumi.Input<string>[], b: pulumi.Input<string>[]): boolean {
    // Outputs cannot be compared while the program runs: the same ARNs or the same Output objects only.
    return a.length === b.length && a.every((arn, i) => arn === b[i]);
}

/** `/translations/{id}` -> `-translations-id`, for logical names. */
function slug(path: string): string {
    return path
        .replace(/[{}]/g, "")
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/-$/, "");
}

/** API Gateway model names are alphanumeric. */
function sidLike(text: string): string {
    return text
        .replace(/[{}]/g, "")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((part) => part[0].toUpperCase() + part.slice(1).toLowerCase())
        .join("");
}

/**
 * API Gateway writes execution logs through one CloudWatch role per account and region (an
 * account setting, not a per-API one). Without it, a stage with execution logging fails to
 * deploy. Only the stack with `platform:account.owner: true` creates it (platform/index.ts): the
 * other stacks of the account and region log through it, so the owner deploys first.
 *
 * The role, its policy and the account setting are kept when the owner stack is destroyed
 * (`retainOnDelete`): the other stacks' stages still log through them. Delete the
 * `<stack>-apigateway-logging` role by hand once no API in the account and region is left.
 */
export class ApiGatewayLoggingRole extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    /** The account setting (`cloudwatchRoleArn`): stages with logging wait for it. */
    readonly account: aws.apigateway.Account;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:ApiGatewayLoggingRole", name, {}, opts);
        this.role = new aws.iam.Role(
            name,
            {
                description: "API Gateway writes execution logs of this account's APIs",
                assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            },
            { parent: this, retainOnDelete: true },
        );
        // The AWS-managed policy for exactly this purpose (log groups are created per API and stage by the service).
        const attachment = new aws.iam.RolePolicyAttachment(name, { role: this.role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" }, { parent: this, retainOnDelete: true });
        // API Gateway checks the role's permissions when the setting is made.
        this.account = new aws.apigateway.Account(name, { cloudwatchRoleArn: this.role.arn }, { parent: this, dependsOn: [attachment], retainOnDelete: true });
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
