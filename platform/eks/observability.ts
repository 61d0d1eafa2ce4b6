import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grant } from "../grants";
import { PodIdentityRole } from "./roles";
import { withTransforms, type Transformable } from "../transform";

/**
 * The CloudWatch agent's configuration: Container Insights (enhanced, the add-on's default) and
 * nothing else. The add-on's default also turns on Application Signals (metrics into
 * /aws/application-signals/data, traces to X-Ray), which the agent's role is not granted and the
 * platform does not use; giving the agent a configuration without its `application_signals`
 * sections turns it off.
 */
export const AGENT_CONFIG = { logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } } };

/** The log groups the CloudWatch Observability add-on writes to, per cluster. */
export const CONTAINER_INSIGHTS_LOG_GROUPS = ["application", "dataplane", "host", "performance"];

export interface ObservabilityArgs extends Transformable {
    clusterName: pulumi.Input<string>;
    clusterPhysicalName: string;
    clusterArn: pulumi.Input<string>;
    region: string;
    accountId: pulumi.Input<string>;
    /** The `amazon-cloudwatch-observability` add-on build. */
    version: string;
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    protect: boolean;
    /** The nodes the agents run on. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * Container logs and Container Insights metrics: the EKS managed add-on
 * `amazon-cloudwatch-observability` (CloudWatch agent + Fluent Bit DaemonSets), with its own Pod
 * Identity role limited to this cluster's log groups and the ContainerInsights metric namespace.
 * The log groups are created here first, with the stack's retention and the logs key: the agent
 * would otherwise create them with neither. Fargate pods are not covered (no DaemonSets there).
 */
export class ClusterObservability extends pulumi.ComponentResource {
    readonly logGroups: aws.cloudwatch.LogGroup[];
    readonly addon: aws.eks.Addon;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Observability", name, {}, withTransforms(opts, args.transform));
        this.logGroups = CONTAINER_INSIGHTS_LOG_GROUPS.map(
            (group) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${group}`,
                    { name: `/aws/containerinsights/${args.clusterPhysicalName}/${group}`, retentionInDays: args.logs.retentionDays, kmsKeyId: args.logs.kmsKeyArn },
                    { parent: this, protect: args.protect },
                ),
        );
        const groupArns = this.logGroups.map((group) => group.arn);
        const grants: Grant[] = [
            {
                sid: "WriteClusterLogs",
                actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:PutRetentionPolicy"],
                resources: [...groupArns, ...groupArns.map((arn) => pulumi.interpolate`${arn}:log-stream:*`)],
            },
            // Listing log groups has no resource-level permission.
            { sid: "FindLogGroups", actions: ["logs:DescribeLogGroups"], resources: ["*"], conditions: { StringEquals: { "aws:RequestedRegion": args.region } } },
            { sid: "PublishContainerInsights", actions: ["cloudwatch:PutMetricData"], resources: ["*"], conditions: { StringLike: { "cloudwatch:namespace": "ContainerInsights*" } } },
            { sid: "DescribeNodes", actions: ["ec2:DescribeTags", "ec2:DescribeVolumes", "ec2:DescribeInstances"], resources: ["*"], conditions: { StringEquals: { "aws:RequestedRegion": args.region } } },
        ];
        const identity = new PodIdentityRole(
            `${name}-agent`,
            {
                description: `CloudWatch agent and Fluent Bit of ${args.clusterPhysicalName}: container logs and metrics`,
                clusterName: args.clusterName,
                clusterArn: args.clusterArn,
                accountId: args.accountId,
                namespace: "amazon-cloudwatch",
                serviceAccount: "cloudwatch-agent",
                grants,
                // The add-on binds the role itself (below).
                associate: false,
            },
            { parent: this },
        );
        this.addon = new aws.eks.Addon(
            name,
            {
                clusterName: args.clusterName,
                addonName: "amazon-cloudwatch-observability",
                addonVersion: args.version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                podIdentityAssociations: [{ roleArn: identity.role.arn, serviceAccount: "cloudwatch-agent" }],
                configurationValues: JSON.stringify({ agent: { config: AGENT_CONFIG }, containerLogs: { enabled: true } }),
            },
            { parent: this, dependsOn: [...this.logGroups, identity, ...(args.dependsOn as pulumi.Resource[])] },
        );
        this.registerOutputs({});
    }
}
