import { z } from "zod";
import { bool, wholeNumber } from "./fields";
import type { ConfigProblem } from "./load";

/**
 * How ECS replaces an app's tasks with a new release (ECS deployment strategies, deploymentController ECS):
 * - `rolling`: new tasks start beside the old ones (up to 200%) and old ones stop as the new turn healthy.
 * - `blueGreen`: a full green copy starts on a second target group; production traffic moves to it at once,
 *   both run for the bake time, then blue stops (or traffic moves back on an alarm).
 * - `canary`: `canary.percent` of production traffic moves first, the rest after `canary.bakeTimeMinutes`.
 * - `linear`: traffic moves in steps of `linear.stepPercent` every `linear.intervalMinutes`.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
 */
export const RELEASE_STRATEGIES = ["rolling", "blueGreen", "canary", "linear"] as const;
export type ReleaseStrategy = (typeof RELEASE_STRATEGIES)[number];

/** The ECS API names of the strategies (`deploymentConfiguration.strategy`). */
export const ECS_STRATEGY: Record<ReleaseStrategy, string> = { rolling: "ROLLING", blueGreen: "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" };

// ECS's ranges: bake times 0-1440 minutes; canary percent multiples of 0.1 from 0.1 to 100; linear
// step percent multiples of 0.1 from 3 to 100 (API_CanaryConfiguration, API_LinearConfiguration,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html).
const minutes = (what: string) => wholeNumber(what, 0, 1440);
const tenths = (what: string, min: number, max: number) => {
    const error = `expected ${what}: a percentage from ${min} to ${max} in steps of 0.1`;
    // One check, so a value both out of range and off the grid is one problem.
    return z.number({ error }).refine((value) => value >= min && value <= max && Math.abs(value * 10 - Math.round(value * 10)) < 1e-9, { error });
};

export const ReleaseInputSchema = z.strictObject({
    /** rolling, blueGreen, canary or linear. Default: blueGreen in staging and prod, rolling in dev. */
    strategy: z.enum(RELEASE_STRATEGIES, { error: `expected a release strategy, one of ${RELEASE_STRATEGIES.join(", ")}` }).optional(),
    /** Minutes old and new tasks both run after all traffic moved (blueGreen, canary, linear), watched by the alarms; 0-1440. */
    bakeTimeMinutes: minutes("a bake time in minutes").optional(),
    /** canary: the share of production traffic the new release gets first, and for how long before the rest follows. */
    canary: z
        .strictObject({
            percent: tenths("the canary's share of production traffic", 0.1, 100).optional(),
            bakeTimeMinutes: minutes("minutes the canary runs before the rest of the traffic follows").optional(),
        })
        .optional(),
    /** linear: the share of production traffic moved per step, and the minutes between steps. */
    linear: z
        .strictObject({
            stepPercent: tenths("the share of production traffic moved per step", 3, 100).optional(),
            intervalMinutes: minutes("minutes between steps").optional(),
        })
        .optional(),
    /**
     * A second listener on this port that reaches the new release before production traffic
     * does (blueGreen, canary, linear): the same clients as the app may use it. @example 8443
     */
    testListenerPort: wholeNumber("a test listener port", 1, 65535).optional(),
    /**
     * A Lambda function that probes the new release through the test listener (its readiness
     * path) before any production traffic moves; a failure rolls the deployment back. Needs testListenerPort.
     */
    preTrafficHook: bool("whether a function probes the new release before production traffic moves").optional(),
    /** p95 target response time (ms) above which the app's latency alarm fires (3 of 5 minutes) and rolls a deployment back. */
    latencyThresholdMs: wholeNumber("a p95 latency threshold in milliseconds", 10, 60000).optional(),
});
export type ReleaseInput = z.infer<typeof ReleaseInputSchema>;

/** How an app is released, resolved. */
export interface ReleaseConfig {
    strategy: ReleaseStrategy;
    /** Minutes blue and green both run after the shift (not used by rolling). */
    bakeTimeMinutes: number;
    /** Set with strategy canary. */
    canary?: { percent: number; bakeTimeMinutes: number };
    /** Set with strategy linear. */
    linear?: { stepPercent: number; intervalMinutes: number };
    testListenerPort?: number;
    preTrafficHook: boolean;
    latencyThresholdMs: number;
}

/** ECS's own defaults for the traffic steps; the bake time and strategy come from the profile. */
export const RELEASE_DEFAULTS = { canary: { percent: 10, bakeTimeMinutes: 10 }, linear: { stepPercent: 20, intervalMinutes: 5 }, latencyThresholdMs: 2000 } as const;

export function resolveRelease(input: ReleaseInput | undefined, defaults: { strategy: ReleaseStrategy; bakeTimeMinutes: number }): ReleaseConfig {
    const strategy = input?.strategy ?? defaults.strategy;
    return {
        strategy,
        bakeTimeMinutes: input?.bakeTimeMinutes ?? defaults.bakeTimeMinutes,
        canary: strategy === "canary" || input?.canary ? { ...RELEASE_DEFAULTS.canary, ...input?.canary } : undefined,
        linear: strategy === "linear" || input?.linear ? { ...RELEASE_DEFAULTS.linear, ...input?.linear } : undefined,
        testListenerPort: input?.testListenerPort,
        preTrafficHook: input?.preTrafficHook ?? false,
        latencyThresholdMs: input?.latencyThresholdMs ?? RELEASE_DEFAULTS.latencyThresholdMs,
    };
}

/**
 * Combinations ECS refuses or that could not work, each at its key. A queue worker and an app not on
 * ECS default to rolling whatever the profile says (resolveApp), so another strategy there was asked for.
 */
export function releaseProblems(release: ReleaseConfig, app: { consumes?: unknown; runtimes: string[] }, at: (...path: string[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const shifting = release.strategy !== "rolling";
    if (shifting && app.consumes !== undefined) {
        problems.push({ key: at("release", "strategy"), message: `expected rolling on a queue worker: ${release.strategy} moves load balancer traffic between two target groups, and a worker has no load balancer` });
    }
    if (release.canary && release.strategy !== "canary")
        problems.push({ key: at("release", "canary"), message: `only used with strategy canary (the strategy is ${release.strategy}); remove it or set strategy: canary` });
    if (release.linear && release.strategy !== "linear")
        problems.push({ key: at("release", "linear"), message: `only used with strategy linear (the strategy is ${release.strategy}); remove it or set strategy: linear` });
    if (release.testListenerPort !== undefined) {
        if (!shifting)
            problems.push({ key: at("release", "testListenerPort"), message: "a test listener reaches the new release before production traffic moves: it needs strategy blueGreen, canary or linear, not rolling" });
        if ([80, 443].includes(release.testListenerPort))
            problems.push({ key: at("release", "testListenerPort"), message: `expected a port other than 80 and 443 (the production listeners), got ${release.testListenerPort}` });
    }
    if (release.preTrafficHook && release.testListenerPort === undefined) {
        problems.push({ key: at("release", "preTrafficHook"), message: "the hook probes the new release through the test listener: set release.testListenerPort too (for example 8443)" });
    }
    if (shifting && app.consumes === undefined && !app.runtimes.includes("ecs")) {
        problems.push({
            key: at("release", "strategy"),
            message: `${release.strategy} is an ECS deployment strategy and this app does not run on ECS; on EKS the Deployment rolls out (maxSurge, maxUnavailable) under its PodDisruptionBudget`,
        });
    }
    return problems;
}
