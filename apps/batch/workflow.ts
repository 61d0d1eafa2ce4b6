import type { ItemReaderKind } from "../../platform/config/data-apps";
import { backoff, DistributedMapState, LAMBDA_SERVICE_ERRORS, StateMachineDefinition, type TaskState, TRANSIENT_ERROR } from "../../platform/serverless/asl";

/**
 * The ECS item processor: each item runs as one Fargate task of `taskDefinitionArn` in `clusterArn`,
 * in private subnets without a public address, and the workflow waits for it to stop (`.sync`).
 * The item reaches the container as the JSON of `BATCH_ITEM_VARIABLE` (a container override).
 */
export interface EcsItemProcessor {
    clusterArn: string;
    /** The task definition's ARN (a revision): the role may run the family's revisions. */
    taskDefinitionArn: string;
    /** The container the override addresses. */
    containerName: string;
    subnetIds: string[];
    securityGroupIds: string[];
}

/** The environment variable carrying one item's JSON into the ECS processor's container. */
export const BATCH_ITEM_VARIABLE = "BATCH_ITEM";
/**
 * What an ECS item's state waits beyond the item timeout: Fargate's provisioning and image pull
 * before the container starts (typically under a minute; the margin covers a slow pull).
 */
export const ECS_TASK_START_MARGIN_SECONDS = 300;
/**
 * Errors of the ECS integration worth another attempt: the ECS API's own failures, and a RunTask
 * whose `Failures` are not empty (no Fargate capacity in the subnets' AZs, a throttled launch), which
 * Step Functions raises as AmazonECS.Unknown (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html).
 * A container that exits non-zero fails the state with States.TaskFailed: an item failure, not retried.
 */
export const ECS_SERVICE_ERRORS = ["ECS.AmazonECSException", "ECS.ServerException", "AmazonECS.Unknown"];

export interface BatchWorkflowTargets {
    /** The Lambda item processor; set this or `ecsProcessor`. */
    processorFunctionArn?: string;
    /** The ECS item processor; set this or `processorFunctionArn`. With it, children must be STANDARD. */
    ecsProcessor?: EcsItemProcessor;
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

/** The item's Task state: a function invocation, or an ECS task the workflow waits for. */
function processItemState(targets: BatchWorkflowTargets): TaskState {
    const failed = [{ ErrorEquals: ["States.ALL"], Next: "ItemFailed", ResultPath: "$.failure" }];
    if (targets.ecsProcessor && targets.processorFunctionArn) throw new Error("batchWorkflow: expected one item processor, a function or an ECS task, not both");
    if (targets.ecsProcessor) {
        if (targets.childExecutionType === "EXPRESS") throw new Error("batchWorkflow: an ECS item processor needs STANDARD child workflows (.sync is not supported in EXPRESS workflows)");
        const ecs = targets.ecsProcessor;
        return {
            Type: "Task",
            Resource: "arn:aws:states:::ecs:runTask.sync",
            Parameters: {
                Cluster: ecs.clusterArn,
                TaskDefinition: ecs.taskDefinitionArn,
                LaunchType: "FARGATE",
                PlatformVersion: "LATEST",
                NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ecs.subnetIds, SecurityGroups: ecs.securityGroupIds, AssignPublicIp: "DISABLED" } },
                Overrides: { ContainerOverrides: [{ Name: ecs.containerName, Environment: [{ Name: BATCH_ITEM_VARIABLE, "Value.$": "States.JsonToString($)" }] }] },
                // Names who started the task in the console and in ListTasks (startedBy filter).
                StartedBy: "batch-distributed-map",
            },
            // The task description is large and says nothing about the item: the result writer keeps the item itself.
            ResultPath: null,
            TimeoutSeconds: targets.itemTimeoutSeconds + ECS_TASK_START_MARGIN_SECONDS,
            Retry: [backoff([...ECS_SERVICE_ERRORS, "States.Timeout"], ITEM_RETRY)],
            Catch: failed,
            End: true,
        };
    }
    if (!targets.processorFunctionArn) throw new Error("batchWorkflow: expected an item processor, a function or an ECS task");
    return {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: targets.processorFunctionArn, "Payload.$": "$" },
        OutputPath: "$.Payload",
        TimeoutSeconds: targets.itemTimeoutSeconds + ITEM_TASK_TIMEOUT_MARGIN_SECONDS,
        Retry: [backoff([...LAMBDA_SERVICE_ERRORS, TRANSIENT_ERROR, "States.Timeout"], ITEM_RETRY)],
        Catch: failed,
        End: true,
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
                        ProcessItem: processItemState(targets),
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
