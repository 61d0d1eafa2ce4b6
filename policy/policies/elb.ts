import { defineResourcePolicy, ResourceContext } from "../lib/define";
import { bool, globMatch, joinWords, list, Props, rec, show, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * Application and network load balancers, created directly (aws.lb / aws.alb) or through the awsx
 * component (checked on its inputs; its aws children, visible only under the engine, are skipped
 * so one misconfiguration is reported once).
 */

const LB_TYPES = [...T.loadBalancers, T.awsxAlb, T.awsxNlb];

function underComponent(context: ResourceContext): boolean {
    return context.parentType?.startsWith("awsx:lb:") === true;
}

function lbKind(type: string, props: Props): "application" | "network" | "gateway" {
    if (type === T.awsxAlb) return "application";
    if (type === T.awsxNlb) return "network";
    const kind = str(props.loadBalancerType) ?? "application";
    return kind === "network" || kind === "gateway" ? kind : "application";
}

interface ListenerRef {
    where: string;
    props: Props;
}

/** Listeners declared by this resource: itself for a listener, the awsx component's `listener(s)`. */
function listenersOf(type: string, props: Props): ListenerRef[] {
    if ((T.listeners as readonly string[]).includes(type)) return [{ where: "this listener", props }];
    if (type === T.awsxAlb || type === T.awsxNlb) {
        if (props.listener !== undefined) return [{ where: "listener", props: rec(props.listener) }];
        if (props.listeners !== undefined) return list(props.listeners).map((listener, index) => ({ where: `listeners[${index}]`, props: rec(listener) }));
        // awsx creates one listener when none is given: HTTP on port 80 for an ALB, TCP for an NLB.
        return [{ where: "the component's default listener", props: { protocol: type === T.awsxAlb ? "HTTP" : "TCP", port: 80 } }];
    }
    return [];
}

function redirectsToHttps(listener: Props): boolean {
    const actions = list(listener.defaultActions);
    return actions.length > 0 && actions.every((action) => str(rec(action).type) === "redirect" && str(rec(rec(action).redirect).protocol) === "HTTPS");
}

export const elbListenersUseTls = defineResourcePolicy({
    name: "elb-listeners-use-tls",
    description: "Load balancer listeners use HTTPS or TLS; an HTTP listener only redirects to HTTPS.",
    severity: "medium",
    frameworks: ["FSBP ELB.1", "FSBP ELB.18"],
    remediation: 'Serve HTTPS (protocol "HTTPS", certificateArn) and make the port-80 listener a redirect: defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }].',
    types: [...T.listeners, T.awsxAlb, T.awsxNlb],
    validate: (context, report) => {
        if (underComponent(context)) return;
        for (const listener of listenersOf(context.type, context.props)) {
            const protocol = str(listener.props.protocol) ?? (context.type === T.awsxNlb ? "TCP" : "HTTP");
            if (protocol === "HTTPS" || protocol === "TLS" || protocol === "GENEVE") continue;
            if (protocol === "HTTP" && redirectsToHttps(listener.props)) continue;
            const got = listener.props.protocol === undefined ? `not set (${protocol})` : show(protocol);
            report(`${listener.where}: protocol is ${got}${protocol === "HTTP" ? " and it does not redirect every request to HTTPS" : ""}; expected "HTTPS"/"TLS", or HTTP whose default actions redirect to HTTPS`);
        }
    },
});

/** TLS 1.2+ policies with forward secrecy (the families ELB.17 accepts). */
const RECOMMENDED_TLS_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-*", "ELBSecurityPolicy-TLS13-1-3-*", "ELBSecurityPolicy-FS-1-2-Res-*"];

export const elbTlsPolicy = defineResourcePolicy<{ allowedPolicies: string[] }>({
    name: "elb-tls-policy",
    description: "HTTPS and TLS listeners use a recommended TLS 1.2+ security policy.",
    severity: "medium",
    frameworks: ["FSBP ELB.17"],
    remediation: 'Set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" (or a stricter TLS13 policy).',
    types: [...T.listeners, T.awsxAlb, T.awsxNlb],
    config: { allowedPolicies: { type: "array", items: { type: "string" }, default: RECOMMENDED_TLS_POLICIES, description: "Allowed security policy names (`*` globs)." } },
    validate: (context, report) => {
        if (underComponent(context)) return;
        for (const listener of listenersOf(context.type, context.props)) {
            const protocol = str(listener.props.protocol);
            if (protocol !== "HTTPS" && protocol !== "TLS") continue;
            const policy = str(listener.props.sslPolicy);
            if (!policy || !context.config.allowedPolicies.some((pattern) => globMatch(pattern, policy))) {
                report(`${listener.where}: sslPolicy is ${policy === undefined ? "not set (an older default policy may apply)" : show(policy)}; expected one of ${joinWords(context.config.allowedPolicies)}`);
            }
        }
    },
});

export const elbDropInvalidHeaders = defineResourcePolicy({
    name: "elb-drop-invalid-headers",
    description: "Application load balancers drop HTTP headers with invalid fields (request smuggling defence).",
    severity: "medium",
    frameworks: ["FSBP ELB.4"],
    remediation: "Set dropInvalidHeaderFields: true.",
    types: LB_TYPES,
    validate: (context, report) => {
        if (underComponent(context) || lbKind(context.type, context.props) !== "application") return;
        if (bool(context.props.dropInvalidHeaderFields) !== true) report(`dropInvalidHeaderFields is ${show(context.props.dropInvalidHeaderFields)} (false by default); expected true`);
    },
});

export const elbAccessLogging = defineResourcePolicy({
    name: "elb-access-logging",
    description: "Load balancers write access logs to S3.",
    severity: "medium",
    frameworks: ["FSBP ELB.5"],
    remediation: "Set accessLogs: { enabled: true, bucket: <log bucket> } (the bucket policy must admit the ELB log delivery service).",
    types: LB_TYPES,
    validate: (context, report) => {
        if (underComponent(context) || lbKind(context.type, context.props) === "gateway") return;
        const logs = rec(context.props.accessLogs);
        if (bool(logs.enabled) !== true || !str(logs.bucket)) report(`accessLogs is ${show(context.props.accessLogs)}; expected { enabled: true, bucket: <S3 bucket> }`);
    },
});

export const elbDeletionProtection = defineResourcePolicy({
    name: "elb-deletion-protection",
    description: "Load balancers in staging and prod have deletion protection.",
    severity: "medium",
    frameworks: ["FSBP ELB.6"],
    remediation: "Set enableDeletionProtection: true (the environments list is configurable; dev is exempt so stacks can be torn down).",
    types: LB_TYPES,
    environments: ["staging", "prod"],
    validate: (context, report) => {
        if (underComponent(context)) return;
        if (bool(context.props.enableDeletionProtection) !== true) report(`enableDeletionProtection is ${show(context.props.enableDeletionProtection)}; expected true`);
    },
});

export const elbDesyncMitigation = defineResourcePolicy({
    name: "elb-desync-mitigation",
    description: "Application load balancers use the defensive or strictest HTTP desync mitigation mode.",
    severity: "medium",
    frameworks: ["FSBP ELB.12"],
    remediation: 'Leave desyncMitigationMode unset (defensive) or set "defensive"/"strictest"; never "monitor".',
    types: LB_TYPES,
    validate: (context, report) => {
        if (underComponent(context) || lbKind(context.type, context.props) !== "application") return;
        const mode = str(context.props.desyncMitigationMode) ?? "defensive";
        if (mode !== "defensive" && mode !== "strictest") report(`desyncMitigationMode is ${show(mode)}; expected "defensive" or "strictest"`);
    },
});

export const elbMultiAz = defineResourcePolicy({
    name: "elb-multi-az",
    description: "Load balancers span at least two availability zones (two or more subnets).",
    severity: "medium",
    frameworks: ["FSBP ELB.13", "Reliability 10"],
    remediation: "Give the load balancer one subnet in each of at least two AZs (subnets or subnetMappings).",
    types: LB_TYPES,
    validate: (context, report) => {
        if (underComponent(context)) return;
        const { props, type } = context;
        const subnets = [...list(props.subnets), ...list(props.subnetMappings), ...list(props.subnetIds)];
        // awsx places a load balancer without subnets in every subnet of the default VPC.
        if ((type === T.awsxAlb || type === T.awsxNlb) && subnets.length === 0) return;
        if (subnets.length < 2) report(`the load balancer has ${subnets.length} subnet${subnets.length === 1 ? "" : "s"} (subnets/subnetMappings); expected at least 2 in different AZs`);
    },
});

export const elbPolicies = [elbListenersUseTls, elbTlsPolicy, elbDropInvalidHeaders, elbAccessLogging, elbDeletionProtection, elbDesyncMitigation, elbMultiAz];
