import { finding, type ReadinessContext, type ReadinessFinding, type ReadinessRule } from "./types";

/**
 * IAM's quota on a role's inline policies: together, at most 10,240 characters, whitespace not
 * counted (a CreateRole or PutRolePolicy past it fails with LimitExceeded). Grants the platform
 * derives stay far below; `additionalPolicyStatements` and `extend` can add any amount.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const ROLE_INLINE_POLICY_CHARACTERS = 10_240;

export const iamInlineSizeRule: ReadinessRule = {
    id: "iam-inline-size",
    title: "each role's inline policies stay within IAM's 10,240 characters",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    check: checkInlineSize,
};

/** The characters IAM counts in a policy document: its JSON without whitespace (undefined when the program left it unknown). */
function countedCharacters(document: unknown): number | undefined {
    if (typeof document === "string") return document.replace(/\s/g, "").length;
    if (document !== null && typeof document === "object") return JSON.stringify(document).replace(/\s/g, "").length;
    return undefined;
}

function checkInlineSize(context: ReadinessContext): ReadinessFinding[] {
    const findings: ReadinessFinding[] = [];
    const roles = context.resources.filter((resource) => resource.type === "aws:iam/role:Role");
    for (const role of roles) {
        const roleName = typeof role.state.name === "string" ? role.state.name : role.inputs.name;
        const policies: { name: string; document: unknown }[] = [];
        for (const inline of Array.isArray(role.inputs.inlinePolicies) ? (role.inputs.inlinePolicies as { name?: string; policy?: unknown }[]) : [])
            policies.push({ name: inline.name ?? "(inline)", document: inline.policy });
        for (const resource of context.resources) {
            if (resource.type === "aws:iam/rolePolicy:RolePolicy" && resource.inputs.role === roleName) policies.push({ name: resource.name, document: resource.inputs.policy });
        }
        const sizes = policies.map((policy) => ({ ...policy, size: countedCharacters(policy.document) }));
        const total = sizes.reduce((sum, policy) => sum + (policy.size ?? 0), 0);
        if (total > ROLE_INLINE_POLICY_CHARACTERS) {
            const largest = [...sizes].sort((a, b) => (b.size ?? 0) - (a.size ?? 0)).slice(0, 3);
            findings.push(
                finding(
                    iamInlineSizeRule,
                    role,
                    "failure",
                    `role ${role.name}: its ${policies.length} inline policies count ${total} characters without whitespace, above IAM's ${ROLE_INLINE_POLICY_CHARACTERS} per role (largest: ${largest.map((p) => `${p.name} ${p.size}`).join(", ")}); move statements to a managed policy or narrow them`,
                ),
            );
        }
    }
    return findings;
}
