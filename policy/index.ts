/**
 * The CrossGuard entry point: `pulumi preview --policy-pack policy`. Constructing a PolicyPack
 * starts the analyzer's gRPC server, so nothing else may import this file; tests and the offline
 * gate use policy/harness.ts with the same policy list.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./policies";

new PolicyPack("aws-platform", {
    policies: ALL_POLICIES,
    description: "Security (AWS FSBP, CIS EKS, Pod Security Standards restricted, IAM hygiene) and reliability/no-data-loss rules for the AWS platform.",
    provider: "aws",
    tags: ["aws", "eks", "kubernetes", "fsbp", "cis", "pss", "reliability"],
});
