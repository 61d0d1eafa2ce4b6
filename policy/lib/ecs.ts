import { readJson } from "./json";
import { isRecord, list, Props, rec, str } from "./props";
import { T } from "./types";

/**
 * ECS task definitions in one shape: aws.ecs.TaskDefinition carries its containers as a JSON
 * string, the awsx task definitions and services as objects (`container` or a `containers` map).
 */

export interface TaskContainer {
    name: string;
    /** For messages: `containerDefinitions[0] (web)` or `containers.web`. */
    label: string;
    definition: Props;
}

export interface Task {
    containers: TaskContainer[];
    networkMode?: string;
    pidMode?: string;
    /** awsx sends container logs to a log group it creates unless `logGroup.skip` is set. */
    defaultLogging: boolean;
    /** Fargate task (networkMode is awsvpc, privileged containers are refused by the service). */
    fargate: boolean;
}

export type TaskRead = { state: "ok"; task: Task } | { state: "invalid"; message: string } | { state: "none" };

export const TASK_TYPES = [T.ecsTaskDefinition, T.awsxFargateTaskDefinition, T.awsxEc2TaskDefinition, T.awsxFargateService, T.awsxEc2Service];

function awsxContainers(args: Props, prefix: string): TaskContainer[] {
    if (args.container !== undefined) {
        const definition = rec(args.container);
        return [{ name: str(definition.name) ?? "container", label: `${prefix}container`, definition }];
    }
    return Object.entries(rec(args.containers)).map(([name, value]) => ({ name, label: `${prefix}containers.${name}`, definition: rec(value) }));
}

export function readTask(type: string, props: Props): TaskRead {
    if (type === T.ecsTaskDefinition) {
        const parsed = readJson(props.containerDefinitions, "containerDefinitions");
        if (parsed.state === "invalid") return parsed;
        if (parsed.state === "absent") return { state: "ok", task: { containers: [], defaultLogging: false, fargate: false } };
        if (!Array.isArray(parsed.value)) return { state: "invalid", message: "containerDefinitions must be a JSON array of container definitions" };
        const containers = parsed.value.map((item, index) => {
            const definition = isRecord(item) ? item : {};
            const name = str(definition.name) ?? `#${index}`;
            return { name, label: `containerDefinitions[${index}] (${name})`, definition };
        });
        const fargate = list(props.requiresCompatibilities).includes("FARGATE");
        return { state: "ok", task: { containers, networkMode: str(props.networkMode), pidMode: str(props.pidMode), defaultLogging: false, fargate } };
    }
    const isService = type === T.awsxFargateService || type === T.awsxEc2Service;
    // A service given an existing task definition ARN declares no containers itself.
    if (isService && props.taskDefinitionArgs === undefined) return { state: "none" };
    const args = isService ? rec(props.taskDefinitionArgs) : props;
    const prefix = isService ? "taskDefinitionArgs." : "";
    const fargate = type === T.awsxFargateService || type === T.awsxFargateTaskDefinition;
    return {
        state: "ok",
        task: {
            containers: awsxContainers(args, prefix),
            networkMode: fargate ? "awsvpc" : (str(args.networkMode) ?? "awsvpc"),
            pidMode: str(args.pidMode),
            defaultLogging: rec(args.logGroup).skip !== true,
            fargate,
        },
    };
}
