import { expect } from "chai";
import { ECS_EXEC_WRITABLE_PATHS, PLACEHOLDER_IMAGE } from "../../platform/ecs/task";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { captureWarnings, parseJson, synthPlatform } from "../helpers";
import { devStack, PARAMETER_ARN, prodStack, SECRET_ARN, Synthesized, unreleasedStack } from "./fixtures";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const serviceTask = (stack: Synthesized) => stack.one(TASK_DEFINITION, "-web");
const containerOf = (taskDefinition: RecordedResource) => {
    const containers = parseJson(taskDefinition.inputs.containerDefinitions);
    expect(containers).to.have.length(1);
    return containers[0];
};

describe("ECS task definitions", () => {
    for (const [stackName, stack] of [
        ["dev", devStack],
        ["prod", prodStack],
    ] as const) {
        describe(stackName, () => {
            let s: Synthesized;
            before(async () => (s = await stack()));

            it("runs on Fargate in awsvpc mode, on Graviton (ARM64) by default", () => {
                for (const taskDefinition of s.all(TASK_DEFINITION)) {
                    expect(taskDefinition.inputs).to.include({ networkMode: "awsvpc" });
                    expect(taskDefinition.inputs.requiresCompatibilities).to.deep.equal(["FARGATE"]);
                    expect(taskDefinition.inputs.runtimePlatform).to.deep.equal({ operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
                    expect(taskDefinition.inputs).to.not.have.property("pidMode");
                    expect(taskDefinition.inputs).to.not.have.property("ipcMode");
                }
            });

            it("runs every container as a non-root user, unprivileged, on a read-only root filesystem, with an init process", () => {
                for (const taskDefinition of s.all(TASK_DEFINITION)) {
                    const container = containerOf(taskDefinition);
                    expect(container.user).to.equal("1000");
                    expect(container.readonlyRootFilesystem).to.equal(true);
                    expect(container.privileged).to.equal(false);
                    expect(container.linuxParameters.initProcessEnabled).to.equal(true);
                }
            });

            it(`drops every Linux capability except where ECS Exec's root agent needs them (${stackName}: exec ${stackName === "dev" ? "on" : "off"})`, () => {
                const capabilities = (suffix: string) => containerOf(s.one(TASK_DEFINITION, suffix)).linuxParameters.capabilities;
                expect(capabilities("-purge-expired")).to.deep.equal({ drop: ["ALL"] });
                if (stackName === "dev") expect(capabilities("-web")).to.equal(undefined);
                else expect(capabilities("-web")).to.deep.equal({ drop: ["ALL"] });
            });

            it(`mounts task-scoped writable volumes at /tmp${stackName === "dev" ? " and where the ECS Exec agent writes (exec on)" : " only (exec off)"}`, () => {
                const taskDefinition = serviceTask(s);
                const paths = stackName === "dev" ? ["/tmp", ...ECS_EXEC_WRITABLE_PATHS] : ["/tmp"];
                expect(taskDefinition.inputs.volumes).to.deep.equal(paths.map((_, index) => ({ name: `writable-${index}` })));
                expect(containerOf(taskDefinition).mountPoints).to.deep.equal(paths.map((containerPath, index) => ({ sourceVolume: `writable-${index}`, containerPath, readOnly: false })));
                // Jobs never allow ECS Exec, so they get no agent volumes.
                expect(containerOf(s.one(TASK_DEFINITION, "-purge-expired")).mountPoints.map((m: { containerPath: string }) => m.containerPath)).to.deep.equal(["/tmp"]);
            });

            if (stackName === "dev") {
                it("with ECS Exec on and a read-only root, mounts /managed-agents, /var/lib/amazon/ssm and /var/log/amazon/ssm writable", () => {
                    const container = containerOf(serviceTask(s));
                    expect(container.readonlyRootFilesystem).to.equal(true);
                    const writable = container.mountPoints.filter((m: { readOnly: boolean }) => !m.readOnly).map((m: { containerPath: string }) => m.containerPath);
                    expect(writable).to.include.members(["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]);
                });
            }

            it("injects secrets as secrets (valueFrom ARNs) and keeps environment free of them", () => {
                const container = containerOf(serviceTask(s));
                expect(container.secrets).to.deep.equal([
                    { name: "API_KEY", valueFrom: PARAMETER_ARN },
                    { name: "DB_PASSWORD", valueFrom: `${SECRET_ARN}:password::` },
                ]);
                const environment = Object.fromEntries(container.environment.map((v: { name: string; value: string }) => [v.name, v.value]));
                expect(environment).to.deep.equal({ AWS_REGION: "eu-west-1", LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_MS: "25000", TRANSLATIONS_TABLE: "translations" });
                expect(JSON.stringify(container.environment)).to.not.contain("arn:aws:secretsmanager");
            });

            it("runs the released image from the app's own repository and publishes the app port", () => {
                const container = containerOf(serviceTask(s));
                expect(container.image).to.equal(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-${stackName}/web:1.4.2`);
                expect(container).to.not.have.property("command");
                expect(container.portMappings).to.deep.equal([{ name: "http", containerPort: 8080, protocol: "tcp", appProtocol: "http" }]);
                expect(container.stopTimeout).to.equal(30);
            });

            it("logs through awslogs, non-blocking, to the app's own KMS-encrypted log group with the profile's retention", () => {
                const group = s.one("aws:cloudwatch/logGroup:LogGroup", "-web");
                expect(group.inputs).to.include({ name: `/platform-${stackName}/ecs/web`, retentionInDays: stackName === "dev" ? 14 : 365, kmsKeyId: s.one("aws:kms/key:Key", "-logs").state.arn });
                expect(group.protect).to.equal(stackName === "prod");
                expect(containerOf(serviceTask(s)).logConfiguration).to.deep.equal({
                    logDriver: "awslogs",
                    options: { "awslogs-group": `/platform-${stackName}/ecs/web`, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "service", mode: "non-blocking", "max-buffer-size": "25m" },
                });
            });

            it("sizes the task from the profile (dev 256/512, prod 512/1024) and keeps old revisions for rollbacks", () => {
                const taskDefinition = serviceTask(s);
                expect(taskDefinition.inputs).to.include(stackName === "dev" ? { cpu: "256", memory: "512" } : { cpu: "512", memory: "1024" });
                expect(taskDefinition.inputs.skipDestroy).to.equal(true);
                expect(taskDefinition.inputs.family).to.equal(`platform-${stackName}-web`);
            });
        });
    }

    describe("before the first release (no image tag)", () => {
        let s: Synthesized;
        before(async () => (s = await unreleasedStack()));

        it("runs the public placeholder, answering on the app port, and says so in the synth output", () => {
            const container = containerOf(serviceTask(s));
            expect(container.image).to.equal(PLACEHOLDER_IMAGE);
            expect(container.command.slice(0, 2)).to.deep.equal(["node", "-e"]);
            expect(container.command[2]).to.contain(".listen(8080)");
            expect(container.readonlyRootFilesystem).to.equal(true);
            expect(s.warnings.join("\n")).to.match(/web: no apps\.web\.imageTag is set, so the service runs the placeholder image .* and its scheduled jobs are paused/);
        });
    });

    it("honours the spec's architecture, user, writable paths and size", async () => {
        const { result } = await captureWarnings(() =>
            synthPlatform("dev", { apps: { web: { imageTag: "2.0.0", architecture: "x86_64", user: "65532:65532", writablePaths: ["/tmp", "/var/cache/web"], cpu: 1024, memory: 3072 } } }),
        );
        const taskDefinition = result.cloud.ofType(TASK_DEFINITION)[0];
        const container = containerOf(taskDefinition);
        expect(taskDefinition.inputs.runtimePlatform).to.deep.equal({ operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
        expect(taskDefinition.inputs).to.include({ cpu: "1024", memory: "3072" });
        expect(container.user).to.equal("65532:65532");
        // dev has ECS Exec on: the agent's directories follow the spec's own.
        expect(container.mountPoints.map((m: { containerPath: string }) => m.containerPath)).to.deep.equal(["/tmp", "/var/cache/web", ...ECS_EXEC_WRITABLE_PATHS]);
        expect(taskDefinition.inputs.volumes).to.have.length(2 + ECS_EXEC_WRITABLE_PATHS.length);
    });
});
