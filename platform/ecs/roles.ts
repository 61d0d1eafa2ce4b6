import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SECRETS_MANAGER_ARN_PATTERN } from "../config";
import { policyJson, serviceTrustPolicy } from "../iam";
import { NAME_LIMITS, nameWithin } from "../naming";
import { ECR_PULL_ACTIONS } from "../registry";
import { grantStatement } from "../grants";
import type { TaskGrant } from "./grants";
import { encryptedLogGroup } from "./task";

/** The ECS Exec agent's channels to Session Manager; these actions have no resource-level permissions. */
export const ECS_EXEC_CHANNEL_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"];

export interface ServiceRoleArgs {
    /** Shown in the IAM console: who uses the role, for what. */
    description: string;
    /** The AWS service that assumes the role, e.g. `ecs-tasks.amazonaws.com`. */
    service: string;
    /** Only this account's resources of the service may assume it (confused-deputy protection). */
    accountId: pulumi.Input<string>;
    /** And only these source ARNs, e.g. `arn:aws:ecs:<region>:<account>:*`. */
    sourceArnLike: pulumi.Input<string>;
    /** The role's one inline policy; a role without statements gets no policy at all. */
    statements: aws.iam.PolicyStatement[];
}

/** A role one AWS service assumes on this account's behalf, with exactly the statements given. */
export function serviceRole(name: string, args: ServiceRoleArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
    // A long app or job name would push the autoname past IAM's 64 characters: name it explicitly then.
    const role = new aws.iam.Role(name, { name: nameWithin(name, NAME_LIMITS.iamRole), description: args.description, assumeRolePolicy: serviceTrustPolicy(args.service, args.accountId, args.sourceArnLike) }, opts);
    if (args.statements.length > 0) {
        new aws.iam.RolePolicy(name, { role: role.name, policy: policyJson({ Version: "2012-10-17", Statement: args.statements }) }, opts);
    }
    return role;
}

export interface TaskRolesArgs {
    /** The app, for descriptions. */
    app: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** The app's own ECR repository: the execution role pulls from it and nothing else. */
    repositoryArn: pulumi.Input<string>;
    /** The app's own log group: the execution role writes container logs there and nowhere else. */
    logGroupArn: pulumi.Input<string>;
    /** Variable name to secret or parameter ARN; the execution role reads exactly these. */
    secrets: Record<string, string>;
    /** Customer-managed key of the secrets; the execution role may decrypt with it through Secrets Manager and SSM only. */
    secretsKmsKeyArn?: string;
    /** What the app's code may call. */
    grants: TaskGrant[];
    /**
     * ECS Exec: the task role opens Session Manager channels, decrypts sessions with the key and
     * writes the session transcript to the audit log group.
     * @default no ECS Exec
     */
    exec?: { kmsKeyArn: pulumi.Input<string>; logGroupArn: pulumi.Input<string> };
}

/**
 * The two roles of an app's tasks. The execution role is used by ECS itself to start the task
 * (pull the image, create log streams, fetch secrets); the task role is what the app's code
 * runs as. Both trust only ECS tasks of this account and region.
 */
export function taskRoles(name: string, args: TaskRolesArgs, opts: pulumi.CustomResourceOptions): { taskRole: aws.iam.Role; executionRole: aws.iam.Role } {
    const trust = { service: "ecs-tasks.amazonaws.com", accountId: args.accountId, sourceArnLike: pulumi.interpolate`arn:aws:ecs:${args.region}:${args.accountId}:*` };
    const logStreams = pulumi.interpolate`${args.logGroupArn}:log-stream:*`;

    const secretArns = Object.values(args.secrets);
    // ECS fetches a secret by its ARN plus an optional :json-key:stage:version selector; IAM wants the secret itself.
    const secretsManager = [...new Set(secretArns.map((arn) => SECRETS_MANAGER_ARN_PATTERN.exec(arn)?.[1]).filter((arn): arn is string => arn !== undefined))];
    const parameters = secretArns.filter((arn) => !SECRETS_MANAGER_ARN_PATTERN.test(arn));
    const executionStatements: aws.iam.PolicyStatement[] = [
        { Sid: "PullOwnImage", Effect: "Allow", Action: ECR_PULL_ACTIONS, Resource: args.repositoryArn },
        // Registry login is account-wide: the one action here that only exists on "*".
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Sid: "WriteOwnLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logStreams },
    ];
    if (secretsManager.length > 0) executionStatements.push({ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretsManager });
    if (parameters.length > 0) executionStatements.push({ Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: parameters });
    if (args.secretsKmsKeyArn) {
        executionStatements.push({
            Sid: "DecryptOwnSecrets",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: args.secretsKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": [`secretsmanager.${args.region}.amazonaws.com`, `ssm.${args.region}.amazonaws.com`] } },
        });
    }
    const executionRole = serviceRole(`${name}-execution`, { description: `Lets ECS start ${args.app}'s tasks: pull its image, write its logs, read its secrets`, ...trust, statements: executionStatements }, opts);

    const taskStatements = args.grants.map(grantStatement);
    if (args.exec) {
        const exec = args.exec;
        taskStatements.push(
            { Sid: "EcsExecChannels", Effect: "Allow", Action: ECS_EXEC_CHANNEL_ACTIONS, Resource: "*" },
            { Sid: "EcsExecDecryptSessions", Effect: "Allow", Action: "kms:Decrypt", Resource: exec.kmsKeyArn },
            // The agent checks the audit log group exists before it streams; listing has no resource-level permission.
            { Sid: "EcsExecFindAuditLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
            {
                Sid: "EcsExecWriteAuditLog",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: [exec.logGroupArn, pulumi.interpolate`${exec.logGroupArn}:log-stream:*`],
            },
        );
    }
    const taskRole = serviceRole(`${name}-task`, { description: `What ${args.app}'s code may call`, ...trust, statements: taskStatements }, opts);
    return { taskRole, executionRole };
}

/** What an app's log group and roles depend on: the same for a service behind a load balancer and a queue worker. */
export interface AppLogsAndRolesArgs extends Omit<TaskRolesArgs, "repositoryArn" | "logGroupArn"> {
    /** Prefix of physical names: the log group is `/<namePrefix>/ecs/<app>`. */
    namePrefix: string;
    repository: { arn: pulumi.Input<string> };
    logs: { retentionDays: number; kmsKeyArn: pulumi.Input<string> };
    /** Pulumi protect on the log group. @default false */
    protect?: boolean;
}

/** An app's encrypted log group, then its task and execution roles (which may write only to that group). */
export function appLogsAndRoles(name: string, args: AppLogsAndRolesArgs, parent: pulumi.Resource): { logGroup: aws.cloudwatch.LogGroup; taskRole: aws.iam.Role; executionRole: aws.iam.Role } {
    const { namePrefix, repository, logs, protect, ...roles } = args;
    const logGroup = encryptedLogGroup(name, { name: `/${namePrefix}/ecs/${args.app}`, retentionDays: logs.retentionDays, kmsKeyArn: logs.kmsKeyArn }, { parent, protect });
    return { logGroup, ...taskRoles(name, { ...roles, repositoryArn: repository.arn, logGroupArn: logGroup.arn }, { parent }) };
}
