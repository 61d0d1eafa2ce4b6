import { backoff, Catcher, INVALID_INPUT_ERROR, invokeFunction, LAMBDA_SERVICE_ERRORS, JsonValue, StateMachineDefinition, TRANSIENT_ERROR } from "../../platform/serverless/asl";

/** What the uploads workflow needs to know about its surroundings. */
export interface UploadsWorkflowTargets {
    validateFunctionArn: string;
    detectLabelsFunctionArn: string;
    /** Table keyed by objectKey (hash) and versionId (range). */
    tableName: string;
    eventBusName: string;
    /** The `source` of the events the workflow publishes. */
    eventSource: string;
}

/** Detail types of the events the workflow publishes on the bus. */
export const UPLOAD_PROCESSED = "Upload Processed";
export const UPLOAD_FAILED = "Upload Failed";

// Optimized-integration errors that mean "try again" (Step Functions prefixes them with the service name).
const DYNAMODB_TRANSIENT = [
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.RequestLimitExceeded",
    "DynamoDB.InternalServerErrorException",
    "DynamoDB.AmazonDynamoDBException",
];
const EVENTBRIDGE_TRANSIENT = ["EventBridge.InternalException", "EventBridge.ThrottlingException", "EventBridge.AmazonEventBridgeException", "EventBridge.FailedEntry"];

const TO_FAILURE: Catcher[] = [{ ErrorEquals: ["States.ALL"], Next: "RecordFailure", ResultPath: "$.failure" }];

const itemKey = {
    objectKey: { "S.$": "$.upload.key" },
    versionId: { "S.$": "$.upload.versionId" },
    bucket: { "S.$": "$.upload.bucket" },
    executionId: { "S.$": "$$.Execution.Id" },
    // When processing began (the execution's start): with status, when the item last changed.
    startedAt: { "S.$": "$$.Execution.StartTime" },
};

/**
 * S3 "Object Created" (via EventBridge) -> validate -> detect labels -> store -> publish.
 *
 * The two steps with logic are functions (validate sniffs the file's bytes; detect-labels
 * classifies Rekognition's errors into transient and permanent); storing and publishing are
 * optimized integrations, so no code runs for them. Each step retries transient errors with
 * jittered exponential backoff; any other error is caught into the failure path, which records
 * the item as FAILED with the error and publishes "Upload Failed". A rejected upload (the
 * user's input: not an image, too large, unreadable by Rekognition) then ends the execution
 * succeeded: it is the uploader's problem, told by the event and the item, and must not page
 * on-call. Everything else (a system error, or a failure that could not be recorded) ends it
 * failed, for the ExecutionsFailed alarm.
 */
export function uploadsWorkflow(targets: UploadsWorkflowTargets): StateMachineDefinition {
    const upload = { "bucket.$": "$.upload.bucket", "key.$": "$.upload.key", "versionId.$": "$.upload.versionId" };
    const functionRetry = [backoff([...LAMBDA_SERVICE_ERRORS, TRANSIENT_ERROR, "States.Timeout"], { maxAttempts: 5 })];
    // One event on the app's bus (optimized integration, no code), transient errors retried.
    const publish = (detailType: string, detail: { [key: string]: JsonValue }) => ({
        Type: "Task" as const,
        Resource: "arn:aws:states:::events:putEvents",
        Parameters: { Entries: [{ EventBusName: targets.eventBusName, Source: targets.eventSource, DetailType: detailType, Detail: detail }] },
        ResultPath: null,
        TimeoutSeconds: 20,
        Retry: [backoff([...EVENTBRIDGE_TRANSIENT, "States.Timeout"])],
    });
    return {
        Comment: "Uploads: validate an uploaded image, detect its labels with Rekognition, store the result and publish a completion event",
        StartAt: "ReadEvent",
        // A hung execution must not hold the object forever: 15 minutes is far beyond a normal run.
        TimeoutSeconds: 900,
        States: {
            ReadEvent: {
                Type: "Pass",
                Comment: "Keep only what the workflow needs from the S3 Object Created event",
                Parameters: {
                    upload: { "bucket.$": "$.detail.bucket.name", "key.$": "$.detail.object.key", "versionId.$": "$.detail.object.version-id" },
                },
                Next: "Validate",
            },
            Validate: {
                ...invokeFunction(targets.validateFunctionArn, upload, {
                    resultFields: { contentType: ".contentType", size: ".size", etag: ".etag" },
                    ResultPath: "$.object",
                    TimeoutSeconds: 30,
                    Retry: functionRetry,
                    Catch: TO_FAILURE,
                }),
                Next: "DetectLabels",
            },
            DetectLabels: {
                ...invokeFunction(targets.detectLabelsFunctionArn, upload, {
                    resultFields: { labels: ".labels", modelVersion: ".modelVersion" },
                    ResultPath: "$.analysis",
                    TimeoutSeconds: 60,
                    Retry: functionRetry,
                    Catch: TO_FAILURE,
                }),
                Next: "StoreResult",
            },
            StoreResult: {
                Type: "Task",
                Resource: "arn:aws:states:::dynamodb:putItem",
                Parameters: {
                    TableName: targets.tableName,
                    Item: {
                        ...itemKey,
                        status: { S: "COMPLETED" },
                        contentType: { "S.$": "$.object.contentType" },
                        size: { "N.$": "States.Format('{}', $.object.size)" },
                        labels: { "S.$": "States.JsonToString($.analysis.labels)" },
                        labelCount: { "N.$": "States.Format('{}', States.ArrayLength($.analysis.labels))" },
                        labelModelVersion: { "S.$": "$.analysis.modelVersion" },
                    },
                },
                ResultPath: null,
                TimeoutSeconds: 20,
                Retry: [backoff([...DYNAMODB_TRANSIENT, "States.Timeout"])],
                Catch: TO_FAILURE,
                Next: "PublishProcessed",
            },
            PublishProcessed: { ...publish(UPLOAD_PROCESSED, { ...upload, "labels.$": "$.analysis.labels", status: "COMPLETED" }), Catch: TO_FAILURE, Next: "Processed" },
            Processed: { Type: "Succeed" },

            RecordFailure: {
                Type: "Task",
                Comment: "The failure path: the item says FAILED, with the error name and the full error",
                Resource: "arn:aws:states:::dynamodb:putItem",
                Parameters: {
                    TableName: targets.tableName,
                    Item: {
                        ...itemKey,
                        status: { S: "FAILED" },
                        error: { "S.$": "$.failure.Error" },
                        // The whole {Error, Cause} object: Cause is not always present.
                        failure: { "S.$": "States.JsonToString($.failure)" },
                    },
                    // S3 -> EventBridge delivers at least once: a duplicate execution that fails must
                    // not overwrite the COMPLETED result of one that succeeded for the same version.
                    ConditionExpression: "attribute_not_exists(objectKey) OR #status <> :completed",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: { ":completed": { S: "COMPLETED" } },
                },
                ResultPath: null,
                TimeoutSeconds: 20,
                Retry: [backoff([...DYNAMODB_TRANSIENT, "States.Timeout"], { maxAttempts: 8 })],
                Catch: [
                    { ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], Next: "AlreadyCompleted", ResultPath: "$.recordFailure" },
                    // Still announce the failure when it cannot be recorded.
                    { ErrorEquals: ["States.ALL"], Next: "PublishFailed", ResultPath: "$.recordFailure" },
                ],
                Next: "PublishFailed",
            },
            AlreadyCompleted: {
                Type: "Succeed",
                Comment: "A duplicate delivery failed, but this version was already processed: its COMPLETED item stands, nothing to announce",
            },
            PublishFailed: {
                ...publish(UPLOAD_FAILED, { ...upload, "error.$": "$.failure.Error", status: "FAILED" }),
                // The failure is already recorded; a lost notification must not hide the real error.
                Catch: [{ ErrorEquals: ["States.ALL"], Next: "RejectedOrFailed", ResultPath: "$.publishFailure" }],
                Next: "RejectedOrFailed",
            },
            RejectedOrFailed: {
                Type: "Choice",
                Comment: "The user's input was refused and that is recorded: done. Anything else is the platform's failure.",
                Choices: [{ And: [{ Variable: "$.failure.Error", StringEquals: INVALID_INPUT_ERROR }, { Not: { Variable: "$.recordFailure", IsPresent: true } }], Next: "Rejected" }],
                Default: "Failed",
            },
            Rejected: {
                Type: "Succeed",
                Comment: "A rejected upload: its item says FAILED with the reason, and Upload Failed was published",
            },
            Failed: {
                Type: "Fail",
                Error: "UploadProcessingFailed",
                Cause: "The upload could not be processed; its item in the uploads table holds the error (status FAILED).",
            },
        },
    };
}
