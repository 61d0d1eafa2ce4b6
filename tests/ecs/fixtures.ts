import type { RecordedResource } from "../../platform/offline/mock-cloud";
import type { SynthResult } from "../../platform/offline/synth";
import { captureWarnings, only, synthPlatform } from "../helpers";

/** Stack values shared by the ECS tests: a released `web` app with secrets, a table and a nightly job. */
export const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/db-AbCdEf";
export const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/web/api-key";
export const SECRETS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b7f2a52-5c1e-4a59-9a6e-0d2c3f4e5a6b";
export const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/translations";
export const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";

export const WEB = {
    imageTag: "1.4.2",
    environment: { LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_MS: 25000 },
    secrets: { DB_PASSWORD: `${SECRET_ARN}:password::`, API_KEY: PARAMETER_ARN },
    secretsKmsKeyArn: SECRETS_KEY_ARN,
    tables: { TRANSLATIONS_TABLE: { arn: TABLE_ARN } },
    jobs: { "purge-expired": { schedule: "cron(0 3 * * ? *)", command: ["node", "main.js", "purge-expired"] } },
};

export interface Synthesized {
    result: SynthResult;
    warnings: string[];
    resources: RecordedResource[];
    /** The one resource of a type whose name ends with the suffix. */
    one(type: string, nameEndsWith?: string): RecordedResource;
    all(type: string): RecordedResource[];
}

async function synth(stack: string, values: Record<string, unknown>): Promise<Synthesized> {
    const { result, warnings } = await captureWarnings(() => synthPlatform(stack, values));
    const resources = result.cloud.resources;
    return { result, warnings, resources, one: (type, suffix = "") => only(resources, type, suffix), all: (type) => result.cloud.ofType(type) };
}

const cache = new Map<string, Promise<Synthesized>>();
/** Each named stack is synthesized once per test run, whichever test file asks first. */
function memo(key: string, build: () => Promise<Synthesized>): Promise<Synthesized> {
    if (!cache.has(key)) cache.set(key, build());
    return cache.get(key)!;
}

/** dev with the profile's defaults (no certificate, ECS Exec on, mostly spot), but the app's own load balancer (the shared one: tests/shared-load-balancer.test.ts). */
export const devStack = () => memo("dev", () => synth("dev", { network: { loadBalancers: "perApp" }, apps: { web: WEB } }));
/** prod with a certificate and an alarm email: HTTPS only, on-demand, no ECS Exec. */
export const prodStack = () => memo("prod", () => synth("prod", { apps: { web: WEB }, ingress: { certificateArn: CERTIFICATE_ARN }, alarms: { emails: ["oncall@example.com"] } }));
/** dev before the first release: no image tag. */
export const unreleasedStack = () => memo("unreleased", () => synth("dev", { network: { loadBalancers: "perApp" }, apps: { web: { jobs: WEB.jobs } } }));
