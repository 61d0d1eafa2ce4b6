import { expect } from "chai";
import { ConfigError } from "../../platform/config";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { SynthError } from "../../platform/offline/synth";
import { parseJson, synthPlatform } from "../helpers";

/**
 * The statements of the inline policies granted to `grantee` (policies named `<grantee>-<sid>`,
 * RoleGrants' naming), by Sid.
 */
export function grantsOf(resources: RecordedResource[], grantee: string): Record<string, any> {
    const statements = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith(`${grantee}-`)).flatMap((r) => parseJson(r.inputs.policy).Statement);
    return Object.fromEntries(statements.map((statement: any) => [statement.Sid, statement]));
}

/** The resources under a component (by name), at any depth. */
export function within(resources: RecordedResource[], componentName: string): RecordedResource[] {
    const component = resources.find((r) => !r.custom && r.name === componentName);
    if (!component) throw new Error(`no component ${componentName}`);
    const urns = new Set([component.urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const resource of resources) {
            if (resource.parent && urns.has(resource.parent) && !urns.has(resource.urn)) {
                urns.add(resource.urn);
                grew = true;
            }
        }
    }
    return resources.filter((r) => urns.has(r.urn) && r.urn !== component.urn);
}

/** Synthesizes with bad values and checks the error names `key` (and says `says`) before anything is created. */
export async function expectConfigError(values: Record<string, unknown>, key: string, says: RegExp, stack = "dev"): Promise<void> {
    const failure = await synthPlatform(stack, values).then(
        () => undefined,
        (error: unknown) => error,
    );
    expect(failure, "synth should fail").to.be.instanceOf(SynthError);
    const synthError = failure as SynthError;
    expect(synthError.cause).to.be.instanceOf(ConfigError);
    const problem = (synthError.cause as ConfigError).problems.find((p) => p.key === key);
    expect(problem, (synthError.cause as Error).message).to.not.equal(undefined);
    expect(problem!.message).to.match(says);
    expect(synthError.cloud.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
}
