import { T } from "../../../policy/lib/types";
import { single, stack, StackBuilder } from "../fixtures";
import type { PolicySuite } from "../runner";

const STAGE = { restApi: "abc123", deployment: "d", stageName: "prod", xrayTracingEnabled: true, accessLogSettings: { destinationArn: "arn:aws:logs:eu-west-1:1:log-group:api", format: "{}" } };
const SETTINGS = { loggingLevel: "ERROR", metricsEnabled: true, throttlingRateLimit: 100, throttlingBurstLimit: 50 };

function restStage(s: StackBuilder, settings?: Record<string, unknown>) {
    const stage = s.add(T.restStage, "stage", STAGE);
    if (settings) s.add(T.restMethodSettings, "settings", { restApi: "abc123", stageName: "prod", methodPath: "*/*", settings }, { dependsOn: [stage] });
    return stage;
}
const VISIBLE = { cloudwatchMetricsEnabled: true, metricName: "m", sampledRequestsEnabled: true };
const WEB_ACL = {
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    visibilityConfig: VISIBLE,
    rules: [
        { name: "rate", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: "IP" } }, visibilityConfig: VISIBLE },
        { name: "bad-inputs", priority: 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } }, visibilityConfig: VISIBLE },
    ],
};
const HTTP_STAGE = {
    apiId: "api",
    name: "$default",
    accessLogSettings: { destinationArn: "arn:aws:logs:eu-west-1:1:log-group:api", format: "{}" },
    defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 50 },
};

export const apiGatewayCases: PolicySuite[] = [
    {
        policy: "apigateway-execution-logging",
        pass: [
            { name: "REST stage with ERROR logging on */*", resources: () => stack((s) => restStage(s, SETTINGS)) },
            {
                name: "HTTP API stage (no execution logging exists)",
                resources: () =>
                    stack((s) => {
                        const api = s.add(T.httpApi, "api", { protocolType: "HTTP" });
                        s.add(T.httpStage, "stage", HTTP_STAGE, { dependsOn: [api] });
                    }),
            },
        ],
        fail: [
            {
                name: "REST stage without method settings",
                resources: () => stack((s) => restStage(s)),
                messages: ['stage prod has no MethodSettings (methodPath "*/*") with settings.loggingLevel "ERROR" or "INFO" (found [])'],
            },
            {
                name: "REST stage with logging OFF (matched by name)",
                resources: () =>
                    stack((s) => {
                        s.add(T.restStage, "stage", STAGE);
                        s.add(T.restMethodSettings, "settings", { restApi: "abc123", stageName: "prod", methodPath: "*/*", settings: { loggingLevel: "OFF" } });
                    }),
                messages: ['(found ["OFF"])'],
            },
            {
                name: "WebSocket stage without logging level",
                resources: () =>
                    stack((s) => {
                        const api = s.add(T.httpApi, "ws", { protocolType: "WEBSOCKET" });
                        s.add(T.httpStage, "stage", HTTP_STAGE, { dependsOn: [api] });
                    }),
                messages: ["defaultRouteSettings.loggingLevel is not set"],
            },
        ],
    },
    {
        policy: "apigateway-xray-tracing",
        pass: [{ name: "tracing on", resources: () => single(T.restStage, STAGE) }],
        fail: [{ name: "tracing omitted", resources: () => single(T.restStage, { ...STAGE, xrayTracingEnabled: undefined }), messages: ["xrayTracingEnabled is not set; expected true"] }],
    },
    {
        policy: "apigateway-waf",
        pass: [
            {
                name: "web ACL associated with the stage",
                resources: () =>
                    stack((s) => {
                        const stage = restStage(s);
                        s.add(T.wafAssociation, "waf", { resourceArn: "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/prod", webAclArn: "acl" }, { dependsOn: [stage] });
                    }),
            },
        ],
        fail: [{ name: "no association", resources: () => stack((s) => restStage(s)), messages: ["stage prod has no aws.wafv2.WebAclAssociation"] }],
    },
    {
        policy: "apigateway-cache-encrypted",
        pass: [{ name: "caching with encryption", resources: () => single(T.restMethodSettings, { methodPath: "*/*", settings: { cachingEnabled: true, cacheDataEncrypted: true } }) }],
        fail: [
            {
                name: "caching without encryption",
                resources: () => single(T.restMethodSettings, { methodPath: "*/*", settings: { cachingEnabled: true } }),
                messages: ["settings.cachingEnabled is true but settings.cacheDataEncrypted is not set"],
            },
        ],
    },
    {
        policy: "apigateway-routes-authorized",
        pass: [
            { name: "JWT route", resources: () => single(T.httpRoute, { apiId: "a", routeKey: "POST /orders", authorizationType: "JWT", authorizerId: "x" }) },
            { name: "CORS preflight method", resources: () => single(T.restMethod, { restApi: "r", resourceId: "x", httpMethod: "OPTIONS", authorization: "NONE" }) },
        ],
        fail: [
            { name: "route without authorization", resources: () => single(T.httpRoute, { apiId: "a", routeKey: "POST /orders" }), messages: ['authorizationType is not set (NONE by default) on route "POST /orders"'] },
            { name: "REST method NONE", resources: () => single(T.restMethod, { restApi: "r", resourceId: "x", httpMethod: "POST", authorization: "NONE" }), messages: ['authorization is "NONE" on "POST"'] },
        ],
    },
    {
        policy: "apigateway-access-logging",
        pass: [{ name: "v2 stage with access logs", resources: () => single(T.httpStage, HTTP_STAGE) }],
        fail: [{ name: "REST stage without access logs", resources: () => single(T.restStage, { ...STAGE, accessLogSettings: undefined }), messages: ["accessLogSettings.destinationArn is not set"] }],
    },
    {
        policy: "apigateway-throttling",
        pass: [
            { name: "REST throttling through method settings", resources: () => stack((s) => restStage(s, SETTINGS)) },
            {
                name: "REST throttling through a usage plan",
                resources: () =>
                    stack((s) => {
                        restStage(s);
                        s.add(T.restUsagePlan, "plan", { apiStages: [{ apiId: "abc123", stage: "prod" }], throttleSettings: { rateLimit: 100, burstLimit: 50 } });
                    }),
            },
            { name: "HTTP stage with default route throttling", resources: () => single(T.httpStage, HTTP_STAGE) },
        ],
        fail: [
            { name: "REST stage without throttling", resources: () => stack((s) => restStage(s, { loggingLevel: "ERROR" })), messages: ["stage prod has no throttling"] },
            {
                name: "HTTP stage without limits",
                resources: () => single(T.httpStage, { ...HTTP_STAGE, defaultRouteSettings: {} }),
                messages: ["defaultRouteSettings throttlingRateLimit/throttlingBurstLimit are not set/not set"],
            },
        ],
    },
    {
        policy: "apigateway-no-data-trace",
        pass: [
            { name: "REST method settings without data trace", resources: () => single(T.restMethodSettings, { restApi: "a", stageName: "v1", methodPath: "*/*", settings: { ...SETTINGS, dataTraceEnabled: false } }) },
            { name: "HTTP stage without data trace", resources: () => single(T.httpStage, HTTP_STAGE) },
        ],
        fail: [
            {
                name: "REST method settings with data trace",
                resources: () => single(T.restMethodSettings, { restApi: "a", stageName: "v1", methodPath: "*/*", settings: { ...SETTINGS, dataTraceEnabled: true } }),
                messages: ["settings.dataTraceEnabled is true"],
            },
            {
                name: 'HTTP stage route setting as the string "true"',
                resources: () => single(T.httpStage, { ...HTTP_STAGE, routeSettings: [{ routeKey: "POST /items", dataTraceEnabled: "true" }] }),
                messages: ['routeSettings[0] ("POST /items").dataTraceEnabled is true'],
            },
        ],
    },
    {
        policy: "apigateway-domain-tls",
        pass: [
            { name: "REST domain with TLS 1.2", resources: () => single("aws:apigateway/domainName:DomainName", { domainName: "api.example.com", securityPolicy: "TLS_1_2" }) },
            {
                name: "HTTP API domain with TLS 1.2",
                resources: () => single("aws:apigatewayv2/domainName:DomainName", { domainName: "api.example.com", domainNameConfiguration: { endpointType: "REGIONAL", securityPolicy: "TLS_1_2" } }),
            },
        ],
        fail: [
            {
                name: "REST domain without a policy",
                resources: () => single("aws:apigateway/domainName:DomainName", { domainName: "api.example.com" }),
                messages: ["securityPolicy is not set (TLS 1.0 allowed by default)"],
            },
            { name: "REST domain with TLS 1.0", resources: () => single("aws:apigateway/domainName:DomainName", { domainName: "api.example.com", securityPolicy: "TLS_1_0" }), messages: ['securityPolicy is "TLS_1_0"'] },
        ],
    },
    {
        policy: "waf-web-acl-rules",
        pass: [{ name: "a rate rule with metrics", resources: () => single("aws:wafv2/webAcl:WebAcl", WEB_ACL) }],
        fail: [
            { name: "no rules", resources: () => single("aws:wafv2/webAcl:WebAcl", { ...WEB_ACL, rules: [] }), messages: ["rules is empty"] },
            {
                name: "metrics off on a rule and on the ACL",
                resources: () =>
                    single("aws:wafv2/webAcl:WebAcl", {
                        ...WEB_ACL,
                        visibilityConfig: { ...VISIBLE, cloudwatchMetricsEnabled: false },
                        rules: [{ ...WEB_ACL.rules[0], visibilityConfig: { ...VISIBLE, cloudwatchMetricsEnabled: false } }, WEB_ACL.rules[1]],
                    }),
                messages: ["visibilityConfig.cloudwatchMetricsEnabled is false", 'rules[0] ("rate"): visibilityConfig.cloudwatchMetricsEnabled is false'],
            },
        ],
    },
    {
        policy: "waf-known-bad-inputs",
        pass: [{ name: "known bad inputs managed group", resources: () => single("aws:wafv2/webAcl:WebAcl", WEB_ACL) }],
        fail: [{ name: "rate rule only", resources: () => single("aws:wafv2/webAcl:WebAcl", { ...WEB_ACL, rules: [WEB_ACL.rules[0]] }), messages: ["AWSManagedRulesKnownBadInputsRuleSet"] }],
    },
];
