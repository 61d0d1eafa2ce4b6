import { expect } from "chai";
import { aslIamRule, taskStates } from "../../platform/offline/readiness/asl-iam";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { shippedStack } from "./stacks";

const machineNamed = (resources: RecordedResource[], suffix: string) => resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine" && r.name.endsWith(suffix))!;

describe("readiness: workflow tasks against IAM (asl-iam)", function () {
    this.timeout(180_000);

    it("walks into a distributed map's item processor", async () => {
        const { resources } = await shippedStack("dev");
        const definition = JSON.parse(machineNamed(resources, "-batch-workflow").inputs.definition as string);
        expect(taskStates(definition).map((t) => [t.path, t.state.Resource])).to.deep.equal([["ProcessItems/ProcessItem", "arn:aws:states:::lambda:invoke"]]);
    });

    it("finds nothing in the shipped dev stack, and fails a workflow whose role cannot invoke its item processor", async () => {
        const context = await shippedStack("dev");
        expect(aslIamRule.check(context)).to.deep.equal([]);
        const machine = machineNamed(context.resources, "-batch-workflow");
        const roleName = context.resources.find((r) => r.type === "aws:iam/role:Role" && r.state.arn === machine.inputs.roleArn)!.state.name;
        const resources = context.resources.map((r) => {
            if (r.type !== "aws:iam/rolePolicy:RolePolicy" || r.inputs.role !== roleName) return r;
            const document = JSON.parse(r.inputs.policy as string);
            const statements = document.Statement.filter((s: { Action: string | string[] }) => ![s.Action].flat().includes("lambda:InvokeFunction"));
            return { ...r, inputs: { ...r.inputs, policy: JSON.stringify({ ...document, Statement: statements }) } };
        });
        const findings = aslIamRule.check({ ...context, resources });
        expect(findings.map((f) => [f.severity, f.name])).to.deep.equal([["failure", machine.name]]);
        expect(findings[0].message).to.match(/^state ProcessItems\/ProcessItem \(arn:aws:states:::lambda:invoke\) calls lambda:InvokeFunction on arn:aws:lambda:.*batch-process-item.*, which role .* does not allow$/);
    });
});
