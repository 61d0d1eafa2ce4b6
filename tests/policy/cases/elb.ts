import { T } from "../../../policy/lib/types";
import { single, stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const LB = T.loadBalancers[0];
const LISTENER = T.listeners[0];
const REDIRECT = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const GOOD_LB = { loadBalancerType: "application", dropInvalidHeaderFields: true, accessLogs: { enabled: true, bucket: "logs" }, enableDeletionProtection: true, subnets: ["a", "b"] };

export const elbCases: PolicySuite[] = [
    {
        policy: "elb-listeners-use-tls",
        pass: [
            { name: "HTTPS listener", resources: () => single(LISTENER, { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }) },
            { name: "HTTP listener redirecting to HTTPS", resources: () => single(T.listeners[1], { protocol: "HTTP", port: 80, defaultActions: [REDIRECT] }) },
        ],
        fail: [
            {
                name: "HTTP listener forwarding",
                resources: () => single(LISTENER, { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward", targetGroupArn: "tg" }] }),
                messages: ['this listener: protocol is "HTTP" and it does not redirect every request to HTTPS'],
            },
            { name: "listener without protocol (HTTP by default)", resources: () => single(LISTENER, { port: 80 }), messages: ["protocol is not set (HTTP)"] },
            { name: "awsx ALB without listeners (default HTTP:80 forward)", resources: () => single(T.awsxAlb, {}), messages: ['the component\'s default listener: protocol is "HTTP" and it does not redirect'] },
            { name: "NLB TCP listener", resources: () => single(LISTENER, { protocol: "TCP", port: 5432 }), messages: ['protocol is "TCP"'] },
        ],
    },
    {
        policy: "elb-tls-policy",
        pass: [{ name: "TLS 1.3 policy", resources: () => single(LISTENER, { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }) }],
        fail: [
            { name: "sslPolicy omitted", resources: () => single(LISTENER, { protocol: "HTTPS" }), messages: ["sslPolicy is not set"] },
            {
                name: "2016 policy on an awsx listener",
                resources: () => single(T.awsxAlb, { listener: { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-2016-08" } }),
                messages: ['listener: sslPolicy is "ELBSecurityPolicy-2016-08"'],
            },
        ],
    },
    {
        policy: "elb-drop-invalid-headers",
        pass: [
            { name: "ALB dropping invalid headers", resources: () => single(LB, GOOD_LB) },
            { name: "network load balancer (not applicable to NLBs)", resources: () => single(LB, { loadBalancerType: "network" }) },
        ],
        fail: [
            { name: "ALB default", resources: () => single(LB, {}), messages: ["dropInvalidHeaderFields is not set (false by default); expected true"] },
            { name: "awsx ALB with false", resources: () => single(T.awsxAlb, { dropInvalidHeaderFields: false }), messages: ["dropInvalidHeaderFields is false"] },
        ],
    },
    {
        policy: "elb-access-logging",
        pass: [{ name: "access logs enabled", resources: () => single(LB, GOOD_LB) }],
        fail: [{ name: "no access logs", resources: () => single(LB, { accessLogs: { enabled: false, bucket: "logs" } }), messages: ['accessLogs is {"enabled":false,"bucket":"logs"}'] }],
    },
    {
        policy: "elb-deletion-protection",
        pass: [
            { name: "prod ALB with deletion protection", resources: () => single(LB, GOOD_LB) },
            { name: "dev ALB without (dev is not in the default environments)", resources: () => single(LB, {}, { stack: "dev" }), notApplicable: true },
        ],
        fail: [
            { name: "prod ALB without", resources: () => single(LB, {}), messages: ["enableDeletionProtection is not set; expected true"] },
            {
                name: "dev ALB when config includes dev",
                resources: () => single(LB, {}, { stack: "dev" }),
                config: { "elb-deletion-protection": { environments: ["dev", "staging", "prod"] } },
                messages: ["enableDeletionProtection"],
            },
        ],
    },
    {
        policy: "elb-desync-mitigation",
        pass: [
            { name: "default (defensive)", resources: () => single(LB, {}) },
            { name: "strictest", resources: () => single(LB, { desyncMitigationMode: "strictest" }) },
        ],
        fail: [{ name: "monitor", resources: () => single(LB, { desyncMitigationMode: "monitor" }), messages: ['desyncMitigationMode is "monitor"'] }],
    },
    {
        policy: "elb-multi-az",
        pass: [
            { name: "two subnets", resources: () => single(LB, { subnets: ["a", "b"] }) },
            { name: "awsx ALB on the default VPC", resources: () => single(T.awsxAlb, {}) },
        ],
        fail: [
            { name: "one subnet mapping", resources: () => single(LB, { subnetMappings: [{ subnetId: "a" }] }), messages: ["has 1 subnet (subnets/subnetMappings); expected at least 2"] },
            {
                name: "aws LB inside an awsx component is skipped, the component is checked",
                resources: () =>
                    stack((s) => {
                        const alb = s.add(T.awsxAlb, "alb", { subnetIds: ["a"] });
                        s.add(LB, "alb", { subnets: ["a"] }, { parent: alb });
                    }),
                messages: ["has 1 subnet"],
                resource: "alb",
            },
        ],
    },
];
