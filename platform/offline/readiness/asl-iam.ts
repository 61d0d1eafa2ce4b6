import type { RecordedResource } from "../mock-cloud";
import { allows, rolePermissions } from "./code-iam";
import { finding, ReadinessContext, ReadinessFinding, ReadinessRule } from "./types";

/**
 * Readiness rule "workflow tasks against IAM": what each state machine's definition calls through
 * Step Functions' optimized integrations, against what its role grants. A Task whose call the role
 * does not allow fails at run time (States.TaskFailed with AccessDenied), after the deploy succeeded.
 *
 * Checked, per Task state anywhere in the definition (map item processors and parallel branches
 * included), from https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html:
 * - `lambda:invoke`: lambda:InvokeFunction on the FunctionName.
 * - `ecs:runTask` (any pattern): ecs:RunTask on the TaskDefinition, and iam:PassRole, to ECS tasks,
 *   of the task definition's task and execution roles (when the program registers it).
 * - `ecs:runTask.sync`: also ecs:StopTask and ecs:DescribeTasks on the cluster's tasks, and
 *   events:PutTargets, events:PutRule and events:DescribeRule on the managed rule
 *   StepFunctionsGetEventsForECSTaskRule (https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html).
 *
 * Parameters given by JSONPath (`Key.$`) are not known offline: such a call is checked only for the
 * action being granted somewhere. Other integrations are left to code review.
 */
export const aslIamRule: ReadinessRule = {
    id: "asl-iam",
    title: "every task a state machine's definition runs is allowed by its role",
    doc: "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html",
    check: checkAslIam,
};

const ECS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html";
export const SFN_ECS_EVENTS_RULE = "StepFunctionsGetEventsForECSTaskRule";

const rec = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Every Task state of a definition, with its path, including nested item processors, iterators and branches. */
export function taskStates(definition: unknown, path = ""): { path: string; state: Record<string, unknown> }[] {
    const tasks: { path: string; state: Record<string, unknown> }[] = [];
    for (const [name, raw] of Object.entries(rec(rec(definition).States))) {
        const state = rec(raw);
        const here = path ? `${path}/${name}` : name;
        if (state.Type === "Task") tasks.push({ path: here, state });
        for (const nested of [state.ItemProcessor, state.Iterator]) if (nested) tasks.push(...taskStates(nested, here));
        if (Array.isArray(state.Branches)) state.Branches.forEach((branch, i) => tasks.push(...taskStates(branch, `${here}[${i}]`)));
    }
    return tasks;
}

interface Need {
    action: string;
    arn: string;
    request?: Record<string, string>;
    doc?: string;
}

function needsOf(state: Record<string, unknown>, context: ReadinessContext): Need[] | undefined {
    const resource = str(state.Resource) ?? "";
    const parameters = rec(state.Parameters ?? state.Arguments);
    if (resource === "arn:aws:states:::lambda:invoke" || resource === "arn:aws:states:::lambda:invoke.waitForTaskToken") {
        const fn = str(parameters.FunctionName);
        return fn ? [{ action: "lambda:InvokeFunction", arn: fn }] : [];
    }
    const ecs = /^arn:aws:states:::ecs:runTask(\.sync|\.waitForTaskToken)?$/.exec(resource);
    if (ecs) {
        const needs: Need[] = [];
        const taskDefinition = str(parameters.TaskDefinition);
        if (taskDefinition) {
            needs.push({ action: "ecs:RunTask", arn: taskDefinition, doc: ECS_DOC });
            const registered = context.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && str(r.state.arn) === taskDefinition);
            for (const role of [registered?.inputs.taskRoleArn, registered?.inputs.executionRoleArn].map(str)) {
                if (role) needs.push({ action: "iam:PassRole", arn: role, request: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" }, doc: ECS_DOC });
            }
        }
        if (ecs[1] === ".sync") {
            const clusterName = str(parameters.Cluster)?.split("/").pop() ?? "default";
            const task = `arn:aws:ecs:${context.region}:${context.accountId}:task/${clusterName}/0123456789abcdef0123456789abcdef`;
            const rule = `arn:aws:events:${context.region}:${context.accountId}:rule/${SFN_ECS_EVENTS_RULE}`;
            needs.push(
                { action: "ecs:StopTask", arn: task, doc: ECS_DOC },
                { action: "ecs:DescribeTasks", arn: task, doc: ECS_DOC },
                ...["events:PutTargets", "events:PutRule", "events:DescribeRule"].map((action) => ({ action, arn: rule, doc: ECS_DOC })),
            );
        }
        return needs;
    }
    return undefined;
}

function checkAslIam(context: ReadinessContext): ReadinessFinding[] {
    const findings: ReadinessFinding[] = [];
    for (const machine of context.resources.filter((r: RecordedResource) => r.type === "aws:sfn/stateMachine:StateMachine")) {
        let definition: unknown;
        try {
            definition = typeof machine.inputs.definition === "string" ? JSON.parse(machine.inputs.definition) : machine.inputs.definition;
        } catch {
            continue;
        }
        const roleArn = str(machine.inputs.roleArn);
        const permissions = roleArn ? rolePermissions(context.resources, roleArn) : undefined;
        if (!permissions) continue;
        for (const { path, state } of taskStates(definition)) {
            for (const need of needsOf(state, context) ?? []) {
                if (!allows(permissions.statements, need.action, need.arn, need.request ?? {})) {
                    findings.push(
                        finding(
                            aslIamRule,
                            machine,
                            permissions.opaquePolicies.length > 0 ? "warning" : "failure",
                            `state ${path} (${str(state.Resource)}) calls ${need.action} on ${need.arn}, which role ${permissions.roleName} does not allow${permissions.opaquePolicies.length > 0 ? ` (unless one of its attached policies ${permissions.opaquePolicies.join(", ")} does)` : ""}`,
                            need.doc,
                        ),
                    );
                }
            }
        }
    }
    return findings;
}
