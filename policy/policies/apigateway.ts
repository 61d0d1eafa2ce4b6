import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { dependsOn, refersTo } from "../lib/graph";
import { bool, list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * API Gateway REST (v1) and HTTP/WebSocket (v2) APIs. REST stage settings live in separate
 * MethodSettings resources, so stage checks correlate them in stack policies.
 */

const LOGGING_LEVELS = ["ERROR", "INFO"];

/** The MethodSettings that apply to every method of a REST stage. */
function stageWideSettings(stage: PolicyResource, all: PolicyResource[]): PolicyResource[] {
    return all.filter((settings) => {
        if (str(settings.props.methodPath) !== "*/*") return false;
        if (dependsOn(settings, stage)) return true;
        // Names: same stage name on the same API (restApi is the API's id, known offline and in outputs).
        return str(settings.props.stageName) === str(stage.props.stageName) && str(settings.props.restApi) === str(stage.props.restApi);
    });
}

/** The v2 API a stage belongs to, when it is in the stack. */
function apiOf(stage: PolicyResource, apis: PolicyResource[]): PolicyResource | undefined {
    return apis.find((api) => refersTo(stage, api, ["apiId"], ["id"]));
}

const stageLabel = (stage: PolicyResource) => `stage ${str(stage.props.stageName) ?? str(stage.props.name) ?? stage.name}`;

export const apiGatewayExecutionLogging = defineStackPolicy({
    name: "apigateway-execution-logging",
    description: "REST and WebSocket API stages log executions at ERROR or INFO.",
    severity: "medium",
    frameworks: ["FSBP APIGateway.1"],
    remediation:
        'REST: an aws.apigateway.MethodSettings for the stage with methodPath "*/*" and settings.loggingLevel "ERROR" (the account needs a CloudWatch role). WebSocket: defaultRouteSettings.loggingLevel "ERROR".',
    types: [T.restStage, T.restMethodSettings, T.httpStage, T.httpApi],
    validate: (stack, report) => {
        const settings = stack.ofType(T.restMethodSettings);
        for (const stage of stack.ofType(T.restStage)) {
            stack.guard(() => {
                const levels = stageWideSettings(stage, settings).map((s) => str(rec(s.props.settings).loggingLevel));
                if (!levels.some((level) => LOGGING_LEVELS.includes(level ?? ""))) {
                    report(`${stageLabel(stage)} has no MethodSettings (methodPath "*/*") with settings.loggingLevel "ERROR" or "INFO" (found ${show(levels)}); expected one`, stage.urn);
                }
            });
        }
        const apis = stack.ofType(T.httpApi);
        for (const stage of stack.ofType(T.httpStage)) {
            stack.guard(() => {
                // Execution logging exists only for WebSocket APIs; HTTP APIs have access logs only.
                if (str(apiOf(stage, apis)?.props.protocolType) !== "WEBSOCKET") return;
                const level = str(rec(stage.props.defaultRouteSettings).loggingLevel);
                if (!LOGGING_LEVELS.includes(level ?? "")) report(`defaultRouteSettings.loggingLevel is ${show(level)}; expected "ERROR" or "INFO"`, stage.urn);
            });
        }
    },
});

export const apiGatewayXrayTracing = defineResourcePolicy({
    name: "apigateway-xray-tracing",
    description: "REST API stages have X-Ray tracing enabled.",
    severity: "low",
    frameworks: ["FSBP APIGateway.3"],
    remediation: "Set xrayTracingEnabled: true on the stage.",
    types: [T.restStage],
    validate: ({ props }, report) => {
        if (bool(props.xrayTracingEnabled) !== true) report(`xrayTracingEnabled is ${show(props.xrayTracingEnabled)}; expected true`);
    },
});

export const apiGatewayWaf = defineStackPolicy({
    name: "apigateway-waf",
    description: "REST API stages are protected by an AWS WAF web ACL.",
    severity: "medium",
    enforcementLevel: "advisory",
    frameworks: ["FSBP APIGateway.4"],
    remediation: "Add an aws.wafv2.WebAclAssociation with resourceArn set to the stage's ARN (a web ACL costs about $5/month plus $1 per rule).",
    types: [T.restStage, T.wafAssociation],
    validate: (stack, report) => {
        const associations = stack.ofType(T.wafAssociation);
        for (const stage of stack.ofType(T.restStage)) {
            stack.guard(() => {
                if (!associations.some((association) => refersTo(association, stage, ["resourceArn"], ["stageName"]))) report(`${stageLabel(stage)} has no aws.wafv2.WebAclAssociation; expected a web ACL in front of it`, stage.urn);
            });
        }
    },
});

export const apiGatewayCacheEncrypted = defineResourcePolicy({
    name: "apigateway-cache-encrypted",
    description: "REST API method caches are encrypted when caching is on.",
    severity: "medium",
    frameworks: ["FSBP APIGateway.5"],
    remediation: "Set settings.cacheDataEncrypted: true wherever settings.cachingEnabled is true.",
    types: [T.restMethodSettings],
    validate: ({ props }, report) => {
        const settings = rec(props.settings);
        if (bool(settings.cachingEnabled) === true && bool(settings.cacheDataEncrypted) !== true) report(`settings.cachingEnabled is true but settings.cacheDataEncrypted is ${show(settings.cacheDataEncrypted)}; expected true`);
    },
});

export const apiGatewayRoutesAuthorized = defineResourcePolicy({
    name: "apigateway-routes-authorized",
    description: "API routes and methods require authorization (IAM, Cognito/JWT or a Lambda authorizer); CORS preflight (OPTIONS) is exempt.",
    severity: "medium",
    frameworks: ["FSBP APIGateway.8"],
    remediation: 'Set authorizationType (v2 routes) or authorization (REST methods) to "AWS_IAM", "JWT"/"COGNITO_USER_POOLS" or "CUSTOM" with an authorizer.',
    types: [T.httpRoute, T.restMethod],
    validate: ({ type, props }, report) => {
        if (type === T.httpRoute) {
            if ((str(props.routeKey) ?? "").startsWith("OPTIONS ")) return;
            const authorization = str(props.authorizationType) ?? "NONE";
            if (authorization === "NONE") report(`authorizationType is ${show(props.authorizationType)} (NONE by default) on route ${show(props.routeKey)}; expected AWS_IAM, JWT or CUSTOM`);
            return;
        }
        if (str(props.httpMethod) === "OPTIONS") return;
        if ((str(props.authorization) ?? "NONE") === "NONE") report(`authorization is "NONE" on ${show(props.httpMethod)}; expected AWS_IAM, COGNITO_USER_POOLS or CUSTOM`);
    },
});

export const apiGatewayAccessLogging = defineResourcePolicy({
    name: "apigateway-access-logging",
    description: "API stages write access logs to CloudWatch Logs or Firehose.",
    severity: "medium",
    frameworks: ["FSBP APIGateway.9"],
    remediation: "Set accessLogSettings: { destinationArn: logGroup.arn, format: <JSON format with requestId, ip, status...> }.",
    types: [T.httpStage, T.restStage],
    validate: ({ props }, report) => {
        if (!str(rec(props.accessLogSettings).destinationArn)) report(`accessLogSettings.destinationArn is not set; expected a log destination`);
    },
});

export const apiGatewayThrottling = defineStackPolicy({
    name: "apigateway-throttling",
    description: "API stages set their own throttling limits (rate and burst).",
    severity: "medium",
    frameworks: ["Reliability 13"],
    remediation:
        'REST: an aws.apigateway.MethodSettings for the stage (methodPath "*/*") with throttlingRateLimit and throttlingBurstLimit, or a usage plan with throttleSettings for the stage. HTTP/WebSocket: defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit.',
    types: [T.restStage, T.restMethodSettings, T.restUsagePlan, T.httpStage],
    validate: (stack, report) => {
        const settings = stack.ofType(T.restMethodSettings);
        const plans = stack.ofType(T.restUsagePlan);
        const throttled = (values: Record<string, any>, rate: string, burst: string) => (num(values[rate]) ?? 0) > 0 && (num(values[burst]) ?? 0) > 0;
        for (const stage of stack.ofType(T.restStage)) {
            stack.guard(() => {
                const bySettings = stageWideSettings(stage, settings).some((s) => throttled(rec(s.props.settings), "throttlingRateLimit", "throttlingBurstLimit"));
                const byPlan = plans.some(
                    (plan) =>
                        throttled(rec(plan.props.throttleSettings), "rateLimit", "burstLimit") &&
                        (dependsOn(plan, stage) || list(plan.props.apiStages).some((apiStage) => str(rec(apiStage).stage) === str(stage.props.stageName))),
                );
                if (!bySettings && !byPlan) report(`${stageLabel(stage)} has no throttling (MethodSettings throttlingRateLimit/throttlingBurstLimit or a usage plan); expected limits sized for the backend`, stage.urn);
            });
        }
        for (const stage of stack.ofType(T.httpStage)) {
            stack.guard(() => {
                const route = rec(stage.props.defaultRouteSettings);
                if (!throttled(route, "throttlingRateLimit", "throttlingBurstLimit")) report(`defaultRouteSettings throttlingRateLimit/throttlingBurstLimit are ${show(route.throttlingRateLimit)}/${show(route.throttlingBurstLimit)}; expected both set above 0`, stage.urn);
            });
        }
    },
});

export const apiGatewayPolicies = [apiGatewayExecutionLogging, apiGatewayXrayTracing, apiGatewayWaf, apiGatewayCacheEncrypted, apiGatewayRoutesAuthorized, apiGatewayAccessLogging, apiGatewayThrottling];
