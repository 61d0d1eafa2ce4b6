import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runReadiness, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "../../platform/offline/readiness";
import type { SynthResult } from "../../platform/offline/synth";
import { stackFile } from "../serverless/fixtures";

export { stackFile };

/** The readiness context of a synth result, as `npm run synth` builds it. */
export function contextOf(result: SynthResult, resources: RecordedResource[] = result.cloud.resources): ReadinessContext {
    return { project: "platform", stack: "test", region: result.cloud.options.region, accountId: result.cloud.options.accountId, resources, bundles: [] };
}

/** A deep copy of the recorded resources with one change: a deliberately broken fixture. */
export function broken(resources: RecordedResource[], change: (copy: RecordedResource[]) => void): RecordedResource[] {
    const copy = structuredClone(resources);
    change(copy);
    return copy;
}

/** The one resource of a type whose name ends with the suffix, in a (copied) list. */
export function pick(resources: RecordedResource[], type: string, suffix = ""): RecordedResource {
    const matches = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
    if (matches.length !== 1) throw new Error(`expected one ${type} *${suffix}, found ${matches.length}`);
    return matches[0];
}

/** A recorded cloud resource built by hand, for fixtures smaller than a stack. */
export function recorded(type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}): RecordedResource {
    const urn = `urn:pulumi:test::platform::${type}::${name}`;
    return {
        urn,
        type,
        name,
        custom: true,
        remote: false,
        inputs,
        protect: false,
        retainOnDelete: false,
        dependsOn: [],
        ignoreChanges: [],
        id: typeof state.id === "string" ? state.id : name,
        state: { ...inputs, ...state },
    };
}

export function run(rule: ReadinessRule, resources: RecordedResource[]): ReadinessFinding[] {
    return runReadiness({ project: "platform", stack: "test", region: "eu-west-1", accountId: "123456789012", resources, bundles: [] }, [rule]);
}
