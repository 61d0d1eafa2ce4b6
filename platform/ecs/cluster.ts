import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Architecture, ContainerInsights } from "../config";
import { encryptedLogGroup } from "./task";
import { withTransforms, type Transformable } from "../transform";

/** One entry of a capacity provider strategy, as ECS services, RunTask and Scheduler take it. */
export interface CapacityProviderShare {
    capacityProvider: "FARGATE" | "FARGATE_SPOT";
    base?: number;
    weight: number;
}

export interface EcsClusterArgs extends Transformable {
    /** CloudWatch Container Insights (ECS.12); `enhanced` adds task- and container-level metrics. */
    containerInsights: ContainerInsights;
    /**
     * The default strategy: the first `fargateBase` tasks of a service on FARGATE (on-demand),
     * the rest split between FARGATE and FARGATE_SPOT by weight. Spot costs about 70% less and
     * can be reclaimed with two minutes' notice; the service replaces the task.
     */
    capacity: { fargateBase: number; fargateWeight: number; fargateSpotWeight: number };
    /** The physical cluster name (also the prefix of the ECS Exec audit log group). */
    clusterName: string;
    /**
     * ECS Exec: shell sessions into running tasks, encrypted with this key and recorded in a
     * KMS-encrypted audit log group kept `logRetentionDays` (and protected with `protect`).
     * @default no ECS Exec
     */
    exec?: { kmsKeyArn: pulumi.Input<string>; logRetentionDays: number; protect?: boolean };
}

/** The Fargate cluster every ECS app and job runs in. */
export class EcsCluster extends pulumi.ComponentResource {
    readonly cluster: aws.ecs.Cluster;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The cluster's default strategy; services and scheduled tasks state theirs with `strategyFor`. */
    readonly capacityProviderStrategy: CapacityProviderShare[];
    /** Set when ECS Exec is enabled: what task roles need to open and record sessions. */
    readonly exec?: { kmsKeyArn: pulumi.Input<string>; logGroupArn: pulumi.Output<string> };

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:Cluster", name, {}, withTransforms(opts, args.transform));
        const { fargateBase, fargateWeight, fargateSpotWeight } = args.capacity;
        this.capacityProviderStrategy = [
            ...(fargateBase > 0 || fargateWeight > 0 ? [{ capacityProvider: "FARGATE" as const, base: fargateBase, weight: fargateWeight }] : []),
            ...(fargateSpotWeight > 0 ? [{ capacityProvider: "FARGATE_SPOT" as const, weight: fargateSpotWeight }] : []),
        ];

        let configuration: aws.types.input.ecs.ClusterConfiguration | undefined;
        if (args.exec) {
            const auditLog = encryptedLogGroup(
                `${name}-exec`,
                { name: `/${args.clusterName}/ecs/exec`, retentionDays: args.exec.logRetentionDays, kmsKeyArn: args.exec.kmsKeyArn },
                { parent: this, protect: args.exec.protect },
            );
            this.exec = { kmsKeyArn: args.exec.kmsKeyArn, logGroupArn: auditLog.arn };
            configuration = {
                executeCommandConfiguration: {
                    kmsKeyId: args.exec.kmsKeyArn,
                    // OVERRIDE: every session's input and output goes to the audit log group, encrypted.
                    logging: "OVERRIDE",
                    logConfiguration: { cloudWatchLogGroupName: auditLog.name, cloudWatchEncryptionEnabled: true },
                },
            };
        }

        this.cluster = new aws.ecs.Cluster(name, { name: args.clusterName, settings: [{ name: "containerInsights", value: args.containerInsights }], configuration }, { parent: this });
        this.name = this.cluster.name;
        this.arn = this.cluster.arn;
        new aws.ecs.ClusterCapacityProviders(name, { clusterName: this.cluster.name, capacityProviders: ["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategies: this.capacityProviderStrategy }, { parent: this });
        this.registerOutputs({ name: this.name, arn: this.arn });
    }

    /**
     * The strategy for tasks of one CPU architecture. Fargate Spot runs only X86_64 Linux tasks
     * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html):
     * an ARM64 task placed on FARGATE_SPOT never starts, so ARM64 tasks get the on-demand share
     * alone (config requires `ecs.capacity.fargateWeight` above 0 when an ECS app is arm64).
     */
    strategyFor(architecture: Architecture): CapacityProviderShare[] {
        if (architecture === "x86_64") return this.capacityProviderStrategy;
        return this.capacityProviderStrategy.filter((share) => share.capacityProvider !== "FARGATE_SPOT");
    }
}
