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

/** The serverless apps the stack enables, on the stack's one API Gateway logging role (one per account and region; platform/index.ts). */
export function buildServerlessApps(config: PlatformConfig, ctx: ServerlessContext, opts: pulumi.ComponentResourceOptions, loggingRole: ApiGatewayLoggingRole | undefined): ServerlessApps {
    if (!usesServerlessApps(config)) return {};
    if (!loggingRole) throw new Error(`${config.name}: platform:translate/fanout build APIs; pass the stack's ApiGatewayLoggingRole`);
    return {
        translate: config.translate.enabled ? new TranslateApp(`${config.name}-translate`, { ctx, config: config.translate, loggingRole }, opts) : undefined,
        fanout: config.fanout.enabled ? new FanoutApp(`${config.name}-fanout`, { ctx, config: config.fanout, loggingRole }, opts) : undefined,
    };
}
