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
    advisoryBecause: "a web ACL costs about $5 a month plus $1 per rule and $0.60 per million requests, per API.",
    frameworks: ["FSBP APIGateway.4"],
    remediation: "Add an aws.wafv2.WebAclAssociation with resourceArn set to the stage's ARN (a web ACL costs about $5/month plus $1 per rule).",
    types: [T.restStage, T.wafAssociation],
    validate: (stack, report) => {
        const associations = stack.ofType(T.wafAssociation);
        for (const stage of stack.ofType(T.restStage)) {
            stack.guard(() => {
                if (!associations.some((association) => refersTo(association, stage, ["resourceArn"], ["stageName"])))
                    report(`${stageLabel(stage)} has no aws.wafv2.WebAclAssociation; expected a web ACL in front of it`, stage.urn);
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
        if (bool(settings.cachingEnabled) === true && bool(settings.cacheDataEncrypted) !== true)
            report(`settings.cachingEnabled is true but settings.cacheDataEncrypted is ${show(settings.cacheDataEncrypted)}; expected true`);
    },
});

export const apiGatewayRoutesAuthorized = defineResourcePolicy({
    name: "apigateway-routes-authorized",
    description: "API routes and methods require authorization (IAM, Cognito/JWT or a Lambda authorizer); CORS preflight (OPTIONS) is exempt.",
    severity: "medium",
    frameworks: ["FSBP APIGateway.8"],
    remediation: 'Set authorizationType (v2 routes) or authorization (REST methods) to "AWS_IAM", "JWT"/"COGNITO_USER_POOLS" or "CUSTOM" with an authorizer.',
    types: [T.httpRoute, T.restMethod, T.httpApi],
    validate: ({ type, props }, report) => {
        if (type === T.httpApi) {
            if (str(props.target) !== undefined)
                report(`target is set, so API Gateway quick-creates a "$default" route with no authorization; expected the route declared as an aws.apigatewayv2.Route with an authorizationType`);
            return;
        }
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
    types: [T.httpStage, T.restStage, T.httpApi],
    validate: ({ type, props }, report) => {
        if (type === T.httpApi) {
            // Quick create (target) makes a "$default" stage the program cannot give access log settings.
            if (str(props.target) !== undefined) report(`target is set, so API Gateway quick-creates a "$default" stage without access logs; expected an aws.apigatewayv2.Stage with accessLogSettings`);
            return;
        }
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
                if (!throttled(route, "throttlingRateLimit", "throttlingBurstLimit"))
                    report(`defaultRouteSettings throttlingRateLimit/throttlingBurstLimit are ${show(route.throttlingRateLimit)}/${show(route.throttlingBurstLimit)}; expected both set above 0`, stage.urn);
            });
        }
    },
});

export const apiGatewayNoDataTrace = defineResourcePolicy({
    name: "apigateway-no-data-trace",
    description: "API stages do not log full request and response bodies (data trace), which writes tokens and personal data to CloudWatch Logs.",
    severity: "medium",
    frameworks: ["Checkov CKV_AWS_276"],
    remediation: "Set dataTraceEnabled: false (REST MethodSettings settings, HTTP/WebSocket stage defaultRouteSettings and routeSettings); use access logs with selected fields instead.",
    types: [T.restMethodSettings, T.httpStage],
    validate: ({ type, props }, report) => {
        if (type === T.restMethodSettings) {
            if (bool(rec(props.settings).dataTraceEnabled) === true) report("settings.dataTraceEnabled is true; expected false");
            return;
        }
        if (bool(rec(props.defaultRouteSettings).dataTraceEnabled) === true) report("defaultRouteSettings.dataTraceEnabled is true; expected false");
        for (const [index, route] of list(props.routeSettings).entries()) {
            if (bool(rec(route).dataTraceEnabled) === true) report(`routeSettings[${index}] (${show(rec(route).routeKey)}).dataTraceEnabled is true; expected false`);
        }
    },
});

const REST_DOMAIN = "aws:apigateway/domainName:DomainName";
const HTTP_DOMAIN = "aws:apigatewayv2/domainName:DomainName";

export const apiGatewayDomainTls = defineResourcePolicy({
    name: "apigateway-domain-tls",
    description: "API custom domain names use a TLS 1.2 (or newer) security policy.",
    severity: "medium",
    frameworks: ["Checkov CKV_AWS_206"],
    remediation: 'Set securityPolicy: "TLS_1_2" (or a SecurityPolicy_TLS13_* policy) on the domain name.',
    types: [REST_DOMAIN, HTTP_DOMAIN],
    validate: ({ type, props }, report) => {
        const property = type === REST_DOMAIN ? "securityPolicy" : "domainNameConfiguration.securityPolicy";
        const policy = type === REST_DOMAIN ? str(props.securityPolicy) : str(rec(props.domainNameConfiguration).securityPolicy);
        // REST domain names created without a policy may get TLS_1_0 (edge-optimized); HTTP APIs require one.
        if (policy === undefined && type === HTTP_DOMAIN) return;
        if (policy === undefined || /TLS_?1_0/i.test(policy)) report(`${property} is ${show(policy)}${policy === undefined ? " (TLS 1.0 allowed by default)" : ""}; expected "TLS_1_2" or a TLS 1.3 policy`);
    },
});

const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const RULE_GROUP = "aws:wafv2/ruleGroup:RuleGroup";

export const wafWebAclRules = defineResourcePolicy({
    name: "waf-web-acl-rules",
    description: "WAF web ACLs and rule groups have at least one rule, and CloudWatch metrics on for the ACL and every rule.",
    severity: "medium",
    frameworks: ["FSBP WAF.10", "FSBP WAF.12"],
    remediation: "Add rules (a rate limit and the AWS managed common and known-bad-inputs rule groups) and set visibilityConfig.cloudwatchMetricsEnabled: true on the ACL and each rule.",
    types: [WEB_ACL, RULE_GROUP],
    validate: ({ props }, report) => {
        const rules = list(props.rules);
        if (rules.length === 0) report("rules is empty; expected at least one rule or rule group (an ACL without rules inspects nothing)");
        if (bool(rec(props.visibilityConfig).cloudwatchMetricsEnabled) !== true) report(`visibilityConfig.cloudwatchMetricsEnabled is ${show(rec(props.visibilityConfig).cloudwatchMetricsEnabled)}; expected true`);
        for (const [index, rule] of rules.entries()) {
            const enabled = rec(rec(rule).visibilityConfig).cloudwatchMetricsEnabled;
            if (bool(enabled) !== true) report(`rules[${index}] (${show(rec(rule).name)}): visibilityConfig.cloudwatchMetricsEnabled is ${show(enabled)}; expected true`);
        }
    },
});

/** Names every managed rule group statement of a web ACL references, at any nesting depth. */
function managedRuleGroups(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((item) => managedRuleGroups(item, found));
    else if (value && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
            if (key === "managedRuleGroupStatement") found.push(str(rec(child).name) ?? "");
            managedRuleGroups(child, found);
        }
    }
    return found;
}

export const wafKnownBadInputs = defineResourcePolicy({
    name: "waf-known-bad-inputs",
    description: "WAF web ACLs include the AWS managed Known Bad Inputs rule group (blocks Log4Shell and other exploit payloads).",
    severity: "low",
    frameworks: ["Checkov CKV_AWS_192"],
    remediation: 'Add a rule with managedRuleGroupStatement { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } and overrideAction none.',
    types: [WEB_ACL],
    validate: ({ props }, report) => {
        if (!managedRuleGroups(props.rules).includes("AWSManagedRulesKnownBadInputsRuleSet")) report("no rule references the managed rule group AWSManagedRulesKnownBadInputsRuleSet; expected it among the rules");
    },
});

export const apiGatewayPolicies = [
    apiGatewayExecutionLogging,
    apiGatewayXrayTracing,
    apiGatewayWaf,
    apiGatewayCacheEncrypted,
    apiGatewayRoutesAuthorized,
    apiGatewayAccessLogging,
    apiGatewayThrottling,
    apiGatewayNoDataTrace,
    apiGatewayDomainTls,
    wafWebAclRules,
    wafKnownBadInputs,
];
