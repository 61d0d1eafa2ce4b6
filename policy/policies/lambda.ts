import type { PolicyResource } from "@pulumi/policy";
import { defineResourcePolicy, defineStackPolicy } from "../lib/define";
import { dependsOn, refersTo, refersToVia } from "../lib/graph";
import { bool, joinWords, list, num, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/** Lambda's defaults when a function omits them. */
const DEFAULT_TIMEOUT = 3;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

const functionLabel = (fn: PolicyResource) => `function ${str(fn.props.name) ?? fn.name}`;
const timeoutOf = (fn: PolicyResource) => num(fn.props.timeout) ?? DEFAULT_TIMEOUT;

/**
 * A permission's sourceArn/sourceAccount/principalOrgId pins the caller only with a concrete value:
 * "*" or an ARN whose account is a wildcard ("arn:aws:execute-api:*:*:*") lets any account's
 * resource invoke the function (Lambda matches sourceArn with wildcards, as ArnLike).
 */
function pinsCaller(value: string | undefined, kind: "arn" | "account" | "org"): boolean {
    if (value === undefined || value === "" || /^[*?]+$/.test(value)) return false;
    if (kind === "arn") {
        // arn:partition:service:region:account:resource; a truncated ARN ("arn:aws:execute-api:*") pins nothing.
        const parts = value.split(":");
        if (parts.length < 6) return false;
        const account = parts[4];
        if (account === "") return !/^[*?]/.test(parts.slice(5).join(":")) && parts.slice(5).join(":") !== "";
        return /^\d{12}$/.test(account);
    }
    return !/[*?]/.test(value);
}

export const lambdaFunctionNotPublic = defineResourcePolicy({
    name: "lambda-function-not-public",
    description: "Lambda permissions do not let anyone invoke a function and grant no wildcard action; service principals are scoped to a source ARN or account, and function URLs require IAM auth.",
    severity: "critical",
    frameworks: ["FSBP Lambda.1"],
    remediation: "Name the invoking principal; for a service principal set sourceArn (and sourceAccount); give function URLs authorizationType AWS_IAM and put public traffic behind API Gateway.",
    types: [T.lambdaPermission, T.lambdaFunctionUrl],
    validate: ({ type, props }, report) => {
        if (type === T.lambdaFunctionUrl) {
            if (str(props.authorizationType) !== "AWS_IAM") report(`authorizationType is ${show(props.authorizationType)}; expected "AWS_IAM" (NONE makes the URL public)`);
            return;
        }
        const action = str(props.action) ?? "";
        // add-permission accepts lambda:InvokeFunction, lambda:InvokeFunctionUrl and lambda:GetFunction, or a wildcard that grants every action on the function.
        if (action.includes("*")) report(`action is ${show(props.action)}, which grants every Lambda action on the function (update its code, change its permissions); expected "lambda:InvokeFunction"`);
        const principal = str(props.principal) ?? "";
        const scoped = pinsCaller(str(props.sourceArn), "arn") || pinsCaller(str(props.sourceAccount), "account") || pinsCaller(str(props.principalOrgId), "org");
        if (principal === "*") {
            // A "*" permission for an IAM-authenticated function URL still requires signed requests.
            if (str(props.functionUrlAuthType) === "AWS_IAM" || scoped) return;
            report('principal is "*" with no sourceArn, sourceAccount or principalOrgId; expected a named principal');
        } else if (principal.endsWith(".amazonaws.com") && !scoped) {
            report(`principal is the service ${principal} without sourceArn or sourceAccount, so any account's ${principal.split(".")[0]} resource could invoke it; expected sourceArn (and sourceAccount)`);
        }
    },
});

/**
 * Runtimes in standard support on Amazon Linux 2023 (the Amazon Linux 2 based ones reach end of
 * support with AL2). Configurable: the list moves as AWS deprecates runtimes.
 */
const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14", "java21", "java25", "dotnet8", "dotnet10", "ruby3.3", "ruby3.4", "provided.al2023"];

export const lambdaSupportedRuntime = defineResourcePolicy<{ allowedRuntimes: string[] }>({
    name: "lambda-supported-runtime",
    description: "Lambda functions use a supported runtime.",
    severity: "medium",
    frameworks: ["FSBP Lambda.2"],
    remediation: "Move the function to a supported runtime (e.g. nodejs22.x, python3.13, provided.al2023).",
    types: [T.lambdaFunction],
    config: { allowedRuntimes: { type: "array", items: { type: "string" }, default: SUPPORTED_RUNTIMES, description: "Runtime identifiers still supported by Lambda." } },
    validate: ({ props, config }, report) => {
        if (str(props.packageType) === "Image") return; // container images bring their own runtime
        const runtime = str(props.runtime);
        if (!runtime || !config.allowedRuntimes.includes(runtime)) report(`runtime is ${show(runtime)}; expected one of ${joinWords(config.allowedRuntimes)}`);
    },
});

export const lambdaVpcMultiAz = defineResourcePolicy({
    name: "lambda-vpc-multi-az",
    description: "VPC-attached Lambda functions use subnets in at least two availability zones.",
    severity: "medium",
    frameworks: ["FSBP Lambda.5", "Reliability 10"],
    remediation: "Give vpcConfig.subnetIds one private subnet per AZ (at least two).",
    types: [T.lambdaFunction],
    validate: ({ props }, report) => {
        if (props.vpcConfig === undefined) return;
        const subnets = list(rec(props.vpcConfig).subnetIds);
        if (subnets.length < 2) report(`vpcConfig.subnetIds has ${subnets.length} subnet${subnets.length === 1 ? "" : "s"}; expected at least 2 in different AZs`);
    },
});

type SourceKind = "sqs" | "stream" | "other";

function sourceKind(mapping: Record<string, any>): SourceKind {
    const arn = str(mapping.eventSourceArn) ?? "";
    if (arn.startsWith("arn:aws:sqs:") || arn.includes(":sqs:")) return "sqs";
    if (/:kinesis:|:dynamodb:/.test(arn)) return "stream";
    // Streams require a starting position; SQS rejects one.
    if (mapping.startingPosition !== undefined && mapping.queues === undefined && mapping.topics === undefined && mapping.selfManagedEventSource === undefined) return "stream";
    return "other";
}

export const lambdaEventSourceMappingFailureHandling = defineResourcePolicy({
    name: "lambda-event-source-mapping-failure-handling",
    description: "Queue and stream event source mappings report partial batch failures; stream mappings also bisect failing batches, bound retries and record age, and send failures to a destination.",
    severity: "medium",
    frameworks: ["Reliability 4"],
    remediation:
        'Set functionResponseTypes: ["ReportBatchItemFailures"]; for Kinesis/DynamoDB streams also bisectBatchOnFunctionError: true, maximumRetryAttempts (e.g. 5), maximumRecordAgeInSeconds (e.g. 3600) and destinationConfig.onFailure.destinationArn.',
    types: [T.lambdaEventSourceMapping],
    validate: ({ props }, report) => {
        const kind = sourceKind(props);
        if (kind === "other") return;
        if (!list(props.functionResponseTypes).includes("ReportBatchItemFailures")) {
            report(`functionResponseTypes is ${show(props.functionResponseTypes)}; expected ["ReportBatchItemFailures"] so one bad record does not fail (and replay) the whole batch`);
        }
        if (kind !== "stream") return;
        if (bool(props.bisectBatchOnFunctionError) !== true) report(`bisectBatchOnFunctionError is ${show(props.bisectBatchOnFunctionError)}; expected true`);
        const retries = num(props.maximumRetryAttempts);
        if (retries === undefined || retries < 0) report(`maximumRetryAttempts is ${show(props.maximumRetryAttempts)} (-1, infinite, by default); expected a finite number such as 5`);
        const age = num(props.maximumRecordAgeInSeconds);
        if (age === undefined || age < 0) report(`maximumRecordAgeInSeconds is ${show(props.maximumRecordAgeInSeconds)} (-1, infinite, by default); expected a bound such as 3600`);
        if (!str(rec(rec(props.destinationConfig).onFailure).destinationArn)) report("destinationConfig.onFailure.destinationArn is not set; expected an SQS queue or SNS topic for records that keep failing");
    },
});

export const lambdaSqsVisibilityTimeout = defineStackPolicy<{ factor: number }>({
    name: "lambda-sqs-visibility-timeout",
    description: "Queues consumed by Lambda have a visibility timeout of at least six times the function's timeout.",
    severity: "high",
    frameworks: ["Reliability 1"],
    remediation: "Raise the queue's visibilityTimeoutSeconds to at least 6 × the function timeout (AWS's guidance), or shorten the function timeout.",
    types: [T.lambdaEventSourceMapping, T.sqsQueue, T.lambdaFunction],
    config: { factor: { type: "number", minimum: 1, default: 6, description: "Required ratio of visibility timeout to function timeout." } },
    validate: (stack, report) => {
        const queues = stack.ofType(T.sqsQueue);
        const functions = stack.ofType(T.lambdaFunction);
        for (const mapping of stack.ofType(T.lambdaEventSourceMapping)) {
            stack.guard(() => {
                // A known source that is not SQS (a Kinesis or DynamoDB stream): the queues the mapping
                // depends on are its on-failure destinations, which nothing consumes through it.
                const source = str(mapping.props.eventSourceArn);
                if (source !== undefined && source.startsWith("arn:") && !source.includes(":sqs:")) return;
                const queue = queues.find((q) => refersToVia(mapping, q, ["eventSourceArn"]));
                const fn = functions.find((f) => refersToVia(mapping, f, ["functionName"]));
                if (!queue || !fn) return;
                const visibility = num(queue.props.visibilityTimeoutSeconds) ?? DEFAULT_VISIBILITY_TIMEOUT;
                const needed = Math.ceil(stack.config.factor * timeoutOf(fn));
                if (visibility < needed) {
                    report(
                        `visibilityTimeoutSeconds is ${queue.props.visibilityTimeoutSeconds === undefined ? `not set (${visibility})` : visibility} but ${functionLabel(fn)} (timeout ${timeoutOf(fn)} s) consumes it; ` +
                            `expected at least ${stack.config.factor} × ${timeoutOf(fn)} = ${needed} s`,
                        queue.urn,
                    );
                }
            });
        }
    },
});

/** Service principals that invoke Lambda asynchronously. */
const ASYNC_PRINCIPALS = [
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "logs.amazonaws.com",
    "ses.amazonaws.com",
    "iot.amazonaws.com",
    "codecommit.amazonaws.com",
    "config.amazonaws.com",
    "scheduler.amazonaws.com",
];

/** Functions some resource in the stack invokes asynchronously (S3, SNS, EventBridge, Scheduler...). */
function asyncInvoked(resources: PolicyResource[], fn: PolicyResource): boolean {
    return resources.some((resource) => {
        switch (resource.type) {
            case T.lambdaPermission:
                return ASYNC_PRINCIPALS.includes(str(resource.props.principal) ?? "") && refersToVia(resource, fn, ["function"]);
            case T.eventTarget:
                return refersToVia(resource, fn, ["arn"]);
            case T.snsSubscription:
                return str(resource.props.protocol) === "lambda" && refersToVia(resource, fn, ["endpoint"]);
            case T.s3Notification:
            case T.schedule:
                return dependsOn(resource, fn);
            default:
                return false;
        }
    });
}

export const lambdaAsyncFailureHandling = defineStackPolicy<{ maximumEventAgeSeconds: number }>({
    name: "lambda-async-failure-handling",
    description: "Asynchronously invoked functions send failed events to an on-failure destination or DLQ, with retries and event age bounded.",
    severity: "medium",
    frameworks: ["Reliability 3"],
    remediation:
        "Add an aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure.destination (SQS/SNS/EventBridge), maximumRetryAttempts 0-2 and maximumEventAgeInSeconds (e.g. 3600); or a deadLetterConfig on the function.",
    types: [T.lambdaFunction, T.lambdaEventInvokeConfig, T.lambdaPermission, T.eventTarget, T.snsSubscription, T.s3Notification, T.schedule],
    config: { maximumEventAgeSeconds: { type: "integer", minimum: 60, maximum: 21600, default: 21600, description: "Largest acceptable maximumEventAgeInSeconds." } },
    validate: (stack, report) => {
        const configs = stack.ofType(T.lambdaEventInvokeConfig);
        for (const fn of stack.ofType(T.lambdaFunction)) {
            stack.guard(() => {
                if (!asyncInvoked(stack.resources, fn)) return;
                const config = configs.find((c) => refersToVia(c, fn, ["functionName"]));
                const onFailure = str(rec(rec(config?.props.destinationConfig).onFailure).destination);
                const dlq = str(rec(fn.props.deadLetterConfig).targetArn);
                if (!onFailure && !dlq) report(`${functionLabel(fn)} is invoked asynchronously but has no on-failure destination (FunctionEventInvokeConfig) or deadLetterConfig; failed events would be dropped`, fn.urn);
                if (!config) {
                    report(`${functionLabel(fn)} is invoked asynchronously but has no FunctionEventInvokeConfig; expected maximumRetryAttempts (0-2) and maximumEventAgeInSeconds set deliberately`, fn.urn);
                    return;
                }
                const age = num(config.props.maximumEventAgeInSeconds);
                if (age === undefined || age > stack.config.maximumEventAgeSeconds) {
                    report(`maximumEventAgeInSeconds is ${show(config.props.maximumEventAgeInSeconds)}; expected a value up to ${stack.config.maximumEventAgeSeconds}`, config.urn);
                }
                const retries = num(config.props.maximumRetryAttempts);
                if (retries === undefined || retries < 0 || retries > 2) report(`maximumRetryAttempts is ${show(config.props.maximumRetryAttempts)}; expected 0, 1 or 2`, config.urn);
            });
        }
    },
});

export const lambdaExplicitTimeoutMemory = defineResourcePolicy({
    name: "lambda-explicit-timeout-memory",
    description: "Lambda functions set timeout and memory deliberately instead of the 3 s / 128 MB defaults.",
    severity: "low",
    frameworks: ["Reliability 12"],
    remediation: "Set timeout (seconds) and memorySize (MB) from measurements of the function.",
    types: [T.lambdaFunction],
    validate: ({ props }, report) => {
        const missing = ["timeout", "memorySize"].filter((key) => props[key] === undefined);
        if (missing.length > 0) report(`${joinWords(missing)} ${missing.length === 1 ? "is" : "are"} not set (defaults 3 s / 128 MB); expected explicit values`);
    },
});

export const lambdaReservedConcurrency = defineResourcePolicy({
    name: "lambda-reserved-concurrency",
    description: "Lambda functions reserve concurrency, so one function cannot starve others or flood a downstream.",
    severity: "low",
    frameworks: ["Reliability 12"],
    remediation: "Set reservedConcurrentExecutions to what the downstream (database, API) can absorb.",
    types: [T.lambdaFunction],
    validate: ({ props }, report) => {
        const reserved = num(props.reservedConcurrentExecutions);
        if (reserved === undefined || reserved < 0) report(`reservedConcurrentExecutions is ${show(props.reservedConcurrentExecutions)} (unreserved); expected a limit sized for the downstream`);
    },
});

export const lambdaLogRetention = defineStackPolicy({
    name: "lambda-log-retention",
    description: "Every Lambda function logs to a CloudWatch log group the program manages with a retention period.",
    severity: "medium",
    frameworks: ["Reliability 12", "NIST CloudWatch.16"],
    remediation: "Create the aws.cloudwatch.LogGroup (named /aws/lambda/<function> or set as loggingConfig.logGroup) with retentionInDays; otherwise Lambda creates one that never expires.",
    types: [T.lambdaFunction, T.logGroup],
    validate: (stack, report) => {
        const groups = stack.ofType(T.logGroup);
        for (const fn of stack.ofType(T.lambdaFunction)) {
            stack.guard(() => {
                const custom = str(rec(fn.props.loggingConfig).logGroup);
                const expected = custom ?? (str(fn.props.name) ? `/aws/lambda/${str(fn.props.name)}` : undefined);
                const group = groups.find(
                    (g) => (expected !== undefined && str(g.props.name) === expected) || (custom !== undefined && dependsOn(fn, g)) || ((str(g.props.name) ?? "").startsWith("/aws/lambda/") && dependsOn(g, fn)),
                );
                if (!group) report(`${functionLabel(fn)} has no managed log group (${expected ?? "/aws/lambda/<name>"}); Lambda would create one that never expires`, fn.urn);
                else if (num(group.props.retentionInDays) === undefined) report(`${functionLabel(fn)}'s log group ${show(group.props.name)} has no retentionInDays; expected a retention period`, group.urn);
            });
        }
    },
});

export const lambdaApiTimeout = defineStackPolicy<{ maximumSeconds: number }>({
    name: "lambda-api-timeout",
    description: "Functions behind API Gateway time out before the integration does (29 s), so callers get the function's error rather than a gateway timeout.",
    severity: "medium",
    frameworks: ["Platform brief: API-driven Lambda"],
    remediation: "Set the function timeout to 29 s or less, or move the long work behind a queue (storage-first) and answer asynchronously.",
    types: [T.lambdaFunction, T.restIntegration, T.httpIntegration],
    config: { maximumSeconds: { type: "integer", minimum: 1, default: 29, description: "The API Gateway integration timeout." } },
    validate: (stack, report) => {
        const integrations = stack.ofType(T.restIntegration, T.httpIntegration);
        for (const fn of stack.ofType(T.lambdaFunction)) {
            stack.guard(() => {
                const behindApi = integrations.some((integration) => refersTo(integration, fn, ["uri", "integrationUri"]));
                if (behindApi && timeoutOf(fn) > stack.config.maximumSeconds) {
                    report(`${functionLabel(fn)} serves an API Gateway integration but its timeout is ${timeoutOf(fn)} s; expected at most ${stack.config.maximumSeconds} s`, fn.urn);
                }
            });
        }
    },
});

export const lambdaPolicies = [
    lambdaFunctionNotPublic,
    lambdaSupportedRuntime,
    lambdaVpcMultiAz,
    lambdaEventSourceMappingFailureHandling,
    lambdaSqsVisibilityTimeout,
    lambdaAsyncFailureHandling,
    lambdaExplicitTimeoutMemory,
    lambdaReservedConcurrency,
    lambdaLogRetention,
    lambdaApiTimeout,
];
