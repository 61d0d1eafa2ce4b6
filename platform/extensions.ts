import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";

/**
 * IAM statements added to a workload's role as they are written, beside the ones the platform
 * derives from the app's bindings: the escape hatch for a grant config cannot express (a bucket of
 * another stack, a third-party API's secret). They are created as one inline policy of their own,
 * `<role>-additional`, so a plan shows them apart from the derived grants.
 *
 * Refused: a statement whose `Action` is or contains `"*"` (the policy gate flags it too:
 * `iam-no-admin-access` on Resource `"*"`, `iam-no-service-wildcard-actions` on others), and one
 * with `NotAction`, everything but a list (`iam-no-admin-access` flags it on Resource `"*"`): a
 * least-privilege role names its actions.
 * @default []
 * @example
 * [{ Sid: "ReadPartnerFeed", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::partner-feed/exports/*" }]
 */
export type AdditionalPolicyStatements = aws.iam.PolicyStatement[];

/** Who an additional rule admits (ingress) or reaches (egress): exactly one of these. */
export type SecurityGroupRulePeer =
    | {
          /** An IPv4 range, e.g. a partner's network. Ingress from `0.0.0.0/0` is refused. @example "203.0.113.0/24" */
          cidrIpv4: string;
      }
    | {
          /** An IPv6 range. Ingress from `::/0` is refused. @example "2001:db8::/32" */
          cidrIpv6: string;
      }
    | {
          /** A managed prefix list, e.g. S3's gateway endpoint or a corporate list. @example "pl-6da54004" */
          prefixListId: pulumi.Input<string>;
      }
    | {
          /** Another security group, e.g. a database's. @example database.securityGroupId */
          referencedSecurityGroupId: pulumi.Input<string>;
      };

/**
 * One rule added to the security group of an app's tasks, beside the ones the platform derives
 * from `apps.<name>.egress` and its load balancer. Each becomes one
 * `aws.vpc.SecurityGroupIngressRule` or `SecurityGroupEgressRule`, `<group>-additional-<direction>-<index>`.
 *
 * Refused: ingress from `0.0.0.0/0` or `::/0` (the tasks are private; the internet reaches an app
 * through its load balancer; the policy gate's `ec2-no-unrestricted-ingress` flags it too).
 * @example
 * { direction: "egress", protocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: database.securityGroupId, description: "PostgreSQL of the orders database" }
 */
export type AdditionalSecurityGroupRule = SecurityGroupRulePeer & {
    /** `ingress` (traffic to the tasks) or `egress` (traffic from them). */
    direction: "ingress" | "egress";
    /** `tcp`, `udp`, `icmp`, `icmpv6`, or `-1` for every protocol (then no ports). */
    protocol: "tcp" | "udp" | "icmp" | "icmpv6" | "-1";
    /** First port of the range (the ICMP type for ICMP). Required except with protocol `-1`. @example 5432 */
    fromPort?: number;
    /** Last port of the range (the ICMP code for ICMP). Required except with protocol `-1`. @example 5432 */
    toPort?: number;
    /** Why the rule exists: shown in the EC2 console beside it. @example "PostgreSQL of the orders database" */
    description: string;
};

/** The `additional*` inputs of a component whose workload has a role and (on ECS) a security group. */
export interface AdditionalInputs {
    /** {@inheritDoc AdditionalPolicyStatements} */
    additionalPolicyStatements?: AdditionalPolicyStatements;
    /** Rules added to the tasks' security group; on ECS the egress ones also go on the group of the app's scheduled jobs, which run the same code (their inbound stays closed). A peer group that admits the app by source group must admit both (`EcsService.taskSecurityGroup` and `jobsSecurityGroup`). {@inheritDoc AdditionalSecurityGroupRule} @default [] */
    additionalSecurityGroupRules?: AdditionalSecurityGroupRule[];
}

const WORLD = ["0.0.0.0/0", "::/0"];
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const isIpv4Cidr = (cidr: string) => {
    const parts = IPV4_CIDR.exec(cidr)?.slice(1).map(Number);
    return parts !== undefined && parts.slice(0, 4).every((octet) => octet <= 255) && parts[4] <= 32;
};
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/\d{1,3}$/;
/**
 * EC2's constraint on a rule's description: up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*
 * (`&` is allowed on CIDR rules but not on group or prefix-list ones, so it is left out).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html
 */
const RULE_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{1,255}$/;

/** tcp/udp: a port range within 0-65535; icmp: a type and a code, -1 for all; every protocol ("-1"): no ports. */
function validatePorts(at: string, rule: AdditionalSecurityGroupRule): void {
    const { protocol, fromPort, toPort } = rule;
    if (protocol === "-1") {
        if (fromPort !== undefined || toPort !== undefined) throw new Error(`${at}: protocol "-1" (every protocol) takes no fromPort or toPort`);
        return;
    }
    if (fromPort === undefined || toPort === undefined) throw new Error(`${at}: protocol ${protocol} needs fromPort and toPort`);
    const [low, high] = protocol === "tcp" || protocol === "udp" ? [0, 65535] : [-1, 255];
    for (const [key, port] of [
        ["fromPort", fromPort],
        ["toPort", toPort],
    ] as const) {
        if (!Number.isInteger(port) || port < low || port > high) throw new Error(`${at}: ${key} ${port} is outside ${low}-${high} for ${protocol}`);
    }
    if ((protocol === "tcp" || protocol === "udp") && fromPort > toPort) throw new Error(`${at}: fromPort ${fromPort} is above toPort ${toPort}`);
}

/**
 * Throws, naming `input` (e.g. `web: additionalPolicyStatements`), on a statement that grants every
 * action. Called before the component registers anything.
 */
export function validateAdditionalPolicyStatements(input: string, statements: AdditionalPolicyStatements | undefined): void {
    (statements ?? []).forEach((statement, index) => {
        const at = `${input}[${index}]${typeof statement.Sid === "string" ? ` (${statement.Sid})` : ""}`;
        if ("NotAction" in statement && statement.NotAction !== undefined) {
            throw new Error(`${at}: NotAction grants every action but the ones listed; name the actions in Action instead (on Resource "*" the policy gate's iam-no-admin-access flags it too)`);
        }
        const actions = statement.Action === undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (actions.length === 0) throw new Error(`${at}: Action is required, e.g. ["s3:GetObject"]`);
        if (actions.some((action) => action === "*")) {
            throw new Error(
                `${at}: Action "*" grants every action of every service; name the actions, e.g. ["s3:GetObject"] (the policy gate flags it too: iam-no-admin-access on Resource "*", iam-no-service-wildcard-actions on others)`,
            );
        }
    });
}

/** Throws, naming `input`, on a rule without exactly one peer, without ports, or admitting the whole internet. */
export function validateAdditionalSecurityGroupRules(input: string, rules: AdditionalSecurityGroupRule[] | undefined): void {
    (rules ?? []).forEach((rule, index) => {
        const at = `${input}[${index}] (${rule.description})`;
        const peers = (["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"] as const).filter((key) => key in rule && (rule as Record<string, unknown>)[key] !== undefined);
        if (peers.length !== 1) throw new Error(`${at}: expected exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId; got ${peers.length === 0 ? "none" : peers.join(", ")}`);
        const cidr = "cidrIpv4" in rule ? rule.cidrIpv4 : "cidrIpv6" in rule ? rule.cidrIpv6 : undefined;
        if (rule.direction === "ingress" && cidr !== undefined && WORLD.includes(cidr)) {
            throw new Error(`${at}: ingress from ${cidr} opens the tasks to the whole internet; the internet reaches an app through its load balancer (the policy gate's ec2-no-unrestricted-ingress flags it too)`);
        }
        if ("cidrIpv4" in rule && !isIpv4Cidr(rule.cidrIpv4)) throw new Error(`${at}: cidrIpv4 ${rule.cidrIpv4} is not an IPv4 CIDR block such as 10.20.0.0/16`);
        if ("cidrIpv6" in rule && !IPV6_CIDR.test(rule.cidrIpv6)) throw new Error(`${at}: cidrIpv6 ${rule.cidrIpv6} is not an IPv6 CIDR block such as 2001:db8::/32`);
        if (!RULE_DESCRIPTION.test(rule.description)) throw new Error(`${at}: description must be 1 to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$* (EC2's rule description constraint)`);
        validatePorts(at, rule);
    });
}

/** Both inputs of a component, validated: call before `super(...)` so nothing is registered on error. */
export function validateAdditionalInputs(owner: string, inputs: AdditionalInputs): void {
    validateAdditionalPolicyStatements(`${owner}: additionalPolicyStatements`, inputs.additionalPolicyStatements);
    validateAdditionalSecurityGroupRules(`${owner}: additionalSecurityGroupRules`, inputs.additionalSecurityGroupRules);
}

/**
 * The statements as one inline policy `<name>-additional` on `role` (none when there are none).
 * `name` is the role's logical name.
 */
export function additionalRolePolicy(name: string, role: aws.iam.Role, statements: AdditionalPolicyStatements | undefined, opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy | undefined {
    if (!statements || statements.length === 0) return undefined;
    return new aws.iam.RolePolicy(`${name}-additional`, { role: role.name, policy: policyJson({ Version: "2012-10-17", Statement: statements }) }, opts);
}

/** One rule resource per rule on the security group, `<name>-additional-<direction>-<index>`; `name` is the group's logical name. */
export function additionalSecurityGroupRules(
    name: string,
    securityGroupId: pulumi.Input<string>,
    rules: AdditionalSecurityGroupRule[] | undefined,
    opts: pulumi.CustomResourceOptions,
): (aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule)[] {
    return (rules ?? []).map((rule, index) => {
        const args: aws.vpc.SecurityGroupIngressRuleArgs = {
            securityGroupId,
            ipProtocol: rule.protocol,
            // With every protocol ("-1") EC2 takes no port range.
            ...(rule.protocol === "-1" ? {} : { fromPort: rule.fromPort, toPort: rule.toPort }),
            cidrIpv4: "cidrIpv4" in rule ? rule.cidrIpv4 : undefined,
            cidrIpv6: "cidrIpv6" in rule ? rule.cidrIpv6 : undefined,
            prefixListId: "prefixListId" in rule ? rule.prefixListId : undefined,
            referencedSecurityGroupId: "referencedSecurityGroupId" in rule ? rule.referencedSecurityGroupId : undefined,
            description: rule.description,
        };
        const ruleName = `${name}-additional-${rule.direction}-${index}`;
        return rule.direction === "ingress" ? new aws.vpc.SecurityGroupIngressRule(ruleName, args, opts) : new aws.vpc.SecurityGroupEgressRule(ruleName, args, opts);
    });
}

/** What `buildPlatform(config, { extend })` adds to one app of the stack file, on every runtime it runs on. */
export interface AppExtension {
    /** Added to the app's role on each runtime: the ECS task role, the EKS pods' role, the Lambda function's role. {@inheritDoc AdditionalPolicyStatements} */
    policyStatements?: AdditionalPolicyStatements;
    /**
     * Added to the security group of the app's ECS tasks. ECS only: EKS pods are governed by their
     * namespace's NetworkPolicy (`apps.<name>.egress`), and the app's Lambda function runs outside
     * the VPC; an app that does not run on ECS is refused. {@inheritDoc AdditionalSecurityGroupRule}
     * @default []
     */
    securityGroupRules?: AdditionalSecurityGroupRule[];
}

/** `buildPlatform`'s `extend` option. */
export interface PlatformExtensions {
    /**
     * By app name (a key of `platform:apps`).
     * @default {}
     * @example { web: { policyStatements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::partner-feed/*" }] } }
     */
    apps?: Record<string, AppExtension>;
}

/**
 * Throws on an app the stack file does not declare (listing those it does), on rules for an app
 * without ECS, and on a refused statement or rule, naming `extend.apps.<app>.<input>`. Called by
 * `buildPlatform` before it creates anything.
 */
export function validatePlatformExtensions(apps: Record<string, { runtimes: readonly string[] }>, extend: PlatformExtensions | undefined): void {
    for (const [app, extension] of Object.entries(extend?.apps ?? {})) {
        const at = `buildPlatform extend.apps.${app}`;
        if (!(app in apps)) {
            const known = Object.keys(apps);
            throw new Error(`${at}: no app ${app} in platform:apps; the apps are ${known.length > 0 ? known.join(", ") : "none"}`);
        }
        validateAdditionalPolicyStatements(`${at}.policyStatements`, extension.policyStatements);
        validateAdditionalSecurityGroupRules(`${at}.securityGroupRules`, extension.securityGroupRules);
        if ((extension.securityGroupRules ?? []).length > 0 && !apps[app].runtimes.includes("ecs")) {
            throw new Error(
                `${at}.securityGroupRules: ${app} runs on ${apps[app].runtimes.join(", ")}, not ECS; only ECS tasks have a security group of the app's own (EKS pods follow their namespace's NetworkPolicy: set apps.${app}.egress)`,
            );
        }
    }
}

/** One app's `extend` as a runtime's `additional*` inputs (statements only where `rules` is false). */
export function additionalInputsOf(extend: PlatformExtensions | undefined, app: string, rules: boolean): AdditionalInputs {
    const extension = extend?.apps?.[app];
    if (!extension) return {};
    return {
        ...(extension.policyStatements ? { additionalPolicyStatements: extension.policyStatements } : {}),
        ...(rules && extension.securityGroupRules ? { additionalSecurityGroupRules: extension.securityGroupRules } : {}),
    };
}
