import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostRulePriority, type IngressConfig } from "./config";
import { AccessLogBucket } from "./ecs/access-logs";
import { NAME_LIMITS, nameWithin } from "./naming";
import { withTransforms, type Transformable } from "./transform";

export type LoadBalancerScheme = "internet-facing" | "internal";

export interface SharedLoadBalancerArgs extends Transformable {
    /** internet-facing (public subnets, `ingress.allowedCidrs`) or internal (private subnets, the VPC). */
    scheme: LoadBalancerScheme;
    region: string;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Public subnets for internet-facing, private ones for internal. */
    subnetIds: pulumi.Input<string[]>;
    /** Who may connect on every listener: `ingress.allowedCidrs`, or the VPC's CIDR for internal. */
    clientCidrs: string[];
    /** Certificate, TLS policy and idle timeout: every HTTPS listener gets the same. */
    ingress: IngressConfig;
    /** The load balancer's own deletion protection (ELB.6). */
    deletionProtection: boolean;
    /** Days access logs are kept; Pulumi protect on the log bucket. */
    logs: { retentionDays: number; protect: boolean };
    /**
     * A WAF web ACL to associate (regional).
     * @default none
     */
    webAclArn?: pulumi.Input<string>;
}

/** A target group behind one of the shared load balancer's listeners or rules. */
export interface SharedRoute {
    /** The listener the route's traffic arrives on. */
    listener: aws.lb.Listener;
    /** The host-header rule (a route with a host), or undefined (a route with its own port, its listener's default action). */
    rule?: aws.lb.ListenerRule;
}

/**
 * One Application Load Balancer shared by every app of a stack with the same scheme
 * (`network.loadBalancers: shared`): everything an app's own load balancer has (invalid headers
 * dropped, defensive desync mitigation, the TLS 1.3 policy, access logs, deletion protection per
 * profile, HTTP redirected to HTTPS with a certificate, a WAF association when given), and
 * listeners created as apps claim them: a port of their own (forwarding to the app), or a host
 * rule on the shared HTTPS listener (HTTP without a certificate), whose default answers 404.
 */
export class SharedLoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancer: aws.lb.LoadBalancer;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly accessLogs: AccessLogBucket;
    readonly scheme: LoadBalancerScheme;
    /** `https` with a certificate, `http` without. */
    readonly protocol: "https" | "http";
    private readonly args: SharedLoadBalancerArgs;
    private readonly name: string;
    private readonly listeners = new Map<number, aws.lb.Listener>();
    private hostListener?: aws.lb.Listener;

    constructor(name: string, args: SharedLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:SharedLoadBalancer", name, {}, withTransforms(opts, args.transform));
        this.name = name;
        this.args = args;
        this.scheme = args.scheme;
        this.protocol = args.ingress.certificateArn ? "https" : "http";
        this.accessLogs = new AccessLogBucket(
            `${name}-logs`,
            { prefixes: ["shared"], retentionDays: args.logs.retentionDays, region: args.region, accountId: args.accountId, protect: args.logs.protect },
            { parent: this },
        );
        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-alb`, { vpcId: args.vpcId, description: `Shared ${args.scheme} load balancer`, tags: { Name: `${name}-alb` } }, { parent: this });
        this.loadBalancer = this.createLoadBalancer();
        if (args.webAclArn) new aws.wafv2.WebAclAssociation(name, { resourceArn: this.loadBalancer.arn, webAclArn: args.webAclArn }, { parent: this });
        this.registerOutputs({ dnsName: this.loadBalancer.dnsName });
    }

    /** The `<protocol>://<dns name>[:port]` clients use for a route on `port`. */
    url(port: number): pulumi.Output<string> {
        const standard = (this.protocol === "https" && port === 443) || (this.protocol === "http" && port === 80);
        return pulumi.interpolate`${this.protocol}://${this.loadBalancer.dnsName}${standard ? "" : `:${port}`}`;
    }

    /**
     * A listener of the route's own on `port` forwarding to `targetGroup` (HTTPS with the
     * certificate, HTTP without), admitting the clients on that port. One per port.
     */
    portListener(routeName: string, port: number, targetGroup: aws.lb.TargetGroup): aws.lb.Listener {
        if (this.listeners.has(port)) throw new Error(`SharedLoadBalancer ${this.name}: port ${port} is claimed twice (${routeName})`);
        const listener = this.serving(`${routeName}-${port}-${this.protocol}`, port, [{ type: "forward", targetGroupArn: targetGroup.arn }]);
        this.listeners.set(port, listener);
        return listener;
    }

    /** A host-header rule on the shared HTTPS (or HTTP) listener forwarding to `targetGroup`, at a priority derived from the host. */
    hostRule(routeName: string, host: string, targetGroup: aws.lb.TargetGroup, weighted?: aws.lb.TargetGroup): SharedRoute {
        const listener = this.sharedListener();
        const actions = weighted
            ? [
                  {
                      type: "forward",
                      forward: {
                          targetGroups: [
                              { arn: targetGroup.arn, weight: 100 },
                              { arn: weighted.arn, weight: 0 },
                          ],
                      },
                  },
              ]
            : [{ type: "forward", targetGroupArn: targetGroup.arn }];
        const rule = new aws.lb.ListenerRule(
            `${routeName}-host`,
            { listenerArn: listener.arn, priority: hostRulePriority(host), conditions: [{ hostHeader: { values: [host] } }], actions },
            // With a green target group ECS moves the weights and leaves them where a release ends.
            { parent: this, ignoreChanges: weighted ? ["actions"] : [] },
        );
        return { listener, rule };
    }

    /** Lets the load balancer reach a route's targets (tasks or pods) on their port. */
    reach(routeName: string, targetSecurityGroupId: pulumi.Input<string>, port: number): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${routeName}-from-shared-alb`,
            { securityGroupId: this.securityGroup.id, description: `To the ${routeName} targets on port ${port}`, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: targetSecurityGroupId },
            { parent: this },
        );
    }

    /** Lets the load balancer reach targets addressed in a CIDR (EKS pods, whose security group the controller opens) on their port. */
    reachCidr(routeName: string, cidr: string, port: number): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${routeName}-from-shared-alb`,
            { securityGroupId: this.securityGroup.id, description: `To the ${routeName} targets on port ${port}`, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr },
            { parent: this },
        );
    }

    private createLoadBalancer(): aws.lb.LoadBalancer {
        const { args, name } = this;
        return new aws.lb.LoadBalancer(
            name,
            {
                name: nameWithin(name, NAME_LIMITS.loadBalancer),
                loadBalancerType: "application",
                internal: args.scheme === "internal",
                ipAddressType: "ipv4",
                subnets: args.subnetIds,
                securityGroups: [this.securityGroup.id],
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "defensive",
                idleTimeout: args.ingress.idleTimeoutSeconds,
                enableDeletionProtection: args.deletionProtection,
                accessLogs: { bucket: this.accessLogs.bucketName, prefix: "shared", enabled: true },
            },
            // ELB writes a test object when access logs are turned on: the bucket policy must exist first.
            { parent: this, dependsOn: [this.accessLogs.policy] },
        );
    }

    /** 443 (with 80 redirecting to it) with a certificate, 80 without; unmatched hosts get 404. */
    private sharedListener(): aws.lb.Listener {
        if (this.hostListener) return this.hostListener;
        const notFound = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "no app has this host name", statusCode: "404" } }];
        const port = this.protocol === "https" ? 443 : 80;
        this.hostListener = this.serving(`${this.name}-hosts`, port, notFound);
        if (this.protocol === "https") {
            this.admit(80);
            new aws.lb.Listener(
                `${this.name}-http`,
                { loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
                { parent: this },
            );
        }
        return this.hostListener;
    }

    private serving(listenerName: string, port: number, defaultActions: aws.types.input.lb.ListenerDefaultAction[]): aws.lb.Listener {
        const { ingress } = this.args;
        this.admit(port);
        return new aws.lb.Listener(
            listenerName,
            ingress.certificateArn
                ? { loadBalancerArn: this.loadBalancer.arn, port, protocol: "HTTPS", sslPolicy: ingress.sslPolicy, certificateArn: ingress.certificateArn, defaultActions }
                : { loadBalancerArn: this.loadBalancer.arn, port, protocol: "HTTP", defaultActions },
            { parent: this },
        );
    }

    private admit(port: number): void {
        this.args.clientCidrs.forEach((cidr, index) => {
            new aws.vpc.SecurityGroupIngressRule(
                `${this.name}-alb-${port}-${index}`,
                { securityGroupId: this.securityGroup.id, description: `Port ${port} from allowed clients`, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr },
                { parent: this },
            );
        });
    }
}

/** The shared load balancers a stack needs, by scheme. */
export type SharedLoadBalancers = Partial<Record<LoadBalancerScheme, SharedLoadBalancer>>;

/** What `sharedLoadBalancersFor` reads of the platform config. */
export interface SharedLoadBalancerPlan {
    /** `<project>-<stack>`: the load balancers are `<name>-public` and `<name>-internal`. */
    name: string;
    region: string;
    config: {
        network: { loadBalancers: "shared" | "perApp"; cidr: string };
        apps: Record<string, { ingress: "public" | "internal" | "none"; runtimes: string[]; consumes?: unknown }>;
        ingress: IngressConfig;
        logs: { retentionDays: number };
        protection: { deletionProtection: boolean; protectStatefulResources: boolean };
    };
    accountId: pulumi.Input<string>;
    network: { vpcId: pulumi.Input<string>; publicSubnetIds: pulumi.Input<string[]>; privateSubnetIds: pulumi.Input<string[]> };
    /** The runtimes whose apps join the shared load balancers. */
    runtimes: string[];
}

/**
 * One shared load balancer per scheme some app needs (with `network.loadBalancers: shared`):
 * `<name>-public` in the public subnets for public apps, `<name>-internal` in the private ones.
 */
export function sharedLoadBalancersFor(plan: SharedLoadBalancerPlan, opts: pulumi.ComponentResourceOptions): SharedLoadBalancers {
    const { config } = plan;
    if (config.network.loadBalancers !== "shared") return {};
    const served = Object.values(config.apps).filter((app) => !app.consumes && app.runtimes.some((runtime) => plan.runtimes.includes(runtime)));
    const result: SharedLoadBalancers = {};
    for (const [scheme, ingress, suffix] of [
        ["internet-facing", "public", "public"],
        ["internal", "internal", "internal"],
    ] as const) {
        if (!served.some((app) => app.ingress === ingress)) continue;
        result[scheme] = new SharedLoadBalancer(
            `${plan.name}-${suffix}`,
            {
                scheme,
                region: plan.region,
                accountId: plan.accountId,
                vpcId: plan.network.vpcId,
                subnetIds: scheme === "internal" ? plan.network.privateSubnetIds : plan.network.publicSubnetIds,
                clientCidrs: scheme === "internal" ? [config.network.cidr] : config.ingress.allowedCidrs,
                ingress: config.ingress,
                deletionProtection: config.protection.deletionProtection,
                logs: { retentionDays: config.logs.retentionDays, protect: config.protection.protectStatefulResources },
            },
            opts,
        );
    }
    return result;
}
