import { createHash } from "node:crypto";

/**
 * Physical-name limits of the AWS and Kubernetes objects whose names the program derives from
 * `<project>-<stack>`, an app (up to 40 characters) and a job (up to 24). Each comes from the
 * service's API reference; `platform/offline/readiness/name-rules.ts` cites the page for every
 * resource type and checks each name the program registers against it.
 */
export const NAME_LIMITS = {
    /** CreateLoadBalancer / CreateTargetGroup: 32 characters. */
    loadBalancer: 32,
    targetGroup: 32,
    /** CreateRole: 64 characters. */
    iamRole: 64,
    /** PutRolePolicy: 128 characters. */
    iamPolicy: 128,
    /** PutRule: 64 characters. */
    eventRule: 64,
    /** PutTargets: a target id is at most 64 characters. */
    eventTarget: 64,
    /** EventBridge Scheduler CreateSchedule / CreateScheduleGroup: 64 characters. */
    schedule: 64,
    scheduleGroup: 64,
    /** CreateQueue: 80 characters (including `.fifo`). */
    sqsQueue: 80,
    /** CreateFunction: 64 characters (the name part of the ARN). */
    lambdaFunction: 64,
    /** CreateStateMachine: 80 characters. */
    stateMachine: 80,
    /** Kubernetes: a CronJob's name is at most 52 characters (its Jobs append 11). */
    cronJob: 52,
} as const;

/** Pulumi autonaming appends `-` and 7 random characters to the logical name (AWS provider). */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** Length of the stable hash that replaces the cut-off tail of a name that is too long. */
const HASH_LENGTH = 8;

/**
 * `name` if it fits in `max` characters; otherwise its head and a short hash of the whole name
 * (`platform-prod-eu-central-<40-character app>` -> `platform-prod-eu-central-ord-3f9a1c2e`).
 * Stable: the same input always gives the same name, so it never changes between deployments,
 * and two long names that share a head still differ. The head keeps the `<project>-<stack>`
 * prefix that IAM patterns and people search by, whenever `max` leaves room for it.
 */
export function physicalName(name: string, max: number): string {
    if (name.length <= max) return name;
    if (max < HASH_LENGTH + 2) throw new Error(`physicalName: a limit of ${max} leaves no room for a head and a ${HASH_LENGTH}-character hash`);
    const hash = createHash("sha256").update(name).digest("hex").slice(0, HASH_LENGTH);
    // Names end in a letter or digit (ALB, Kubernetes): drop separators left at the cut.
    const head = name.slice(0, max - HASH_LENGTH - 1).replace(/[^A-Za-z0-9]+$/, "");
    return `${head}-${hash}`;
}

/**
 * The explicit name to give a resource Pulumi would otherwise autoname (`<logical name>-<7
 * random characters>`): undefined while that autoname fits in `max` (the resource keeps its
 * random suffix, so a replacement can be created before the old one is deleted), else
 * `physicalName(logicalName, max)`.
 */
export function nameWithin(logicalName: string, max: number): string | undefined {
    return logicalName.length + AUTONAME_SUFFIX_LENGTH <= max ? undefined : physicalName(logicalName, max);
}
