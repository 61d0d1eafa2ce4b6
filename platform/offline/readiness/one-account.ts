import type { RecordedResource } from "../mock-cloud";
import { isNameless, nameRuleOf } from "./name-rules";
import { physicalNameOf } from "./physical-names";
import { finding, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "./types";

/** One name (or singleton) a resource claims in the account, with where it must be unique. */
export interface Claim {
    /** `<scope>|<type>|<name>`: two claims with the same key collide. */
    key: string;
    /** How the claim reads in a message: `IAM name "x"`, `the region's only aws:apigateway/account:Account`. */
    what: string;
    resource: RecordedResource;
}

const DEFAULT_PARENTS: Record<string, string> = { eventBusName: "default", groupName: "default" };

/**
 * The account- or region-unique names and singletons a stack's resources claim. Names with a
 * random part (Pulumi autonaming, `namePrefix`) never collide and are left out; so are names
 * unique only inside a parent the stack creates itself (a role's inline policies, its own bus's
 * rules), except rules on the default event bus and schedules in the default group, which every
 * stack shares.
 */
export function claimsOf(context: Pick<ReadinessContext, "accountId" | "region" | "resources">): Claim[] {
    const claims: Claim[] = [];
    for (const resource of context.resources) {
        if (isNameless(resource)) continue;
        const rule = nameRuleOf(resource.type);
        if (!rule) continue;
        if (rule.kind === "unnamed") {
            if (rule.singleton) claims.push({ key: `${context.accountId}:${context.region}|${resource.type}|singleton`, what: `the only ${resource.type} an account has in ${context.region}`, resource });
            continue;
        }
        let scope: string;
        if (rule.scope === "global") scope = "global";
        else if (rule.scope === "account") scope = context.accountId;
        else if (rule.scope === "region") scope = `${context.accountId}:${context.region}`;
        else if (rule.scope === "parent" && rule.parentKey && rule.parentKey in DEFAULT_PARENTS) {
            const parent = resource.inputs[rule.parentKey];
            if (parent !== undefined && parent !== DEFAULT_PARENTS[rule.parentKey]) continue;
            scope = `${context.accountId}:${context.region}:${rule.parentKey}=default`;
        } else continue;
        const named = physicalNameOf(resource, rule);
        if (!named || "problem" in named || named.how !== "explicit") continue;
        const where =
            scope === "global"
                ? "every account"
                : scope === context.accountId
                  ? "the account"
                  : rule.scope === "parent"
                    ? `the default ${rule.parentKey === "groupName" ? "schedule group" : "event bus"} of ${context.region}`
                    : context.region;
        claims.push({ key: `${scope}|${resource.type}|${named.name}`, what: `${rule.property} "${named.name}" (unique in ${where})`, resource });
    }
    return claims;
}

/**
 * Readiness rule "one account, many stacks": the account- and region-unique names and the
 * singletons (ECR repositories and registry settings, IAM roles, log groups, queues, rules on the
 * default bus, schedules, API Gateway's account setting) that two stacks deployed into one account
 * and region would both create. On one stack it checks the stack against itself; `npm run synth
 * -- --all-stacks` runs `checkAccount` over every `Pulumi.<stack>.yaml` of the project.
 */
export const oneAccountRule: ReadinessRule & { checkAccount(contexts: ReadinessContext[]): ReadinessFinding[] } = {
    id: "one-account",
    title: "Names and singletons that must be unique in an account and region are claimed once",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names",
    check(context) {
        const findings: ReadinessFinding[] = [];
        const seen = new Map<string, Claim>();
        for (const claim of claimsOf(context)) {
            const first = seen.get(claim.key);
            if (first) findings.push(finding(this, claim.resource, "failure", `claims ${claim.what}, which ${first.resource.urn} in this stack also claims`, nameDoc(claim)));
            else seen.set(claim.key, claim);
        }
        findings.push(...apiLoggingFindings([context], this, "warning"));
        return findings;
    },
    checkAccount(contexts) {
        const findings: ReadinessFinding[] = [];
        const owners = new Map<string, { stack: string; claim: Claim }>();
        for (const context of contexts) {
            for (const claim of claimsOf(context)) {
                const owner = owners.get(claim.key);
                if (!owner) owners.set(claim.key, { stack: context.stack, claim });
                else if (owner.stack !== context.stack) {
                    findings.push(
                        finding(
                            this,
                            claim.resource,
                            "failure",
                            `stack ${context.stack} claims ${claim.what}, which stack ${owner.stack} also claims (${owner.claim.resource.urn}): the second deployment fails or takes it over`,
                            nameDoc(claim),
                        ),
                    );
                }
            }
        }
        findings.push(...apiLoggingFindings(contexts, this, "failure"));
        return findings;
    },
};

function nameDoc(claim: Claim): string {
    return nameRuleOf(claim.resource.type)?.doc ?? oneAccountRule.doc;
}

const API_ACCOUNT = "aws:apigateway/account:Account";
const API_LOGGING_DOC = "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html#set-up-access-logging-permissions";

/**
 * API Gateway writes execution logs through the account's CloudWatch role, set once per account
 * and region (the `account.owner` stack). A stage with execution logging in a set of stacks none
 * of which sets the role is refused (a warning for one stack, which may rely on another).
 */
function apiLoggingFindings(contexts: ReadinessContext[], rule: ReadinessRule, severity: "failure" | "warning"): ReadinessFinding[] {
    const regionsWithRole = new Set(contexts.filter((c) => c.resources.some((r) => r.type === API_ACCOUNT)).map((c) => `${c.accountId}:${c.region}`));
    const findings: ReadinessFinding[] = [];
    for (const context of contexts) {
        if (regionsWithRole.has(`${context.accountId}:${context.region}`)) continue;
        for (const settings of context.resources.filter((r) => r.type === "aws:apigateway/methodSettings:MethodSettings")) {
            const level = (settings.inputs.settings as { loggingLevel?: string } | undefined)?.loggingLevel;
            if (level === undefined || level === "OFF") continue;
            const message =
                severity === "failure"
                    ? `stack ${context.stack} logs API executions (${level}), but no stack here sets the account's API Gateway CloudWatch role in ${context.region}: set platform:account.owner: true in one of them`
                    : `logs API executions (${level}) through the account's API Gateway CloudWatch role, which this stack does not set (it is not platform:account.owner): deploy the owner stack of ${context.region} first`;
            findings.push(finding(rule, settings, severity, message, API_LOGGING_DOC));
        }
    }
    return findings;
}
