import { expect } from "chai";
import { resolvePlatformConfig } from "../platform/config";
import { captureWarnings, configProblems, only, synthPlatform } from "./helpers";

const resolve = (values: Record<string, unknown>) => resolvePlatformConfig({ project: "platform", stack: "dev", values, region: "eu-west-1" });
const problemsOf = (values: Record<string, unknown>) => {
    return configProblems(() => resolve(values));
};

describe("app ingress: public, internal, none", () => {
    it("defaults to public, and to none for a queue worker", () => {
        const config = resolve({ queues: { work: {} }, apps: { web: {}, worker: { consumes: { queue: "queues.work" } } } });
        expect(config.apps.web.ingress).to.equal("public");
        expect(config.apps.worker.ingress).to.equal("none");
    });

    it("refuses none without a queue to consume, and a public worker", () => {
        expect(problemsOf({ apps: { web: { ingress: "none" } } })[0]).to.deep.include({ key: "platform:apps.web.ingress" });
        const problems = problemsOf({ queues: { work: {} }, apps: { worker: { ingress: "public", consumes: { queue: "queues.work" } } } });
        expect(problems[0]).to.deep.include({ key: "platform:apps.worker.ingress" });
        expect(problems[0].message).to.match(/expected none .* on a queue worker/);
        expect(problemsOf({ apps: { web: { ingress: "private" } } })[0].message).to.match(/public, internal, none/);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`puts an internal app's load balancers in the private subnets, open to the VPC only, on both runtimes (${stack})`, async function () {
            this.timeout(120_000);
            const { result } = await captureWarnings(() =>
                synthPlatform(stack, { network: { loadBalancers: "perApp" }, apps: { api: { imageTag: "1.0.0", ingress: "internal", runtimes: ["ecs", "eks"] }, web: { imageTag: "1.0.0" } } }),
            );
            const resources = result.cloud.resources;
            const vpcCidr = stack === "dev" ? "10.10.0.0/16" : "10.30.0.0/16";
            const internal = only(resources, "aws:lb/loadBalancer:LoadBalancer", "-api");
            expect(internal.inputs.internal).to.equal(true);
            expect(internal.inputs.subnets).to.deep.equal(result.outputs.privateSubnetIds);
            const publicLb = only(resources, "aws:lb/loadBalancer:LoadBalancer", "-web");
            expect(publicLb.inputs.internal).to.equal(false);
            expect(publicLb.inputs.subnets).to.deep.equal(result.outputs.publicSubnetIds);
            const group = only(resources, "aws:ec2/securityGroup:SecurityGroup", "-api-alb");
            const rules = resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.securityGroupId === group.state.id);
            expect(rules.length).to.be.greaterThan(0);
            expect(rules.map((r) => r.inputs.cidrIpv4)).to.satisfy((cidrs: string[]) => cidrs.every((cidr) => cidr === vpcCidr));
            const ingress = only(resources, "kubernetes:networking.k8s.io/v1:Ingress", "-api");
            const annotations = (ingress.inputs as any).metadata.annotations;
            expect(annotations["alb.ingress.kubernetes.io/scheme"]).to.equal("internal");
            expect(annotations["alb.ingress.kubernetes.io/inbound-cidrs"]).to.equal(vpcCidr);
        });
    }
});
