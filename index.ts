// Program entry: validate the stack's config (failing before any resource exists), build the
// platform from it, and export what operators and other stacks need. The outputs are exported
// as one object (module.exports) so a stack exports only the outputs it has. The config is read
// and checked at load, before any resource; the platform is then built with a turn of the event
// loop between its apps (buildPlatformAsync), and the runtime awaits the exported promise.
import { loadPlatformConfig } from "./platform/config";
import { buildPlatformAsync, platformOutputs } from "./platform";
import { leanPromiseStacks } from "./platform/runtime/promise-stacks";

// The SDK's per-promise debug stacks are only read when PULUMI_DEBUG_PROMISE_LEAKS is set: skip formatting them otherwise.
leanPromiseStacks();

export = buildPlatformAsync(loadPlatformConfig()).then(platformOutputs);
