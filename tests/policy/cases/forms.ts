import { T } from "../../../policy/lib/types";
import { ACCOUNT, doc, single, stack } from "../fixtures";
import type { PolicyCase, ViolatingCase } from "../runner";

/**
 * The same defect written another way: separate resources instead of inline blocks, other
 * spellings of the same value (CIDRs, ports, principals, booleans), conditions that only look
 * restrictive, other containers of a pod. Each is added to its policy's table (cases/index.ts),
 * so the policy is tested on every form, next to its canonical cases.
 */
export const FORM_CASES: Record<string, { pass?: PolicyCase[]; fail?: ViolatingCase[] }> = {
    "ec2-no-high-risk-ports-open": {
        fail: [
            {
                name: "form: SSH with the port as a string and the protocol as a number",
                resources: () => single(T.securityGroupRule, { type: "ingress", protocol: "6", fromPort: "22", toPort: "22", cidrBlocks: ["0.0.0.0/0"] }),
                messages: ["including high-risk port 22"],
            },
            {
                name: "form: SSH to IPv6 spelled ::0/0",
                resources: () => single(T.securityGroup, { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::0/0"] }] }),
                messages: ["including high-risk port 22"],
            },
        ],
    },
    "ec2-no-unrestricted-ingress": {
        pass: [
            {
                name: "form: short private and unique-local prefixes are not the internet (10.0.0.0/8, fc00::/7)",
                resources: () => single(T.securityGroup, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"], ipv6CidrBlocks: ["fc00::/7"] }] }),
            },
        ],
        fail: [
            {
                name: "form: the internet as two halves (0.0.0.0/1 and 128.0.0.0/1)",
                resources: () => single(T.securityGroup, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }] }),
                messages: ["ingress[0] admits all traffic from 0.0.0.0/1 and 128.0.0.0/1"],
            },
            {
                name: "form: every global IPv6 unicast address (2000::/3)",
                resources: () => single(T.securityGroupIngressRule, { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 8443, toPort: 8443, cidrIpv6: "2000::/3" }),
                messages: [/tcp port 8443 from 2000::\/3/],
            },
            {
                name: "form: all traffic to 0::/0 through a vpc ingress rule",
                resources: () => single(T.securityGroupIngressRule, { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "0::/0" }),
                messages: [/all traffic/],
            },
        ],
    },
    "ec2-launch-template-no-public-ip": {
        pass: [{ name: "form: node classes that keep nodes private", resources: () => single(T.autoModeNodeClass, { metadata: { name: "private" }, spec: { advancedNetworking: { associatePublicIPAddress: false } } }) }],
        fail: [
            {
                name: "form: a Karpenter node class giving nodes public IPs",
                resources: () => single(T.karpenterNodeClass, { metadata: { name: "default" }, spec: { associatePublicIPAddress: true } }),
                messages: ["spec.associatePublicIPAddress is true; expected false"],
            },
            {
                name: "form: an EKS Auto Mode node class giving nodes public IPs",
                resources: () => single(T.autoModeNodeClass, { metadata: { name: "public" }, spec: { advancedNetworking: { associatePublicIPAddress: true } } }),
                messages: ["spec.advancedNetworking.associatePublicIPAddress is true; expected false"],
            },
            {
                name: "form: a launch configuration",
                resources: () => single(T.launchConfiguration, { imageId: "ami-1", instanceType: "t3.micro", associatePublicIpAddress: true }),
                messages: ["associatePublicIpAddress is true; expected false"],
            },
            {
                name: "form: an instance instead of a launch template",
                resources: () => single(T.instance, { ami: "ami-1", instanceType: "t3.micro", associatePublicIpAddress: true }),
                messages: ["associatePublicIpAddress is true; expected false"],
            },
        ],
    },
    "sqs-queue-policy-not-public": {
        pass: [
            {
                name: "form: Principal * pinned by ArnEquals on the topic ARN",
                resources: () =>
                    single(T.sqsQueuePolicy, {
                        queueUrl: "u",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:events` } } }),
                    }),
            },
        ],
        fail: [
            {
                name: "form: inline queue policy with a wildcard-account principal ARN",
                resources: () => single(T.sqsQueue, { sqsManagedSseEnabled: true, policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "sqs:SendMessage", Resource: "*" }) }),
                messages: ["to Principal"],
            },
            {
                name: "form: condition with a negated operator (everyone but one account)",
                resources: () =>
                    single(T.sqsQueuePolicy, {
                        queueUrl: "u",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { StringNotEquals: { "aws:SourceAccount": ACCOUNT } } }),
                    }),
                messages: ['allows "sqs:SendMessage" to Principal "*"'],
            },
            {
                name: "form: ...IfExists condition",
                resources: () =>
                    single(T.sqsQueuePolicy, {
                        queueUrl: "u",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { ArnEqualsIfExists: { "aws:SourceArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:events` } } }),
                    }),
                messages: ['allows "sqs:SendMessage" to Principal "*"'],
            },
            {
                name: "form: ArnLike with a wildcard account",
                resources: () =>
                    single(T.sqsQueuePolicy, {
                        queueUrl: "u",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:events" } } }),
                    }),
                messages: ['allows "sqs:SendMessage" to Principal "*"'],
            },
            {
                name: "form: ForAllValues (true when the key is absent)",
                resources: () =>
                    single(T.sqsQueue, {
                        policy: doc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sqs:*", Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abcdefghij" } } }),
                    }),
                messages: ['allows "sqs:*" to Principal "*"'],
            },
        ],
    },
    "sns-topic-policy-not-public": {
        fail: [
            {
                name: 'form: inline Topic policy with AWS: ["*"]',
                resources: () => single(T.snsTopic, { policy: doc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sns:Subscribe", Resource: "*" }) }),
                messages: ['allows "sns:Subscribe" to Principal "*"'],
            },
        ],
    },
    "s3-bucket-not-public": {
        pass: [
            {
                name: "form: Principal * allowed, everything denied outside one VPC endpoint",
                resources: () =>
                    single(T.s3BucketPolicy, {
                        bucket: "data",
                        policy: doc(
                            { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
                            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::data", "arn:aws:s3:::data/*"], Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } },
                        ),
                    }),
            },
        ],
        fail: [
            {
                name: "form: an object the program writes with a public-read ACL",
                resources: () => single("aws:s3/bucketObjectv2:BucketObjectv2", { bucket: "site", key: "index.html", content: "<html/>", acl: "public-read" }),
                messages: ['acl is "public-read", which makes the object readable by anyone'],
            },
            {
                name: "form: IP condition that admits every address",
                resources: () =>
                    single(T.s3BucketPolicy, {
                        bucket: "data",
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*", Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/0"] } } }),
                    }),
                messages: ['allows "s3:GetObject" to Principal "*"'],
            },
            {
                name: "form: a Deny guard that covers other actions only",
                resources: () =>
                    single(T.s3BucketPolicy, {
                        bucket: "data",
                        policy: doc(
                            { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" },
                            { Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::data/*", Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } } },
                        ),
                    }),
                messages: ['allows "s3:GetObject" to Principal "*"'],
            },
        ],
    },
    "kms-key-policy-not-public": {
        fail: [
            {
                name: "form: a replica key",
                resources: () => single("aws:kms/replicaKey:ReplicaKey", { primaryKeyArn: "k", policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }) }),
                messages: ['allows "kms:Decrypt"'],
            },
        ],
    },
    "lambda-function-not-public": {
        pass: [
            {
                name: "form: API Gateway permission scoped to one account's API",
                resources: () =>
                    single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", sourceArn: `arn:aws:execute-api:eu-west-1:${ACCOUNT}:abc123/*/*` }),
            },
        ],
        fail: [
            {
                name: "form: principal * with a truncated wildcard source ARN (arn:aws:execute-api:*)",
                resources: () => single(T.lambdaPermission, { function: "f", action: "lambda:InvokeFunction", principal: "*", sourceArn: "arn:aws:execute-api:*" }),
                messages: ['principal is "*" with no sourceArn, sourceAccount or principalOrgId'],
            },
            {
                name: "form: a permission granting lambda:* to a scoped service principal",
                resources: () => single(T.lambdaPermission, { function: "f", action: "lambda:*", principal: "events.amazonaws.com", sourceArn: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/nightly` }),
                messages: ['action is "lambda:*", which grants every Lambda action on the function'],
            },
            {
                name: "form: sourceArn with a wildcard account",
                resources: () => single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:*:*:*" }),
                messages: ["principal is the service apigateway.amazonaws.com without sourceArn or sourceAccount"],
            },
            {
                name: 'form: principal "*" with sourceAccount "*"',
                resources: () => single(T.lambdaPermission, { function: "worker", action: "lambda:InvokeFunction", principal: "*", sourceAccount: "*" }),
                messages: ['principal is "*" with no sourceArn'],
            },
        ],
    },
    "ecs-service-no-public-ip": {
        fail: [
            {
                name: "form: an ECS task set",
                resources: () => single("aws:ecs/taskSet:TaskSet", { service: "s", cluster: "c", taskDefinition: "t", networkConfiguration: { subnets: ["a"], assignPublicIp: true } }),
                messages: ["networkConfiguration.assignPublicIp is true"],
            },
        ],
    },
    "k8s-no-privileged-containers": {
        fail: [
            {
                name: "form: an ephemeral debug container",
                resources: () =>
                    single("kubernetes:core/v1:Pod", {
                        metadata: { name: "p", namespace: "apps" },
                        spec: { containers: [{ name: "web", image: "i" }], ephemeralContainers: [{ name: "debug", image: "busybox", securityContext: { privileged: true } }] },
                    }),
                messages: ["spec.ephemeralContainers[0] (debug): securityContext.privileged is true"],
            },
        ],
    },
    "ecr-repository-policy-not-public": {
        fail: [
            {
                name: "form: a principal ARN with a wildcard account (arn:aws:iam::*:root)",
                resources: () => single(T.ecrRepositoryPolicy, { repository: "web", policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: ["ecr:BatchGetImage"] }) }),
                messages: ["to Principal"],
            },
        ],
    },
    "ecs-no-privileged-containers": {
        pass: [
            {
                name: "form: a sidecar adding a capability of Docker's default set (CAP_ prefix, lower case)",
                resources: () =>
                    single(T.ecsTaskDefinition, {
                        family: "web",
                        containerDefinitions: JSON.stringify([
                            { name: "web", image: "i" },
                            { name: "proxy", image: "p", linuxParameters: { capabilities: { add: ["cap_net_bind_service"], drop: ["ALL"] } } },
                        ]),
                    }),
            },
        ],
        fail: [
            {
                name: "form: a sidecar adding SYS_ADMIN through linuxParameters",
                resources: () =>
                    single(T.ecsTaskDefinition, {
                        family: "web",
                        containerDefinitions: JSON.stringify([
                            { name: "web", image: "i" },
                            { name: "agent", image: "a", linuxParameters: { capabilities: { add: ["SYS_ADMIN", "NET_RAW"] } } },
                        ]),
                    }),
                messages: ["containerDefinitions[1] (agent): linuxParameters.capabilities.add includes SYS_ADMIN; expected only capabilities of Docker's default set"],
            },
            {
                name: "form: an awsx task definition container adding CAP_SYS_PTRACE",
                resources: () => single(T.awsxFargateTaskDefinition, { container: { name: "web", image: "i", linuxParameters: { capabilities: { add: ["CAP_SYS_PTRACE"] } } } }),
                messages: ["container: linuxParameters.capabilities.add includes SYS_PTRACE"],
            },
        ],
    },
    "apigateway-routes-authorized": {
        fail: [
            {
                name: "form: HTTP API quick create (target on the Api makes an unauthorized $default route)",
                resources: () => single(T.httpApi, { protocolType: "HTTP", target: "arn:aws:lambda:eu-west-1:123456789012:function:web" }),
                messages: ['target is set, so API Gateway quick-creates a "$default" route with no authorization'],
            },
        ],
    },
    "apigateway-access-logging": {
        pass: [{ name: "form: an HTTP API without quick create (its stages are checked)", resources: () => single(T.httpApi, { protocolType: "HTTP" }) }],
        fail: [
            {
                name: "form: HTTP API quick create (its $default stage has no access logs)",
                resources: () => single(T.httpApi, { protocolType: "HTTP", target: "arn:aws:lambda:eu-west-1:123456789012:function:web" }),
                messages: ['quick-creates a "$default" stage without access logs'],
            },
        ],
    },
    "ec2-ebs-encryption": {
        pass: [
            { name: "form: a launch configuration with an encrypted root volume", resources: () => single(T.launchConfiguration, { imageId: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: true } }) },
        ],
        fail: [
            {
                name: "form: a Karpenter node class with an unencrypted block device mapping",
                resources: () => single(T.karpenterNodeClass, { metadata: { name: "default" }, spec: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", volumeType: "gp3" } }] } }),
                messages: ["spec.blockDeviceMappings[0].ebs.encrypted is not set"],
            },
            {
                name: "form: a launch configuration (the older template type) with an unencrypted data volume",
                resources: () => single(T.launchConfiguration, { imageId: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdb", encrypted: false }] }),
                messages: ["ebsBlockDevices[0].encrypted is false; expected true"],
            },
        ],
    },
    "ec2-imdsv2-required": {
        pass: [
            {
                name: "form: a Karpenter node class like the platform's (IMDSv2 required, hop limit 1)",
                resources: () =>
                    single(T.karpenterNodeClass, {
                        metadata: { name: "default" },
                        spec: { amiSelectorTerms: [{ alias: "al2023@latest" }], metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } },
                    }),
            },
            {
                name: "form: a Karpenter node class leaving metadataOptions to Karpenter's default (required)",
                resources: () => single(T.karpenterNodeClass, { metadata: { name: "default" }, spec: { amiSelectorTerms: [{ alias: "al2023@latest" }] } }),
            },
        ],
        fail: [
            {
                name: "form: a Karpenter node class allowing IMDSv1",
                resources: () => single(T.karpenterNodeClass, { metadata: { name: "default" }, spec: { amiSelectorTerms: [{ alias: "al2023@latest" }], metadataOptions: { httpTokens: "optional" } } }),
                messages: ['spec.metadataOptions.httpTokens is "optional" (IMDSv1 allowed); expected "required"'],
            },
            {
                name: "form: a launch configuration allowing IMDSv1",
                resources: () => single(T.launchConfiguration, { imageId: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "optional" } }),
                messages: ['metadataOptions.httpTokens is "optional" (IMDSv1 allowed); expected "required"'],
            },
        ],
    },
    "iam-no-privilege-escalation": {
        fail: [
            {
                name: "form: lambda:UpdateFunctionCode on every function (runs code as any function's role)",
                resources: () => single("aws:iam/rolePolicy:RolePolicy", { role: "ci", policy: doc({ Effect: "Allow", Action: ["lambda:UpdateFunctionCode", "lambda:GetFunction"], Resource: "*" }) }),
                messages: ["lambda:UpdateFunctionCode"],
            },
        ],
    },
    "k8s-rbac-no-escalation": {
        pass: [
            {
                name: 'form: "pods/*" is not a wildcard to RBAC (it names a subresource called "*")',
                resources: () => single(T.k8sRole, { metadata: { name: "odd", namespace: "apps" }, rules: [{ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }] }),
            },
        ],
        fail: [
            {
                name: "form: the subresource wildcard */exec (every resource's exec)",
                resources: () => single(T.k8sClusterRole, { metadata: { name: "debug" }, rules: [{ apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }] }),
                messages: ["rules[0] executes commands in pods"],
            },
            {
                name: "form: attach and port-forward, the exec-like subresources",
                resources: () =>
                    single(T.k8sRole, {
                        metadata: { name: "debug", namespace: "apps" },
                        rules: [
                            { apiGroups: [""], resources: ["pods/attach"], verbs: ["create"] },
                            { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
                        ],
                    }),
                messages: ["rules[0] attaches to running containers", "rules[1] forwards ports into pods"],
            },
        ],
    },
    "k8s-no-cluster-admin-binding": {
        pass: [
            {
                name: "form: a namespaced binding of a narrow role to a dedicated service account",
                resources: () =>
                    single(T.k8sRoleBinding, {
                        metadata: { name: "api", namespace: "apps" },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "config-reader" },
                        subjects: [{ kind: "ServiceAccount", name: "api", namespace: "apps" }],
                    }),
            },
        ],
        fail: [
            {
                name: "form: a role bound to every authenticated caller",
                resources: () =>
                    single(T.k8sClusterRoleBinding, {
                        metadata: { name: "readers" },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                        subjects: [{ kind: "Group", name: "system:authenticated" }],
                    }),
                messages: ['subjects[0] is "system:authenticated", which every caller belongs to'],
            },
            {
                name: "form: a role bound to the namespace's default service account",
                resources: () =>
                    single(T.k8sRoleBinding, {
                        metadata: { name: "reader", namespace: "apps" },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "config-reader" },
                        subjects: [{ kind: "ServiceAccount", name: "default", namespace: "apps" }],
                    }),
                messages: ['subjects[0] is the service account "default"'],
            },
        ],
    },
    "resource-policy-not-public": {
        fail: [
            {
                name: "form: the rest of the provider's resource-policy types (policy, resourcePolicy and policyDocument properties)",
                resources: () =>
                    stack((s) => {
                        const open = doc({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" });
                        s.add("aws:ecrpublic/repositoryPolicy:RepositoryPolicy", "ecr-public", { repositoryName: "r", policy: open });
                        s.add("aws:s3tables/tableBucketPolicy:TableBucketPolicy", "tables", { tableBucketArn: "t", resourcePolicy: open });
                        s.add("aws:xray/resourcePolicy:ResourcePolicy", "xray", { policyName: "x", policyDocument: open });
                        s.add("aws:vpclattice/authPolicy:AuthPolicy", "lattice", { resourceIdentifier: "svc", policy: open });
                    }),
                messages: [/^policy: statement #1 allows "\*" to Principal "\*"/, /^resourcePolicy: statement #1/, /^policyDocument: statement #1/, /^policy: statement #1 allows "\*" to Principal "\*"/],
            },
        ],
    },
    "k8s-namespace-network-policy": {
        fail: [
            {
                name: "form: a policy named default-deny whose empty ingress rule admits every source",
                resources: () =>
                    stack((s) => {
                        s.add(T.k8sNamespace, "apps", { metadata: { name: "apps" } });
                        s.add(T.k8sNetworkPolicy, "np", { metadata: { name: "default-deny", namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] } });
                    }),
                messages: ["namespace apps has no NetworkPolicy that restricts ingress"],
            },
        ],
    },
};
