import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single } from "../fixtures";
import type { PolicySuite } from "../runner";

const allow = (Action: unknown, Resource: unknown = "*", extra: Record<string, unknown> = {}) => ({ Effect: "Allow", Action, Resource, ...extra });
const rolePolicy = (...statements: Record<string, unknown>[]) => single("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: doc(...statements) });
const TRUST = doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } });

export const iamCases: PolicySuite[] = [
    {
        policy: "iam-no-admin-access",
        pass: [
            { name: "specific actions on specific resources", resources: () => rolePolicy(allow(["s3:GetObject"], "arn:aws:s3:::b/*")) },
            { name: 'a Deny of "*" is fine', resources: () => rolePolicy({ Effect: "Deny", Action: "*", Resource: "*" }) },
            {
                name: 'KMS key policy with the account-root "kms:*" on "*" (a resource policy)',
                resources: () => single(T.kmsKey, { enableKeyRotation: true, policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }) }),
                notApplicable: true,
            },
        ],
        fail: [
            { name: 'Action "*" on Resource "*" in a role policy', resources: () => rolePolicy(allow("*")), messages: ['policy: statement #1 allows "*" on Resource "*"'] },
            {
                name: "in a role's inline policy",
                resources: () => single(T.iamRole, { assumeRolePolicy: TRUST, inlinePolicies: [{ name: "admin", policy: doc(allow(["*"])) }] }),
                messages: ["inlinePolicies[0].policy: statement #1"],
            },
            {
                name: 'NotAction on Resource "*" in a managed policy',
                resources: () => single("aws:iam/policy:Policy", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }),
                messages: ["every action except iam:*"],
            },
            { name: "malformed JSON", resources: () => single("aws:iam/policy:Policy", { policy: "not json" }), messages: ["policy is not valid JSON"] },
        ],
    },
    {
        policy: "iam-no-wildcard-actions-sensitive-services",
        pass: [{ name: "prefix wildcards such as s3:Get*", resources: () => rolePolicy(allow(["s3:Get*", "kms:Decrypt"], "arn:aws:s3:::b/*")) }],
        fail: [
            { name: '"kms:*" and "iam:*" in a role policy', resources: () => rolePolicy(allow(["kms:*", "iam:*"], "arn:aws:kms:eu-west-1:1:key/x")), messages: ['allows "kms:*" and "iam:*"'] },
            {
                name: "sensitive list from config",
                resources: () => rolePolicy(allow("sqs:*", "arn:aws:sqs:eu-west-1:1:q")),
                config: { "iam-no-wildcard-actions-sensitive-services": { sensitiveServices: ["sqs"] } },
                messages: ['allows "sqs:*"'],
            },
        ],
    },
    {
        policy: "iam-no-service-wildcard-actions",
        pass: [{ name: "explicit actions", resources: () => rolePolicy(allow(["sqs:SendMessage"], "arn:aws:sqs:eu-west-1:1:q")) }],
        fail: [
            { name: '"sqs:*" (not a sensitive service)', resources: () => rolePolicy(allow("sqs:*", "arn:aws:sqs:eu-west-1:1:q")), messages: ['allows "sqs:*"'] },
            { name: '"*" on one resource', resources: () => rolePolicy(allow("*", "arn:aws:sqs:eu-west-1:1:q")), messages: ['allows "*"'] },
        ],
    },
    {
        policy: "iam-no-kms-decrypt-all-keys",
        pass: [{ name: "decrypt on a named key", resources: () => rolePolicy(allow("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/abc")) }],
        fail: [
            { name: 'kms:Decrypt on "*"', resources: () => rolePolicy(allow(["kms:Decrypt", "kms:Encrypt"])), messages: ['allows kms:Decrypt on Resource "*"'] },
            {
                name: 'a wildcard covering both on "*" in an inline role policy',
                resources: () => single(T.iamRole, { assumeRolePolicy: TRUST, inlinePolicies: [{ name: "k", policy: doc(allow("kms:*")) }] }),
                messages: ["allows kms:Decrypt and kms:ReEncryptFrom"],
            },
        ],
    },
    {
        policy: "iam-no-user-policies",
        pass: [{ name: "a policy attachment to roles only", resources: () => single(T.iamPolicyAttachment, { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess", roles: ["r"] }) }],
        fail: [
            {
                name: "an inline user policy",
                resources: () => single("aws:iam/userPolicy:UserPolicy", { user: "bob", policy: doc(allow("s3:GetObject", "arn:aws:s3:::b/*")) }),
                messages: ["UserPolicy attaches a policy directly to a user"],
            },
            { name: "a policy attachment listing users", resources: () => single(T.iamPolicyAttachment, { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess", users: ["bob"] }), messages: ['users is ["bob"]'] },
        ],
    },
    {
        policy: "iam-actions-exist",
        pass: [
            { name: "catalogued actions and wildcards that match some", resources: () => rolePolicy(allow(["logs:CreateLogStream", "logs:PutLogEvents", "s3:Get*", "ecr:BatchGetImage"], "*")) },
            { name: "trust policy with sts:AssumeRole", resources: () => single(T.iamRole, { assumeRolePolicy: TRUST }) },
            {
                name: "Lambda permission for lambda:InvokeFunction",
                resources: () => single(T.lambdaPermission, { function: "f", action: "lambda:InvokeFunction", principal: "sns.amazonaws.com", sourceArn: "arn:aws:sns:eu-west-1:1:t" }),
            },
        ],
        fail: [
            { name: "a misspelled action", resources: () => rolePolicy(allow(["s3:GetObjcet", "s3:PutObject"], "arn:aws:s3:::b/*")), messages: ['"s3:GetObjcet" matches no s3 action in the IAM catalog'] },
            {
                name: "an unknown service prefix and a wildcard matching nothing in a resource policy",
                resources: () => single(T.sqsQueuePolicy, { policy: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: ["sqss:SendMessage", "sqs:Frobnicate*"], Resource: "*" }) }),
                messages: ['no IAM service with the prefix "sqss"', '"sqs:Frobnicate*" matches no sqs action'],
            },
            {
                name: "an action without a service prefix in a trust policy",
                resources: () => single(T.iamRole, { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "AssumeRole" }) }),
                messages: ['"AssumeRole" is not of the form service:Action'],
            },
            { name: "malformed JSON", resources: () => single(T.iamRole, { assumeRolePolicy: "{" }), messages: ["assumeRolePolicy is not valid JSON"] },
            {
                name: "a misspelled Lambda permission action",
                resources: () => single(T.lambdaPermission, { function: "f", action: "lambda:InvokeFunctoin", principal: "sns.amazonaws.com" }),
                messages: ['action: "lambda:InvokeFunctoin" matches no lambda action'],
            },
        ],
    },
    {
        policy: "iam-trust-policy-not-public",
        pass: [{ name: "a service principal with aws:SourceAccount", resources: () => single(T.iamRole, { assumeRolePolicy: TRUST }) }],
        fail: [
            {
                name: 'Principal {AWS: "*"} without condition',
                resources: () => single(T.iamRole, { assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }),
                messages: ['assumeRolePolicy: statement #1 allows "sts:AssumeRole" to Principal "*"'],
            },
            {
                name: "a wildcard-valued condition does not restrict",
                resources: () => single(T.iamRole, { assumeRolePolicy: doc({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringLike: { "aws:PrincipalArn": "*" } } }) }),
                messages: ["no condition pinning the caller"],
            },
        ],
    },
    {
        policy: "iam-trust-web-identity-scoped",
        pass: [
            {
                name: "GitHub Actions trust naming the repository and branch",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc({
                            Effect: "Allow",
                            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/platform:*" } },
                        }),
                    }),
            },
            {
                name: "IRSA trust naming one service account, and one naming a namespace",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc(
                            {
                                Effect: "Allow",
                                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC` },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: { StringEquals: { "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:apps:api" } },
                            },
                            {
                                Effect: "Allow",
                                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC` },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: { StringLike: { "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:batch:*" } },
                            },
                        ),
                    }),
            },
            {
                name: "Cognito identity pool trust naming the pool; a service trust is not web identity",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc(
                            {
                                Effect: "Allow",
                                Principal: { Federated: "cognito-identity.amazonaws.com" },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "eu-west-1:0000-1111" } },
                            },
                            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
                        ),
                    }),
            },
        ],
        fail: [
            {
                name: "GitHub Actions trust with only the audience (any repository on GitHub)",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc({
                            Effect: "Allow",
                            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
                        }),
                    }),
                messages: ["lets token.actions.githubusercontent.com identities assume the role with no condition on token.actions.githubusercontent.com:sub"],
            },
            {
                name: "IRSA trust with every service account of every namespace, and a GitHub repo:* subject",
                resources: () =>
                    single(T.iamRole, {
                        assumeRolePolicy: doc(
                            {
                                Effect: "Allow",
                                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC` },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: { StringLike: { "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:*:*" } },
                            },
                            {
                                Effect: "Allow",
                                Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } },
                            },
                        ),
                    }),
                messages: ['conditions oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub on "system:serviceaccount:*:*", which matches every subject', 'conditions token.actions.githubusercontent.com:sub on "repo:*"'],
            },
            {
                name: "Cognito identity pool trust without the pool (any pool in any account)",
                resources: () => single(T.iamRole, { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" }) }),
                messages: ["no condition on cognito-identity.amazonaws.com:aud; expected the identity pool named"],
            },
        ],
    },
    {
        policy: "iam-no-privilege-escalation",
        pass: [
            { name: "PassRole on a named role", resources: () => rolePolicy(allow("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/app`)) },
            { name: "PassRole on any role, pinned to a service", resources: () => rolePolicy(allow("iam:PassRole", "*", { Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } })) },
        ],
        fail: [
            { name: "PassRole on every role", resources: () => rolePolicy(allow("iam:PassRole")), messages: ['allows iam:PassRole on Resource "*"'] },
            { name: "iam:Put* and iam:Attach* on every resource (wildcard spelling)", resources: () => rolePolicy(allow(["iam:Put*", "iam:Attach*"])), messages: [/iam:AttachUserPolicy.*iam:PutRolePolicy/] },
            { name: "sts:AssumeRole on anything, in a managed policy", resources: () => single("aws:iam/policy:Policy", { policy: doc(allow("sts:AssumeRole")) }), messages: ["sts:AssumeRole"] },
        ],
    },
    {
        policy: "resource-policy-not-public",
        pass: [
            {
                name: "secret readable by one role",
                resources: () =>
                    single("aws:secretsmanager/secretPolicy:SecretPolicy", {
                        secretArn: "s",
                        policy: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }),
                    }),
            },
            {
                name: "private REST API: allow everyone, deny all but the VPC endpoint",
                resources: () =>
                    single("aws:apigateway/restApiPolicy:RestApiPolicy", {
                        restApiId: "a",
                        policy: doc(
                            { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
                            { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } },
                        ),
                    }),
            },
            {
                name: "VPC endpoint policy with Principal * (not a resource policy in this sense)",
                resources: () => single(T.vpcEndpoint, { vpcId: "v", serviceName: "com.amazonaws.eu-west-1.s3", policy: doc({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }) }),
                notApplicable: true,
            },
        ],
        fail: [
            {
                name: "public secret (inline policy on the Secret)",
                resources: () => single("aws:secretsmanager/secret:Secret", { policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }) }),
                messages: ['policy: statement #1 allows "secretsmanager:GetSecretValue" to Principal "*"'],
            },
            {
                name: "public Kinesis stream resource policy",
                resources: () => single("aws:kinesis/resourcePolicy:ResourcePolicy", { resourceArn: "s", policy: doc({ Effect: "Allow", Principal: "*", Action: "kinesis:GetRecords", Resource: "*" }) }),
                messages: ["kinesis:GetRecords"],
            },
            {
                name: "DynamoDB resource policy, Principal * with a negated condition",
                resources: () =>
                    single("aws:dynamodb/resourcePolicy:ResourcePolicy", {
                        resourceArn: "t",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "dynamodb:GetItem", Resource: "*", Condition: { StringNotEquals: { "aws:SourceAccount": ACCOUNT } } }),
                    }),
                messages: ["dynamodb:GetItem"],
            },
            {
                name: "OpenSearch access policy open to any IP (0.0.0.0/0 condition)",
                resources: () =>
                    single("aws:opensearch/domainPolicy:DomainPolicy", {
                        domainName: "d",
                        accessPolicies: doc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "es:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }),
                    }),
                messages: ['accessPolicies: statement #1 allows "es:*"'],
            },
            {
                name: "CloudWatch Logs resource policy, wildcard-account source ARN",
                resources: () =>
                    single("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", {
                        policyName: "p",
                        policyDocument: doc({ Effect: "Allow", Principal: "*", Action: "logs:PutLogEvents", Resource: "*", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:*:*:rule/*" } } }),
                    }),
                messages: ["policyDocument: statement #1"],
            },
            {
                name: "Lambda whole resource policy, public",
                resources: () => single("aws:lambda/resourcePolicy:ResourcePolicy", { functionName: "f", policy: doc({ Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction", Resource: "*" }) }),
                messages: ["lambda:InvokeFunction"],
            },
            {
                name: "S3 access point policy, NotPrincipal",
                resources: () =>
                    single("aws:s3control/accessPointPolicy:AccessPointPolicy", {
                        accessPointArn: "a",
                        policy: doc({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:GetObject", Resource: "*" }),
                    }),
                messages: ["everyone outside NotPrincipal"],
            },
        ],
    },
    {
        policy: "iam-no-admin-managed-policies",
        pass: [{ name: "a read-only managed policy", resources: () => single("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }) }],
        fail: [
            {
                name: "AdministratorAccess attached to a role",
                resources: () => single("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
                messages: ["policyArn includes the AWS managed policy AdministratorAccess"],
            },
            {
                name: "form: managedPolicyArns on the role (GovCloud partition)",
                resources: () => single(T.iamRole, { assumeRolePolicy: TRUST, managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/IAMFullAccess"] }),
                messages: ["managedPolicyArns includes the AWS managed policy IAMFullAccess"],
            },
            {
                name: "form: exclusive attachments of a group",
                resources: () => single("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", { groupName: "g", policyArns: ["arn:aws:iam::aws:policy/AWSCloudShellFullAccess"] }),
                messages: ["AWSCloudShellFullAccess"],
            },
        ],
    },
];
