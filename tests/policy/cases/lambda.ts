import { T } from "../../../policy/lib/types";
import { single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const FN = { name: "worker", runtime: "nodejs22.x", handler: "index.handler", timeout: 10, memorySize: 512, reservedConcurrentExecutions: 5 };
const QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:jobs";
const STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/ingest";
const GOOD_STREAM_MAPPING = {
    eventSourceArn: STREAM_ARN,
    functionName: "worker",
    startingPosition: "LATEST",
    functionResponseTypes: ["ReportBatchItemFailures"],
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 5,
    maximumRecordAgeInSeconds: 3600,
    destinationConfig: { onFailure: { destinationArn: QUEUE_ARN } },
};

export const lambdaCases: PolicySuite[] = [
    {
        policy: "lambda-function-not-public",
        pass: [
            {
                name: "S3 permission scoped to the bucket and account",
                resources: () => single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::uploads", sourceAccount: "123456789012" }),
            },
            { name: "function URL with IAM auth", resources: () => single(T.lambdaFunctionUrl, { functionName: "worker", authorizationType: "AWS_IAM" }) },
        ],
        fail: [
            { name: 'principal "*"', resources: () => single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "*" }), messages: ['principal is "*" with no sourceArn'] },
            {
                name: "service principal without source",
                resources: () => single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "sns.amazonaws.com" }),
                messages: ["principal is the service sns.amazonaws.com without sourceArn or sourceAccount"],
            },
            { name: "public function URL", resources: () => single(T.lambdaFunctionUrl, { functionName: "worker", authorizationType: "NONE" }), messages: ['authorizationType is "NONE"'] },
        ],
    },
    {
        policy: "lambda-supported-runtime",
        pass: [
            { name: "nodejs22.x", resources: () => single(T.lambdaFunction, FN) },
            { name: "container image", resources: () => single(T.lambdaFunction, { packageType: "Image", imageUri: "x" }) },
        ],
        fail: [
            { name: "nodejs16.x", resources: () => single(T.lambdaFunction, { ...FN, runtime: "nodejs16.x" }), messages: [/^runtime is "nodejs16.x"; expected one of nodejs22.x/] },
            { name: "runtime omitted for a zip function", resources: () => single(T.lambdaFunction, { handler: "index.handler" }), messages: ["runtime is not set"] },
        ],
    },
    {
        policy: "lambda-vpc-multi-az",
        pass: [
            { name: "two subnets", resources: () => single(T.lambdaFunction, { ...FN, vpcConfig: { subnetIds: ["a", "b"], securityGroupIds: ["sg"] } }) },
            { name: "not in a VPC", resources: () => single(T.lambdaFunction, FN) },
        ],
        fail: [
            { name: "one subnet", resources: () => single(T.lambdaFunction, { ...FN, vpcConfig: { subnetIds: ["a"], securityGroupIds: ["sg"] } }), messages: ["vpcConfig.subnetIds has 1 subnet; expected at least 2"] },
        ],
    },
    {
        policy: "lambda-event-source-mapping-failure-handling",
        pass: [
            { name: "SQS with partial batch responses", resources: () => single(T.lambdaEventSourceMapping, { eventSourceArn: QUEUE_ARN, functionName: "worker", functionResponseTypes: ["ReportBatchItemFailures"] }) },
            { name: "Kinesis with every safeguard", resources: () => single(T.lambdaEventSourceMapping, GOOD_STREAM_MAPPING) },
        ],
        fail: [
            {
                name: "SQS without ReportBatchItemFailures",
                resources: () => single(T.lambdaEventSourceMapping, { eventSourceArn: QUEUE_ARN, functionName: "worker" }),
                messages: ['functionResponseTypes is not set; expected ["ReportBatchItemFailures"]'],
            },
            {
                name: "DynamoDB stream with the defaults",
                resources: () => single(T.lambdaEventSourceMapping, { eventSourceArn: "arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026", functionName: "worker", startingPosition: "TRIM_HORIZON" }),
                messages: [
                    "functionResponseTypes",
                    "bisectBatchOnFunctionError is not set",
                    "maximumRetryAttempts is not set (-1, infinite, by default)",
                    "maximumRecordAgeInSeconds is not set",
                    "destinationConfig.onFailure.destinationArn is not set",
                ],
            },
        ],
    },
    {
        policy: "lambda-sqs-visibility-timeout",
        pass: [
            {
                name: "visibility 60 s for a 10 s function",
                resources: () =>
                    stack((s) => {
                        const queue = s.add(T.sqsQueue, "jobs", { visibilityTimeoutSeconds: 60 });
                        const fn = s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.lambdaEventSourceMapping, "map", { eventSourceArn: QUEUE_ARN, functionName: "worker" }, { dependsOn: [queue, fn] });
                    }),
            },
            {
                name: "Kinesis mapping whose on-failure destination is a queue (not consumed by the function)",
                resources: () =>
                    stack((s) => {
                        const failures = s.add(T.sqsQueue, "failures", {});
                        const fn = s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.lambdaEventSourceMapping, "map", { ...GOOD_STREAM_MAPPING, functionName: "worker" }, { dependsOn: [failures, fn] });
                    }),
            },
        ],
        fail: [
            {
                name: "default 30 s visibility for a 10 s function (matched by name)",
                resources: () =>
                    stack((s) => {
                        s.add(T.sqsQueue, "jobs", { name: "jobs" });
                        s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.lambdaEventSourceMapping, "map", { eventSourceArn: QUEUE_ARN, functionName: "worker" });
                    }),
                messages: ["visibilityTimeoutSeconds is not set (30) but function worker (timeout 10 s) consumes it; expected at least 6 × 10 = 60 s"],
                resource: "jobs",
            },
        ],
    },
    {
        policy: "lambda-async-failure-handling",
        pass: [
            { name: "function with no async source", resources: () => single(T.lambdaFunction, FN) },
            {
                name: "S3-invoked function with an on-failure destination and bounds",
                resources: () =>
                    stack((s) => {
                        const fn = s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.lambdaPermission, "s3", { function: "worker", principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::b" }, { dependsOn: [fn] });
                        s.add(
                            T.lambdaEventInvokeConfig,
                            "cfg",
                            { functionName: "worker", maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600, destinationConfig: { onFailure: { destination: QUEUE_ARN } } },
                            { dependsOn: [fn] },
                        );
                    }),
            },
        ],
        fail: [
            {
                name: "EventBridge target function without destination or invoke config",
                resources: () =>
                    stack((s) => {
                        const fn = s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.eventTarget, "rule-target", { rule: "r", arn: "arn:aws:lambda:eu-west-1:1:function:worker" }, { dependsOn: [fn] });
                    }),
                messages: ["function worker is invoked asynchronously but has no on-failure destination", "has no FunctionEventInvokeConfig"],
            },
            {
                name: "SNS-subscribed function with a DLQ but unbounded event age",
                resources: () =>
                    stack((s) => {
                        const fn = s.add(T.lambdaFunction, "worker", { ...FN, deadLetterConfig: { targetArn: QUEUE_ARN } });
                        s.add(T.snsSubscription, "sub", { topic: "t", protocol: "lambda", endpoint: "arn:aws:lambda:eu-west-1:1:function:worker" }, { dependsOn: [fn] });
                        s.add(T.lambdaEventInvokeConfig, "cfg", { functionName: "worker", maximumRetryAttempts: 2 }, { dependsOn: [fn] });
                    }),
                messages: ["maximumEventAgeInSeconds is not set; expected a value up to 21600"],
                resource: "cfg",
            },
        ],
    },
    {
        policy: "lambda-explicit-timeout-memory",
        pass: [{ name: "both set", resources: () => single(T.lambdaFunction, FN) }],
        fail: [{ name: "defaults", resources: () => single(T.lambdaFunction, { runtime: "nodejs22.x" }), messages: ["timeout and memorySize are not set"] }],
    },
    {
        policy: "lambda-reserved-concurrency",
        pass: [{ name: "reserved", resources: () => single(T.lambdaFunction, FN) }],
        fail: [{ name: "unreserved", resources: () => single(T.lambdaFunction, { ...FN, reservedConcurrentExecutions: -1 }), messages: ["reservedConcurrentExecutions is -1 (unreserved)"] }],
    },
    {
        policy: "lambda-log-retention",
        pass: [
            {
                name: "managed /aws/lambda/<name> group with retention",
                resources: () =>
                    stack((s) => {
                        s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.logGroup, "worker-logs", { name: "/aws/lambda/worker", retentionInDays: 30 });
                    }),
            },
            {
                name: "custom log group through loggingConfig (auto-named function)",
                resources: () =>
                    stack((s) => {
                        const group = s.add(T.logGroup, "logs", { name: "/platform/worker", retentionInDays: 30 });
                        s.add(T.lambdaFunction, "worker", { runtime: "nodejs22.x", loggingConfig: { logFormat: "JSON", logGroup: "/platform/worker" } }, { dependsOn: [group] });
                    }),
            },
        ],
        fail: [
            { name: "no log group", resources: () => single(T.lambdaFunction, FN), messages: ["function worker has no managed log group (/aws/lambda/worker)"] },
            {
                name: "log group without retention",
                resources: () =>
                    stack((s) => {
                        s.add(T.lambdaFunction, "worker", FN);
                        s.add(T.logGroup, "worker-logs", { name: "/aws/lambda/worker" });
                    }),
                messages: ['log group "/aws/lambda/worker" has no retentionInDays'],
            },
        ],
    },
    {
        policy: "lambda-api-timeout",
        pass: [
            {
                name: "API-backed function with 10 s",
                resources: () =>
                    stack((s) => {
                        const fn = s.add(T.lambdaFunction, "api", FN);
                        s.add(T.httpIntegration, "int", { apiId: "a", integrationType: "AWS_PROXY", integrationUri: "arn:aws:lambda:eu-west-1:1:function:api" }, { dependsOn: [fn] });
                    }),
            },
        ],
        fail: [
            {
                name: "REST integration to a 60 s function",
                resources: () =>
                    stack((s) => {
                        const fn = s.add(T.lambdaFunction, "api", { ...FN, timeout: 60 });
                        s.add(T.restIntegration, "int", { restApi: "r", type: "AWS_PROXY", uri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn/invocations" }, { dependsOn: [fn] });
                    }),
                messages: ["serves an API Gateway integration but its timeout is 60 s; expected at most 29 s"],
            },
        ],
    },
];
