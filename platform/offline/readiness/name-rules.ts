import { NAME_LIMITS } from "../../naming";

/**
 * How AWS (or Kubernetes, or Helm) names each resource type the program registers, and which
 * names it accepts: one row per type token, each citing the API reference it comes from.
 * `physical-names.ts` checks every registered resource against its row; `one-account.ts` uses
 * `scope` to find names two stacks in one account and region would both claim.
 *
 * Autonaming (when the name property is left unset) is modelled on the providers' own code:
 * - @pulumi/aws (pulumi-aws `provider/autonaming.go`, `resource_overrides.go`): every type with a
 *   `name` input gets `<logical name>-<7 random hex>` capped at 255 characters, except the
 *   overrides listed per row (IAM roles 64, EventBridge rules 64, Lambda functions 64, SQS and
 *   SNS 80, target groups 32, S3 buckets 63 lower-cased, KMS aliases `alias/` + 238, Lambda
 *   permission statement ids 100, EventBridge target ids 255). When the logical name plus the
 *   suffix exceeds the provider's cap the provider refuses it; when it fits the cap but not
 *   AWS's limit, AWS refuses it.
 * - @pulumi/kubernetes: `metadata.name` unset becomes `<logical name>-<8 random characters>`;
 *   a Helm release's `name` likewise.
 */

/** Where a name must be unique, for the one-account check. */
export type NameScope =
    /** Every account in every region (S3 bucket names). */
    | "global"
    /** The account, all regions (IAM). */
    | "account"
    /** The account and region. */
    | "region"
    /** Inside a parent object (a role's inline policies, a cluster's services, a bus's rules): `parentKey` names it. */
    | "parent"
    /** No uniqueness (labels such as a REST API's name) or no name at all. */
    | "none";

export interface NamedRule {
    kind: "named";
    /** Input property that holds the name; `metadata.name` for Kubernetes objects. */
    property: string;
    min: number;
    max: number;
    /** Characters and shape AWS accepts, anchored; `form` says it in words. */
    pattern?: RegExp;
    form: string;
    /** How the provider names it when `property` is unset; undefined: the program must set it (the provider requires it). */
    autoname?: { cap: number; random: number; lowercase?: boolean; prefix?: string; fifoProperty?: string };
    /** A `namePrefix` property and its own limit (the provider appends 26 characters). */
    prefixProperty?: { property: string; max: number };
    scope: NameScope;
    /** For `parent` scope: the input that names the parent (`eventBusName`, `role`, `cluster`). `default` when unset. */
    parentKey?: string;
    doc: string;
}

export interface UnnamedRule {
    kind: "unnamed";
    /** Why the type has no physical name of its own (it is identified by its parent, an id AWS picks, ...). */
    why: string;
    /** An account/region singleton: only one can exist, so two stacks must not both create it. */
    singleton?: "region";
    doc: string;
}

export type NameRule = NamedRule | UnnamedRule;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const K8S_NAMES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/";
const k8sAutoname = { cap: 253, random: 8 };

const k8sSubdomain = (doc = K8S_NAMES): NamedRule => ({
    kind: "named",
    property: "metadata.name",
    min: 1,
    max: 253,
    pattern: DNS1123_SUBDOMAIN,
    form: "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    autoname: k8sAutoname,
    scope: "parent",
    parentKey: "metadata.namespace",
    doc,
});
const unnamed = (why: string, doc: string, singleton?: "region"): UnnamedRule => ({ kind: "unnamed", why, doc, ...(singleton ? { singleton } : {}) });
const freeLabel = (property: string, doc: string, max = 255): NamedRule => ({
    kind: "named",
    property,
    min: 1,
    max,
    form: `1-${max} characters (a label; AWS does not require it to be unique)`,
    autoname: { cap: 255, random: 7 },
    scope: "none",
    doc,
});

const APIGW = "https://docs.aws.amazon.com/apigateway/latest/api/";
const APIGW2 = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/";
const ECR = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/";
const IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names";
const IAM_NAME = /^[\w+=,.@-]+$/;
const S3_RULES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
const s3Child = (what: string) => unnamed(`${what} of its bucket (the bucket is named on the Bucket row)`, S3_RULES);

export const NAME_RULES: Record<string, NameRule> = {
    // API Gateway (REST). Only the REST API, model, validator and stage carry names.
    "aws:apigateway/account:Account": unnamed("the account's API Gateway settings in this region (CloudWatch role): one per account and region", `${APIGW}API_UpdateAccount.html`, "region"),
    "aws:apigateway/deployment:Deployment": unnamed("identified by an id API Gateway assigns", `${APIGW}API_CreateDeployment.html`),
    "aws:apigateway/integration:Integration": unnamed("belongs to a method of a resource", `${APIGW}API_PutIntegration.html`),
    "aws:apigateway/integrationResponse:IntegrationResponse": unnamed("keyed by status code under an integration", `${APIGW}API_PutIntegrationResponse.html`),
    "aws:apigateway/method:Method": unnamed("keyed by HTTP method under a resource", `${APIGW}API_PutMethod.html`),
    "aws:apigateway/methodResponse:MethodResponse": unnamed("keyed by status code under a method", `${APIGW}API_PutMethodResponse.html`),
    "aws:apigateway/methodSettings:MethodSettings": unnamed("settings of a stage", `${APIGW}API_UpdateStage.html`),
    "aws:apigateway/model:Model": {
        kind: "named",
        property: "name",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9]+$/,
        form: "letters and digits only",
        autoname: { cap: 255, random: 7 },
        scope: "parent",
        parentKey: "restApi",
        doc: `${APIGW}API_CreateModel.html`,
    },
    "aws:apigateway/requestValidator:RequestValidator": { ...freeLabel("name", `${APIGW}API_CreateRequestValidator.html`), scope: "parent", parentKey: "restApi" },
    "aws:apigateway/resource:Resource": unnamed("a path part under its parent resource, not a name", `${APIGW}API_CreateResource.html`),
    "aws:apigateway/response:Response": unnamed("keyed by gateway response type", `${APIGW}API_PutGatewayResponse.html`),
    "aws:apigateway/restApi:RestApi": freeLabel("name", `${APIGW}API_CreateRestApi.html`),
    "aws:apigateway/stage:Stage": {
        kind: "named",
        property: "stageName",
        min: 1,
        max: 128,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '-' and '_'",
        scope: "parent",
        parentKey: "restApi",
        doc: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-stages.html",
    },
    // API Gateway v2 (HTTP APIs): the API and its authorizers carry labels; the `$default` stage a reserved name.
    "aws:apigatewayv2/api:Api": freeLabel("name", `${APIGW2}apis.html`, 128),
    "aws:apigatewayv2/authorizer:Authorizer": { ...freeLabel("name", `${APIGW2}apis-apiid-authorizers.html`, 128), scope: "parent", parentKey: "apiId" },
    "aws:apigatewayv2/integration:Integration": unnamed("identified by an id API Gateway assigns", `${APIGW2}apis-apiid-integrations.html`),
    "aws:apigatewayv2/route:Route": unnamed("keyed by its route key (such as $default) under its API", `${APIGW2}apis-apiid-routes.html`),
    "aws:apigatewayv2/stage:Stage": {
        kind: "named",
        property: "name",
        min: 1,
        max: 128,
        pattern: /^(?:\$default|[A-Za-z0-9_.-]+)$/,
        form: "$default, or letters, digits, '-', '.' and '_'",
        scope: "parent",
        parentKey: "apiId",
        doc: `${APIGW2}apis-apiid-stages.html`,
    },
    // Application Auto Scaling.
    "aws:appautoscaling/policy:Policy": {
        kind: "named",
        property: "name",
        min: 1,
        max: 256,
        pattern: /^[\x20-\x7e]+$/,
        form: "printable characters",
        autoname: { cap: 255, random: 7 },
        scope: "parent",
        parentKey: "resourceId",
        doc: "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html",
    },
    "aws:appautoscaling/target:Target": unnamed("identified by the scalable resource and dimension", "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html"),
    // EventBridge and CloudWatch.
    "aws:cloudwatch/dashboard:Dashboard": {
        kind: "named",
        property: "dashboardName",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '-' and '_'",
        scope: "region",
        doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    },
    "aws:cloudwatch/eventArchive:EventArchive": {
        kind: "named",
        property: "name",
        min: 1,
        max: 48,
        pattern: /^[.\-_A-Za-z0-9]+$/,
        form: "letters, digits, '.', '-' and '_'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html",
    },
    "aws:cloudwatch/eventBus:EventBus": {
        kind: "named",
        property: "name",
        min: 1,
        max: 256,
        pattern: /^[/.\-_A-Za-z0-9]+$/,
        form: "letters, digits, '/', '.', '-' and '_'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html",
    },
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": unnamed("the resource policy of its bus", "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html"),
    "aws:cloudwatch/eventRule:EventRule": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.eventRule,
        pattern: /^[.\-_A-Za-z0-9]+$/,
        form: "letters, digits, '.', '-' and '_'",
        autoname: { cap: 64, random: 7 },
        prefixProperty: { property: "namePrefix", max: 38 },
        scope: "parent",
        parentKey: "eventBusName",
        doc: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        kind: "named",
        property: "targetId",
        min: 1,
        max: 64,
        pattern: /^[.\-_A-Za-z0-9]+$/,
        form: "letters, digits, '.', '-' and '_'",
        autoname: { cap: 255, random: 7 },
        scope: "parent",
        parentKey: "rule",
        doc: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        kind: "named",
        property: "name",
        min: 1,
        max: 512,
        pattern: /^[.\-_/#A-Za-z0-9]+$/,
        form: "letters, digits, '.', '-', '_', '/' and '#'",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 483 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        kind: "named",
        property: "name",
        min: 1,
        max: 255,
        pattern: /^[^\p{Cc}]+$/u,
        form: "1-255 characters without control characters",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    },
    // DynamoDB, Kinesis, KMS.
    "aws:dynamodb/table:Table": {
        kind: "named",
        property: "name",
        min: 3,
        max: 255,
        pattern: /^[A-Za-z0-9_.-]+$/,
        form: "letters, digits, '_', '-' and '.'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
    },
    "aws:kinesis/stream:Stream": {
        kind: "named",
        property: "name",
        min: 1,
        max: 128,
        pattern: /^[A-Za-z0-9_.-]+$/,
        form: "letters, digits, '_', '.' and '-'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html",
    },
    "aws:kms/alias:Alias": {
        kind: "named",
        property: "name",
        min: 7,
        max: 256,
        pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/,
        form: "alias/ followed by letters, digits, '/', '_' and '-' (not alias/aws/)",
        autoname: { cap: 238, random: 7, prefix: "alias/" },
        prefixProperty: { property: "namePrefix", max: 230 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
    },
    "aws:kms/key:Key": unnamed("identified by a key id KMS assigns (its alias carries the name)", "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"),
    // EC2 and VPC.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": unnamed("the VPC's existing default group, adopted", "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"),
    "aws:ec2/flowLog:FlowLog": unnamed("identified by an id EC2 assigns", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html"),
    "aws:ec2/launchTemplate:LaunchTemplate": {
        kind: "named",
        property: "name",
        min: 3,
        max: 128,
        pattern: /^[A-Za-z0-9().\-/_]+$/,
        form: "letters, digits, '(', ')', '.', '-', '/' and '_'",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 102 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        kind: "named",
        property: "name",
        min: 1,
        max: 255,
        pattern: /^(?!sg-)[\x20-\x7e]+$/,
        form: "printable ASCII, not starting with sg-",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 229 },
        scope: "parent",
        parentKey: "vpcId",
        doc: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": unnamed("identified by an id EC2 assigns", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": unnamed("identified by an id EC2 assigns", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupEgress.html"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": unnamed("identified by an id EC2 assigns", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html"),
    // ECR: repository names and prefixes are unique per registry (account and region).
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": unnamed("the lifecycle policy of its repository", `${ECR}API_PutLifecyclePolicy.html`),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": {
        kind: "named",
        property: "ecrRepositoryPrefix",
        min: 2,
        max: 30,
        pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        form: "lowercase path segments separated by . _ - or /",
        scope: "region",
        doc: `${ECR}API_CreatePullThroughCacheRule.html`,
    },
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": unnamed("the registry's scanning configuration: one per account and region", `${ECR}API_PutRegistryScanningConfiguration.html`, "region"),
    // Budgets are global to the account; names up to 100 characters, without ":" or "\\".
    "aws:budgets/budget:Budget": {
        kind: "named",
        property: "name",
        min: 1,
        max: 100,
        pattern: /^[^:\\]+$/,
        form: "1-100 characters without : or \\",
        autoname: { cap: 100, random: 7 },
        scope: "account",
        doc: "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html",
    },
    "aws:ec2/instance:Instance": unnamed("identified by an instance id EC2 assigns (its Name is a tag)", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html"),
    "aws:ec2/route:Route": unnamed("a destination in its route table", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html"),
    "aws:ecr/repository:Repository": {
        kind: "named",
        property: "name",
        min: 2,
        max: 256,
        pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        form: "lowercase path segments separated by . _ - or /",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: `${ECR}API_CreateRepository.html`,
    },
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": {
        kind: "named",
        property: "prefix",
        min: 1,
        max: 256,
        pattern: /^(?:ROOT|(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)$/,
        form: "ROOT or a lowercase repository prefix",
        scope: "region",
        doc: `${ECR}API_CreateRepositoryCreationTemplate.html`,
    },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": unnamed("the policy of its repository", `${ECR}API_SetRepositoryPolicy.html`),
    // ECS.
    "aws:ecs/cluster:Cluster": {
        kind: "named",
        property: "name",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '_' and '-'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": unnamed("settings of its cluster", "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html"),
    "aws:ecs/service:Service": {
        kind: "named",
        property: "name",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '_' and '-'",
        autoname: { cap: 255, random: 7 },
        scope: "parent",
        parentKey: "cluster",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        kind: "named",
        property: "family",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '_' and '-'",
        scope: "region",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
    },
    // EKS.
    "aws:eks/accessEntry:AccessEntry": unnamed("keyed by principal ARN in its cluster", "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": unnamed("keyed by principal ARN and policy ARN in its cluster", "https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateAccessPolicy.html"),
    "aws:eks/addon:Addon": unnamed("an add-on from the EKS catalog, named by AWS", "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html"),
    // The API states no limit; EKS Blueprints' FargateProfileConstraints keep it to 1-63 (a DNS label), like node groups.
    "aws:eks/fargateProfile:FargateProfile": {
        kind: "named",
        property: "fargateProfileName",
        min: 1,
        max: 63,
        pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
        form: "letters, digits, '-' and '_', starting with a letter or digit",
        autoname: { cap: 255, random: 7 },
        scope: "parent",
        parentKey: "clusterName",
        doc: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateFargateProfile.html",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        kind: "named",
        property: "nodeGroupName",
        min: 1,
        max: 63,
        pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
        form: "letters, digits, '-' and '_', starting with a letter or digit",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "nodeGroupNamePrefix", max: 37 },
        scope: "parent",
        parentKey: "clusterName",
        doc: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html",
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": unnamed("keyed by namespace and service account in its cluster", "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html"),
    // IAM: names are unique in the account, across regions.
    "aws:iam/instanceProfile:InstanceProfile": {
        kind: "named",
        property: "name",
        min: 1,
        max: 128,
        pattern: IAM_NAME,
        form: "letters, digits and + = , . @ _ -",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 102 },
        scope: "account",
        doc: IAM_QUOTAS,
    },
    "aws:iam/role:Role": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.iamRole,
        pattern: IAM_NAME,
        form: "letters, digits and + = , . @ _ -",
        autoname: { cap: 64, random: 7 },
        prefixProperty: { property: "namePrefix", max: 38 },
        scope: "account",
        doc: IAM_QUOTAS,
    },
    "aws:iam/rolePolicy:RolePolicy": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.iamPolicy,
        pattern: IAM_NAME,
        form: "letters, digits and + = , . @ _ -",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 102 },
        scope: "parent",
        parentKey: "role",
        doc: IAM_QUOTAS,
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": unnamed("an attachment of a managed policy to a role", "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html"),
    // Lambda.
    "aws:lambda/eventSourceMapping:EventSourceMapping": unnamed("identified by a UUID Lambda assigns", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html"),
    "aws:lambda/function:Function": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.lambdaFunction,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '-' and '_'",
        autoname: { cap: 64, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    },
    "aws:lambda/functionUrl:FunctionUrl": unnamed("one per function (and qualifier); Lambda assigns the URL", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html"),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": unnamed("settings of its function", "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html"),
    "aws:lambda/permission:Permission": {
        kind: "named",
        property: "statementId",
        min: 1,
        max: 100,
        pattern: /^[A-Za-z0-9_-]+$/,
        form: "letters, digits, '-' and '_'",
        autoname: { cap: 100, random: 7 },
        scope: "parent",
        parentKey: "function",
        doc: "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
    },
    // Elastic Load Balancing v2: names are unique per account and region, 32 characters at most.
    "aws:lb/listener:Listener": unnamed("keyed by port on its load balancer", "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html"),
    "aws:lb/listenerRule:ListenerRule": unnamed("keyed by priority on its listener", "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html"),
    "aws:lb/loadBalancer:LoadBalancer": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.loadBalancer,
        pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        form: "letters, digits and hyphens, not starting or ending with a hyphen, not starting with internal-",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 6 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    },
    "aws:lb/targetGroup:TargetGroup": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.targetGroup,
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        form: "letters, digits and hyphens, not starting or ending with a hyphen",
        autoname: { cap: 32, random: 7 },
        prefixProperty: { property: "namePrefix", max: 6 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    },
    // S3: bucket names are global; the bucket's settings are sub-resources of it.
    "aws:s3/bucket:Bucket": {
        kind: "named",
        property: "bucket",
        min: 3,
        max: 63,
        pattern: /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
        form: "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
        autoname: { cap: 63, random: 7, lowercase: true },
        prefixProperty: { property: "bucketPrefix", max: 37 },
        scope: "global",
        doc: S3_RULES,
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": s3Child("the lifecycle configuration"),
    "aws:s3/bucketLogging:BucketLogging": s3Child("the logging configuration"),
    "aws:s3/bucketNotification:BucketNotification": s3Child("the notification configuration"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": s3Child("the ownership controls"),
    "aws:s3/bucketPolicy:BucketPolicy": s3Child("the policy"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": s3Child("the public access block"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": s3Child("the default encryption"),
    "aws:s3/bucketVersioning:BucketVersioning": s3Child("the versioning setting"),
    // EventBridge Scheduler.
    "aws:scheduler/schedule:Schedule": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.schedule,
        pattern: /^[0-9a-zA-Z_.-]+$/,
        form: "letters, digits, '-', '_' and '.'",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 38 },
        scope: "parent",
        parentKey: "groupName",
        doc: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    },
    "aws:scheduler/scheduleGroup:ScheduleGroup": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.scheduleGroup,
        pattern: /^[0-9a-zA-Z_.-]+$/,
        form: "letters, digits, '-', '_' and '.'",
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 38 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html",
    },
    // Step Functions, SNS, SQS.
    "aws:sfn/stateMachine:StateMachine": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.stateMachine,
        pattern: /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]+$/u,
        form: '1-80 characters without whitespace or < > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /',
        autoname: { cap: 255, random: 7 },
        prefixProperty: { property: "namePrefix", max: 54 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
    },
    "aws:sns/topic:Topic": {
        kind: "named",
        property: "name",
        min: 1,
        max: 256,
        pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
        form: "letters, digits, '-' and '_' (FIFO topics end in .fifo)",
        autoname: { cap: 80, random: 7, fifoProperty: "fifoTopic" },
        prefixProperty: { property: "namePrefix", max: 230 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    },
    "aws:sns/topicPolicy:TopicPolicy": unnamed("the policy of its topic", "https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html"),
    "aws:sns/topicSubscription:TopicSubscription": unnamed("identified by a subscription ARN SNS assigns", "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"),
    "aws:sqs/queue:Queue": {
        kind: "named",
        property: "name",
        min: 1,
        max: NAME_LIMITS.sqsQueue,
        pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
        form: "letters, digits, '-' and '_' (FIFO queues end in .fifo)",
        autoname: { cap: 80, random: 7, fifoProperty: "fifoQueue" },
        prefixProperty: { property: "namePrefix", max: 54 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    },
    "aws:sqs/queuePolicy:QueuePolicy": unnamed("the policy of its queue", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html"),
    // WAF.
    "aws:wafv2/webAcl:WebAcl": {
        kind: "named",
        property: "name",
        min: 1,
        max: 128,
        pattern: /^[\w-]+$/,
        form: "letters, digits, '_' and '-'",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html",
    },
    "aws:wafv2/webAclAssociation:WebAclAssociation": unnamed("an association of a web ACL with a resource", "https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html"),
    // Remote components: the offline synth sees their inputs only.
    "awsx:ec2:Vpc": unnamed("the VPC and its subnets, gateways and route tables have ids, not names (their Name tags are labels)", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-tagging.html"),
    "eks:index:Cluster": {
        kind: "named",
        property: "name",
        min: 1,
        max: 100,
        pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
        form: "letters, digits, '-' and '_', starting with a letter or digit",
        autoname: { cap: 255, random: 7 },
        scope: "region",
        doc: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
    },
    // Kubernetes: object names per kind, from the API server's validation.
    "kubernetes:apps/v1:Deployment": k8sSubdomain(),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8sSubdomain(),
    "kubernetes:batch/v1:CronJob": {
        ...k8sSubdomain("https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec"),
        max: NAME_LIMITS.cronJob,
        pattern: DNS1123_LABEL,
        form: "a DNS-1123 label of at most 52 characters (the controller appends 11 to name its Jobs)",
    },
    "kubernetes:core/v1:Namespace": {
        ...k8sSubdomain("https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names"),
        max: 63,
        pattern: DNS1123_LABEL,
        form: "a DNS-1123 label: lowercase letters, digits and '-', at most 63",
        scope: "none",
        parentKey: undefined,
    },
    "kubernetes:core/v1:Service": {
        ...k8sSubdomain("https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names"),
        max: 63,
        pattern: DNS1035_LABEL,
        form: "a DNS-1035 label: lowercase letters, digits and '-', starting with a letter, at most 63",
    },
    "kubernetes:core/v1:ServiceAccount": k8sSubdomain(),
    "kubernetes:core/v1:ConfigMap": k8sSubdomain("https://kubernetes.io/docs/concepts/configuration/configmap/"),
    "kubernetes:networking.k8s.io/v1:Ingress": k8sSubdomain(),
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": k8sSubdomain(),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8sSubdomain(),
    "kubernetes:policy/v1:PodDisruptionBudget": k8sSubdomain(),
    "kubernetes:keda.sh/v1alpha1:ScaledObject": k8sSubdomain(),
    "kubernetes:keda.sh/v1alpha1:TriggerAuthentication": k8sSubdomain(),
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": { ...k8sSubdomain(), scope: "none", parentKey: undefined },
    "kubernetes:karpenter.sh/v1:NodePool": { ...k8sSubdomain(), scope: "none", parentKey: undefined },
    // Cluster-scoped kinds of the EKS add-on catalog and Auto Mode.
    "kubernetes:storage.k8s.io/v1:StorageClass": { ...k8sSubdomain("https://kubernetes.io/docs/concepts/storage/storage-classes/"), scope: "none", parentKey: undefined },
    "kubernetes:networking.k8s.io/v1:IngressClass": { ...k8sSubdomain("https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class"), scope: "none", parentKey: undefined },
    "kubernetes:eks.amazonaws.com/v1:NodeClass": { ...k8sSubdomain("https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html"), scope: "none", parentKey: undefined },
    "kubernetes:eks.amazonaws.com/v1:IngressClassParams": { ...k8sSubdomain("https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html"), scope: "none", parentKey: undefined },
    "kubernetes:helm.sh/v3:Release": {
        kind: "named",
        property: "name",
        min: 1,
        max: 53,
        pattern: DNS1123_LABEL,
        form: "a DNS-1123 label of at most 53 characters",
        autoname: { cap: 253, random: 8 },
        scope: "parent",
        parentKey: "namespace",
        doc: "https://github.com/helm/helm/blob/main/pkg/chartutil/validate_name.go",
    },
};

/** The row for a type, or undefined: a type the table does not know yet (a test fails on it). */
export function nameRuleOf(type: string): NameRule | undefined {
    return Object.hasOwn(NAME_RULES, type) ? NAME_RULES[type] : undefined;
}

/** Types that are not cloud objects: Pulumi's own stack and providers, and the program's components. */
export function isNameless(resource: { type: string; custom: boolean; remote: boolean }): boolean {
    return resource.type.startsWith("pulumi:") || (!resource.custom && !resource.remote);
}
