/**
 * `main.js selfcheck`: the nightly canary the platform's scheduled ECS task runs with the app's
 * image, configuration and role. It proves, once a day and outside request traffic, that the task
 * can still reach and read its store (credentials, network path, IAM grant, table). A failure
 * exits non-zero, which the platform's job-failure rule turns into an alarm.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "./logger";
import type { TranslationStore } from "./store";

export interface SelfcheckResult {
    ok: boolean;
    durationMs: number;
    error?: string;
}

export async function selfcheck(store: TranslationStore, logger: Logger): Promise<SelfcheckResult> {
    const started = performance.now();
    try {
        await store.init?.();
        // A random id is almost surely absent: a clean "not found" proves the read path end to end.
        await store.get(randomUUID());
        const result = { ok: true, durationMs: Math.round(performance.now() - started) };
        logger.info(result, "selfcheck passed");
        return result;
    } catch (error) {
        const result = { ok: false, durationMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
        logger.error({ ...result, err: error }, "selfcheck failed");
        return result;
    } finally {
        await store.close?.();
    }
}
