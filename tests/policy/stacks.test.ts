import { expect } from "chai";
import { blockingViolations, PolicyViolation } from "../../policy/harness";
import { policyConfigFiles, runPolicyGate, stackPolicyConfig } from "../../platform/offline/policy-gate";
import { FIXTURE_STACKS, sharedSynth } from "../helpers";

/**
 * The program's fixture stacks (tests/fixtures/stacks) under the whole pack, with the pack config
 * each gets (its profile's policy/config/<profile>.json), exactly as `npm run synth` gates them. Zero blocking violations;
 * the accepted ones are listed here with why, so a new finding or a fixed one turns this red.
 */
const EXPECTED: Record<string, string[]> = {
    dev: [
        // No ingress.certificateArn in dev: the port-80 listener serves plain HTTP (FSBP ELB.1/ELB.18),
        // allowed by the ECS issue when no certificate exists and exempted with that reason.
        "exempted elb-listeners-use-tls platform-dev-web-12427-http",
        "exempted elb-listeners-use-tls platform-dev-eks-web-eks-19027-http",
        // dev shares one internet-facing load balancer (network.loadBalancers: shared): the ECS and EKS web
        // routes listen on ports of their own, open to the allowed CIDRs, exempted with that reason.
        "exempted ec2-no-unrestricted-ingress platform-dev-public-alb-12427-0",
        "exempted ec2-no-unrestricted-ingress platform-dev-public-alb-19027-0",
        // dev's NAT instance (natStrategy instance) needs a public address to forward egress (FSBP EC2.9);
        // exempted with that reason, its security group admits only the VPC.
        "exempted ec2-launch-template-no-public-ip platform-dev-nat",
        // dev has no interface endpoints (cost); FSBP EC2.55/56/57 want ecr.api, ecr.dkr and ssm.
        "advisory ec2-vpc-interface-endpoints platform-dev",
        // The serverless APIs are IAM-authorized and throttled; the WAF web ACL (FSBP APIGateway.4,
        // about $8/month per API) is on in prod only (platform:<app>.api.waf).
        "advisory apigateway-waf platform-dev-fanout-api",
        "advisory apigateway-waf platform-dev-translate-api",
        // Likewise the ingest webhook (platform:ingest.waf, on in prod only).
        "advisory apigateway-waf platform-dev-ingest-api",
    ],
    staging: [
        "exempted elb-listeners-use-tls platform-staging-web-12427-http",
        "exempted elb-listeners-use-tls platform-staging-eks-web-eks-19027-http",
        "exempted ec2-no-unrestricted-ingress platform-staging-public-alb-12427-0",
        "exempted ec2-no-unrestricted-ingress platform-staging-public-alb-19027-0",
        // staging's endpoint list lacks ssm (FSBP EC2.57).
        "advisory ec2-vpc-interface-endpoints platform-staging",
        // The serverless APIs are IAM-authorized and throttled; the WAF web ACL (FSBP APIGateway.4,
        // about $8/month per API) is on in prod only (platform:<app>.api.waf).
        "advisory apigateway-waf platform-staging-fanout-api",
        "advisory apigateway-waf platform-staging-translate-api",
        "advisory apigateway-waf platform-staging-ingest-api",
    ],
    prod: [],
};

const summary = (violations: PolicyViolation[]) => violations.map((v) => `${v.exempted ? "exempted" : v.enforcementLevel} ${v.policy} ${v.name}`).sort();

describe("policy pack on the real stacks (the offline gate)", () => {
    for (const stackName of Object.keys(EXPECTED)) {
        it(`${stackName}: no blocking violation, and exactly the accepted ones`, async () => {
            const synth = await sharedSynth(stackName);
            const gate = await runPolicyGate(synth.cloud.resources, stackPolicyConfig(policyConfigFiles(FIXTURE_STACKS, stackName, stackName), stackName));
            expect(gate.indeterminate, "indeterminate results").to.equal(0);
            expect(summary(gate.violations), "violations (see the comments in EXPECTED)").to.deep.equal([...EXPECTED[stackName]].sort());
            expect(blockingViolations(gate.violations), "blocking violations").to.deep.equal([]);
        });
    }

    it("without the dev profile's pack config, the plain-HTTP listener and the NAT instance's public address block the gate (the exemptions are what let them through)", async () => {
        const synth = await sharedSynth("dev");
        const gate = await runPolicyGate(synth.cloud.resources, {});
        expect(summary(gate.blocking)).to.deep.equal([
            "mandatory ec2-launch-template-no-public-ip platform-dev-nat",
            "mandatory ec2-no-unrestricted-ingress platform-dev-public-alb-12427-0",
            "mandatory ec2-no-unrestricted-ingress platform-dev-public-alb-19027-0",
            "mandatory elb-listeners-use-tls platform-dev-eks-web-eks-19027-http",
            "mandatory elb-listeners-use-tls platform-dev-web-12427-http",
        ]);
    });
});
