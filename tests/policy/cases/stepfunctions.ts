import { T } from "../../../policy/lib/types";
import { single } from "../fixtures";
import type { PolicySuite } from "../runner";

const RETRY = [{ ErrorEquals: ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "States.Timeout"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }];
const CATCH = [{ ErrorEquals: ["States.ALL"], Next: "Failed" }];
const task = (extra: Record<string, unknown> = {}) => ({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSeconds: 60, Retry: RETRY, Catch: CATCH, Next: "Done", ...extra });

function machine(states: Record<string, unknown>, root: Record<string, unknown> = { TimeoutSeconds: 900 }, extra: Record<string, unknown> = {}) {
    return single(T.stateMachine, {
        roleArn: "r",
        definition: JSON.stringify({ StartAt: Object.keys(states)[0], States: { ...states, Done: { Type: "Succeed" }, Failed: { Type: "Fail" } }, ...root }),
        loggingConfiguration: { level: "ERROR", logDestination: "arn:aws:logs:eu-west-1:1:log-group:/sfn/x:*" },
        ...extra,
    });
}

export const stepFunctionsCases: PolicySuite[] = [
    {
        policy: "sfn-logging",
        pass: [{ name: "ERROR level with destination", resources: () => machine({ Work: task() }) }],
        fail: [
            { name: "logging omitted", resources: () => machine({ Work: task() }, undefined, { loggingConfiguration: undefined }), messages: ["loggingConfiguration.level is not set (OFF by default)"] },
            { name: "ALL without destination", resources: () => machine({ Work: task() }, undefined, { loggingConfiguration: { level: "ALL" } }), messages: ["loggingConfiguration.logDestination is not set"] },
        ],
    },
    {
        policy: "sfn-retry-and-catch",
        pass: [
            {
                name: "Task with retry and catch, Map whose inner task has both",
                resources: () =>
                    machine({ Work: task(), Fan: { Type: "Map", ItemProcessor: { StartAt: "Inner", States: { Inner: { ...task(), End: true, Next: undefined } } }, Retry: RETRY, Catch: CATCH, Next: "Done" } }),
            },
            {
                name: "Distributed Map retrying its item reader (its tasks run, and retry, in child workflows)",
                resources: () =>
                    machine({
                        Fan: {
                            Type: "Map",
                            ItemReader: { Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: { Bucket: "b", Prefix: "in/" } },
                            ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "EXPRESS" }, StartAt: "Inner", States: { Inner: { ...task(), End: true, Next: undefined } } },
                            Retry: [{ ErrorEquals: ["States.ItemReaderFailed"], MaxAttempts: 3 }],
                            Catch: CATCH,
                            Next: "Done",
                        },
                    }),
            },
        ],
        fail: [
            {
                name: "Task without Retry or Catch",
                resources: () => machine({ Work: task({ Retry: undefined, Catch: undefined }) }),
                messages: ["States.Work (Task): Retry covers []", 'States.Work (Task): Catch covers []; expected a catcher for "States.ALL"'],
            },
            {
                name: "Task nested in a Parallel branch catching only one error",
                resources: () =>
                    machine({
                        Both: {
                            Type: "Parallel",
                            Branches: [{ StartAt: "A", States: { A: task({ Catch: [{ ErrorEquals: ["Custom.Error"], Next: "Failed" }], Next: undefined, End: true }) } }],
                            Retry: RETRY,
                            Catch: CATCH,
                            Next: "Done",
                        },
                    }),
                messages: ['States.Both.Branches[0].States.A (Task): Catch covers ["Custom.Error"]'],
            },
            { name: "malformed definition", resources: () => single(T.stateMachine, { roleArn: "r", definition: '{"StartAt": ' }), messages: ["definition is not valid JSON"] },
        ],
    },
    {
        policy: "sfn-timeouts",
        pass: [{ name: "execution and task timeouts", resources: () => machine({ Work: task() }) }],
        fail: [{ name: "no timeouts", resources: () => machine({ Work: task({ TimeoutSeconds: undefined }) }, {}), messages: ["definition.TimeoutSeconds is not set", "States.Work (Task): TimeoutSeconds is not set"] }],
    },
];
