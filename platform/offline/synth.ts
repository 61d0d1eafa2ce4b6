import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { leanPromiseStacks } from "../runtime/promise-stacks";
import { MockCloud, RecordedResource, settled } from "./mock-cloud";

/** An account id that is obviously not real, used when the stack does not pin one. */
export const MOCK_ACCOUNT_ID = "123456789012";
/** Used only to shape mock ARNs when `aws:region` is missing; the program rejects that config itself. */
const FALLBACK_REGION = "us-east-1";

export interface SynthOptions {
    project: string;
    stack: string;
    /** Full config keys (`aws:region`, `platform:network`) to values as Pulumi passes them: strings, JSON for structures. */
    config: Record<string, string>;
    secretKeys?: string[];
    /** The program: builds resources and returns the stack outputs (or a promise of them). */
    program: () => unknown;
    /** Run as a preview (unknown outputs stay unknown). @default false */
    preview?: boolean;
}

export interface SynthResult {
    cloud: MockCloud;
    outputs: Record<string, unknown>;
    durationMs: number;
}

/** A program failed offline; carries what was recorded up to the failure. */
export class SynthError extends Error {
    constructor(
        readonly cause: unknown,
        readonly cloud: MockCloud,
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "SynthError";
    }
}

/**
 * Runs a Pulumi program in this process against the mock cloud, the way `pulumi up` would run
 * it against AWS, and waits until every registration has settled. Throws SynthError when the
 * program throws, a registration is refused (a duplicate URN), or the program logged an error.
 */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
    leanPromiseStacks();
    const accountId = accountIdFrom(options.config[`${options.project}:accountId`]);
    const cloud = new MockCloud({
        project: options.project,
        stack: options.stack,
        region: options.config["aws:region"] || FALLBACK_REGION,
        accountId,
        preview: options.preview,
    });
    cloud.install();
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    const started = performance.now();
    const stray: unknown[] = [];
    const onRejection = (reason: unknown) => stray.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        const outputs = await pulumi.runtime.runInPulumiStack(() => Promise.resolve(options.program()));
        await settled();
        await nextTurn();
        const failure = cloud.errors[0] ?? stray[0];
        if (failure !== undefined) throw failure;
        if (pulumi.log.hasErrors()) throw new Error("the program logged errors (see above)");
        return { cloud, outputs: outputs ?? {}, durationMs: performance.now() - started };
    } catch (err) {
        // The mock cloud's own error says more than the SDK's wrapper of it (which drops the message).
        throw err instanceof SynthError ? err : new SynthError(cloud.errors[0] ?? err, cloud);
    } finally {
        await nextTurn();
        process.off("unhandledRejection", onRejection);
    }
}

/** One turn of the event loop: rejections nobody handled are reported before it ends. */
function nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

function accountIdFrom(value: string | undefined): string {
    return value && /^\d{12}$/.test(value) ? value : MOCK_ACCOUNT_ID;
}

/** The stable JSON report of a synth run (`npm run synth -- --json <file>`). */
export interface SynthReport {
    stack: string;
    program: string;
    resources: ReportedResource[];
    violations: ReportedViolation[];
}

/** A policy pack finding; `frameworks` lists the control IDs (e.g. "FSBP ECR.1"). */
export interface ReportedViolation {
    policy: string;
    urn: string;
    type: string;
    enforcementLevel: string;
    message: string;
    frameworks: string[];
    severity: string;
    remediation: string;
    /** Set when a pack-config exemption matched: the reason, and the level it would have had. */
    exempted?: { reason: string; enforcementLevel: string; expires?: string };
}

export interface ReportedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    protect: boolean;
    dependsOn: string[];
    provider: string | null;
}

/**
 * The JSON report of a synth. Resources are listed by URN and violations by URN, policy and
 * message, not in registration order: a Pulumi program is a graph, the order it registers in is
 * not part of its result (buildPlatformAsync yields between apps), and a report two runs can diff
 * line by line is what a reviewer or a CI check wants.
 */
export function toReport(stack: string, program: string, resources: RecordedResource[], violations: ReportedViolation[] = []): SynthReport {
    const byKey =
        <T>(key: (item: T) => string) =>
        (a: T, b: T) =>
            key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    return {
        stack,
        program,
        resources: [...resources].sort(byKey((resource) => resource.urn)).map((resource) => ({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            parent: resource.parent ?? null,
            inputs: resource.inputs,
            protect: resource.protect,
            dependsOn: resource.dependsOn,
            provider: resource.provider ?? null,
        })),
        violations: [...violations].sort(byKey((v) => `${v.urn}\0${v.policy}\0${v.message}`)).map((v) => ({
            policy: v.policy,
            urn: v.urn,
            type: v.type,
            enforcementLevel: v.enforcementLevel,
            message: v.message,
            frameworks: v.frameworks,
            severity: v.severity,
            remediation: v.remediation,
            ...(v.exempted ? { exempted: v.exempted } : {}),
        })),
    };
}
