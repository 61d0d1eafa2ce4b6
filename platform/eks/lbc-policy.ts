import * as pulumi from "@pulumi/pulumi";
import type { Grant } from "../grants";

/**
 * The AWS Load Balancer Controller's permissions, from the upstream iam_policy.json (v3.5.0),
 * narrowed: resources are this account's and region's; load balancers, target groups and security
 * groups are changed, deleted, re-tagged or given targets only when the controller tagged them
 * `elbv2.k8s.aws/cluster` on creation (it must tag what it creates); security-group ingress rules
 * only in this VPC (the nodes' group is EKS's, not tagged by the controller); the WAF, Shield and
 * Cognito statements are left out (their features are off in the values). Listener and rule
 * changes stay unconditioned, as upstream: listeners made by older controller versions carry no
 * cluster tag, and a condition would strand them. Read-only Describe calls have no resource-level
 * permissions in IAM and stay on "*".
 */
export function loadBalancerControllerGrants(region: string, accountId: pulumi.Input<string>, vpcId: pulumi.Input<string>): Grant[] {
    const ec2 = (resource: string) => pulumi.interpolate`arn:aws:ec2:${region}:${accountId}:${resource}`;
    const elb = (resource: string) => pulumi.interpolate`arn:aws:elasticloadbalancing:${region}:${accountId}:${resource}`;
    const securityGroups = ec2("security-group/*");
    const vpcArn = pulumi.interpolate`arn:aws:ec2:${region}:${accountId}:vpc/${vpcId}`;
    const balancers = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*")];
    const targetGroups = elb("targetgroup/*/*");
    const listeners = [elb("listener/app/*/*/*"), elb("listener/net/*/*/*"), elb("listener-rule/app/*/*/*"), elb("listener-rule/net/*/*/*")];
    const tagged = { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } };
    const taggedOnCreate = { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } };
    return [
        {
            sid: "CreateElbServiceLinkedRole",
            actions: ["iam:CreateServiceLinkedRole"],
            resources: [pulumi.interpolate`arn:aws:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`],
            conditions: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            sid: "DescribeNetworkAndLoadBalancers",
            actions: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeRouteTables",
                "ec2:DescribeIpamPools",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeCapacityReservation",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
            ],
            resources: ["*"],
            conditions: { StringEquals: { "aws:RequestedRegion": region } },
        },
        // The controller opens the nodes' and pods' security group (EKS's, untagged) to the load balancer's own
        // group: any group, but only in this cluster's VPC.
        {
            sid: "OpenBackendSecurityGroups",
            actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            resources: [securityGroups],
            conditions: { ArnEquals: { "ec2:Vpc": vpcArn } },
        },
        { sid: "CreateSecurityGroupsInVpc", actions: ["ec2:CreateSecurityGroup"], resources: [securityGroups, vpcArn] },
        {
            sid: "TagSecurityGroupsOnCreate",
            actions: ["ec2:CreateTags"],
            resources: [securityGroups],
            conditions: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...taggedOnCreate },
        },
        {
            sid: "RetagOwnSecurityGroups",
            actions: ["ec2:CreateTags", "ec2:DeleteTags"],
            resources: [securityGroups],
            conditions: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
        },
        { sid: "DeleteOwnSecurityGroups", actions: ["ec2:DeleteSecurityGroup"], resources: [securityGroups], conditions: tagged },
        { sid: "CreateTaggedLoadBalancers", actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"], resources: [...balancers, targetGroups], conditions: taggedOnCreate },
        {
            sid: "ManageListenersAndRules",
            actions: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            resources: [...balancers, ...listeners],
        },
        {
            sid: "RetagOwnLoadBalancers",
            actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            resources: [...balancers, targetGroups],
            conditions: { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
        },
        { sid: "TagListenersAndRules", actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], resources: listeners },
        {
            sid: "TagLoadBalancersOnCreate",
            actions: ["elasticloadbalancing:AddTags"],
            resources: [...balancers, targetGroups],
            conditions: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] }, ...taggedOnCreate },
        },
        {
            sid: "ModifyOwnLoadBalancers",
            actions: [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            resources: [...balancers, targetGroups, ...listeners.slice(0, 2)],
            conditions: tagged,
        },
        // Only target groups it created (CreateTaggedLoadBalancers requires the tag on every one).
        { sid: "RegisterPodTargets", actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], resources: [targetGroups], conditions: tagged },
    ];
}
