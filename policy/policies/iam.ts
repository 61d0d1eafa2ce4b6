import { defineResourcePolicy } from "../lib/define";
import { definePublicAccessPolicy, describeActions, forEachStatement } from "../lib/documents";
import { ALL_DOCUMENT_TYPES, coversAction, IDENTITY_POLICY_TYPES, onAllResources, RESOURCE_POLICY_PROPERTY, serviceOf, Statement, unknownActionReason } from "../lib/iam";
import { joinWords, list, str } from "../lib/props";

/** Services where a `service:*` grant is close to administrator (identity, keys, secrets, data). */
const SENSITIVE_SERVICES = ["iam", "sts", "kms", "organizations", "secretsmanager", "ssm", "s3", "dynamodb", "ec2", "lambda", "ecr", "eks", "cloudtrail", "rds"];

export const iamNoAdminAccess = defineResourcePolicy({
    name: "iam-no-admin-access",
    description: 'Identity policies do not allow Action "*" on Resource "*" (full administrator).',
    severity: "high",
    frameworks: ["FSBP IAM.1"],
    remediation: "List the actions the principal needs on the resources it needs; use AWS managed job-function policies only for humans.",
    types: IDENTITY_POLICY_TYPES,
    validate: ({ type, props }, report) => {
        forEachStatement(type, props, ["identity"], report, (statement, document) => {
            if (statement.effect === "Allow" && coversAction(statement, "*") && onAllResources(statement)) {
                report(`${document.property}: statement ${statement.label} allows ${describeActions(statement)} on Resource "*"; expected specific actions and resources`);
            }
        });
    },
});

/** `service:*` patterns (and a bare "*") in an Allow statement. */
function serviceWildcards(statement: Statement): string[] {
    if (statement.effect !== "Allow") return [];
    return statement.actions.filter((action) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action));
}

export const iamNoWildcardSensitiveServices = defineResourcePolicy<{ sensitiveServices: string[] }>({
    name: "iam-no-wildcard-actions-sensitive-services",
    description: 'Identity policies do not allow "service:*" on sensitive services (IAM, STS, KMS, secrets, data stores, compute).',
    severity: "high",
    frameworks: ["FSBP IAM.21"],
    remediation: "Replace the service wildcard with the actions the workload calls (IAM Access Analyzer can generate them from CloudTrail).",
    types: IDENTITY_POLICY_TYPES,
    config: { sensitiveServices: { type: "array", items: { type: "string" }, default: SENSITIVE_SERVICES, description: "Service prefixes where a wildcard is blocking." } },
    validate: ({ type, props, config }, report) => {
        forEachStatement(type, props, ["identity"], report, (statement, document) => {
            const hits = serviceWildcards(statement).filter((action) => action !== "*" && config.sensitiveServices.includes(serviceOf(action)));
            if (hits.length > 0) report(`${document.property}: statement ${statement.label} allows ${joinWords(hits.map((a) => `"${a}"`))}; expected the specific actions needed`);
        });
    },
});

export const iamNoServiceWildcards = defineResourcePolicy<{ sensitiveServices: string[] }>({
    name: "iam-no-service-wildcard-actions",
    description: 'Identity policies do not allow "service:*" wildcard actions (other services than the sensitive ones).',
    severity: "low",
    frameworks: ["FSBP IAM.21"],
    remediation: "Replace the wildcard with the actions the workload calls.",
    types: IDENTITY_POLICY_TYPES,
    config: { sensitiveServices: { type: "array", items: { type: "string" }, default: SENSITIVE_SERVICES, description: "Reported by iam-no-wildcard-actions-sensitive-services instead." } },
    validate: ({ type, props, config }, report) => {
        forEachStatement(type, props, ["identity"], report, (statement, document) => {
            // "*" on "*" is iam-no-admin-access's finding; "*" on a narrower resource is reported here.
            const hits = serviceWildcards(statement).filter((action) => (action === "*" ? !onAllResources(statement) : !config.sensitiveServices.includes(serviceOf(action))));
            if (hits.length > 0) report(`${document.property}: statement ${statement.label} allows ${joinWords(hits.map((a) => `"${a}"`))}; expected the specific actions needed`);
        });
    },
});

export const iamNoKmsDecryptOnAllKeys = defineResourcePolicy({
    name: "iam-no-kms-decrypt-all-keys",
    description: 'Identity policies do not allow kms:Decrypt or kms:ReEncryptFrom on Resource "*".',
    severity: "medium",
    frameworks: ["FSBP KMS.1", "FSBP KMS.2"],
    remediation: "Name the key ARNs the principal may decrypt with, or grant through the key policy.",
    types: IDENTITY_POLICY_TYPES,
    validate: ({ type, props }, report) => {
        forEachStatement(type, props, ["identity"], report, (statement, document) => {
            if (statement.effect !== "Allow" || !onAllResources(statement)) return;
            const actions = ["kms:Decrypt", "kms:ReEncryptFrom"].filter((action) => coversAction(statement, action));
            if (actions.length > 0) report(`${document.property}: statement ${statement.label} allows ${joinWords(actions)} on Resource "*"; expected specific key ARNs`);
        });
    },
});

export const iamNoUserPolicies = defineResourcePolicy({
    name: "iam-no-user-policies",
    description: "IAM policies are attached to roles or groups, not to users.",
    severity: "low",
    frameworks: ["FSBP IAM.2"],
    remediation: "Attach the policy to a group (for humans) or a role, and make the user a member or let it assume the role.",
    types: [
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        "aws:iam/policyAttachment:PolicyAttachment",
    ],
    validate: ({ type, props }, report) => {
        if (type === "aws:iam/policyAttachment:PolicyAttachment") {
            const users = list(props.users);
            if (users.length > 0) report(`users is ${JSON.stringify(users)}; expected the policy attached to roles or groups only`);
            return;
        }
        report(`${type.split(":").pop()} attaches a policy directly to a user; expected a group or role`);
    },
});

export const iamActionsExist = defineResourcePolicy({
    name: "iam-actions-exist",
    description: "Every action named in an IAM document or Lambda permission exists in the IAM catalog (a misspelled action silently grants or denies nothing).",
    severity: "medium",
    frameworks: ["IAM Access Analyzer policy validation"],
    remediation: "Fix the action name (see the Service Authorization Reference); a wildcard must match at least one action.",
    types: [...ALL_DOCUMENT_TYPES, "aws:lambda/permission:Permission"],
    validate: async ({ type, props }, report) => {
        const checks: Promise<void>[] = [];
        if (type === "aws:lambda/permission:Permission") {
            // A Lambda permission names one action instead of carrying a document.
            const reason = await unknownActionReason(str(props.action) ?? "");
            if (reason) report(`action: ${reason}`);
            return;
        }
        forEachStatement(type, props, ["identity", "resource", "trust"], report, (statement, document) => {
            for (const action of [...statement.actions, ...(statement.notActions ?? [])]) {
                checks.push(
                    unknownActionReason(action).then((reason) => {
                        if (reason) report(`${document.property}: statement ${statement.label}: ${reason}`);
                    }),
                );
            }
        });
        await Promise.all(checks);
    },
});

export const iamTrustPolicyNotPublic = definePublicAccessPolicy({
    name: "iam-trust-policy-not-public",
    description: "Role trust policies do not let anyone assume the role.",
    severity: "critical",
    frameworks: ["WA SEC03-BP07"],
    remediation: "Trust named principals or services, with aws:SourceAccount / aws:SourceArn conditions for services.",
    types: ["aws:iam/role:Role"],
    kinds: ["trust"],
});

/**
 * Web identity federation hands the role to whoever the identity provider vouches for, so the
 * trust must name who: an OIDC provider's `sub` (a GitHub repository, a Kubernetes service
 * account) with a value that is not a wildcard for every subject, and Cognito's identity pool
 * (`cognito-identity.amazonaws.com:aud`). Without it, any GitHub repository in the world or any
 * service account of the cluster can assume the role.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub ,
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html ,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 */
const COGNITO = "cognito-identity.amazonaws.com";
/** Subject prefixes that name a kind of subject, not a subject ("repo:*" is every repository). */
const SUBJECT_KINDS = ["repo:", "system:serviceaccount:", "project_path:", "organization:"];

/** The condition values of `key` under positive operators (negated and IfExists ones pin nothing). */
function pinnedValues(statement: Statement, key: string): string[] {
    const values: string[] = [];
    for (const [operator, block] of Object.entries(statement.condition)) {
        if (/IfExists$/i.test(operator) || /Not/.test(operator) || /^ForAllValues:/i.test(operator) || /^(Null|Bool)$/i.test(operator)) continue;
        for (const [rawKey, value] of Object.entries(block)) if (rawKey.toLowerCase() === key.toLowerCase()) values.push(...list(value).map(String));
    }
    return values;
}

/** True when a subject pattern names some subject rather than every subject of its kind. */
function namesSubject(value: string): boolean {
    const wildcard = value.search(/[*?]/);
    if (wildcard < 0) return value !== "";
    const prefix = value.slice(0, wildcard);
    const kind = SUBJECT_KINDS.find((candidate) => prefix.startsWith(candidate));
    const rest = kind ? prefix.slice(kind.length) : prefix;
    // "system:serviceaccount:apps:*" names a namespace; "system:serviceaccount:*:*" names nothing.
    return rest.replace(/[:/]+$/, "") !== "";
}

export const iamTrustWebIdentityScoped = defineResourcePolicy({
    name: "iam-trust-web-identity-scoped",
    description: "Roles trusted through web identity federation (GitHub Actions, EKS service accounts, Cognito) name the subject allowed to assume them.",
    severity: "critical",
    frameworks: ["WA SEC03-BP07"],
    remediation:
        'Add a condition on "<provider>:sub" naming the repository and branch (repo:org/name:ref:refs/heads/main) or the service account (system:serviceaccount:<namespace>:<name>), or "cognito-identity.amazonaws.com:aud" naming the identity pool.',
    types: ["aws:iam/role:Role"],
    validate: ({ type, props }, report) => {
        forEachStatement(type, props, ["trust"], report, (statement, document) => {
            if (statement.effect !== "Allow" || !statement.principal) return;
            if (!coversAction(statement, "sts:AssumeRoleWithWebIdentity")) return;
            for (const federated of statement.principal.federated) {
                const provider = federated.includes("oidc-provider/") ? federated.split("oidc-provider/")[1] : federated;
                const key = provider === COGNITO ? `${COGNITO}:aud` : `${provider}:sub`;
                if (federated.includes("saml-provider/")) continue; // SAML assertions are checked by SAML:aud, which AWS requires
                const values = pinnedValues(statement, key);
                if (values.length === 0)
                    report(
                        `${document.property}: statement ${statement.label} lets ${provider} identities assume the role with no condition on ${key}; expected the ${provider === COGNITO ? "identity pool" : "subject"} named`,
                    );
                else if (!values.some(namesSubject))
                    report(
                        `${document.property}: statement ${statement.label} conditions ${key} on ${joinWords(values.map((v) => `"${v}"`))}, which matches every subject; expected a named repository or service account`,
                    );
            }
        });
    },
});

/**
 * Actions that let a principal grant itself (or a role it can pass) more than it has: the
 * escalation paths of Rhino Security Labs' list, which Checkov CKV_AWS_286 and KICS also use.
 * https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
 */
const ESCALATION_ACTIONS = [
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "sts:AssumeRole",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
];

export const iamNoPrivilegeEscalation = defineResourcePolicy({
    name: "iam-no-privilege-escalation",
    description: 'Identity policies do not allow privilege-escalation actions (iam:PassRole, iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion, sts:AssumeRole...) on Resource "*".',
    severity: "high",
    frameworks: ["Checkov CKV_AWS_286"],
    remediation: "Name the roles, users and policies the principal may act on (and add an iam:PassedToService condition to iam:PassRole).",
    types: IDENTITY_POLICY_TYPES,
    validate: ({ type, props }, report) => {
        forEachStatement(type, props, ["identity"], report, (statement, document) => {
            if (statement.effect !== "Allow" || !onAllResources(statement)) return;
            // "*" is iam-no-admin-access's finding and "iam:*" / "sts:*" iam-no-wildcard-actions-sensitive-services'.
            if (coversAction(statement, "*") || statement.actions.some((action) => /^(iam|sts):\*$/i.test(action))) return;
            const hits = ESCALATION_ACTIONS.filter((action) => coversAction(statement, action));
            const passRoleScoped = Object.entries(statement.condition).some(([, block]) => Object.keys(block).some((key) => key.toLowerCase() === "iam:passedtoservice"));
            const reported = hits.filter((action) => !(action === "iam:PassRole" && passRoleScoped));
            if (reported.length > 0) report(`${document.property}: statement ${statement.label} allows ${joinWords(reported)} on Resource "*"; expected the ARNs of the roles, users or policies it may act on`);
        });
    },
});

/**
 * Resource-based documents that no service-specific policy reads (secrets, REST APIs, streams,
 * tables, backup vaults, file systems, search domains, access points, log and schema registries,
 * Lambda's whole-policy resource). Not here: VPC endpoint policies ("*" is their default and means
 * callers inside the VPC) and ECR Public repositories (public by design).
 */
const COVERED_ELSEWHERE = [
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/registryPolicy:RegistryPolicy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/queue:Queue",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topic:Topic",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
];
export const OTHER_RESOURCE_POLICY_TYPES = Object.keys(RESOURCE_POLICY_PROPERTY).filter((type) => !COVERED_ELSEWHERE.includes(type));

export const resourcePolicyNotPublic = definePublicAccessPolicy({
    name: "resource-policy-not-public",
    description:
        "Resource-based policies of every other resource type (secrets, REST APIs, streams, tables, vaults, file systems, domains, access points, registries, Lambda resource policies) do not grant access to anyone.",
    severity: "critical",
    frameworks: ["WA SEC03-BP07", "FSBP Lambda.1", "FSBP S3.2"],
    remediation: "Name the principals; for a service principal add aws:SourceArn / aws:SourceAccount; for a private API deny everything but your VPC endpoint (aws:SourceVpce).",
    types: OTHER_RESOURCE_POLICY_TYPES,
});

/**
 * AWS managed policies that grant administrator access or its equivalent: AdministratorAccess
 * (Checkov CKV_AWS_274), IAMFullAccess (any principal with it can grant itself anything) and
 * AWSCloudShellFullAccess (FSBP IAM.27: file upload and download out of the account).
 */
const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "IAMFullAccess", "AWSCloudShellFullAccess"];
const ATTACHMENT_PROPERTY: Record<string, string> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
};

export const iamNoAdminManagedPolicies = defineResourcePolicy({
    name: "iam-no-admin-managed-policies",
    description: "No role, user or group is given the AWS managed AdministratorAccess, IAMFullAccess or AWSCloudShellFullAccess policy.",
    severity: "high",
    frameworks: ["Checkov CKV_AWS_274", "FSBP IAM.27"],
    remediation: "Attach a customer-managed policy with the actions the principal needs; keep administrator access for break-glass roles outside the program.",
    types: Object.keys(ATTACHMENT_PROPERTY),
    validate: ({ type, props }, report) => {
        const property = ATTACHMENT_PROPERTY[type];
        for (const arn of list(props[property]).map((value) => str(value) ?? "")) {
            // Any partition: arn:aws:, arn:aws-cn:, arn:aws-us-gov:.
            const name = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
            if (name && ADMIN_MANAGED_POLICIES.includes(name)) report(`${property} includes the AWS managed policy ${name}; expected a least-privilege customer-managed policy`);
        }
    },
});

export const iamPolicies = [
    iamNoAdminAccess,
    iamNoWildcardSensitiveServices,
    iamNoServiceWildcards,
    iamNoKmsDecryptOnAllKeys,
    iamNoUserPolicies,
    iamActionsExist,
    iamTrustPolicyNotPublic,
    iamTrustWebIdentityScoped,
    iamNoPrivilegeEscalation,
    resourcePolicyNotPublic,
    iamNoAdminManagedPolicies,
];
