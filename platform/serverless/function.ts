import { type AdditionalPolicyStatements, additionalRolePolicy, validateAdditionalPolicyStatements } from "../extensions";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_INTEGRATION_TIMEOUT_SECONDS, FUNCTION_MEMORY_MB, FUNCTION_RUNTIMES, FUNCTION_TIMEOUT_SECONDS, FunctionRuntime } from "../config";
import { anyOccurrenceAlarm } from "../alarms";
import { Grant, Grantee, RoleGrants } from "../grants";
import { policyJson } from "../iam";
import { Bundle, bundleHandler, recordBundle } from "./bundle";
import { deadLetterAlarm, deadLetterQueue, keyGrant, ServerlessContext, sidOf } from "./common";
import { withTransforms, type Transformable } from "../transform";

/** How a function invoked asynchronously (SNS, EventBridge, S3) retries and where failures go. */
export interface AsyncInvocationArgs {
    /**
     * Retries Lambda makes after a failed asynchronous invocation, 0-2.
     * @default 2
     */
    maximumRetryAttempts?: number;
    /**
     * Oldest event Lambda still tries, 60-21600 s; older events go to the on-failure queue.
     * @default 3600
     */
    maximumEventAgeSeconds?: number;
}

export interface LambdaFunctionArgs extends Transformable {
    ctx: ServerlessContext;
    /** Handler source, relative to the repository root: `apps/<app>/src/<file>.ts`. Bundled with esbuild at `pulumi up`. */
    entry: string;
    /**
     * The exported handler function's name in `entry`.
     * @default "handler"
     */
    handlerExport?: string;
    /** What the function does, shown in the console. */
    description: string;
    /**
     * The config key that sizes this function, named in errors (e.g. `platform:translate.functions.worker`).
     * @default "platform:functions"
     */
    configKey?: string;
    /** @default ctx.functions.memoryMb (`platform:functions.memoryMb`) */
    memoryMb?: number;
    /** @default ctx.functions.timeoutSeconds (`platform:functions.timeoutSeconds`) */
    timeoutSeconds?: number;
    /** Concurrent executions reserved (and capped). @default ctx.functions.reservedConcurrency */
    reservedConcurrency?: number;
    /** @default ctx.functions.runtime */
    runtime?: FunctionRuntime;
    /**
     * The function is an API Gateway integration target: its timeout must stay within the
     * integration's 29 s, so the caller gets the function's answer and not a gateway timeout.
     * @default false
     */
    behindApi?: boolean;
    /**
     * The function is invoked asynchronously (SNS, EventBridge): creates an on-failure queue and
     * an `aws.lambda.FunctionEventInvokeConfig`. Topic and Bus targets require it.
     * @default undefined (not invoked asynchronously)
     */
    asyncInvocation?: AsyncInvocationArgs;
    /** Plain environment variables (encrypted at rest with the data key). Never secrets: read those from Secrets Manager. */
    environment?: Record<string, pulumi.Input<string>>;
    /**
     * Private subnets and security groups, for a function that must reach resources inside the
     * VPC. Functions that only call AWS APIs stay outside (no ENIs, no NAT data charges).
     * @default undefined (not in the VPC)
     */
    vpc?: { subnetIds: pulumi.Input<string[]>; securityGroupIds: pulumi.Input<string[]> };
    /**
     * Statements added to the function's role as one inline policy, `<name>-additional`, beside
     * the grants declared on it (`queue.grantConsume(fn)`). The function creates no security group
     * (in a VPC it joins `vpc.securityGroupIds`), so rules go on those groups where they are made.
     * {@inheritDoc AdditionalPolicyStatements}
     */
    additionalPolicyStatements?: AdditionalPolicyStatements;
}

/**
 * A Lambda function with everything around it: code bundled from the app's TypeScript, arm64,
 * its own KMS-encrypted log group with retention (JSON logs), active tracing, a role that can
 * write only its own logs plus the grants declared on it, environment encrypted with the data
 * key, reserved concurrency, and for asynchronous use retries bounded and failures kept in a
 * queue. Implements `Grantee`: `queue.grantConsume(fn)`, `table.grantReadWrite(fn)`.
 *
 * Cost: $0.0000133 per GB-second on arm64 (20 % below x86) plus $0.20 per million requests;
 * X-Ray $5 per million traces recorded (1 request/s and 5 % sampled by default).
 */
export class LambdaFunction extends pulumi.ComponentResource implements Grantee {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Where failed asynchronous invocations land (with `asyncInvocation`). */
    readonly onFailureQueue?: aws.sqs.Queue;
    readonly bundle: Bundle;
    /** The physical function name, `<name>` (log group `/aws/lambda/<name>`). */
    readonly functionName: string;
    readonly arn: pulumi.Output<string>;
    readonly invokeArn: pulumi.Output<string>;
    readonly timeoutSeconds: number;
    readonly memoryMb: number;
    /** Undefined: unreserved (the account's shared pool). */
    readonly reservedConcurrency?: number;
    readonly configKey: string;
    readonly asyncInvocation: boolean;
    /** The inline policies granted so far: what a resource that checks the role's permissions when created must wait for. */
    readonly grantPolicies: aws.iam.RolePolicy[] = [];
    private readonly grants: RoleGrants;

    constructor(name: string, args: LambdaFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAdditionalPolicyStatements(`${name}: additionalPolicyStatements`, args.additionalPolicyStatements);
        super("platform:serverless:Function", name, {}, withTransforms(opts, args.transform));
        const { ctx } = args;
        this.configKey = args.configKey ?? "platform:functions";
        this.memoryMb = args.memoryMb ?? ctx.functions.memoryMb;
        this.timeoutSeconds = args.timeoutSeconds ?? ctx.functions.timeoutSeconds;
        const runtime = args.runtime ?? ctx.functions.runtime;
        const reserved = args.reservedConcurrency ?? ctx.functions.reservedConcurrency;
        this.reservedConcurrency = reserved;
        validateSizing(name, this.configKey, { memoryMb: this.memoryMb, timeoutSeconds: this.timeoutSeconds, runtime, reserved, behindApi: args.behindApi ?? false });
        // Lambda's name limit is 64 characters; the log group name is derived from it.
        if (name.length > 64) throw new Error(`${name}: a function name has at most 64 characters (it is <project>-<stack>-<app>-<function>); shorten the app or function name`);
        this.functionName = name;
        this.asyncInvocation = args.asyncInvocation !== undefined;

        this.bundle = bundleHandler(args.entry);
        recordBundle(name, this.bundle);

        this.logGroup = new aws.cloudwatch.LogGroup(name, { name: `/aws/lambda/${name}`, retentionInDays: ctx.functions.logRetentionDays, kmsKeyId: ctx.logsKeyArn }, { parent: this, protect: ctx.protect });

        // Lambda does not pass aws:SourceAccount when it assumes an execution role; the service principal alone is the documented trust.
        this.role = new aws.iam.Role(
            name,
            {
                description: `Execution role of function ${name}`,
                assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            },
            { parent: this },
        );
        this.grants = new RoleGrants(name, this.role, this);
        additionalRolePolicy(name, this.role, args.additionalPolicyStatements, { parent: this });
        // AWSLambdaBasicExecutionRole, narrowed to this function's own log group.
        this.addGrant({ sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${this.logGroup.arn}:log-stream:*`] });
        // X-Ray has no resource-level permissions: "*" is the only resource PutTraceSegments accepts.
        if (ctx.functions.tracing) this.addGrant({ sid: "WriteTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] });
        // The environment is encrypted with the data key; the function decrypts it with its role, for itself only.
        // Lambda's encryption context is the function's ARN under `aws:lambda:FunctionArn`
        // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html).
        this.addGrant({
            sid: "DecryptOwnEnvironment",
            actions: ["kms:Decrypt"],
            resources: [ctx.dataKeyArn],
            conditions: { StringEquals: { "kms:EncryptionContext:aws:lambda:FunctionArn": pulumi.interpolate`arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}` } },
        });
        if (args.vpc) {
            // AWSLambdaVPCAccessExecutionRole's ENI actions have no resource-level scoping either.
            this.addGrant({
                sid: "ManageVpcInterfaces",
                actions: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
                resources: ["*"],
            });
        }

        const handlerExport = args.handlerExport ?? "handler";
        this.function = new aws.lambda.Function(
            name,
            {
                name,
                description: args.description,
                runtime,
                architectures: ["arm64"],
                handler: `index.${handlerExport}`,
                code: this.bundle.archive,
                // Pulumi diffs the archive by its content; the tag says which build runs (sourceCodeHash
                // is left to the provider: it expects the hash of the zip Pulumi makes, not of the files).
                tags: { "bundle-sha256": this.bundle.sha256 },
                role: this.role.arn,
                memorySize: this.memoryMb,
                timeout: this.timeoutSeconds,
                reservedConcurrentExecutions: reserved,
                kmsKeyArn: ctx.dataKeyArn,
                tracingConfig: { mode: ctx.functions.tracing ? "Active" : "PassThrough" },
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                environment: {
                    variables: {
                        NODE_OPTIONS: "--enable-source-maps",
                        POWERTOOLS_SERVICE_NAME: name,
                        POWERTOOLS_METRICS_NAMESPACE: "platform",
                        ...args.environment,
                    },
                },
                vpcConfig: args.vpc ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } : undefined,
            },
            // The group exists before the first invocation logs, or Lambda would create one that never expires;
            // in a VPC, CreateFunction checks that the role may create network interfaces.
            { parent: this, dependsOn: [this.logGroup, ...(args.vpc ? this.grantPolicies : [])] },
        );
        this.arn = this.function.arn;
        this.invokeArn = this.function.invokeArn;

        // Errors (the handler threw or timed out) and throttles (reserved concurrency reached): on-call hears of both.
        for (const [metric, what] of [
            ["Errors", "failed (threw, timed out or ran out of memory)"],
            ["Throttles", "was throttled at its reserved concurrency"],
        ] as const) {
            anyOccurrenceAlarm(
                `${name}-${metric.toLowerCase()}`,
                ctx.alarmTopicArn,
                {
                    alarmDescription: `Function ${name} ${what} in the last 5 minutes. Look at its log group /aws/lambda/${name} and its X-Ray traces.`,
                    namespace: "AWS/Lambda",
                    metricName: metric,
                    dimensions: { FunctionName: this.function.name },
                },
                { parent: this },
            );
        }

        if (args.asyncInvocation) {
            const retries = args.asyncInvocation.maximumRetryAttempts ?? 2;
            const age = args.asyncInvocation.maximumEventAgeSeconds ?? 3600;
            if (!Number.isInteger(retries) || retries < 0 || retries > 2) throw new Error(`${name}: asyncInvocation.maximumRetryAttempts must be 0, 1 or 2, got ${retries}`);
            if (!Number.isInteger(age) || age < 60 || age > 21600) throw new Error(`${name}: asyncInvocation.maximumEventAgeSeconds must be 60-21600, got ${age}`);
            // A destination, not a plain DLQ: it keeps the request, the response and the error.
            const queue = deadLetterQueue(`${name}-failed`, ctx, this);
            this.onFailureQueue = queue;
            // Lambda sends to the destination with the function's own role.
            this.addGrant({ sid: "SendFailedInvocations", actions: ["sqs:SendMessage"], resources: [queue.arn] });
            this.addGrant(keyGrant("EncryptFailedInvocations", ctx, "sqs", ["kms:GenerateDataKey", "kms:Decrypt"]));
            new aws.lambda.FunctionEventInvokeConfig(
                name,
                { functionName: this.function.name, maximumRetryAttempts: retries, maximumEventAgeInSeconds: age, destinationConfig: { onFailure: { destination: queue.arn } } },
                // Lambda checks that the role may send to the destination when the config is set.
                { parent: this, dependsOn: [...this.grantPolicies] },
            );
            deadLetterAlarm(`${name}-failed`, queue, ctx, this, `Function ${name} dropped asynchronous events after its retries; they are kept in its on-failure queue. Read them, fix the cause, then send them again.`);
        }
        this.registerOutputs({ arn: this.arn, functionName: name, bundleSha256: this.bundle.sha256, codeBytes: this.bundle.codeBytes });
    }

    get roleName(): pulumi.Output<string> {
        return this.role.name;
    }

    get roleArn(): pulumi.Output<string> {
        return this.role.arn;
    }

    addGrant(grant: Grant): void {
        this.grantPolicies.push(this.grants.addGrant(grant));
    }

    /** Lets `grantee` invoke this function (and nothing else). */
    grantInvoke(grantee: Grantee): void {
        grantee.addGrant({ sid: `Invoke${sidOf(this.functionName)}`, actions: ["lambda:InvokeFunction"], resources: [this.arn] });
    }
}

/** Lambda's limits, checked before anything is created; errors name the config key. */
export function validateSizing(name: string, configKey: string, s: { memoryMb: number; timeoutSeconds: number; runtime: string; reserved: number | undefined; behindApi: boolean }): void {
    const problems: string[] = [];
    if (!Number.isInteger(s.memoryMb) || s.memoryMb < FUNCTION_MEMORY_MB.min || s.memoryMb > FUNCTION_MEMORY_MB.max) {
        problems.push(`${configKey}.memoryMb: expected a whole number of MB from ${FUNCTION_MEMORY_MB.min} to ${FUNCTION_MEMORY_MB.max}, got ${s.memoryMb}`);
    }
    if (!Number.isInteger(s.timeoutSeconds) || s.timeoutSeconds < FUNCTION_TIMEOUT_SECONDS.min || s.timeoutSeconds > FUNCTION_TIMEOUT_SECONDS.max) {
        problems.push(`${configKey}.timeoutSeconds: expected a whole number of seconds from ${FUNCTION_TIMEOUT_SECONDS.min} to ${FUNCTION_TIMEOUT_SECONDS.max}, got ${s.timeoutSeconds}`);
    } else if (s.behindApi && s.timeoutSeconds > API_INTEGRATION_TIMEOUT_SECONDS) {
        problems.push(
            `${configKey}.timeoutSeconds: expected at most ${API_INTEGRATION_TIMEOUT_SECONDS} s for a function behind API Gateway (the integration times out at ${API_INTEGRATION_TIMEOUT_SECONDS} s), got ${s.timeoutSeconds}`,
        );
    }
    if (!(FUNCTION_RUNTIMES as readonly string[]).includes(s.runtime)) problems.push(`${configKey}.runtime: expected one of ${FUNCTION_RUNTIMES.join(", ")}, got ${s.runtime}`);
    if (s.reserved !== undefined && (!Number.isInteger(s.reserved) || s.reserved < 1)) problems.push(`${configKey}.reservedConcurrency: expected a whole number of at least 1, got ${s.reserved}`);
    if (problems.length > 0) throw new Error(`function ${name}: ${problems.join("; ")}`);
}
