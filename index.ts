// Program entry: validate the stack's config (failing before any resource exists), build the
// platform from it, and export what operators and other stacks need.
import { loadPlatformConfig } from "./platform/config";
import { buildPlatform, platformOutputs } from "./platform";
import { leanPromiseStacks } from "./platform/runtime/promise-stacks";

// The SDK's per-promise debug stacks are only read when PULUMI_DEBUG_PROMISE_LEAKS is set: skip formatting them otherwise.
leanPromiseStacks();

const platform = buildPlatform(loadPlatformConfig());

export const { profile, region, vpcId, privateSubnetIds, publicSubnetIds, logsKeyArn, dataKeyArn, repositories, alarmTopicArn, ecsClusterName, appUrls, translateApiUrl, translationsTableName, translationsTableArn, fanoutApiUrl, fanoutBusName, fanoutAlertsTopicArn, eksClusterName, eksOidcIssuer, eksKubeconfig, dataApps } =
    platformOutputs(platform);
