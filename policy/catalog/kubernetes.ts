import { CatalogCheck, check, implementedBy } from "./types";

/**
 * The CIS Amazon EKS Benchmark (v1.7.0) recommendations and the Kubernetes Pod Security
 * Standards controls. Sources: https://docs.aws.amazon.com/eks/latest/userguide/cis.html (the
 * benchmark is distributed by CIS) and https://kubernetes.io/docs/concepts/security/pod-security-standards/.
 * Control plane (section 1) and node configuration (section 3) are EKS's side of the shared
 * responsibility model and cannot be set by a program.
 */
const cis = check("CIS EKS");
const pss = check("PSS");
const NODE = "Kubelet and node file configuration (section 3) comes from the EKS-optimized AMI or Bottlerocket; a program does not declare it.";

export const CIS_EKS_CHECKS: CatalogCheck[] = [
    cis("2.1.1", "Enable audit logs"),
    cis("3.1.1", "Ensure that the kubeconfig file permissions are set to 644 or more restrictive", NODE),
    cis("3.2.1", "Ensure that the Anonymous Auth is Not Enabled", NODE),
    cis("3.2.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow", NODE),
    cis("4.1.1", "Ensure that the cluster-admin role is only used where required"),
    cis("4.1.2", "Minimize access to secrets"),
    cis("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    cis("4.1.4", "Minimize access to create pods"),
    cis("4.1.5", "Ensure that default service accounts are not actively used"),
    cis("4.1.6", "Ensure that Service Account Tokens are only mounted where necessary"),
    implementedBy("CIS EKS", "eks-access-entries")("4.1.7", "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters"),
    cis("4.1.8", "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster"),
    cis("4.2.1", "Minimize the admission of privileged containers"),
    cis("4.2.2", "Minimize the admission of containers wishing to share the host process ID namespace"),
    cis("4.2.3", "Minimize the admission of containers wishing to share the host IPC namespace"),
    cis("4.2.4", "Minimize the admission of containers wishing to share the host network namespace"),
    cis("4.2.5", "Minimize the admission of containers with allowPrivilegeEscalation"),
    cis("4.2.6", "Minimize the admission of root containers"),
    cis("4.2.7", "Minimize the admission of containers with the NET_RAW capability"),
    cis("4.2.8", "Minimize the admission of containers with added capabilities"),
    cis("4.2.9", "Minimize the admission of containers with capabilities assigned"),
    cis("4.3.1", "Ensure CNI plugin supports network policies", "The VPC CNI add-on enforces network policies when its network policy agent is on; add-on configuration and version are EKS-managed."),
    cis("4.3.2", "Ensure that all Namespaces have Network Policies defined"),
    cis(
        "4.4.1",
        "Prefer using secrets as files over secrets as environment variables",
        "The platform passes Secrets Manager values to pods as env from Kubernetes Secrets by design; no-plaintext-secrets forbids literal values, the exposure that matters at deploy time.",
    ),
    implementedBy("CIS EKS", "no-plaintext-secrets")("4.4.2", "Consider external secret storage"),
    cis("4.5.1", "Create administrative boundaries between resources using namespaces", "A design review item (manual in the benchmark); k8s-no-default-namespace enforces the part a gate can check."),
    implementedBy("CIS EKS", "k8s-no-default-namespace")("4.5.2", "The default namespace should not be used"),
    implementedBy("CIS EKS", "ecr-image-scanning")("5.1.1", "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider"),
    cis("5.1.2", "Minimize user access to Amazon ECR", "Human access to ECR is granted outside the program (identity center); workload roles are generated from declared grants and checked by the IAM policies."),
    cis("5.1.3", "Minimize cluster access to read-only for Amazon ECR"),
    cis("5.1.4", "Minimize Container Registries to only those approved"),
    cis("5.2.1", "Prefer using dedicated EKS Service Accounts"),
    cis("5.3.1", "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS"),
    cis("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    cis("5.4.2", "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled"),
    cis("5.4.3", "Ensure clusters are created with Private Nodes"),
    implementedBy("CIS EKS", "k8s-namespace-network-policy")("5.4.4", "Ensure Network Policy is Enabled and set as appropriate"),
    implementedBy("CIS EKS", "elb-listeners-use-tls", "elb-tls-policy")("5.4.5", "Encrypt traffic to HTTPS load balancers with TLS certificates"),
    implementedBy("CIS EKS", "eks-access-entries")("5.5.1", "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater"),
];

export const PSS_CHECKS: CatalogCheck[] = [
    ...["HostProcess", "Host Namespaces", "Privileged Containers", "Capabilities", "HostPath Volumes", "Host Ports", "AppArmor", "SELinux", "/proc Mount Type", "Seccomp", "Sysctls"].map((control) =>
        pss(`baseline: ${control}`, `Baseline: ${control}`),
    ),
    ...["Volume Types", "Privilege Escalation", "Running as Non-root", "Running as Non-root user", "Seccomp", "Capabilities"].map((control) => pss(`restricted: ${control}`, `Restricted: ${control}`)),
];
