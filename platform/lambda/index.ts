import * as pulumi from "@pulumi/pulumi";
import type { AppBindings } from "../bindings";
import type { AdditionalPolicyStatements } from "../extensions";
import { type AppConfig, lambdaSettings } from "../config";
import { NAME_LIMITS, physicalName } from "../naming";
import type { ServerlessContext } from "../serverless/common";
import { withTransforms, type Transformable } from "../transform";
import { HttpEndpoint } from "./endpoint";
import { AppFunction } from "./function";
import { QueueSource } from "./queue-source";

export { AppFunction, functionEnvironment, functionGrants, PASS_THROUGH_PATH, SECRETS_VARIABLE } from "./function";
export { HttpEndpoint } from "./endpoint";
export { QueueSource } from "./queue-source";

/** An app's function name: `<project>-<stack>-<app>-lambda`, hash-shortened to Lambda's 64 characters (the registry scopes its pull grant to it). */
export function lambdaFunctionName(namePrefix: string, app: string): string {
    return physicalName(`${namePrefix}-${app}-lambda`, NAME_LIMITS.lambdaFunction);
}

/** One app as the Lambda runtime deploys it. */
export interface LambdaRuntimeApp {
    spec: AppConfig;
    /** Its ECR repository, from the registry: the function's image is `<url>:<imageTag>`. */
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    bindings: AppBindings;
    /** A worker's stack queue `processingTimeoutSeconds` (its default timeout). */
    queueProcessingTimeoutSeconds?: number;
    /** Added to the function's role (`buildPlatform(config, { extend })`). @default [] */
    additionalPolicyStatements?: AdditionalPolicyStatements;
}

export interface LambdaRuntimeArgs extends Transformable {
    /** `<project>-<stack>`: every function's name starts with it. */
    namePrefix: string;
    /** The apps whose runtimes include `lambda`, by name. */
    apps: Record<string, LambdaRuntimeApp>;
    /** Keys, alarm topic, log retention, protection. */
    ctx: ServerlessContext;
}

/**
 * One app of the spec on Lambda: its image as a function, and either the HTTP endpoint in front
 * of it or, for a queue worker, the event source mapping that feeds it.
 */
export class LambdaApp extends pulumi.ComponentResource {
    readonly fn: AppFunction;
    readonly endpoint?: HttpEndpoint;
    readonly queueSource?: QueueSource;
    /** The endpoint's URL; "worker" for a queue worker (it serves no HTTP). */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: { app: string; namePrefix: string; ctx: ServerlessContext } & LambdaRuntimeApp, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lambda:App", name, {}, opts);
        const { app, spec, bindings, ctx } = args;
        const settings = lambdaSettings(spec, args.queueProcessingTimeoutSeconds, { reservedConcurrency: ctx.functions.reservedConcurrency });
        const functionName = lambdaFunctionName(args.namePrefix, app);
        this.fn = new AppFunction(
            name,
            { app, spec, settings, functionName, imageUri: pulumi.interpolate`${args.repository.url}:${spec.imageTag}`, bindings, ctx, additionalPolicyStatements: args.additionalPolicyStatements },
            { parent: this },
        );
        if (spec.consumes) {
            if (!bindings.consumes) throw new Error(`LambdaApp ${name}: ${app} consumes ${spec.consumes.queue}, but its bindings resolved no queue`);
            this.queueSource = new QueueSource(name, { fn: this.fn.function, queueArn: bindings.consumes.arn, settings, grantPolicies: this.fn.grantPolicies }, { parent: this });
            this.url = pulumi.output("worker");
        } else {
            this.endpoint = new HttpEndpoint(name, { app, functionName, fn: this.fn.function, settings, ctx }, { parent: this });
            this.url = this.endpoint.url;
        }
        this.registerOutputs({ url: this.url, functionName: this.fn.function.name });
    }
}

/**
 * The Lambda runtime: each released app (one with an `imageTag`) as a container-image function.
 * Lambda runs images only from ECR in the function's region (and this stack's repositories are
 * the account's own), so before the first release there is no image to run and, unlike ECS and
 * EKS, no public placeholder to run instead: the app gets no function until its tag is set, and
 * the synth and `pulumi up` say so.
 */
export class LambdaRuntime extends pulumi.ComponentResource {
    readonly apps: Record<string, LambdaApp> = {};
    /** Apps on Lambda without an image tag yet: nothing is created for them. */
    readonly unreleased: string[] = [];

    constructor(name: string, args: LambdaRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lambda:Runtime", name, {}, withTransforms(opts, args.transform));
        for (const [app, spec] of Object.entries(args.apps)) {
            if (spec.spec.imageTag === undefined) {
                this.unreleased.push(app);
                void pulumi.log.warn(
                    `${app}: no apps.${app}.imageTag is set, so no Lambda function is created for it (Lambda runs images only from this account's ECR, where nothing is pushed yet, and has no placeholder image). ` +
                        `${spec.spec.runtimes.length > 1 ? "Its other runtimes run the placeholder image meanwhile. " : ""}Push an image to ${app}'s repository and set the tag to create the function${spec.spec.consumes ? " and its queue's event source" : " and its endpoint"}.`,
                    this,
                );
                continue;
            }
            this.apps[app] = new LambdaApp(`${name}-${app}`, { app, namePrefix: args.namePrefix, ctx: args.ctx, ...spec }, { parent: this });
        }
        this.registerOutputs({ urls: Object.fromEntries(Object.entries(this.apps).map(([app, lambdaApp]) => [app, lambdaApp.url])) });
    }
}
