import type { ResourceValidationPolicy, Severity } from "@pulumi/policy";
import { defineResourcePolicy, Report } from "./define";
import { DocumentRef, documentsOf, isPublicGrant, parsePolicyDocument, Statement } from "./iam";
import { joinWords, Props } from "./props";

/**
 * Runs `check` over every parsed statement of the documents of the given kinds; a document that
 * does not parse is reported (the policy cannot vouch for it).
 */
export function forEachStatement(type: string, props: Props, kinds: DocumentRef["kind"][], report: Report, check: (statement: Statement, document: DocumentRef, statements: Statement[]) => void): void {
    for (const document of documentsOf(type, props).filter((doc) => kinds.includes(doc.kind))) {
        const parsed = parsePolicyDocument(document.value, document.property);
        if (parsed.ok === "absent") continue;
        if (parsed.ok === false) {
            report(parsed.message);
            continue;
        }
        for (const statement of parsed.statements) check(statement, document, parsed.statements);
    }
}

export function describeActions(statement: Statement): string {
    if (statement.notActions) return `every action except ${joinWords(statement.notActions)}`;
    return joinWords(statement.actions.map((action) => `"${action}"`)) || "no action";
}

export interface PublicAccessSpec {
    name: string;
    description: string;
    types: string[];
    severity: Severity;
    frameworks: string[];
    remediation: string;
    kinds?: DocumentRef["kind"][];
}

/**
 * A policy that no resource-based (or trust) document grants access to anyone: an Allow
 * statement with Principal "*" (or NotPrincipal) needs a condition that pins the caller.
 */
export function definePublicAccessPolicy(spec: PublicAccessSpec): ResourceValidationPolicy {
    return defineResourcePolicy({
        name: spec.name,
        description: spec.description,
        severity: spec.severity,
        frameworks: spec.frameworks,
        remediation: spec.remediation,
        types: spec.types,
        validate: ({ type, props }, report) => {
            forEachStatement(type, props, spec.kinds ?? ["resource"], report, (statement, document, statements) => {
                if (!isPublicGrant(statement, statements)) return;
                const who = statement.notPrincipal ? "everyone outside NotPrincipal" : 'Principal "*"';
                report(
                    `${document.property}: statement ${statement.label} allows ${describeActions(statement)} to ${who} with no condition pinning the caller; ` +
                        "expected named principals, or a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:PrincipalAccount",
                );
            });
        },
    });
}
