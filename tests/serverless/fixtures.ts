import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { synthesize, SynthResult } from "../../platform/offline/synth";
import type { ServiceKeyUsers } from "../../platform/kms";
import type { ServerlessContext } from "../../platform/serverless";
import { only, parseJson, sharedSynth } from "../helpers";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const DATA_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-1111-4111-8111-111111111111`;
export const LOGS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/22222222-2222-4222-8222-222222222222`;
export const ALARM_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;

/** Records the services constructs admit to the data key's policy (what PlatformKey.allowService receives). */
export class KeyUsersRecorder implements ServiceKeyUsers {
    readonly services: string[] = [];
    allowService(service: string): void {
        this.services.push(service);
    }
}

/** A context as the platform would pass it, with literal ARNs so assertions can name them. */
export function testContext(overrides: Partial<ServerlessContext> = {}): ServerlessContext {
    return {
        region: REGION,
        accountId: ACCOUNT,
        dataKeyArn: DATA_KEY,
        dataKeyUsers: new KeyUsersRecorder(),
        logsKeyArn: LOGS_KEY,
        alarmTopicArn: ALARM_TOPIC,
        functions: { runtime: "nodejs22.x", memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 5, tracing: true, logRetentionDays: 14 },
        logRetentionDays: 14,
        deletionProtection: false,
        protect: false,
        ...overrides,
    };
}

/** Runs a program of constructs (not the whole platform) against the mock cloud. */
export function synthConstructs(program: () => unknown, stack = "test"): Promise<SynthResult> {
    return synthesize({ project: "platform", stack, config: { "aws:region": REGION }, program });
}

/** Lookups on one synth result. */
export class Recorded {
    constructor(readonly resources: RecordedResource[]) {}

    one(type: string, nameEndsWith = ""): RecordedResource {
        return only(this.resources, type, nameEndsWith);
    }

    named(type: string, name: string): RecordedResource {
        const matches = this.resources.filter((resource) => resource.type === type && resource.name === name);
        if (matches.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${matches.length}`);
        return matches[0];
    }

    all(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    /** The statements of every inline policy on the role named `roleName`, by Sid. */
    grantsOf(roleName: string): Record<string, any> {
        const role = this.named("aws:iam/role:Role", roleName);
        const statements = this.all("aws:iam/rolePolicy:RolePolicy")
            .filter((policy) => policy.inputs.role === role.state.name)
            .flatMap((policy) => parseJson(policy.inputs.policy).Statement as any[]);
        return Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    }
}

/** One of the fixture stacks (tests/fixtures/stacks/Pulumi.<name>.yaml), synthesized once per test run for every file that asks. */
export function stackFile(name: string): Promise<SynthResult> {
    return sharedSynth(name);
}
