import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AppConfig, type IngressConfig, sharedListenerPort } from "../config";
import type { SharedLoadBalancer } from "../shared-load-balancer";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { AccessLogBucket } from "./access-logs";
import { appEgress } from "./egress";

/** The two security groups of an app behind a load balancer. */
export interface AppSecurityGroups {
    loadBalancer: aws.ec2.SecurityGroup;
    tasks: aws.ec2.SecurityGroup;
}

export interface IngressArgs {
    app: string;
    spec: AppConfig;
    ingress: IngressConfig;
    network: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<string[]>; publicSubnetIds: pulumi.Input<string[]>; vpcCidr?: string };
}

/** The ports the load balancer listens on: 443 and 80 (a redirect) with a certificate, 80 alone without. */
export const listenerPorts = (ingress: IngressConfig): number[] => (ingress.certificateArn ? [443, 80] : [80]);

/** Who may connect to the load balancer: the VPC for an internal app, `ingress.allowedCidrs` for a public one. */
export function clientCidrs(name: string, args: IngressArgs): string[] {
    if (args.spec.ingress !== "internal") return args.ingress.allowedCidrs;
    if (!args.network.vpcCidr) throw new Error(`EcsService ${name}: ${args.app} is internal; pass network.vpcCidr`);
    return [args.network.vpcCidr];
}

/**
 * Security groups without inline rules, so each can name the other. Only the load balancer
 * reaches the tasks, only on the container port; tasks reach out on HTTPS only (AWS APIs, ECR,
 * the internet through NAT); DNS to the VPC resolver is not subject to security groups.
 * (EC2 refuses apostrophes in security group and rule descriptions.)
 */
export function createSecurityGroups(name: string, args: IngressArgs, opts: pulumi.CustomResourceOptions): AppSecurityGroups {
    const { app, spec } = args;
    const loadBalancer = new aws.ec2.SecurityGroup(`${name}-alb`, { vpcId: args.network.vpcId, description: `Load balancer of ${app}`, tags: { Name: `${name}-alb` } }, opts);
    const tasks = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.network.vpcId, description: `Tasks of ${app}`, tags: { Name: `${name}-tasks` } }, opts);
    const cidrs = clientCidrs(name, args);
    // The test listener (a release's green tasks before production traffic moves) admits the same clients as the app.
    const testPort = spec.release.strategy === "rolling" ? undefined : spec.release.testListenerPort;
    for (const port of [...listenerPorts(args.ingress), ...(testPort === undefined ? [] : [testPort])]) {
        const what = port === testPort ? "Test listener" : port === 443 ? "HTTPS" : "HTTP";
        cidrs.forEach((cidr, index) => {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-${port}-${index}`,
                { securityGroupId: loadBalancer.id, description: `${what} from allowed clients`, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr },
                opts,
            );
        });
    }
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-alb-to-tasks`,
        { securityGroupId: loadBalancer.id, description: `To the ${app} tasks on the container port`, ipProtocol: "tcp", fromPort: spec.port, toPort: spec.port, referencedSecurityGroupId: tasks.id },
        opts,
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-tasks-from-alb`,
        { securityGroupId: tasks.id, description: `From the ${app} load balancer on the container port`, ipProtocol: "tcp", fromPort: spec.port, toPort: spec.port, referencedSecurityGroupId: loadBalancer.id },
        opts,
    );
    appEgress(`${name}-tasks`, tasks.id, spec.egress, args.network.vpcCidr, opts);
    return { loadBalancer, tasks };
}

/**
 * The app's own Application Load Balancer: in the public subnets (the private ones for an
 * internal app), invalid headers dropped, AWS's defensive desync mitigation, access logs under
 * the app's prefix, deletion protection per profile (ELB.6).
 */
export function createLoadBalancer(name: string, args: IngressArgs & { accessLogs: AccessLogBucket; deletionProtection: boolean }, securityGroup: aws.ec2.SecurityGroup, parent: pulumi.Resource): aws.lb.LoadBalancer {
    const internal = args.spec.ingress === "internal";
    // ELB names stop at 32 characters: a long stack or app name gets an explicit, hash-shortened name.
    return new aws.lb.LoadBalancer(
        name,
        {
            name: nameWithin(name, NAME_LIMITS.loadBalancer),
            loadBalancerType: "application",
            internal,
            ipAddressType: "ipv4",
            subnets: internal ? args.network.privateSubnetIds : args.network.publicSubnetIds,
            securityGroups: [securityGroup.id],
            dropInvalidHeaderFields: true,
            // AWS's recommendation; "strictest" also refuses requests some real clients send.
            desyncMitigationMode: "defensive",
            idleTimeout: args.ingress.idleTimeoutSeconds,
            enableDeletionProtection: args.deletionProtection,
            accessLogs: { bucket: args.accessLogs.bucketName, prefix: args.app, enabled: true },
        },
        // Enabling access logs makes ELB write a test object: the bucket policy must exist first.
        { parent, dependsOn: [args.accessLogs.policy] },
    );
}

/** An IP target group on the container port, health-checked on the app's readiness path (a release's second one is `<name>-green`). */
export function createTargetGroup(name: string, args: IngressArgs, opts: pulumi.CustomResourceOptions): aws.lb.TargetGroup {
    return new aws.lb.TargetGroup(
        name,
        {
            // An explicit name makes a replacement (new port) collide with the old group until
            // it is deleted, so only names that cannot be autonamed within 32 characters get one.
            name: nameWithin(name, NAME_LIMITS.targetGroup),
            vpcId: args.network.vpcId,
            targetType: "ip",
            protocol: "HTTP",
            port: args.spec.port,
            deregistrationDelay: args.ingress.deregistrationDelaySeconds,
            healthCheck: {
                enabled: true,
                protocol: "HTTP",
                port: "traffic-port",
                path: args.spec.healthCheck.readinessPath,
                matcher: "200",
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
        },
        opts,
    );
}

/** Where the service's traffic arrives: the listeners, and for a traffic-shifting release the rules ECS moves. */
export interface AppTraffic {
    /** The service depends on these: a target group must belong to a load balancer before a service uses it. */
    listeners: aws.lb.Listener[];
    /** blueGreen, canary, linear: the rule whose weights ECS moves from blue to green, and the test listener's. */
    productionRule?: aws.lb.ListenerRule;
    testRule?: aws.lb.ListenerRule;
}

/**
 * HTTPS on 443 with the TLS policy and port 80 redirecting to it, or, without a certificate,
 * plain HTTP on 80 (with a warning: the policy pack flags it as ELB.1). With a traffic-shifting
 * release and a green target group, production traffic goes through a listener RULE (ECS moves
 * rules, not listeners) and an optional test listener gets its own.
 */
export function createListeners(name: string, args: IngressArgs, loadBalancer: aws.lb.LoadBalancer, targetGroups: { blue: aws.lb.TargetGroup; green?: aws.lb.TargetGroup }, parent: pulumi.Resource): AppTraffic {
    const { ingress } = args;
    const opts = { parent };
    // Every action forwards: ECS refuses blue/green on listeners that mix forward with redirect or fixed-response actions.
    const forward = [{ type: "forward", targetGroupArn: targetGroups.blue.arn }];
    const serving = (listenerName: string, port: number) =>
        ingress.certificateArn
            ? new aws.lb.Listener(listenerName, { loadBalancerArn: loadBalancer.arn, port, protocol: "HTTPS", sslPolicy: ingress.sslPolicy, certificateArn: ingress.certificateArn, defaultActions: forward }, opts)
            : new aws.lb.Listener(listenerName, { loadBalancerArn: loadBalancer.arn, port, protocol: "HTTP", defaultActions: forward }, opts);
    const listeners: aws.lb.Listener[] = [];
    let production: aws.lb.Listener;
    if (!ingress.certificateArn) {
        void pulumi.log.warn(`${args.app}: no ingress.certificateArn is set, so its load balancer serves plain HTTP on port 80. Set an ACM certificate of this region to get HTTPS, with HTTP redirected to it.`, parent);
        production = serving(`${name}-http`, 80);
        listeners.push(production);
    } else {
        production = serving(`${name}-https`, 443);
        listeners.push(
            production,
            new aws.lb.Listener(
                `${name}-http`,
                { loadBalancerArn: loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
                opts,
            ),
        );
    }
    if (!targetGroups.green) return { listeners };
    const productionRule = shiftingRule(`${name}-production`, production.arn, targetGroups.blue, targetGroups.green, parent);
    const testPort = args.spec.release.testListenerPort;
    if (testPort === undefined) return { listeners, productionRule };
    const test = serving(`${name}-test`, testPort);
    listeners.push(test);
    return { listeners, productionRule, testRule: shiftingRule(`${name}-test`, test.arn, targetGroups.blue, targetGroups.green, parent) };
}

/**
 * A rule matching every path that forwards to blue (weight 100) and green (weight 0). ECS moves
 * the weights during a release and leaves them where the release ended, so Pulumi must not put
 * them back: its actions are ignored after creation.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 */
export function shiftingRule(
    name: string,
    listenerArn: pulumi.Input<string>,
    blue: aws.lb.TargetGroup,
    green: aws.lb.TargetGroup,
    parent: pulumi.Resource,
    options: { priority?: number; conditions?: aws.types.input.lb.ListenerRuleCondition[] } = {},
): aws.lb.ListenerRule {
    return new aws.lb.ListenerRule(
        name,
        {
            listenerArn,
            priority: options.priority ?? 1,
            conditions: options.conditions ?? [{ pathPattern: { values: ["/*"] } }],
            actions: [
                {
                    type: "forward",
                    forward: {
                        targetGroups: [
                            { arn: blue.arn, weight: 100 },
                            { arn: green.arn, weight: 0 },
                        ],
                    },
                },
            ],
        },
        { parent, ignoreChanges: ["actions"] },
    );
}

/**
 * On a shared load balancer: the tasks' security group admits the shared one on the container
 * port (and the shared one may reach it), tasks reach out on HTTPS only.
 */
export function createSharedSecurityGroups(name: string, args: IngressArgs, shared: SharedLoadBalancer, opts: pulumi.CustomResourceOptions): AppSecurityGroups {
    const { app, spec } = args;
    const tasks = new aws.ec2.SecurityGroup(`${name}-tasks`, { vpcId: args.network.vpcId, description: `Tasks of ${app}`, tags: { Name: `${name}-tasks` } }, opts);
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-tasks-from-alb`,
        { securityGroupId: tasks.id, description: `From the shared load balancer on the container port`, ipProtocol: "tcp", fromPort: spec.port, toPort: spec.port, referencedSecurityGroupId: shared.securityGroup.id },
        opts,
    );
    shared.reach(name, tasks.id, spec.port);
    appEgress(`${name}-tasks`, tasks.id, spec.egress, args.network.vpcCidr, opts);
    return { loadBalancer: shared.securityGroup, tasks };
}

/**
 * On a shared load balancer: a host-header rule when the app has a host, else a listener on its
 * own port (`sharedListenerPort`); with a green target group, the rules ECS moves (the host rule
 * itself, or a rule on the app's listener), and the test listener on `release.testListenerPort`.
 */
export function sharedTraffic(
    name: string,
    args: IngressArgs,
    shared: SharedLoadBalancer,
    targetGroups: { blue: aws.lb.TargetGroup; green?: aws.lb.TargetGroup },
    parent: pulumi.Resource,
): AppTraffic & { url: pulumi.Output<string> } {
    const { spec } = args;
    const { blue, green } = targetGroups;
    let production: AppTraffic & { url: pulumi.Output<string> };
    if (spec.host !== undefined) {
        const route = shared.hostRule(name, spec.host, blue, green);
        production = { listeners: [route.listener], productionRule: green ? route.rule : undefined, url: pulumi.output(`${shared.protocol}://${spec.host}`) };
    } else {
        const port = sharedListenerPort(args.app, "ecs", spec.listenerPort);
        const listener = shared.portListener(name, port, blue);
        production = { listeners: [listener], productionRule: green && shiftingRule(`${name}-production`, listener.arn, blue, green, parent), url: shared.url(port) };
    }
    const testPort = spec.release.testListenerPort;
    if (!green || testPort === undefined) return production;
    const test = shared.portListener(`${name}-test`, testPort, blue);
    return { ...production, listeners: [...production.listeners, test], testRule: shiftingRule(`${name}-test`, test.arn, blue, green, parent) };
}
