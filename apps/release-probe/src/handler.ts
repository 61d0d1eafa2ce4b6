import { type HookEvent, type HookResult, probe } from "./probe";

/** The ECS lifecycle hook entry point (POST_TEST_TRAFFIC_SHIFT): one log line per verdict. */
export async function handler(event: HookEvent): Promise<HookResult> {
    const result = await probe(event);
    console.log(JSON.stringify({ message: "release probe", service: event.serviceArn, revision: event.targetServiceRevisionArn, hookStatus: result.hookStatus, attempt: result.hookDetails?.attempt }));
    return result;
}
