import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** What ECS passes to a deployment lifecycle hook (the fields the probe reads). */
export interface HookEvent {
    serviceArn?: string;
    targetServiceRevisionArn?: string;
    /**
     * The service's `hookDetails` (`{"url": ...}`, set by the platform), or what the previous
     * IN_PROGRESS answer returned (`attempt` counts the probes so far).
     */
    hookDetails?: { url?: string; attempt?: number } | string;
}

/** What ECS expects back: SUCCEEDED continues the release, FAILED rolls it back, IN_PROGRESS asks again after callBackDelay seconds. */
export interface HookResult {
    hookStatus: "SUCCEEDED" | "FAILED" | "IN_PROGRESS";
    callBackDelay?: number;
    hookDetails?: { url: string; attempt: number };
}

/** Consecutive successes a release needs before production traffic moves, and probes it may fail first (new tasks may still warm up). */
export const REQUIRED_SUCCESSES = 3;
export const MAX_ATTEMPTS = 10;
/** Seconds between probe rounds. */
export const RETRY_SECONDS = 15;

/** One GET: the status code, or undefined when the connection failed or timed out. */
export type Fetch = (url: string) => Promise<number | undefined>;

/**
 * GET with a 5 s timeout. The test listener is reached by the load balancer's DNS name, which
 * the app's certificate does not name, so TLS is not verified: the probe judges the release's
 * answers, not the certificate (the production listener serves the same one to clients).
 */
export const get: Fetch = (url) =>
    new Promise((resolve) => {
        const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { method: "GET", timeout: 5000, rejectUnauthorized: false }, (response) => {
            response.resume();
            resolve(response.statusCode);
        });
        request.on("timeout", () => request.destroy());
        request.on("error", () => resolve(undefined));
        request.end();
    });

/**
 * Probes the test listener's readiness URL, which reaches the green tasks at
 * POST_TEST_TRAFFIC_SHIFT: REQUIRED_SUCCESSES answers of 200 in a row pass the release; after
 * MAX_ATTEMPTS rounds without that, the release rolls back.
 */
export async function probe(event: HookEvent, fetch: Fetch = get): Promise<HookResult> {
    const details = typeof event.hookDetails === "string" ? (JSON.parse(event.hookDetails) as { url?: string; attempt?: number }) : (event.hookDetails ?? {});
    const url = details.url;
    if (!url) return { hookStatus: "FAILED" };
    const attempt = (details.attempt ?? 0) + 1;
    for (let success = 0; success < REQUIRED_SUCCESSES; success++) {
        const status = await fetch(url);
        if (status !== 200) {
            if (attempt >= MAX_ATTEMPTS) return { hookStatus: "FAILED" };
            return { hookStatus: "IN_PROGRESS", callBackDelay: RETRY_SECONDS, hookDetails: { url, attempt } };
        }
    }
    return { hookStatus: "SUCCEEDED" };
}
