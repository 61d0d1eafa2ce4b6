import { z } from "zod";
import { parseIpv4Cidr } from "./cidr";
import { wholeNumber } from "./fields";
import type { ConfigProblem } from "./load";

/**
 * `apps.<name>.egress`: where an app's containers may open connections, one rule per destination.
 * Unset, an app may reach TCP 443 anywhere (AWS APIs, the internet through NAT); set, the list
 * replaces that default, so list 443 to what the app calls (or a gateway endpoint's prefix list).
 * DNS (and on EKS the Pod Identity agent) stays allowed either way.
 */

export const EGRESS_PROTOCOLS = ["tcp", "udp"] as const;
export type EgressProtocol = (typeof EGRESS_PROTOCOLS)[number];

/** A managed prefix list id, e.g. a gateway endpoint's (`pl-6ea54007` for S3 in eu-west-1). */
export const PREFIX_LIST_PATTERN = /^pl-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

export const EgressRuleSchema = z.strictObject({
    /**
     * An IPv4 block the app may reach, e.g. `10.20.0.0/16` or `0.0.0.0/0`.
     * @example 10.20.0.0/16
     */
    cidr: z
        .string({ error: "expected an IPv4 CIDR such as 10.20.0.0/16" })
        .refine((cidr) => parseIpv4Cidr(cidr) !== undefined, { error: "expected an IPv4 CIDR such as 10.20.0.0/16, with no host bits set after the prefix" })
        .optional(),
    /**
     * A managed prefix list (ECS only: a Kubernetes NetworkPolicy has none), e.g. the S3 or DynamoDB
     * gateway endpoint's.
     * @example pl-6ea54007
     */
    prefixList: z.string({ error: "expected a managed prefix list id such as pl-6ea54007" }).regex(PREFIX_LIST_PATTERN, { error: "expected a managed prefix list id such as pl-6ea54007" }).optional(),
    /**
     * `vpc` (the VPC's CIDR) or another app of the stack: its internal load balancer on ECS, its
     * pods on their container port on EKS (the port follows the app; leave `port` out).
     * @example api
     */
    to: z
        .string({ error: "expected vpc or an app name" })
        .regex(/^[a-z][a-z0-9-]*$/, { error: "expected vpc or an app name" })
        .optional(),
    /**
     * The destination port; required except with `to: <app>`.
     * @example 5432
     */
    port: wholeNumber("a destination port", 1, 65535).optional(),
    /**
     * @default tcp
     */
    protocol: z.enum(EGRESS_PROTOCOLS, { error: `expected a protocol, one of ${EGRESS_PROTOCOLS.join(", ")}` }).optional(),
});

export type EgressRuleInput = z.infer<typeof EgressRuleSchema>;

/** A resolved rule: exactly one destination, a protocol, and a port unless the destination is an app. */
export type EgressRule = { protocol: EgressProtocol; port?: number } & ({ cidr: string } | { prefixList: string } | { to: string });

/** The rules as the runtimes read them; undefined keeps the default (TCP 443 anywhere). */
export function resolveEgress(input: EgressRuleInput[] | undefined): EgressRule[] | undefined {
    return input?.map((rule) => {
        const protocol = rule.protocol ?? "tcp";
        const port = rule.port;
        if (rule.cidr !== undefined) return { cidr: rule.cidr, protocol, port };
        if (rule.prefixList !== undefined) return { prefixList: rule.prefixList, protocol, port };
        return { to: rule.to ?? "", protocol, port };
    });
}

/** The default when `egress` is unset: TCP 443 anywhere. */
export const DEFAULT_EGRESS: EgressRule[] = [{ cidr: "0.0.0.0/0", protocol: "tcp", port: 443 }];

interface EgressApp {
    runtimes: string[];
    consumes?: unknown;
    ingress: string;
    egressInput?: EgressRuleInput[];
}

/** Each rule names one destination; `to` names vpc or an app that serves HTTP on every runtime of this one; ports where needed. */
export function egressProblems(apps: Record<string, EgressApp>, key: (path: (string | number)[]) => string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const [name, app] of Object.entries(apps)) {
        if (app.egressInput !== undefined && app.runtimes.includes("lambda")) {
            problems.push({
                key: key(["apps", name, "egress"]),
                message: "expected no egress on an app that runs on lambda: its function runs outside the VPC, where no security group or NetworkPolicy limits its connections; run it on ecs or eks to restrict them",
            });
            continue;
        }
        (app.egressInput ?? []).forEach((rule, index) => {
            const at = (...path: string[]) => key(["apps", name, "egress", index, ...path]);
            const destinations = (["cidr", "prefixList", "to"] as const).filter((field) => rule[field] !== undefined);
            if (destinations.length !== 1) {
                problems.push({ key: at(), message: `expected exactly one destination, cidr, prefixList or to; got ${destinations.length === 0 ? "none" : destinations.join(" and ")}` });
                return;
            }
            if (rule.prefixList !== undefined && app.runtimes.includes("eks")) {
                problems.push({ key: at("prefixList"), message: "expected cidr on an app that runs on eks: a Kubernetes NetworkPolicy cannot name a prefix list (prefix lists are for ECS security groups)" });
            }
            const target = rule.to;
            if (target !== undefined && target !== "vpc") {
                const other = apps[target];
                if (target === name) problems.push({ key: at("to"), message: "expected another app or vpc: an app always reaches itself" });
                else if (!other) problems.push({ key: at("to"), message: `expected vpc or an app of this stack (${Object.keys(apps).sort().join(", ")}), got ${JSON.stringify(target)}` });
                else if (other.consumes) problems.push({ key: at("to"), message: `${target} is a queue worker: it takes no connection; send it a message through its queue` });
                else {
                    const missing = app.runtimes.filter((runtime) => !other.runtimes.includes(runtime));
                    if (missing.length > 0) problems.push({ key: at("to"), message: `${target} does not run on ${missing.join(", ")}, where ${name} runs: each runtime reaches the app on its own runtime` });
                    // An internet-facing load balancer is reached through NAT at its public address, which no security group rule can name.
                    else if (app.runtimes.includes("ecs") && other.ingress !== "internal")
                        problems.push({
                            key: at("to"),
                            message: `${target} has a public load balancer, which ${name} reaches through NAT at public addresses a security group cannot name: make ${target} internal (apps.${target}.ingress: internal) or allow cidr 0.0.0.0/0 on port 443 (80 without a certificate)`,
                        });
                }
                if (rule.port !== undefined) problems.push({ key: at("port"), message: `expected no port with to: ${target}: it follows the app (its load balancer's listener on ECS, its container port on EKS)` });
            } else if (rule.port === undefined) {
                problems.push({ key: at("port"), message: "expected a destination port from 1 to 65535" });
            }
        });
    }
    return problems;
}
