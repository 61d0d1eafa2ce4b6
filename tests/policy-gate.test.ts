import { expect } from "chai";
import { runPolicyGate } from "../platform/offline/policy-gate";
import { synthesize } from "../platform/offline/synth";
import data from "./fixtures/insecure/data";
import ecr from "./fixtures/insecure/ecr";
import ecs from "./fixtures/insecure/ecs";
import edge from "./fixtures/insecure/edge";
import eks from "./fixtures/insecure/eks";
import iam from "./fixtures/insecure/iam";
import kubernetes from "./fixtures/insecure/kubernetes";
import messaging from "./fixtures/insecure/messaging";
import network from "./fixtures/insecure/network";
import s3 from "./fixtures/insecure/s3";
import serverless from "./fixtures/insecure/serverless";
import { runScript } from "./helpers";

/**
 * The offline policy gate on deliberately misconfigured programs (tests/fixtures/insecure), one
 * per resource family: each must be blocked, with the control IDs of what it gets wrong.
 */
const FAMILIES: Record<string, { program: () => void; controls: string[] }> = {
    ecr: { program: ecr, controls: ["FSBP ECR.1", "FSBP ECR.2"] },
    ecs: { program: ecs, controls: ["FSBP ECS.1", "FSBP ECS.2", "FSBP ECS.3", "FSBP ECS.4", "FSBP ECS.5", "FSBP ECS.8", "FSBP ECS.9"] },
    s3: { program: s3, controls: ["FSBP S3.8", "FSBP S3.2", "FSBP S3.5", "FSBP S3.12"] },
    messaging: { program: messaging, controls: ["FSBP SQS.1", "FSBP SQS.3", "FSBP SNS.1", "Reliability 2"] },
    data: { program: data, controls: ["FSBP DynamoDB.2", "FSBP Kinesis.1", "FSBP Kinesis.3"] },
    iam: { program: iam, controls: ["FSBP IAM.1", "FSBP IAM.21"] },
    network: { program: network, controls: ["FSBP EC2.19", "FSBP EC2.8"] },
    serverless: { program: serverless, controls: ["FSBP Lambda.1", "FSBP Lambda.2", "FSBP StepFunctions.1"] },
    kubernetes: { program: kubernetes, controls: ["PSS baseline: Privileged Containers", "PSS baseline: Host Namespaces"] },
    eks: { program: eks, controls: ["FSBP EKS.1", "FSBP EKS.2", "FSBP EKS.8", "CIS EKS 5.3.1"] },
    edge: { program: edge, controls: ["FSBP ELB.1", "FSBP ELB.4", "FSBP APIGateway.8", "FSBP APIGateway.9"] },
};

describe("offline policy gate on misconfigured programs", () => {
    for (const [family, { program, controls }] of Object.entries(FAMILIES)) {
        it(`blocks the ${family} fixture, naming ${controls.join(", ")}`, async () => {
            const synth = await synthesize({ project: "fixture", stack: "prod", config: { "aws:region": "eu-west-1" }, program });
            const gate = await runPolicyGate(synth.cloud.resources);
            expect(gate.blocking.length, `blocking violations of ${family}`).to.be.greaterThan(0);
            const named = new Set(gate.violations.flatMap((violation) => violation.frameworks));
            for (const control of controls) expect([...named], `controls named for ${family}`).to.include(control);
        });
    }

    it("makes `npm run synth -- --program` exit 1 and name the controls", function () {
        this.timeout(60_000);
        const result = runScript("platform/offline/synth-cli.ts", ["--stack", "dev", "--program", "tests/fixtures/insecure/ecr.ts"], 60_000);
        expect(result.status, result.stderr).to.equal(1);
        expect(result.stdout).to.match(/ecr-image-scanning \[mandatory\] \(high; FSBP ECR\.1\)/);
        expect(result.stderr).to.match(/Policy gate failed: \d+ mandatory violations? \(.*FSBP ECR\.1/);
    });
});
