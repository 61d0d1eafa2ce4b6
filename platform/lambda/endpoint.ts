import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyOccurrenceAlarm } from "../alarms";
import { LAMBDA_LIMITS, type LambdaSettings } from "../config";
import type { ServerlessContext } from "../serverless/common";
import { withTransforms, type Transformable } from "../transform";

export interface HttpEndpointArgs extends Transformable {
    /** The app, for descriptions. */
    app: string;
    /** The physical function name: the API and its access log group are named after it. */
    functionName: string;
    fn: aws.lambda.Function;
    /** Endpoint kind, authorization (and JWT issuer and audiences), throttling. */
    settings: LambdaSettings;
    ctx: ServerlessContext;
}

/** HTTP API access log fields (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html). */
const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.caller",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    path: "$context.path",
    routeKey: "$context.routeKey",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationStatus: "$context.integrationStatus",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
});

/**
 * What fronts an app's function. `httpApi`: an API Gateway HTTP API whose one `$default` route
 * proxies every request (payload 2.0) to the function, authorized by IAM or a JWT authorizer,
 * with JSON access logs in a KMS-encrypted group, stage throttling and a 5xx alarm; only that
 * API may invoke the function. `functionUrl`: the function's own URL with AWS_IAM auth (no access
 * log or throttle of its own: reserved concurrency caps it).
 *
 * Cost: HTTP API $1.00 per million requests (first 300 million a month); a function URL is free.
 */
export class HttpEndpoint extends pulumi.ComponentResource {
    /** `https://<api id>.execute-api.<region>.amazonaws.com` or `https://<url id>.lambda-url.<region>.on.aws/`. */
    readonly url: pulumi.Output<string>;
    readonly api?: aws.apigatewayv2.Api;
    readonly stage?: aws.apigatewayv2.Stage;
    readonly accessLogGroup?: aws.cloudwatch.LogGroup;
    readonly functionUrl?: aws.lambda.FunctionUrl;

    constructor(name: string, args: HttpEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lambda:HttpEndpoint", name, {}, withTransforms(opts, args.transform));
        if (args.settings.endpoint === "functionUrl") {
            this.functionUrl = new aws.lambda.FunctionUrl(name, { functionName: args.fn.name, authorizationType: "AWS_IAM", invokeMode: "BUFFERED" }, { parent: this });
            this.url = this.functionUrl.functionUrl;
        } else {
            // Steps: the API, its integration and route, the access log group, the stage, the invoke permission, the 5xx alarm.
            this.api = new aws.apigatewayv2.Api(name, { name: args.functionName, protocolType: "HTTP", description: `${args.app} on Lambda` }, { parent: this });
            const route = this.createRoute(name, args, this.api);
            this.accessLogGroup = new aws.cloudwatch.LogGroup(
                `${name}-access`,
                { name: `/aws/apigateway/${args.functionName}/access`, retentionInDays: args.ctx.logRetentionDays, kmsKeyId: args.ctx.logsKeyArn },
                { parent: this, protect: args.ctx.protect },
            );
            this.stage = new aws.apigatewayv2.Stage(
                name,
                {
                    apiId: this.api.id,
                    name: "$default",
                    autoDeploy: true,
                    accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
                    defaultRouteSettings: { throttlingRateLimit: args.settings.throttle.rateLimit, throttlingBurstLimit: args.settings.throttle.burstLimit, detailedMetricsEnabled: false },
                },
                { parent: this, dependsOn: [route] },
            );
            // Only this API's default route, in any stage, may invoke the function.
            new aws.lambda.Permission(
                name,
                { action: "lambda:InvokeFunction", function: args.fn.name, principal: "apigateway.amazonaws.com", sourceArn: pulumi.interpolate`${this.api.executionArn}/*/$default` },
                { parent: this },
            );
            anyOccurrenceAlarm(
                `${name}-5xx`,
                args.ctx.alarmTopicArn,
                {
                    alarmDescription: `${args.app}'s HTTP API answered 5xx in the last 5 minutes: the function failed, timed out or was throttled. Look at /aws/apigateway/${args.functionName}/access and /aws/lambda/${args.functionName}.`,
                    namespace: "AWS/ApiGateway",
                    metricName: "5xx",
                    // HTTP APIs publish 5xx per ApiId (the one $default stage is the whole API).
                    dimensions: { ApiId: this.api.id },
                },
                { parent: this },
            );
            this.url = this.api.apiEndpoint;
        }
        this.registerOutputs({ url: this.url });
    }

    /** The proxy integration (payload 2.0, the HTTP API's longest timeout) and the `$default` route with its authorization. */
    private createRoute(name: string, args: HttpEndpointArgs, api: aws.apigatewayv2.Api): aws.apigatewayv2.Route {
        const integration = new aws.apigatewayv2.Integration(
            name,
            {
                apiId: api.id,
                integrationType: "AWS_PROXY",
                integrationUri: args.fn.arn,
                payloadFormatVersion: "2.0",
                timeoutMilliseconds: LAMBDA_LIMITS.httpApiIntegrationTimeoutSeconds * 1000,
            },
            { parent: this },
        );
        const jwt = args.settings.auth === "jwt" ? args.settings.jwt : undefined;
        if (args.settings.auth === "jwt" && !jwt) throw new Error(`HttpEndpoint ${name}: auth jwt needs lambda.jwt (issuer and audience)`);
        const authorizer = jwt
            ? new aws.apigatewayv2.Authorizer(
                  name,
                  { apiId: api.id, name: "jwt", authorizerType: "JWT", identitySources: ["$request.header.Authorization"], jwtConfiguration: { issuer: jwt.issuer, audiences: jwt.audience } },
                  { parent: this },
              )
            : undefined;
        return new aws.apigatewayv2.Route(
            name,
            {
                apiId: api.id,
                routeKey: "$default",
                target: pulumi.interpolate`integrations/${integration.id}`,
                authorizationType: authorizer ? "JWT" : "AWS_IAM",
                authorizerId: authorizer?.id,
            },
            { parent: this },
        );
    }
}
