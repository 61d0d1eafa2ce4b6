import { expect } from "chai";
import { resolvePlatformConfig } from "../../platform/config";
import { configProblems, only, sharedSynth } from "../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const resolve = (values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack: "dev", values, region: "eu-west-1" });

function problemsOf(values: Record<string, unknown>) {
    return configProblems(() => resolve(values));
}

const WORKER = { runtimes: ["eks"], architecture: "x86_64", jobs: { nightly: { schedule: "rate(1 day)", command: ["x"] } } };

describe("EKS Fargate profiles", () => {
    describe("configuration refuses pods Fargate cannot run, at the profile, with the reason", () => {
        it("an arm64 app's pods", () => {
            const problems = problemsOf({ apps: { web: { runtimes: ["eks"] } }, eks: { fargateProfiles: { apps: { namespace: "web" } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:eks.fargateProfiles.apps"]);
            expect(problems[0].message).to.match(/web's server, an arm64 app \(apps\.web\.architecture\); Fargate on EKS runs x86_64 pods only/);
        });

        it("only the pods the selector's labels take: a job selector names the job, not the server", () => {
            const problems = problemsOf({ apps: { worker: { ...WORKER, architecture: "arm64" } }, eks: { fargateProfiles: { jobs: { namespace: "worker", labels: { "app.kubernetes.io/component": "job" } } } } });
            expect(problems[0].message).to.match(/selects worker's job nightly, an arm64 app/);
        });

        it("a DaemonSet or privileged agent of the platform (a kube-system profile without labels)", () => {
            const problems = problemsOf({ eks: { enabled: true, fargateProfiles: { system: { namespace: "kube-system" } } } });
            expect(problems.map((p) => p.key)).to.deep.equal(["platform:eks.fargateProfiles.system"]);
            expect(problems[0].message).to.match(/aws-node \(VPC CNI\) \(a privileged DaemonSet\).*kube-proxy.*Fargate runs neither DaemonSets nor privileged containers/);
        });

        it("the observability DaemonSets", () => {
            const problems = problemsOf({ eks: { enabled: true, fargateProfiles: { logs: { namespace: "amazon-cloudwatch", labels: { "k8s-app": "fluent-bit" } } } } });
            expect(problems[0].message).to.match(/fluent-bit \(a privileged DaemonSet\)/);
        });

        it("an app that needs Pod Identity (bindings) or the Secrets Store CSI driver (secrets)", () => {
            const problems = problemsOf({
                apps: { worker: { ...WORKER, tables: { T: { arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/translations" } } } },
                eks: { fargateProfiles: { worker: { namespace: "worker" } } },
            });
            expect(problems[0].message).to.match(/EKS Pod Identity; neither is available on Fargate/);
        });

        it("accepts an x86_64 app without AWS access, and Karpenter's controller selected by its labels", () => {
            const config = resolve({ apps: { worker: WORKER }, eks: { fargateProfiles: { worker: { namespace: "worker" }, karpenter: { namespace: "kube-system", labels: { "app.kubernetes.io/name": "karpenter" } } } } });
            expect(Object.keys(config.eks.fargateProfiles)).to.have.members(["worker", "karpenter"]);
        });
    });

    describe("the shipped dev stack runs Karpenter's controller on its managed node group instead (no Fargate pod to pay for)", function () {
        this.timeout(180_000);
        let resources: Awaited<ReturnType<typeof sharedSynth>>["cloud"]["resources"];
        before(async () => {
            resources = (await sharedSynth("dev")).cloud.resources;
        });

        it("creates no Fargate profile and gives the controller a Pod Identity association for exactly its service account", () => {
            expect(resources.filter((r) => r.type === "aws:eks/fargateProfile:FargateProfile")).to.deep.equal([]);
            const role = only(resources, "aws:iam/role:Role", "-karpenter-controller");
            const association = resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.serviceAccount === "karpenter");
            expect(association).to.have.length(1);
            expect(association[0].inputs).to.include({ namespace: "kube-system", roleArn: role.state.arn });
        });

        it("places the chart on the controllers' node of the managed group (a node Karpenter does not launch)", () => {
            const release = resources.find((r) => r.type === RELEASE && r.inputs.name === "karpenter")!;
            const values = release.inputs.values as any;
            expect(values.nodeSelector).to.deep.equal({ "platform/controllers": "true" });
            const group = only(resources, "aws:eks/nodeGroup:NodeGroup", "-workload");
            expect((group.inputs.labels as Record<string, string>)["platform/controllers"]).to.equal("true");
        });
    });

    for (const stack of ["staging", "prod"] as const) {
        describe(`the shipped ${stack} stack runs Karpenter's controller on Fargate`, function () {
            this.timeout(180_000);
            let resources: Awaited<ReturnType<typeof sharedSynth>>["cloud"]["resources"];
            let outputs: Record<string, unknown>;
            before(async () => {
                const result = await sharedSynth(stack);
                resources = result.cloud.resources;
                outputs = result.outputs;
            });

            it("creates the profile for kube-system pods labelled karpenter, in the private subnets", () => {
                const profile = only(resources, "aws:eks/fargateProfile:FargateProfile", "-karpenter");
                expect(profile.inputs.selectors).to.deep.equal([{ namespace: "kube-system", labels: { "app.kubernetes.io/name": "karpenter" } }]);
                // Fargate pods get no public IP: private subnets only.
                expect(profile.inputs.subnetIds).to.deep.equal(outputs.privateSubnetIds);
            });

            it("gives the controller an IRSA role for exactly its service account, not a Pod Identity association", () => {
                const role = only(resources, "aws:iam/role:Role", "-karpenter-controller");
                const trust = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement;
                expect(trust).to.have.length(1);
                expect(trust[0].Action).to.equal("sts:AssumeRoleWithWebIdentity");
                expect(trust[0].Principal.Federated).to.match(/oidc-provider/);
                const conditions = trust[0].Condition.StringEquals;
                expect(Object.entries(conditions).find(([k]) => k.endsWith(":sub"))?.[1]).to.equal("system:serviceaccount:kube-system:karpenter");
                expect(Object.entries(conditions).find(([k]) => k.endsWith(":aud"))?.[1]).to.equal("sts.amazonaws.com");
                const associations = resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.serviceAccount === "karpenter");
                expect(associations).to.deep.equal([]);
            });

            it("annotates the chart's service account with the role and drops the system-node placement", () => {
                const release = resources.find((r) => r.type === RELEASE && r.inputs.name === "karpenter")!;
                const values = release.inputs.values as any;
                expect(values.serviceAccount.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": only(resources, "aws:iam/role:Role", "-karpenter-controller").state.arn });
                expect(values).to.not.have.property("nodeSelector");
                expect(values).to.not.have.property("tolerations");
            });
        });
    }
});
