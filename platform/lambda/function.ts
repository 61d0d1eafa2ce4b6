import { type AdditionalPolicyStatements, additionalRolePolicy, validateAdditionalPolicyStatements } from "../extensions";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyOccurrenceAlarm, notifyingAlarm } from "../alarms";
import type { AppBindings } from "../bindings";
import { type AppConfig, type LambdaSettings, SECRETS_MANAGER_ARN_PATTERN } from "../config";
import { type Grant, RoleGrants } from "../grants";
import { policyJson } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { ServerlessContext } from "../serverless/common";
import { withTransforms, type Transformable } from "../transform";

/**
 * Where the AWS Lambda Web Adapter (an extension in the app's image, apps/web/Dockerfile) forwards
 * non-HTTP events such as an SQS batch, as a POST with the raw event as its body; the response
 * body is the invocation's result (https://awslabs.github.io/aws-lambda-web-adapter/features/non-http-events.html).
 */
export const PASS_THROUGH_PATH = "/events";

/** The variable that lists an app's secrets on Lambda: a JSON object of variable name to secret or parameter ARN. */
export const SECRETS_VARIABLE = "PLATFORM_SECRETS";

export interface AppFunctionArgs extends Transformable {
    /** The app's name, for descriptions and the config keys named in alarms. */
    app: string;
    spec: AppConfig;
    /** `lambdaSettings(spec)`: memory, timeout, /tmp, concurrency. */
    settings: LambdaSettings;
    /** The physical function name (at most 64 characters); the log group is `/aws/lambda/<name>`. */
    functionName: string;
    /** `<repository url>:<imageTag>`: an image in this account's and region's ECR (the only place Lambda runs images from). */
    imageUri: pulumi.Input<string>;
    /** The app's bindings: grants for the function's role, variables for its environment. */
    bindings: AppBindings;
    /** Keys, alarm topic, log retention and protection of the stack. */
    ctx: ServerlessContext;
    /**
     * Statements added to the function's execution role as one inline policy, `<name>-additional`.
     * The function runs outside the VPC, so there are no security group rules to add.
     * {@inheritDoc AdditionalPolicyStatements}
     */
    additionalPolicyStatements?: AdditionalPolicyStatements;
}

/**
 * An app's image as a Lambda function: its own encrypted log group with the stack's retention, a
 * role with exactly the app's bindings and secrets (and its own logs), the environment encrypted
 * with the data key, the Web Adapter told the app's port and readiness path, and alarms on
 * errors, throttles and a p99 duration near the timeout.
 */
export class AppFunction extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** The physical function name. */
    readonly functionName: string;
    /** The role's inline policies: an event source mapping checks the role's permissions when it is created. */
    readonly grantPolicies: aws.iam.RolePolicy[] = [];

    constructor(name: string, args: AppFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAdditionalPolicyStatements(`${args.app}: additionalPolicyStatements`, args.additionalPolicyStatements);
        super("platform:lambda:Function", name, {}, withTransforms(opts, args.transform));
        const { ctx, functionName } = args;
        this.functionName = functionName;
        // Steps: the log group, the role and its grants, the function, its alarms.
        this.logGroup = new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${functionName}`, retentionInDays: ctx.logRetentionDays, kmsKeyId: ctx.logsKeyArn }, { parent: this, protect: ctx.protect });
        this.role = this.createRole(name, args);
        additionalRolePolicy(name, this.role, args.additionalPolicyStatements, { parent: this });
        this.function = this.createFunction(name, args);
        this.createAlarms(name, args);
        this.registerOutputs({ functionName: this.function.name, arn: this.function.arn });
    }

    /** The execution role: the function's own log streams, its environment key, its secrets and its bindings, nothing else. */
    private createRole(name: string, args: AppFunctionArgs): aws.iam.Role {
        const { functionName } = args;
        // Lambda does not pass aws:SourceAccount when it assumes an execution role; the service principal alone is the documented trust.
        const role = new aws.iam.Role(
            name,
            {
                // A 40-character app name would push the autoname past IAM's 64 characters: named explicitly then.
                name: nameWithin(name, NAME_LIMITS.iamRole),
                description: `Execution role of ${args.app} on Lambda (${functionName})`,
                assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            },
            { parent: this },
        );
        const grants = new RoleGrants(name, role, this);
        for (const grant of functionGrants(args, pulumi.interpolate`${this.logGroup.arn}:log-stream:*`)) this.grantPolicies.push(grants.addGrant(grant));
        return role;
    }

    private createFunction(name: string, args: AppFunctionArgs): aws.lambda.Function {
        const { spec, settings, ctx } = args;
        return new aws.lambda.Function(
            name,
            {
                name: args.functionName,
                description: `${args.app}: the app's image on Lambda, its HTTP server adapted by the Lambda Web Adapter`,
                packageType: "Image",
                imageUri: args.imageUri,
                // The image is built for the app's architecture; Lambda runs it on the same.
                architectures: [spec.architecture],
                role: this.role.arn,
                memorySize: settings.memoryMb,
                timeout: settings.timeoutSeconds,
                ephemeralStorage: { size: settings.ephemeralStorageMb },
                reservedConcurrentExecutions: settings.reservedConcurrency,
                kmsKeyArn: ctx.dataKeyArn,
                // The app writes its own JSON lines; Lambda's platform records are JSON too, warnings and up.
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, systemLogLevel: "WARN" },
                environment: { variables: functionEnvironment(args) },
            },
            // The group exists before the first invocation logs (or Lambda would create one that never expires).
            { parent: this, dependsOn: [this.logGroup, ...this.grantPolicies] },
        );
    }

    /** Errors and throttles on any occurrence; a p99 duration above 80% of the timeout before requests start timing out. */
    private createAlarms(name: string, args: AppFunctionArgs): void {
        const { ctx, functionName, app } = args;
        const dimensions = { FunctionName: this.function.name };
        for (const [metric, what] of [
            ["Errors", "failed (the invocation returned an error, timed out or ran out of memory)"],
            ["Throttles", "was throttled (its reserved or the account's concurrency was reached)"],
        ] as const) {
            anyOccurrenceAlarm(
                `${name}-${metric.toLowerCase()}`,
                ctx.alarmTopicArn,
                { alarmDescription: `${app} on Lambda (${functionName}) ${what} in the last 5 minutes. Look at its log group /aws/lambda/${functionName}.`, namespace: "AWS/Lambda", metricName: metric, dimensions },
                { parent: this },
            );
        }
        const thresholdMs = Math.round(args.settings.timeoutSeconds * 1000 * 0.8);
        notifyingAlarm(
            `${name}-duration`,
            ctx.alarmTopicArn,
            {
                alarmDescription: `${app} on Lambda: p99 duration above ${thresholdMs} ms (80% of its ${args.settings.timeoutSeconds} s timeout) in 2 of the last 3 5-minute periods; requests are about to time out. Raise apps.${app}.lambda.timeoutSeconds or memoryMb, or find the slow dependency.`,
                namespace: "AWS/Lambda",
                metricName: "Duration",
                dimensions,
                extendedStatistic: "p99",
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                comparisonOperator: "GreaterThanThreshold",
                threshold: thresholdMs,
                // No invocations, no duration: not slow.
                treatMissingData: "notBreaching",
            },
            { parent: this },
        );
    }
}

/**
 * The function's grants: its own log streams, its environment key (only for this function, by
 * Lambda's encryption context, https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html),
 * exactly its secrets (and their key through Secrets Manager and SSM only), then its bindings.
 * ECR needs nothing here: Lambda pulls the image with its service principal, admitted by the
 * repository policy (platform/registry.ts).
 */
export function functionGrants(args: Pick<AppFunctionArgs, "ctx" | "functionName" | "spec" | "bindings">, logStreams: pulumi.Input<string>): Grant[] {
    const { ctx, functionName, spec } = args;
    const grants: Grant[] = [
        { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logStreams] },
        {
            sid: "DecryptOwnEnvironment",
            actions: ["kms:Decrypt"],
            resources: [ctx.dataKeyArn],
            conditions: { StringEquals: { "kms:EncryptionContext:aws:lambda:FunctionArn": pulumi.interpolate`arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${functionName}` } },
        },
    ];
    const references = Object.values(spec.secrets);
    // A Secrets Manager reference may carry ECS's :json-key:stage:version selector; IAM wants the secret itself.
    const secretArns = [...new Set(references.map((arn) => SECRETS_MANAGER_ARN_PATTERN.exec(arn)?.[1]).filter((arn): arn is string => arn !== undefined))];
    const parameterArns = references.filter((arn) => !SECRETS_MANAGER_ARN_PATTERN.test(arn));
    if (secretArns.length > 0) grants.push({ sid: "ReadOwnSecrets", actions: ["secretsmanager:GetSecretValue"], resources: secretArns });
    if (parameterArns.length > 0) grants.push({ sid: "ReadOwnParameters", actions: ["ssm:GetParameters"], resources: parameterArns });
    if (spec.secretsKmsKeyArn && references.length > 0) {
        grants.push({
            sid: "DecryptOwnSecrets",
            actions: ["kms:Decrypt"],
            resources: [spec.secretsKmsKeyArn],
            conditions: { StringEquals: { "kms:ViaService": [`secretsmanager.${ctx.region}.amazonaws.com`, `ssm.${ctx.region}.amazonaws.com`] } },
        });
    }
    return [...grants, ...args.bindings.grants];
}

/**
 * The function's environment: the Web Adapter's settings, the bindings' variables, the app's own
 * (which win), and the secrets' ARNs (never their values: Lambda has no secret injection, so the
 * app reads them at start with the role's exact grants). Lambda sets AWS_REGION itself and
 * refuses it here.
 */
export function functionEnvironment(args: Pick<AppFunctionArgs, "spec" | "bindings">): Record<string, pulumi.Input<string>> {
    const { spec } = args;
    const adapter: Record<string, string> = {
        // https://awslabs.github.io/aws-lambda-web-adapter/configuration/environment-variables.html
        AWS_LWA_PORT: String(spec.port),
        AWS_LWA_READINESS_CHECK_PATH: spec.healthCheck.readinessPath,
        // Only a 2xx or 3xx readiness answer means ready (the adapter's default accepts any status below 500).
        AWS_LWA_READINESS_CHECK_HEALTHY_STATUS: "200-399",
        // A worker: events arrive on the pass-through path, and a 5xx answer (the batch could not be
        // handled at all) fails the invocation, so the whole batch is retried.
        ...(spec.consumes ? { AWS_LWA_PASS_THROUGH_PATH: PASS_THROUGH_PATH, AWS_LWA_ERROR_STATUS_CODES: "500-599" } : {}),
    };
    const secrets: Record<string, string> = Object.keys(spec.secrets).length > 0 ? { [SECRETS_VARIABLE]: JSON.stringify(spec.secrets) } : {};
    return { ...adapter, ...args.bindings.environment, ...spec.environment, ...secrets };
}
