/**
 * Amazon States Language, typed just enough to build the platform's workflows as plain objects
 * (https://states-language.net/spec.html). A workflow is a function from the ARNs and names it
 * needs to a definition: the program calls it with Outputs resolved, tests with fake ARNs, and
 * both validate (asl-validator) and run (aws-local-stepfunctions) the same object.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Retrier {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
    ErrorEquals: string[];
    Next: string;
    ResultPath?: string | null;
}

interface Transition {
    Next?: string;
    End?: true;
}

interface Common {
    Comment?: string;
    InputPath?: string | null;
    OutputPath?: string | null;
}

export interface TaskState extends Common, Transition {
    Type: "Task";
    Resource: string;
    Parameters?: Record<string, JsonValue>;
    ResultSelector?: Record<string, JsonValue>;
    ResultPath?: string | null;
    TimeoutSeconds?: number;
    Retry?: Retrier[];
    Catch?: Catcher[];
}

export interface PassState extends Common, Transition {
    Type: "Pass";
    Parameters?: Record<string, JsonValue>;
    Result?: JsonValue;
    ResultPath?: string | null;
}

export interface FailState {
    Type: "Fail";
    Comment?: string;
    Error?: string;
    Cause?: string;
    ErrorPath?: string;
    CausePath?: string;
}

export interface SucceedState extends Common {
    Type: "Succeed";
}

/** A comparison of the Choice state (And/Or/Not of them, or one test on a Variable). */
export type ChoiceRule = { And: ChoiceRule[] } | { Or: ChoiceRule[] } | { Not: ChoiceRule } | ({ Variable: string } & Record<string, JsonValue>);

export interface ChoiceState extends Common {
    Type: "Choice";
    Choices: (ChoiceRule & { Next: string })[];
    Default?: string;
}

/** A Distributed Map: items from S3, each processed by its own child workflow. */
export interface DistributedMapState extends Common, Transition {
    Type: "Map";
    Label?: string;
    ItemReader: { Resource: string; ReaderConfig?: Record<string, JsonValue>; Parameters: Record<string, JsonValue> };
    ItemSelector?: Record<string, JsonValue>;
    ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED"; ExecutionType: "STANDARD" | "EXPRESS" }; StartAt: string; States: Record<string, State> };
    MaxConcurrency?: number;
    ToleratedFailurePercentage?: number;
    ResultWriter?: { Resource: string; Parameters: Record<string, JsonValue> };
    ResultPath?: string | null;
    Retry?: Retrier[];
    Catch?: Catcher[];
}

export type State = TaskState | PassState | FailState | SucceedState | ChoiceState | DistributedMapState;

export interface StateMachineDefinition {
    Comment?: string;
    StartAt: string;
    TimeoutSeconds?: number;
    States: Record<string, State>;
}

/** Errors of the Lambda service itself (not of the function): always worth a retry. */
export const LAMBDA_SERVICE_ERRORS = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

/**
 * The error name functions throw for failures that may pass on a retry (throttling, a 5xx,
 * a timeout). Anything else a function throws is permanent and goes straight to the Catch.
 */
export const TRANSIENT_ERROR = "TransientError";

/** The error name functions throw for input that can never be processed (apps/shared/src/workflow-errors.ts). */
export const INVALID_INPUT_ERROR = "InvalidInputError";

/**
 * Exponential backoff with full jitter (so retries of many executions do not arrive together),
 * capped so a workflow never sleeps longer than `maxDelaySeconds` between attempts.
 */
export function backoff(errors: string[], options: { intervalSeconds?: number; maxAttempts?: number; maxDelaySeconds?: number } = {}): Retrier {
    return {
        ErrorEquals: errors,
        IntervalSeconds: options.intervalSeconds ?? 2,
        MaxAttempts: options.maxAttempts ?? 5,
        BackoffRate: 2,
        MaxDelaySeconds: options.maxDelaySeconds ?? 60,
        JitterStrategy: "FULL",
    };
}

/** A Lambda task through the optimized integration; the state's result is the function's return value. */
export function invokeFunction(
    functionArn: string,
    payload: Record<string, JsonValue>,
    rest: Omit<TaskState, "Type" | "Resource" | "Parameters" | "ResultSelector"> & { resultFields?: Record<string, string> },
): TaskState {
    const { resultFields, ...state } = rest;
    return {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: functionArn, Payload: payload },
        // Keep only the function's answer (the integration wraps it with status and headers).
        ResultSelector: resultFields ? Object.fromEntries(Object.entries(resultFields).map(([name, path]) => [`${name}.$`, `$.Payload${path}`])) : { "result.$": "$.Payload" },
        ...state,
    };
}

/** Every state a definition can reach, nested processors included, with its name. */
export function allStates(definition: { States: Record<string, State> }): [string, State][] {
    return Object.entries(definition.States).flatMap(([name, state]) => [[name, state] as [string, State], ...(state.Type === "Map" ? allStates(state.ItemProcessor) : [])]);
}
