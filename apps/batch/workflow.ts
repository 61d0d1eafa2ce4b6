import type { ItemReaderKind } from "../../platform/config/data-apps";
import { backoff, DistributedMapState, LAMBDA_SERVICE_ERRORS, StateMachineDefinition, TRANSIENT_ERROR } from "../../platform/serverless/asl";

export interface BatchWorkflowTargets {
    processorFunctionArn: string;
    bucketName: string;
    /** Input prefix: the objects listed ("objects"), or where the JSON/CSV file named by the execution input must be. */
    prefix: string;
    resultPrefix: string;
    itemReader: ItemReaderKind;
    maxConcurrency: number;
    toleratedFailurePercentage: number;
    childExecutionType: "EXPRESS" | "STANDARD";
    /** The processor function's timeout; the task waits a few seconds more. */
    itemTimeoutSeconds: number;
}

/** The item task's retries: 1 attempt + 4 retries, waits doubling from 2 s, capped at 30 s (full jitter: at most these). */
export const ITEM_RETRY = { maxAttempts: 4, intervalSeconds: 2, maxDelaySeconds: 30 };
/** The task outwaits the function by this much, so a slow item fails with the function's own timeout error. */
export const ITEM_TASK_TIMEOUT_MARGIN_SECONDS = 5;
/** An EXPRESS child workflow is stopped after 5 minutes, retries included. */
export const EXPRESS_CHILD_MAX_SECONDS = 300;

/** The longest one item can take through every attempt and wait: an EXPRESS child must finish within 300 s. */
export function worstCaseItemSeconds(itemTimeoutSeconds: number): number {
    let waits = 0;
    for (let retry = 0; retry < ITEM_RETRY.maxAttempts; retry++) waits += Math.min(ITEM_RETRY.intervalSeconds * 2 ** retry, ITEM_RETRY.maxDelaySeconds);
    return (1 + ITEM_RETRY.maxAttempts) * (itemTimeoutSeconds + ITEM_TASK_TIMEOUT_MARGIN_SECONDS) + waits;
}

/** The longest function timeout whose worst case still fits an EXPRESS child workflow. */
export function maxExpressItemTimeoutSeconds(): number {
    let seconds = 1;
    while (worstCaseItemSeconds(seconds + 1) < EXPRESS_CHILD_MAX_SECONDS) seconds++;
    return seconds;
}

/** What each reader reads, and how the map turns an entry into the processor's item. */
function reader(targets: BatchWorkflowTargets): Pick<DistributedMapState, "ItemReader" | "ItemSelector"> {
    if (targets.itemReader === "objects") {
        return {
            ItemReader: { Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: { Bucket: targets.bucketName, Prefix: targets.prefix } },
            ItemSelector: { bucket: targets.bucketName, "key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size" },
        };
    }
    return {
        // The execution input names the file: {"key": "<prefix>records.csv"}; the role reads only under the prefix.
        ItemReader: {
            Resource: "arn:aws:states:::s3:getObject",
            ReaderConfig: targets.itemReader === "csv" ? { InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" } : { InputType: "JSON" },
            Parameters: { Bucket: targets.bucketName, "Key.$": "$.key" },
        },
        ItemSelector: { "index.$": "$$.Map.Item.Index", "record.$": "$$.Map.Item.Value" },
    };
}

/**
 * One Distributed Map over S3: every item is processed by the function in its own child
 * workflow (EXPRESS by default: cheap and fast for short items), up to `maxConcurrency` at
 * once; the run succeeds while at most `toleratedFailurePercentage` of the items fail, and the
 * results (succeeded and failed items, with their errors) are written under `resultPrefix`.
 */
export function batchWorkflow(targets: BatchWorkflowTargets): StateMachineDefinition {
    return {
        Comment: `Batch: process every ${targets.itemReader === "objects" ? "object" : `${targets.itemReader.toUpperCase()} record`} under s3://${targets.bucketName}/${targets.prefix} with a Distributed Map`,
        StartAt: "ProcessItems",
        // A day bounds a run of 10,000 concurrent children over millions of items; a stuck run ends.
        TimeoutSeconds: 86_400,
        States: {
            ProcessItems: {
                Type: "Map",
                Label: "ProcessItems",
                ...reader(targets),
                ItemProcessor: {
                    ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: targets.childExecutionType },
                    StartAt: "ProcessItem",
                    States: {
                        ProcessItem: {
                            Type: "Task",
                            Resource: "arn:aws:states:::lambda:invoke",
                            Parameters: { FunctionName: targets.processorFunctionArn, "Payload.$": "$" },
                            OutputPath: "$.Payload",
                            TimeoutSeconds: targets.itemTimeoutSeconds + ITEM_TASK_TIMEOUT_MARGIN_SECONDS,
                            Retry: [backoff([...LAMBDA_SERVICE_ERRORS, TRANSIENT_ERROR, "States.Timeout"], ITEM_RETRY)],
                            Catch: [{ ErrorEquals: ["States.ALL"], Next: "ItemFailed", ResultPath: "$.failure" }],
                            End: true,
                        },
                        // The item fails with its own error and cause: the map counts it against the
                        // tolerance and the result writer lists it with both.
                        ItemFailed: { Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" },
                    },
                },
                MaxConcurrency: targets.maxConcurrency,
                ToleratedFailurePercentage: targets.toleratedFailurePercentage,
                ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: targets.bucketName, Prefix: targets.resultPrefix } },
                // A failed listing or file read (S3 throttling) is retried; item failures are not (they are
                // counted against the tolerance), and neither is a failed result write, which would rerun every item.
                Retry: [backoff(["States.ItemReaderFailed"], { maxAttempts: 3 })],
                // Too many failed items (States.ExceedToleratedFailureThreshold) or an unreadable input
                // fails the run with the map's own error and cause, for the ExecutionsFailed alarm.
                Catch: [{ ErrorEquals: ["States.ALL"], Next: "RunFailed", ResultPath: "$.failure" }],
                End: true,
            },
            RunFailed: { Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" },
        },
    };
}
