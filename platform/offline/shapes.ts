import { createHash } from "node:crypto";
import type { ShapeContext } from "./mock-cloud";

/**
 * What AWS would answer for each resource type: its ID and the computed outputs the program
 * reads (ARNs, names, URLs). Inputs are echoed back by the mock cloud, so a shape only adds what
 * the cloud computes. Types without a shape get a physical name as ID and a plausible ARN.
 */
export interface Shaped {
    id: string;
    state: Record<string, unknown>;
}

type Shape = (c: ShapeContext) => Shaped;

/** Pulumi's auto-naming: the logical name plus a random suffix (deterministic here). */
export function physicalName(c: ShapeContext): string {
    if (typeof c.inputs.name === "string") return c.inputs.name;
    if (typeof c.inputs.namePrefix === "string") return `${c.inputs.namePrefix}${c.hash.slice(0, 26)}`;
    return `${c.name}-${c.hash.slice(0, 7)}`;
}

export function arn(c: ShapeContext, service: string, resource: string, options: { global?: boolean } = {}): string {
    return `arn:aws:${service}:${options.global ? "" : c.region}:${c.accountId}:${resource}`;
}

function ec2Id(c: ShapeContext, prefix: string): string {
    return `${prefix}-${c.hash.slice(0, 17)}`;
}

function uuid(c: ShapeContext): string {
    const h = c.hash;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function ec2Resource(prefix: string, arnType: string): Shape {
    return (c) => {
        const id = ec2Id(c, prefix);
        return { id, state: { id, arn: arn(c, "ec2", `${arnType}/${id}`), ownerId: c.accountId } };
    };
}

/** The 16 hex digits ELB ends load balancer, target group and listener ARNs with. */
function elbId(c: ShapeContext): string {
    return c.hash.slice(0, 16);
}

/** The Route 53 zone of ALB DNS names, per Region (for alias records). */
const ALB_ZONE_IDS: Record<string, string> = { "eu-west-1": "Z32O12XQLNTSW2", "us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5", "ap-southeast-2": "Z1GM3OXH4ZPM65" };

/** S3 bucket settings resources are identified by their bucket. */
const bucketSetting: Shape = (c) => ({ id: String(c.inputs.bucket), state: {} });

const securityGroupRule: Shape = (c) => {
    const id = ec2Id(c, "sgr");
    return { id, state: { securityGroupRuleId: id, arn: arn(c, "ec2", `security-group-rule/${id}`) } };
};

const SHAPES: Record<string, Shape> = {
    "aws:kms/key:Key": (c) => {
        const id = uuid(c);
        return { id, state: { keyId: id, arn: arn(c, "kms", `key/${id}`) } };
    },
    "aws:kms/alias:Alias": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "kms", name), targetKeyArn: arn(c, "kms", `key/${String(c.inputs.targetKeyId ?? "")}`) } };
    },
    "aws:cloudwatch/logGroup:LogGroup": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
    },
    "aws:iam/role:Role": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "iam", `role${String(c.inputs.path ?? "/")}${name}`, { global: true }), uniqueId: `AROA${c.hash.slice(0, 17).toUpperCase()}` } };
    },
    "aws:iam/policy:Policy": (c) => {
        const name = physicalName(c);
        const policyArn = arn(c, "iam", `policy${String(c.inputs.path ?? "/")}${name}`, { global: true });
        return { id: policyArn, state: { name, arn: policyArn, policyId: `ANPA${c.hash.slice(0, 17).toUpperCase()}` } };
    },
    "aws:iam/rolePolicy:RolePolicy": (c) => {
        const name = physicalName(c);
        return { id: `${String(c.inputs.role)}:${name}`, state: { name } };
    },
    "aws:ec2/securityGroup:SecurityGroup": (c) => {
        const shaped = ec2Resource("sg", "security-group")(c);
        return { id: shaped.id, state: { ...shaped.state, name: physicalName(c) } };
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => {
        const shaped = ec2Resource("sg", "security-group")(c);
        return { id: shaped.id, state: { ...shaped.state, name: "default" } };
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
        const shaped = ec2Resource("vpce", "vpc-endpoint")(c);
        const gateway = c.inputs.vpcEndpointType === "Gateway";
        return { id: shaped.id, state: { ...shaped.state, state: "available", prefixListId: gateway ? ec2Id(c, "pl").slice(0, 11) : undefined, dnsEntries: [] } };
    },
    "aws:ec2/flowLog:FlowLog": ec2Resource("fl", "vpc-flow-log"),
    "aws:ec2/instance:Instance": (c) => {
        const shaped = ec2Resource("i", "instance")(c);
        const eni = ec2Id({ ...c, hash: hashOf(`${c.hash}eni`) }, "eni");
        return { id: shaped.id, state: { ...shaped.state, primaryNetworkInterfaceId: eni, instanceState: "running", privateIp: "10.0.0.10" } };
    },
    "aws:ec2/subnet:Subnet": ec2Resource("subnet", "subnet"),
    "aws:ec2/routeTable:RouteTable": ec2Resource("rtb", "route-table"),
    "aws:ec2/launchTemplate:LaunchTemplate": (c) => {
        const shaped = ec2Resource("lt", "launch-template")(c);
        return { id: shaped.id, state: { ...shaped.state, name: physicalName(c), latestVersion: 1, defaultVersion: 1 } };
    },
    "aws:sqs/queue:Queue": (c) => {
        const name = typeof c.inputs.name === "string" ? c.inputs.name : `${c.name}-${c.hash.slice(0, 7)}${c.inputs.fifoQueue ? ".fifo" : ""}`;
        const url = `https://sqs.${c.region}.amazonaws.com/${c.accountId}/${name}`;
        return { id: url, state: { name, url, arn: arn(c, "sqs", name) } };
    },
    "aws:sqs/queuePolicy:QueuePolicy": (c) => ({ id: String(c.inputs.queueUrl), state: {} }),
    "aws:sns/topic:Topic": (c) => {
        const name = physicalName(c);
        const topicArn = arn(c, "sns", name);
        return { id: topicArn, state: { name, arn: topicArn, owner: c.accountId } };
    },
    "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: String(c.inputs.arn), state: { owner: c.accountId } }),
    "aws:sns/topicSubscription:TopicSubscription": (c) => {
        const subscriptionArn = `${String(c.inputs.topic)}:${uuid(c)}`;
        // Email subscriptions stay pending until the address owner confirms.
        return { id: subscriptionArn, state: { arn: subscriptionArn, pendingConfirmation: c.inputs.protocol === "email", ownerId: c.accountId } };
    },
    "aws:ecs/cluster:Cluster": (c) => {
        const name = physicalName(c);
        const clusterArn = arn(c, "ecs", `cluster/${name}`);
        return { id: clusterArn, state: { name, arn: clusterArn } };
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => ({ id: String(c.inputs.clusterName), state: {} }),
    "aws:ecs/taskDefinition:TaskDefinition": (c) => {
        const family = String(c.inputs.family);
        const withoutRevision = arn(c, "ecs", `task-definition/${family}`);
        return { id: family, state: { arn: `${withoutRevision}:1`, arnWithoutRevision: withoutRevision, revision: 1 } };
    },
    "aws:ecs/service:Service": (c) => {
        const name = physicalName(c);
        const clusterName = String(c.inputs.cluster ?? "default")
            .split("/")
            .pop();
        const serviceArn = arn(c, "ecs", `service/${clusterName}/${name}`);
        return { id: serviceArn, state: { name, arn: serviceArn } };
    },
    "aws:lb/loadBalancer:LoadBalancer": (c) => {
        const name = physicalName(c);
        const arnSuffix = `app/${name}/${elbId(c)}`;
        const lbArn = arn(c, "elasticloadbalancing", `loadbalancer/${arnSuffix}`);
        const dnsName = `${c.inputs.internal ? "internal-" : ""}${name}-${parseInt(c.hash.slice(16, 24), 16)}.${c.region}.elb.amazonaws.com`;
        return { id: lbArn, state: { name, arn: lbArn, arnSuffix, dnsName, zoneId: ALB_ZONE_IDS[c.region] } };
    },
    "aws:lb/targetGroup:TargetGroup": (c) => {
        const name = physicalName(c);
        const arnSuffix = `targetgroup/${name}/${elbId(c)}`;
        const tgArn = arn(c, "elasticloadbalancing", arnSuffix);
        return { id: tgArn, state: { name, arn: tgArn, arnSuffix } };
    },
    "aws:lb/listener:Listener": (c) => {
        const listenerArn = `${String(c.inputs.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${elbId(c)}`;
        return { id: listenerArn, state: { arn: listenerArn } };
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
    "aws:appautoscaling/target:Target": (c) => ({ id: String(c.inputs.resourceId), state: { arn: arn(c, "application-autoscaling", `scalable-target/${c.hash.slice(0, 32)}`) } }),
    "aws:appautoscaling/policy:Policy": (c) => {
        const name = physicalName(c);
        const policyArn = arn(c, "autoscaling", `scalingPolicy:${uuid(c)}:resource/${String(c.inputs.serviceNamespace)}/${String(c.inputs.resourceId)}:policyName/${name}`);
        return { id: name, state: { name, arn: policyArn, alarmArns: [] } };
    },
    "aws:scheduler/scheduleGroup:ScheduleGroup": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "scheduler", `schedule-group/${name}`), state: "ACTIVE" } };
    },
    "aws:scheduler/schedule:Schedule": (c) => {
        const name = physicalName(c);
        const group = String(c.inputs.groupName ?? "default");
        return { id: `${group}/${name}`, state: { name, groupName: group, arn: arn(c, "scheduler", `schedule/${group}/${name}`) } };
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
    },
    "aws:cloudwatch/eventRule:EventRule": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "events", `rule/${name}`) } };
    },
    "aws:cloudwatch/eventTarget:EventTarget": (c) => {
        const targetId = typeof c.inputs.targetId === "string" ? c.inputs.targetId : `terraform-${c.hash.slice(0, 26)}`;
        return { id: `${String(c.inputs.rule)}-${targetId}`, state: { targetId } };
    },
    "aws:s3/bucket:Bucket": (c) => {
        const name = typeof c.inputs.bucket === "string" ? c.inputs.bucket : typeof c.inputs.bucketPrefix === "string" ? `${c.inputs.bucketPrefix}${c.hash.slice(0, 26)}` : `${c.name}-${c.hash.slice(0, 7)}`;
        return {
            id: name,
            state: { bucket: name, arn: `arn:aws:s3:::${name}`, bucketDomainName: `${name}.s3.amazonaws.com`, bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`, region: c.region },
        };
    },
    "aws:s3/bucketVersioning:BucketVersioning": bucketSetting,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketSetting,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketSetting,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketSetting,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketSetting,
    "aws:s3/bucketPolicy:BucketPolicy": bucketSetting,
    "aws:s3/bucketNotification:BucketNotification": bucketSetting,
    "aws:kinesis/stream:Stream": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "kinesis", `stream/${name}`) } };
    },
    "aws:sfn/stateMachine:StateMachine": (c) => {
        const name = physicalName(c);
        const stateMachineArn = arn(c, "states", `stateMachine:${name}`);
        return { id: stateMachineArn, state: { name, arn: stateMachineArn, status: "ACTIVE" } };
    },
    "aws:ecr/repository:Repository": (c) => {
        const name = physicalName(c);
        return {
            id: name,
            state: { name, arn: arn(c, "ecr", `repository/${name}`), registryId: c.accountId, repositoryUrl: `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${name}` },
        };
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({ id: String(c.inputs.repository), state: { registryId: c.accountId } }),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (c) => ({ id: String(c.inputs.repository), state: { registryId: c.accountId } }),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": (c) => ({ id: c.accountId, state: { registryId: c.accountId } }),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (c) => ({ id: String(c.inputs.ecrRepositoryPrefix), state: { registryId: c.accountId } }),
    // Serverless (issue 5): functions, their triggers, REST APIs, tables and buses.
    "aws:lambda/function:Function": (c) => {
        const name = physicalName(c);
        const functionArn = arn(c, "lambda", `function:${name}`);
        return {
            id: name,
            state: { name, arn: functionArn, qualifiedArn: `${functionArn}:$LATEST`, version: "$LATEST", invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations` },
        };
    },
    "aws:lambda/eventSourceMapping:EventSourceMapping": (c) => {
        const id = uuid(c);
        return { id, state: { uuid: id, arn: arn(c, "lambda", `event-source-mapping:${id}`), state: "Enabled" } };
    },
    "aws:lambda/permission:Permission": (c) => ({ id: typeof c.inputs.statementId === "string" ? c.inputs.statementId : `terraform-${c.hash.slice(0, 26)}`, state: {} }),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": (c) => ({ id: String(c.inputs.functionName), state: {} }),
    "aws:apigateway/restApi:RestApi": (c) => {
        const id = c.hash.slice(0, 10);
        return {
            id,
            state: { name: physicalName(c), rootResourceId: c.hash.slice(10, 20), executionArn: arn(c, "execute-api", id), arn: `arn:aws:apigateway:${c.region}::/restapis/${id}`, createdDate: "2026-01-01T00:00:00Z" },
        };
    },
    // HTTP APIs (API Gateway v2) and function URLs: the URLs and ARNs AWS answers with.
    "aws:apigatewayv2/api:Api": (c) => {
        const id = c.hash.slice(0, 10);
        return { id, state: { name: physicalName(c), apiEndpoint: `https://${id}.execute-api.${c.region}.amazonaws.com`, executionArn: arn(c, "execute-api", id), arn: `arn:aws:apigateway:${c.region}::/apis/${id}` } };
    },
    "aws:apigatewayv2/stage:Stage": (c) => ({
        id: String(c.inputs.name),
        state: {
            arn: `arn:aws:apigateway:${c.region}::/apis/${String(c.inputs.apiId)}/stages/${String(c.inputs.name)}`,
            executionArn: arn(c, "execute-api", `${String(c.inputs.apiId)}/${String(c.inputs.name)}`),
            invokeUrl: `https://${String(c.inputs.apiId)}.execute-api.${c.region}.amazonaws.com/`,
        },
    }),
    "aws:lambda/functionUrl:FunctionUrl": (c) => {
        const id = c.hash.slice(0, 32);
        return { id: String(c.inputs.functionName), state: { functionUrl: `https://${id}.lambda-url.${c.region}.on.aws/`, urlId: id, functionArn: arn(c, "lambda", `function:${String(c.inputs.functionName)}`) } };
    },
    "aws:apigateway/resource:Resource": (c) => ({ id: c.hash.slice(0, 6), state: { path: `/${String(c.inputs.pathPart ?? "")}` } }),
    "aws:apigateway/deployment:Deployment": (c) => ({ id: c.hash.slice(0, 6), state: { createdDate: "2026-01-01T00:00:00Z" } }),
    "aws:apigateway/stage:Stage": (c) => {
        const api = String(c.inputs.restApi);
        const stage = String(c.inputs.stageName);
        return {
            id: `ags-${api}-${stage}`,
            state: {
                arn: `arn:aws:apigateway:${c.region}::/restapis/${api}/stages/${stage}`,
                executionArn: arn(c, "execute-api", `${api}/${stage}`),
                invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${stage}`,
            },
        };
    },
    "aws:apigateway/authorizer:Authorizer": (c) => ({ id: c.hash.slice(0, 6), state: { arn: `arn:aws:apigateway:${c.region}::/restapis/${String(c.inputs.restApi)}/authorizers/${c.hash.slice(0, 6)}` } }),
    "aws:apigateway/requestValidator:RequestValidator": (c) => ({ id: c.hash.slice(0, 6), state: {} }),
    "aws:apigateway/model:Model": (c) => ({ id: c.hash.slice(0, 6), state: { name: c.inputs.name } }),
    "aws:dynamodb/table:Table": (c) => {
        const name = physicalName(c);
        const tableArn = arn(c, "dynamodb", `table/${name}`);
        const streamLabel = "2026-01-01T00:00:00.000";
        return { id: name, state: { name, arn: tableArn, ...(c.inputs.streamEnabled ? { streamArn: `${tableArn}/stream/${streamLabel}`, streamLabel } : {}) } };
    },
    "aws:cloudwatch/eventBus:EventBus": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "events", `event-bus/${name}`) } };
    },
    "aws:cloudwatch/eventArchive:EventArchive": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: arn(c, "events", `archive/${name}`) } };
    },
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": (c) => ({ id: String(c.inputs.eventBusName), state: {} }),
};

export function shapeResource(c: ShapeContext): Shaped {
    if (c.type.startsWith("pulumi:providers:")) return { id: uuid(c), state: {} };
    const shape = SHAPES[c.type];
    if (shape) return shape(c);
    // aws:<module>/<resource>:<Resource> -> a physical name and an ARN in the module's service.
    const match = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):/.exec(c.type);
    const name = physicalName(c);
    if (!match) return { id: name, state: {} };
    return { id: name, state: { arn: arn(c, match[1], `${match[2].toLowerCase()}/${name}`) } };
}

/**
 * Remote components register no children offline, so their outputs must be shaped here the way
 * the provider plugin would compute them. Returns undefined for the program's own components.
 */
export function shapeRemoteComponent(c: ShapeContext): Record<string, unknown> | undefined {
    const remote = REMOTE_SHAPES[c.type];
    return remote ? remote(c) : undefined;
}

const REMOTE_SHAPES: Record<string, (c: ShapeContext) => Record<string, unknown>> = {
    "awsx:ec2:Vpc": shapeAwsxVpc,
    "eks:index:Cluster": shapeEksCluster,
};

/**
 * eks.Cluster: the outputs platform/eks reads (the aws.eks.Cluster's name, endpoint, CA and
 * cluster security group, the OIDC provider, the node security group, the kubeconfig), as the
 * provider computes them from the inputs.
 */
function shapeEksCluster(c: ShapeContext): Record<string, unknown> {
    const name = typeof c.inputs.name === "string" ? c.inputs.name : `${c.name}-eksCluster-${c.hash.slice(0, 7)}`;
    const oidcId = c.hash.slice(0, 32).toUpperCase();
    const endpoint = `https://${oidcId}.gr7.${c.region}.eks.amazonaws.com`;
    const issuer = `oidc.eks.${c.region}.amazonaws.com/id/${oidcId}`;
    const certificateAuthority = { data: Buffer.from(`mock CA of ${name}`).toString("base64") };
    const kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority.data } }],
        contexts: [{ name: "aws", context: { cluster: name, user: "aws" } }],
        "current-context": "aws",
        users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", name, "--output", "json"] } } }],
    };
    const clusterSecurityGroupId = ec2Id({ ...c, hash: hashOf(`${c.hash}eks-cluster-sg`) }, "sg");
    return {
        eksCluster: {
            name,
            id: name,
            arn: arn(c, "eks", `cluster/${name}`),
            endpoint,
            version: c.inputs.version,
            certificateAuthority,
            identities: [{ oidcs: [{ issuer: `https://${issuer}` }] }],
            vpcConfig: { clusterSecurityGroupId, endpointPrivateAccess: c.inputs.endpointPrivateAccess, endpointPublicAccess: c.inputs.endpointPublicAccess },
        },
        clusterSecurityGroupId: ec2Id({ ...c, hash: hashOf(`${c.hash}component-cluster-sg`) }, "sg"),
        nodeSecurityGroupId: ec2Id({ ...c, hash: hashOf(`${c.hash}node-sg`) }, "sg"),
        oidcProviderArn: arn(c, "iam", `oidc-provider/${issuer}`, { global: true }),
        oidcProviderUrl: `https://${issuer}`,
        oidcIssuer: issuer,
        kubeconfig,
        kubeconfigJson: JSON.stringify(kubeconfig),
        core: { cluster: { name }, oidcProvider: { arn: arn(c, "iam", `oidc-provider/${issuer}`, { global: true }), url: issuer } },
    };
}

interface SubnetSpecInput {
    type: "Public" | "Private" | "Isolated" | "Unused";
    name?: string;
    cidrBlocks?: string[];
    tags?: Record<string, string>;
}

/** awsx.ec2.Vpc: one subnet and route table per spec per AZ, NAT gateways per the strategy. */
function shapeAwsxVpc(c: ShapeContext): Record<string, unknown> {
    const child = (suffix: string): ShapeContext => ({ ...c, hash: hashOf(c.hash + suffix) });
    const azCount: number = c.inputs.availabilityZoneNames?.length ?? c.inputs.numberOfAvailabilityZones ?? 3;
    const zones: string[] = c.inputs.availabilityZoneNames ?? [..."abcdef"].slice(0, azCount).map((letter) => `${c.region}${letter}`);
    const specs: SubnetSpecInput[] = c.inputs.subnetSpecs ?? [{ type: "Private" }, { type: "Public" }];
    const vpcId = ec2Id(c, "vpc");
    const subnets = zones.flatMap((zone, azIndex) =>
        specs.map((spec) => {
            const subnetName = `${c.name}-${spec.name ?? spec.type.toLowerCase()}-${azIndex + 1}`;
            const id = ec2Id(child(subnetName), "subnet");
            return {
                id,
                arn: arn(c, "ec2", `subnet/${id}`),
                vpcId,
                availabilityZone: zone,
                cidrBlock: spec.cidrBlocks?.[azIndex],
                mapPublicIpOnLaunch: spec.type === "Public",
                tags: { ...spec.tags, Name: subnetName },
                type: spec.type,
            };
        }),
    );
    const ofType = (type: string) => subnets.filter((subnet) => subnet.type === type);
    const strategy: string = c.inputs.natGateways?.strategy ?? (ofType("Public").length > 0 && ofType("Private").length > 0 ? "OnePerAz" : "None");
    const natCount = strategy === "OnePerAz" ? zones.length : strategy === "Single" ? 1 : 0;
    const natGateways = ofType("Public")
        .slice(0, natCount)
        .map((subnet, index) => ({ id: ec2Id(child(`nat-${index}`), "nat"), subnetId: subnet.id, connectivityType: "public", allocationId: ec2Id(child(`eip-${index}`), "eipalloc") }));
    const routeTables = subnets.map((subnet) => ({ id: ec2Id(child(`rtb-${subnet.id}`), "rtb"), vpcId, subnetId: subnet.id, type: subnet.type }));
    return {
        vpcId,
        vpc: {
            id: vpcId,
            arn: arn(c, "ec2", `vpc/${vpcId}`),
            cidrBlock: c.inputs.cidrBlock ?? "10.0.0.0/16",
            enableDnsHostnames: c.inputs.enableDnsHostnames ?? false,
            enableDnsSupport: c.inputs.enableDnsSupport ?? true,
        },
        subnets: subnets.map(({ type: _type, ...subnet }) => subnet),
        privateSubnetIds: ofType("Private").map((subnet) => subnet.id),
        publicSubnetIds: ofType("Public").map((subnet) => subnet.id),
        isolatedSubnetIds: ofType("Isolated").map((subnet) => subnet.id),
        privateSubnets: ofType("Private").map(({ type: _type, ...subnet }) => subnet),
        publicSubnets: ofType("Public").map(({ type: _type, ...subnet }) => subnet),
        isolatedSubnets: ofType("Isolated").map(({ type: _type, ...subnet }) => subnet),
        routeTables: routeTables.map(({ type: _type, subnetId: _subnet, ...table }) => table),
        routeTableAssociations: routeTables.map((table) => ({ id: ec2Id(child(`rtbassoc-${table.id}`), "rtbassoc"), routeTableId: table.id, subnetId: table.subnetId })),
        routes: [],
        natGateways,
        eips: natGateways.map((nat) => ({ id: nat.allocationId, allocationId: nat.allocationId, domain: "vpc" })),
        internetGateway: { id: ec2Id(child("igw"), "igw"), vpcId },
        vpcEndpoints: [],
        subnetLayout: specs.map((spec) => ({ type: spec.type, name: spec.name, cidrBlocks: spec.cidrBlocks })),
    };
}

function hashOf(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}
