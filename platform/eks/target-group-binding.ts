import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AppConfig, type IngressConfig, sharedListenerPort } from "../config";
import { NAME_LIMITS, nameWithin } from "../naming";
import type { SharedLoadBalancer } from "../shared-load-balancer";

/** The AWS Load Balancer Controller's TargetGroupBinding CRD (chart 1.x, `elbv2.k8s.aws/v1beta1`). https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/ */
export const TARGET_GROUP_BINDING_API = "elbv2.k8s.aws/v1beta1";

/**
 * The controller's IAM policy (lbc-policy.ts) registers targets only in target groups tagged
 * `elbv2.k8s.aws/cluster`: the target group the platform creates for a binding carries it.
 */
export const CONTROLLER_TAG = "elbv2.k8s.aws/cluster";

export interface SharedRouteArgs {
    app: string;
    spec: AppConfig;
    ingress: IngressConfig;
    vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: the load balancer may reach pods (node or pod ENIs) in it on the app's port. */
    vpcCidr: string;
    clusterName: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    /** The app's Service (port 80, named http) the controller resolves to pod IPs. */
    serviceName: pulumi.Input<string>;
    labels: Record<string, string>;
    shared: SharedLoadBalancer;
    /** The controller must be running before the binding is created (its CRD and webhook). */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * An EKS app on the stack's shared load balancer instead of an Ingress of its own: an IP target
 * group (tagged for the controller), a listener on the app's EKS port (or a host rule), and a
 * TargetGroupBinding that makes the AWS Load Balancer Controller register the Service's pods in it
 * and open the pods' security group to the load balancer's.
 */
export function sharedLoadBalancerRoute(name: string, args: SharedRouteArgs, parent: pulumi.Resource, k8sOpts: pulumi.CustomResourceOptions): { targetGroup: aws.lb.TargetGroup; url: pulumi.Output<string> } {
    const { spec, shared } = args;
    const targetGroup = new aws.lb.TargetGroup(
        `${name}-shared`,
        {
            name: nameWithin(`${name}-shared`, NAME_LIMITS.targetGroup),
            vpcId: args.vpcId,
            targetType: "ip",
            protocol: "HTTP",
            port: spec.port,
            deregistrationDelay: args.ingress.deregistrationDelaySeconds,
            healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: spec.healthCheck.readinessPath, matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
            tags: { [CONTROLLER_TAG]: args.clusterName },
        },
        { parent },
    );
    let url: pulumi.Output<string>;
    if (spec.host !== undefined) {
        shared.hostRule(`${name}-eks`, spec.host, targetGroup);
        url = pulumi.output(`${shared.protocol}://${spec.host}`);
    } else {
        const port = sharedListenerPort(args.app, "eks", spec.listenerPort);
        shared.portListener(`${name}-eks`, port, targetGroup);
        url = shared.url(port);
    }
    // Pods' addresses are the VPC's (node or pod ENIs); the binding opens their security group to the load balancer's.
    shared.reachCidr(`${name}-eks`, args.vpcCidr, spec.port);
    new k8s.apiextensions.CustomResource(
        `${name}-shared`,
        {
            apiVersion: TARGET_GROUP_BINDING_API,
            kind: "TargetGroupBinding",
            metadata: { name: args.app, namespace: args.namespace, labels: args.labels },
            spec: {
                serviceRef: { name: args.serviceName, port: 80 },
                targetGroupARN: targetGroup.arn,
                targetType: "ip",
                networking: { ingress: [{ from: [{ securityGroup: { groupID: shared.securityGroup.id } }], ports: [{ protocol: "TCP", port: spec.port }] }] },
            },
        },
        { ...k8sOpts, dependsOn: args.dependsOn },
    );
    return { targetGroup, url };
}
