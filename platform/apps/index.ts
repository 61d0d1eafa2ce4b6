import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import type { ApiGatewayLoggingRole, ServerlessContext } from "../serverless";
import { FanoutApp } from "./fanout";
import { TranslateApp } from "./translate";

export { FanoutApp } from "./fanout";
export { TranslateApp } from "./translate";

export interface ServerlessApps {
    translate?: TranslateApp;
    fanout?: FanoutApp;
}

/** Whether the stack builds any serverless app (the data key must then admit SNS). */
export function usesServerlessApps(config: Pick<PlatformConfig, "translate" | "fanout">): boolean {
    return config.translate.enabled || config.fanout.enabled;
}

/**
 * The serverless apps the stack enables. `loggingRole` is the API Gateway logging role when this
 * stack owns the account's settings (`platform:account.owner`); otherwise undefined, and the
 * stages rely on the owner stack's setting (one per account and region; platform/index.ts).
 */
export function buildServerlessApps(config: PlatformConfig, ctx: ServerlessContext, opts: pulumi.ComponentResourceOptions, loggingRole: ApiGatewayLoggingRole | undefined): ServerlessApps {
    if (!usesServerlessApps(config)) return {};
    return {
        translate: config.translate.enabled ? new TranslateApp(`${config.name}-translate`, { ctx, config: config.translate, loggingRole }, opts) : undefined,
        fanout: config.fanout.enabled ? new FanoutApp(`${config.name}-fanout`, { ctx, config: config.fanout, loggingRole }, opts) : undefined,
    };
}
