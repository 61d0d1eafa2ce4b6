import type { ReadinessContext } from "../../platform/offline/readiness/types";
import { bundleRecords } from "../../platform/serverless/bundle";
import { sharedSynth } from "../helpers";

const cache = new Map<string, Promise<ReadinessContext>>();

/** The readiness context of a shipped stack (Pulumi.<stack>.yaml), synthesized once per test run. */
export function shippedStack(stack: string): Promise<ReadinessContext> {
    let context = cache.get(stack);
    if (!context) {
        context = sharedSynth(stack).then((result) => ({
            project: "platform",
            stack,
            region: result.cloud.options.region,
            accountId: result.cloud.options.accountId,
            resources: result.cloud.resources,
            bundles: bundleRecords(),
        }));
        cache.set(stack, context);
    }
    return context;
}
