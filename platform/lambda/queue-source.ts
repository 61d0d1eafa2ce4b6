import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaSettings } from "../config";
import { withTransforms, type Transformable } from "../transform";

export interface QueueSourceArgs extends Transformable {
    fn: aws.lambda.Function;
    /** The consumed queue (`bindings.consumes.arn`). */
    queueArn: pulumi.Input<string>;
    /** Batch size and window, and the maximum concurrency (replicas.max). */
    settings: LambdaSettings;
    /** The role's SQS and KMS grants: Lambda checks the role may receive when the mapping is created. */
    grantPolicies: pulumi.Resource[];
}

/**
 * A queue worker on Lambda: an SQS event source mapping that reports partial batch failures (the
 * function answers `batchItemFailures`, and only those messages return to the queue, then to its
 * dead-letter queue after maxReceiveCount), batched as configured, at most `replicas.max`
 * invocations at once (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */
export class QueueSource extends pulumi.ComponentResource {
    readonly mapping: aws.lambda.EventSourceMapping;

    constructor(name: string, args: QueueSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:lambda:QueueSource", name, {}, withTransforms(opts, args.transform));
        this.mapping = new aws.lambda.EventSourceMapping(
            name,
            {
                eventSourceArn: args.queueArn,
                functionName: args.fn.arn,
                batchSize: args.settings.batchSize,
                maximumBatchingWindowInSeconds: args.settings.batchWindowSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: { maximumConcurrency: args.settings.maximumConcurrency },
            },
            { parent: this, dependsOn: args.grantPolicies },
        );
        this.registerOutputs({ uuid: this.mapping.uuid });
    }
}
