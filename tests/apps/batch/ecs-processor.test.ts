import { expect } from "chai";
import { ConfigError, resolvePlatformConfig } from "../../../platform/config";
import { runReadiness } from "../../../platform/offline/readiness";
import { aslIamRule } from "../../../platform/offline/readiness/asl-iam";
import type { RecordedResource } from "../../../platform/offline/mock-cloud";
import { loadStackFiles } from "../../../platform/offline/stack-files";
import { synthesize, type SynthResult } from "../../../platform/offline/synth";
import { bundleRecords } from "../../../platform/serverless/bundle";
import { blockingViolations } from "../../../policy/harness";
import { policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../../../platform/offline/policy-gate";
import { only, parseJson, platformProgram, REPO_ROOT, statementsOf } from "../../helpers";

/** The shipped dev stack with the batch app's items run as ECS tasks. */
function devWithBatch(batch: Record<string, unknown>): Promise<SynthResult> {
    const files = loadStackFiles(REPO_ROOT, "dev");
    return synthesize({ project: files.project, stack: "dev", config: { ...files.config, "platform:batch": JSON.stringify(batch) }, program: platformProgram });
}

const itemState = (resources: RecordedResource[]) => {
    const machine = only(resources, "aws:sfn/stateMachine:StateMachine", "-batch-workflow");
    const map = parseJson(machine.inputs.definition).States.ProcessItems;
    return { map, item: map.ItemProcessor.States.ProcessItem };
};

/** Every statement of the inline policies of the role with this ARN. */
function roleStatements(resources: RecordedResource[], roleArn: unknown): any[] {
    const role = resources.find((r) => r.type === "aws:iam/role:Role" && r.state.arn === roleArn);
    if (!role) throw new Error(`no role ${String(roleArn)}`);
    return resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === role.state.name).flatMap((p) => statementsOf(p));
}

describe("batch with an ECS processor (platform:batch.processor: ecs)", function () {
    this.timeout(180_000);
    let resources: RecordedResource[];
    let released: RecordedResource[];
    let region: string;
    let accountId: string;

    before(async () => {
        const synth = await devWithBatch({ processor: "ecs" });
        resources = synth.cloud.resources;
        region = synth.cloud.options.region;
        accountId = synth.cloud.options.accountId;
        released = (await devWithBatch({ processor: "ecs", task: { cpu: 512, memory: 1024, imageTag: "3f9c2e1" } })).cloud.resources;
    });

    it("runs each item as a Fargate task with runTask.sync on its own cluster and task definition, in the private subnets, passing the item", () => {
        const { map, item } = itemState(resources);
        const cluster = only(resources, "aws:ecs/cluster:Cluster", "-batch-item");
        const taskDefinition = only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-batch-item");
        const group = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-batch-item");
        // .sync is Standard-only: the children are STANDARD.
        expect(map.ItemProcessor.ProcessorConfig).to.deep.equal({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
        expect(item.Resource).to.equal("arn:aws:states:::ecs:runTask.sync");
        expect(item.Parameters).to.deep.include({ Cluster: cluster.state.arn, TaskDefinition: taskDefinition.state.arn, LaunchType: "FARGATE" });
        // The web service's tasks run in the stack's private subnets: the batch tasks run in the same ones.
        const web = only(resources, "aws:ecs/service:Service", "-web");
        const privateSubnets = (web.inputs.networkConfiguration as { subnets: string[] }).subnets;
        expect(item.Parameters.NetworkConfiguration.AwsvpcConfiguration).to.deep.equal({ Subnets: privateSubnets, SecurityGroups: [group.state.id], AssignPublicIp: "DISABLED" });
        expect(item.Parameters.Overrides.ContainerOverrides).to.deep.equal([{ Name: "batch", Environment: [{ Name: "BATCH_ITEM", "Value.$": "States.JsonToString($)" }] }]);
        // No function processor is registered.
        expect(resources.filter((r) => r.type === "aws:lambda/function:Function" && r.name.includes("-batch-"))).to.deep.equal([]);
    });

    it("grants the state machine exactly what runTask.sync calls: RunTask of the family in the cluster, its tasks, the managed rule, PassRole of the two roles", () => {
        const machine = only(resources, "aws:sfn/stateMachine:StateMachine", "-batch-workflow");
        const taskDefinition = only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-batch-item");
        const cluster = only(resources, "aws:ecs/cluster:Cluster", "-batch-item");
        const ecsStatements = roleStatements(resources, machine.inputs.roleArn)
            .filter((s) => [s.Action].flat().some((a: string) => /^(ecs|events|iam|lambda):/.test(a)))
            .sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)));
        expect(ecsStatements).to.deep.equal([
            {
                Sid: "ManageEcsTaskEventsRule",
                Effect: "Allow",
                Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                Resource: [`arn:aws:events:${region}:${accountId}:rule/StepFunctionsGetEventsForECSTaskRule`],
            },
            {
                Sid: "PassBatchTaskRoles",
                Effect: "Allow",
                Action: ["iam:PassRole"],
                Resource: [taskDefinition.inputs.taskRoleArn, taskDefinition.inputs.executionRoleArn],
                Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            },
            {
                Sid: "RunBatchItemTask",
                Effect: "Allow",
                Action: ["ecs:RunTask"],
                Resource: [`arn:aws:ecs:${region}:${accountId}:task-definition/platform-dev-batch-item:*`],
                Condition: { ArnEquals: { "ecs:cluster": cluster.state.arn } },
            },
            { Sid: "TrackBatchItemTasks", Effect: "Allow", Action: ["ecs:StopTask", "ecs:DescribeTasks"], Resource: [`arn:aws:ecs:${region}:${accountId}:task/platform-dev-batch-item/*`] },
        ]);
    });

    it("builds the task with the platform's ECS conventions, and a role that reads only the input prefix", () => {
        const taskDefinition = only(released, "aws:ecs/taskDefinition:TaskDefinition", "-batch-item");
        const [container] = parseJson(taskDefinition.inputs.containerDefinitions);
        const repository = only(released, "aws:ecr/repository:Repository", "-batch");
        const logGroup = only(released, "aws:cloudwatch/logGroup:LogGroup", "-batch-item");
        const logsKey = only(released, "aws:kms/key:Key", "-logs");
        const bucket = only(released, "aws:s3/bucket:Bucket", "-batch");
        expect(taskDefinition.inputs).to.deep.include({ cpu: "512", memory: "1024", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc" });
        expect(container).to.deep.include({ name: "batch", image: `${String(repository.state.repositoryUrl)}:3f9c2e1`, user: "65532", readonlyRootFilesystem: true, privileged: false });
        expect(container.linuxParameters.capabilities).to.deep.equal({ drop: ["ALL"] });
        expect(container.logConfiguration.options["awslogs-group"]).to.equal(logGroup.inputs.name);
        expect(logGroup.inputs).to.deep.include({ name: "/platform-dev/ecs/batch", kmsKeyId: logsKey.state.arn });
        const task = roleStatements(released, taskDefinition.inputs.taskRoleArn);
        expect(task.map((s) => [s.Action, s.Resource])).to.deep.equal([
            [["s3:GetObject", "s3:GetObjectVersion"], [`${String(bucket.state.arn)}/input/*`]],
            [["kms:Decrypt"], [only(released, "aws:kms/key:Key", "-data").state.arn]],
        ]);
        const pull = roleStatements(released, taskDefinition.inputs.executionRoleArn).find((s) => s.Sid === "PullOwnImage");
        expect(pull.Resource).to.equal(repository.state.arn);
    });

    it("before the first release runs a placeholder that fails each item saying why", () => {
        const [container] = parseJson(only(resources, "aws:ecs/taskDefinition:TaskDefinition", "-batch-item").inputs.containerDefinitions);
        expect(container.image).to.equal("public.ecr.aws/docker/library/node:22-alpine");
        expect(container.command.join(" ")).to.contain("no release of the batch image is deployed").and.to.contain("process.exit(1)");
    });

    it("synthesizes dev with 0 readiness failures and 0 mandatory policy violations", async () => {
        for (const stack of [resources, released]) {
            const findings = runReadiness({ project: "platform", stack: "dev", region, accountId, resources: stack, bundles: bundleRecords() });
            expect(findings.filter((f) => f.severity === "failure").map((f) => f.message)).to.deep.equal([]);
            // With dev's pack config, as the offline gate runs it (the NAT instance's and plain-HTTP listener's exemptions).
            const gate = await runPolicyGate(stack, stackPolicyConfig(policyConfigFiles(REPO_ROOT, "dev", "dev"), "dev"));
            expect(blockingViolations(gate.violations).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
        }
    });

    it("fails readiness (asl-iam) when the role lacks what the ECS task state calls", () => {
        const machine = only(resources, "aws:sfn/stateMachine:StateMachine", "-batch-workflow");
        const roleName = resources.find((r) => r.type === "aws:iam/role:Role" && r.state.arn === machine.inputs.roleArn)!.state.name;
        const without = (sid: string) =>
            resources.map((r) => {
                if (r.type !== "aws:iam/rolePolicy:RolePolicy" || r.inputs.role !== roleName) return r;
                const document = parseJson(r.inputs.policy);
                return { ...r, inputs: { ...r.inputs, policy: JSON.stringify({ ...document, Statement: document.Statement.filter((s: { Sid?: string }) => s.Sid !== sid) }) } };
            });
        const failures = (stack: RecordedResource[]) => aslIamRule.check({ project: "platform", stack: "dev", region, accountId, resources: stack, bundles: [] }).map((f) => f.message);
        expect(failures(resources)).to.deep.equal([]);
        expect(failures(without("RunBatchItemTask")))
            .to.have.length(1)
            .and.to.match(/ProcessItems\/ProcessItem .* calls ecs:RunTask on arn:aws:ecs:.*:task-definition\/platform-dev-batch-item:1/);
        expect(failures(without("PassBatchTaskRoles")).map((m) => m.replace(/on .*, which/, "on <role>, which"))).to.deep.equal([
            "state ProcessItems/ProcessItem (arn:aws:states:::ecs:runTask.sync) calls iam:PassRole on <role>, which role " + String(roleName) + " does not allow",
            "state ProcessItems/ProcessItem (arn:aws:states:::ecs:runTask.sync) calls iam:PassRole on <role>, which role " + String(roleName) + " does not allow",
        ]);
        expect(failures(without("ManageEcsTaskEventsRule"))).to.have.length(3);
    });
});

describe("platform:batch.processor configuration", () => {
    const problemsOf = (batch: Record<string, unknown>, apps?: Record<string, unknown>) => {
        try {
            resolvePlatformConfig({ project: "platform", stack: "dev", values: { batch, ...(apps ? { apps } : {}) }, region: "eu-west-1" });
        } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            return (error as ConfigError).problems.map((p) => `${p.key}: ${p.message}`);
        }
        throw new Error("expected a ConfigError");
    };

    it("defaults to the Lambda processor; ecs takes STANDARD children and the smallest task", () => {
        const resolve = (batch: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack: "dev", values: { batch }, region: "eu-west-1" }).batch!;
        expect(resolve({})).to.include({ processor: "lambda", childExecutionType: "EXPRESS" });
        expect(resolve({}).task).to.equal(undefined);
        expect(resolve({ processor: "ecs" })).to.deep.include({ processor: "ecs", childExecutionType: "STANDARD", task: { cpu: 256, memory: 512 } });
    });

    it("refuses a bad processor, EXPRESS children, a Lambda setting or a task that does not fit, naming the key", () => {
        expect(problemsOf({ processor: "fargate" })[0]).to.match(/^platform:batch\.processor: expected the item processor, one of lambda, ecs/);
        expect(problemsOf({ processor: "ecs", childExecutionType: "EXPRESS" })).to.deep.equal([
            "platform:batch.childExecutionType: expected STANDARD (or no childExecutionType) with processor ecs: an EXPRESS workflow cannot wait for an ECS task to finish (.sync integrations are Standard-only)",
        ]);
        expect(problemsOf({ processor: "ecs", reservedConcurrency: 5 })[0]).to.match(/^platform:batch\.reservedConcurrency: expected no reservedConcurrency with processor ecs/);
        expect(problemsOf({ task: { cpu: 256 } })[0]).to.match(/^platform:batch\.task: expected no task with processor lambda/);
        expect(problemsOf({ processor: "ecs", task: { cpu: 256, memory: 4096 } })).to.deep.equal(["platform:batch.task.memory: expected a Fargate memory size for cpu 256: one of 512, 1024, 2048 MiB, got 4096"]);
        expect(problemsOf({ processor: "ecs", task: { cpu: 300 } })[0]).to.match(/^platform:batch\.task\.cpu: expected task CPU units Fargate offers, one of 256, 512/);
        expect(problemsOf({ processor: "ecs", task: { imageTag: "latest" } })[0]).to.match(/^platform:batch\.task\.imageTag: expected a release tag/);
        expect(problemsOf({ processor: "ecs" }, { batch: {} })[0]).to.match(/^platform:batch\.processor: expected no app named "batch" with processor ecs/);
    });
});
