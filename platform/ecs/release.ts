import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ECS_STRATEGY, type ReleaseConfig } from "../config/release";
import { policyJson } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import { LambdaFunction, type ServerlessContext } from "../serverless";
import { withTransforms, type Transformable } from "../transform";

/**
 * The lifecycle stage the pre-traffic hook runs at: test traffic already reaches the green tasks
 * (through the test listener), production traffic does not yet. ECS has no stage named
 * PRE_PRODUCTION_TRAFFIC_SHIFT; POST_TEST_TRAFFIC_SHIFT is that moment.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
 */
export const PRE_TRAFFIC_STAGE = "POST_TEST_TRAFFIC_SHIFT";

/**
 * The AWS managed policy ECS documents for its infrastructure role for load balancers ("Amazon ECS
 * infrastructure IAM role for load balancers"). It is kept because AWS revises it as ECS needs
 * (v6 in February 2026, from v1 in July 2025): a hand copy would go stale and fail deployments.
 * It allows describing load balancer resources, registering targets in target groups, and
 * modifying ALB and NLB listeners and rules; only ECS can assume the role.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
 */
export const ECS_LOAD_BALANCER_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers";

export interface ReleaseToolingArgs extends Transformable {
    /** `<project>-<stack>`: the hook function's name prefix. */
    namePrefix: string;
    /**
     * The pre-traffic hook: a function in the private subnets that probes each app's test
     * listener; present when some app sets `release.preTrafficHook`.
     * @default no hook
     */
    preTrafficHook?: {
        ctx: ServerlessContext;
        vpcId: pulumi.Input<string>;
        subnetIds: pulumi.Input<string[]>;
        /** The test listener ports it may reach (HTTPS or HTTP to the load balancers). */
        testPorts: number[];
    };
}

/**
 * What ECS needs to shift traffic between blue and green tasks, once per stack: the
 * infrastructure role it assumes to move listener rule weights and register targets, and, when
 * asked for, the pre-traffic hook function with the role ECS invokes it with.
 */
export class ReleaseTooling extends pulumi.ComponentResource {
    /** ECS's infrastructure role for load balancers (`loadBalancers[].advancedConfiguration.roleArn`). */
    readonly loadBalancerRole: aws.iam.Role;
    readonly hook?: { function: LambdaFunction; invokeRole: aws.iam.Role; securityGroup: aws.ec2.SecurityGroup };

    constructor(name: string, args: ReleaseToolingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ecs:ReleaseTooling", name, {}, withTransforms(opts, args.transform));
        this.loadBalancerRole = this.createLoadBalancerRole(name);
        if (args.preTrafficHook) this.hook = this.createHook(name, args.namePrefix, args.preTrafficHook);
        this.registerOutputs({ loadBalancerRole: this.loadBalancerRole.arn });
    }

    /** Trusted by ECS alone, as AWS documents it, with the managed policy ECS documents. */
    private createLoadBalancerRole(name: string): aws.iam.Role {
        const roleName = `${name}-ecs-load-balancers`;
        const role = new aws.iam.Role(
            roleName,
            {
                name: nameWithin(roleName, NAME_LIMITS.iamRole),
                description: "Lets ECS move listener rule weights and register targets during blue/green, canary and linear releases",
                assumeRolePolicy: policyJson({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "AllowAccessToECSForInfrastructureManagement", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(roleName, { role: role.name, policyArn: ECS_LOAD_BALANCER_POLICY_ARN }, { parent: this });
        return role;
    }

    /**
     * The probe function (apps/release-probe) in the private subnets, allowed out only to the test
     * ports, and the role ECS invokes it with (this one function and nothing else).
     */
    private createHook(name: string, namePrefix: string, hook: NonNullable<ReleaseToolingArgs["preTrafficHook"]>): NonNullable<ReleaseTooling["hook"]> {
        const parent = { parent: this };
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-release-probe`, { vpcId: hook.vpcId, description: "Release probe function (no inbound)", tags: { Name: `${name}-release-probe` } }, parent);
        // A public app's test listener answers on its public address, reached through the NAT: any destination on the test ports.
        for (const port of [...new Set(hook.testPorts)].sort((a, b) => a - b)) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-release-probe-${port}`,
                { securityGroupId: securityGroup.id, description: `Test listeners on port ${port}`, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" },
                parent,
            );
        }
        const fn = new LambdaFunction(
            `${namePrefix}-release-probe`,
            {
                ctx: hook.ctx,
                entry: "apps/release-probe/src/handler.ts",
                description: "Probes a release's green tasks through the test listener before production traffic moves (ECS lifecycle hook)",
                configKey: "platform:apps.<app>.release.preTrafficHook",
                memoryMb: 128,
                timeoutSeconds: 30,
                vpc: { subnetIds: hook.subnetIds, securityGroupIds: pulumi.all([securityGroup.id]) },
            },
            parent,
        );
        const invokeRoleName = `${name}-release-hook`;
        const invokeRole = new aws.iam.Role(
            invokeRoleName,
            {
                name: nameWithin(invokeRoleName, NAME_LIMITS.iamRole),
                description: "Lets ECS invoke the release probe function at a deployment's lifecycle hook",
                assumeRolePolicy: policyJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            },
            parent,
        );
        new aws.iam.RolePolicy(
            invokeRoleName,
            { role: invokeRole.name, policy: policyJson({ Version: "2012-10-17", Statement: [{ Sid: "InvokeTheReleaseProbe", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.arn }] }) },
            parent,
        );
        return { function: fn, invokeRole, securityGroup };
    }
}

/** What the service's deployment settings are made of for one release strategy. */
export interface DeploymentSettings {
    deploymentConfiguration: aws.types.input.ecs.ServiceDeploymentConfiguration;
    deploymentCircuitBreaker: aws.types.input.ecs.ServiceDeploymentCircuitBreaker;
}

/**
 * The service's deployment settings: ECS's strategy, the bake time and traffic steps, the
 * pre-traffic hook. The circuit breaker stays on for every strategy: ECS supports it and the alarms
 * on rolling and blue/green deployments alike, and either fails the release. Without it, green tasks
 * that never pass their health checks get no production traffic, so the 5xx and latency alarms
 * never fire and the release would stall instead of rolling back.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html
 */
export function deploymentSettings(release: ReleaseConfig, hook?: { functionArn: pulumi.Input<string>; roleArn: pulumi.Input<string>; url: pulumi.Input<string> }): DeploymentSettings {
    if (release.strategy === "rolling") return { deploymentConfiguration: { strategy: ECS_STRATEGY.rolling }, deploymentCircuitBreaker: { enable: true, rollback: true } };
    const configuration: aws.types.input.ecs.ServiceDeploymentConfiguration = {
        strategy: ECS_STRATEGY[release.strategy],
        // The provider takes ECS's whole minutes as strings.
        bakeTimeInMinutes: String(release.bakeTimeMinutes),
    };
    if (release.strategy === "canary" && release.canary) configuration.canaryConfiguration = { canaryPercent: release.canary.percent, canaryBakeTimeInMinutes: String(release.canary.bakeTimeMinutes) };
    if (release.strategy === "linear" && release.linear) configuration.linearConfiguration = { stepPercent: release.linear.stepPercent, stepBakeTimeInMinutes: String(release.linear.intervalMinutes) };
    if (hook) {
        configuration.lifecycleHooks = [{ targetType: "AWS_LAMBDA", hookTargetArn: hook.functionArn, roleArn: hook.roleArn, lifecycleStages: [PRE_TRAFFIC_STAGE], hookDetails: pulumi.jsonStringify({ url: hook.url }) }];
    }
    return { deploymentConfiguration: configuration, deploymentCircuitBreaker: { enable: true, rollback: true } };
}

/**
 * The production traffic steps a release configuration makes, in percent of traffic on the new
 * release: blueGreen [100], canary [percent, 100], linear [step, 2 x step, ..., 100]. What the
 * README and the tests state; ECS computes the same from the configuration.
 */
export function trafficSteps(release: ReleaseConfig): number[] {
    if (release.strategy === "canary" && release.canary) return release.canary.percent >= 100 ? [100] : [release.canary.percent, 100];
    if (release.strategy === "linear" && release.linear) {
        const steps: number[] = [];
        for (let share = release.linear.stepPercent; share < 100; share += release.linear.stepPercent) steps.push(Math.round(share * 10) / 10);
        return [...steps, 100];
    }
    return [100];
}
