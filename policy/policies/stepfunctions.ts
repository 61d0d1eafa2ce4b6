import { defineResourcePolicy, Report } from "../lib/define";
import { readJson } from "../lib/json";
import { isRecord, joinWords, list, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * Step Functions state machines. The definition is Amazon States Language JSON; states nest in
 * Parallel branches and Map item processors, so the walk recurses into both.
 */

interface StateRef {
    path: string;
    name: string;
    state: Record<string, any>;
}

function walkStates(states: unknown, path: string, into: StateRef[]): void {
    for (const [name, raw] of Object.entries(rec(states))) {
        if (!isRecord(raw)) continue;
        const statePath = `${path}.${name}`;
        into.push({ path: statePath, name, state: raw });
        for (const [index, branch] of list(raw.Branches).entries()) walkStates(rec(branch).States, `${statePath}.Branches[${index}].States`, into);
        const processor = raw.ItemProcessor ?? raw.Iterator;
        if (processor !== undefined) walkStates(rec(processor).States, `${statePath}.${raw.ItemProcessor ? "ItemProcessor" : "Iterator"}.States`, into);
    }
}

/** Parses the definition; reports and returns undefined when it is not valid ASL JSON. */
function definitionOf(props: Record<string, any>, report: Report): { root: Record<string, any>; states: StateRef[] } | undefined {
    const parsed = readJson(props.definition, "definition");
    if (parsed.state === "absent") return undefined;
    if (parsed.state === "invalid") {
        report(parsed.message);
        return undefined;
    }
    if (!isRecord(parsed.value) || !isRecord(parsed.value.States)) {
        report("definition has no States object; expected Amazon States Language JSON");
        return undefined;
    }
    const states: StateRef[] = [];
    walkStates(parsed.value.States, "States", states);
    return { root: parsed.value, states };
}

export const sfnLogging = defineResourcePolicy({
    name: "sfn-logging",
    description: "State machines log executions (level ALL, ERROR or FATAL) to CloudWatch Logs.",
    severity: "medium",
    frameworks: ["FSBP StepFunctions.1"],
    remediation: 'Set loggingConfiguration: { level: "ERROR", includeExecutionData: false, logDestination: `${logGroup.arn}:*` }.',
    types: [T.stateMachine],
    validate: ({ props }, report) => {
        const logging = rec(props.loggingConfiguration);
        const level = str(logging.level) ?? "OFF";
        if (!["ALL", "ERROR", "FATAL"].includes(level)) report(`loggingConfiguration.level is ${show(logging.level)} (OFF by default); expected "ALL", "ERROR" or "FATAL"`);
        else if (!str(logging.logDestination)) report("loggingConfiguration.logDestination is not set; expected a CloudWatch log group ARN");
    },
});

/** Errors worth retrying: transient service errors, throttling, timeouts (or everything). */
const TRANSIENT_ERRORS = [
    "States.ALL",
    "States.TaskFailed",
    "States.Timeout",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
    // A Distributed Map's own transient failure: reading its items from S3 (its tasks run in child workflows).
    "States.ItemReaderFailed",
];
const RETRIED_TYPES = ["Task", "Map", "Parallel"];

export const sfnRetryAndCatch = defineResourcePolicy({
    name: "sfn-retry-and-catch",
    description: "Task, Map and Parallel states retry transient errors and catch States.ALL.",
    severity: "medium",
    frameworks: ["Reliability 7"],
    remediation:
        'Give each Task/Map/Parallel state Retry: [{ ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "States.Timeout"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }] and Catch: [{ ErrorEquals: ["States.ALL"], Next: <failure handler> }].',
    types: [T.stateMachine],
    validate: ({ props }, report) => {
        const definition = definitionOf(props, report);
        for (const { path, state } of definition?.states ?? []) {
            if (!RETRIED_TYPES.includes(str(state.Type) ?? "")) continue;
            const retried = list(state.Retry).flatMap((retrier) => list(rec(retrier).ErrorEquals).map(String));
            if (!retried.some((error) => TRANSIENT_ERRORS.includes(error)))
                report(`${path} (${str(state.Type)}): Retry covers ${show(retried)}; expected a retrier for transient errors (${joinWords(TRANSIENT_ERRORS.slice(3, 7))} or States.Timeout)`);
            const caught = list(state.Catch).flatMap((catcher) => list(rec(catcher).ErrorEquals).map(String));
            if (!caught.includes("States.ALL")) report(`${path} (${str(state.Type)}): Catch covers ${show(caught)}; expected a catcher for "States.ALL"`);
        }
    },
});

export const sfnTimeouts = defineResourcePolicy({
    name: "sfn-timeouts",
    description: "State machines bound how long an execution and each Task state may run.",
    severity: "medium",
    frameworks: ["Reliability 7"],
    remediation: "Set a top-level TimeoutSeconds and TimeoutSeconds (or TimeoutSecondsPath) on every Task state; a stuck task otherwise waits up to a year.",
    types: [T.stateMachine],
    validate: ({ props }, report) => {
        const definition = definitionOf(props, report);
        if (!definition) return;
        if (definition.root.TimeoutSeconds === undefined) report("definition.TimeoutSeconds is not set; expected a bound on the whole execution");
        for (const { path, state } of definition.states) {
            if (str(state.Type) === "Task" && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
                report(`${path} (Task): TimeoutSeconds is not set; expected TimeoutSeconds or TimeoutSecondsPath`);
        }
    },
});

export const stepFunctionsPolicies = [sfnLogging, sfnRetryAndCatch, sfnTimeouts];
