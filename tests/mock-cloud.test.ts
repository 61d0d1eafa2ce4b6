import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { DuplicateUrnError } from "../platform/offline/mock-cloud";
import { synthesize, SynthError } from "../platform/offline/synth";
import { only, synthPlatform } from "./helpers";

const run = (program: () => unknown, config: Record<string, string> = { "aws:region": "ap-southeast-2" }) => synthesize({ project: "fixture", stack: "test", config, program });

describe("mock cloud", () => {
    it("gives the same IDs and ARNs on every run (deterministic)", async () => {
        const first = await synthPlatform("dev", { apps: { web: {} } });
        const second = await synthPlatform("dev", { apps: { web: {} } });
        const ids = (result: typeof first) => result.cloud.resources.map((r) => `${r.urn}=${r.id}`);
        expect(ids(first)).to.deep.equal(ids(second));
    });

    it("shapes ARNs and URLs in the stack's region and account", async () => {
        const result = await synthPlatform("dev", { accountId: "210987654321", apps: { web: {} } }, { "aws:region": "us-west-2" });
        const repo = only(result.cloud.resources, "aws:ecr/repository:Repository");
        expect(repo.state.arn).to.equal("arn:aws:ecr:us-west-2:210987654321:repository/platform-dev/web");
        expect(repo.state.repositoryUrl).to.equal("210987654321.dkr.ecr.us-west-2.amazonaws.com/platform-dev/web");
        expect(only(result.cloud.resources, "aws:kms/key:Key", "-logs").state.arn).to.match(/^arn:aws:kms:us-west-2:210987654321:key\/[0-9a-f-]{36}$/);
        expect(only(result.cloud.resources, "awsx:ec2:Vpc").state.vpcId).to.match(/^vpc-[0-9a-f]{17}$/);
    });

    it("records parent, protect, provider and dependsOn of every registration", async () => {
        const result = await run(() => {
            const provider = new aws.Provider("regional", { region: "ap-southeast-2" });
            const parent = new pulumi.ComponentResource("fixture:index:Group", "group", {}, { providers: [provider] });
            const key = new aws.kms.Key("key", { description: "k" }, { parent, protect: true });
            new aws.kms.Alias("alias", { name: "alias/k", targetKeyId: key.keyId }, { parent, dependsOn: [key] });
        });
        const key = only(result.cloud.resources, "aws:kms/key:Key");
        const alias = only(result.cloud.resources, "aws:kms/alias:Alias");
        const group = only(result.cloud.resources, "fixture:index:Group");
        expect(key.parent).to.equal(group.urn);
        expect(key.urn).to.equal("urn:pulumi:test::fixture::fixture:index:Group$aws:kms/key:Key::key");
        expect(key.protect).to.equal(true);
        expect(alias.protect).to.equal(false);
        expect(alias.dependsOn).to.include(key.urn);
        expect(key.provider).to.match(/^urn:pulumi:test::fixture::pulumi:providers:aws::regional::[0-9a-f-]{36}$/);
        expect(alias.inputs.targetKeyId).to.equal(key.state.keyId);
    });

    it("rejects two resources with the same URN, as the engine would", async () => {
        let failure: unknown;
        try {
            await run(() => {
                new aws.sqs.Queue("jobs", {});
                new aws.sqs.Queue("jobs", {});
            });
        } catch (err) {
            failure = err;
        }
        expect(failure).to.be.instanceOf(SynthError);
        expect((failure as SynthError).cause).to.be.instanceOf(DuplicateUrnError);
        expect((failure as SynthError).message).to.contain("Duplicate resource URN urn:pulumi:test::fixture::aws:sqs/queue:Queue::jobs");
    });

    it("rejects the same name under two parents of the same type: a URN holds the parent's type, not its name", async () => {
        let failure: unknown;
        try {
            await run(() => {
                for (const group of ["a", "b"]) new aws.sqs.Queue("jobs", {}, { parent: new pulumi.ComponentResource("fixture:index:Group", group) });
            });
        } catch (err) {
            failure = err;
        }
        expect((failure as SynthError).cause).to.be.instanceOf(DuplicateUrnError);
    });

    it("allows the same name under parents of different types", async () => {
        const result = await run(() => {
            for (const type of ["fixture:index:Api", "fixture:index:Worker"]) new aws.sqs.Queue("jobs", {}, { parent: new pulumi.ComponentResource(type, "group") });
        });
        expect(result.cloud.ofType("aws:sqs/queue:Queue").map((q) => q.urn)).to.have.members([
            "urn:pulumi:test::fixture::fixture:index:Api$aws:sqs/queue:Queue::jobs",
            "urn:pulumi:test::fixture::fixture:index:Worker$aws:sqs/queue:Queue::jobs",
        ]);
    });

    it("fails loudly on an invoke it has no answer for", async () => {
        let failure: unknown;
        try {
            await run(() => aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true }).id);
        } catch (err) {
            failure = err;
        }
        expect(String(failure)).to.contain("no answer for invoke aws:ec2/getAmi:getAmi");
    });

    it("answers the identity, region and zone invokes for the stack's account and region", async () => {
        const result = await run(() => ({
            account: aws.getCallerIdentityOutput().accountId,
            region: aws.getRegionOutput().region,
            zones: aws.getAvailabilityZonesOutput().names,
        }));
        expect(result.outputs).to.deep.equal({ account: "123456789012", region: "ap-southeast-2", zones: ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"] });
        expect(result.cloud.invokes.map((i) => i.token)).to.include("aws:index/getCallerIdentity:getCallerIdentity");
    });

    it("shapes awsx.ec2.Vpc outputs from its inputs: subnets per AZ, NAT per strategy, a route table per subnet", async () => {
        const result = await synthPlatform("staging", { profile: "staging" });
        const vpc = only(result.cloud.resources, "awsx:ec2:Vpc");
        expect(vpc.remote).to.equal(true);
        expect(vpc.state.privateSubnetIds).to.have.length(3);
        expect(vpc.state.publicSubnetIds).to.have.length(3);
        expect(vpc.state.natGateways).to.have.length(1);
        expect(vpc.state.routeTables).to.have.length(6);
        const subnets = vpc.state.subnets as { cidrBlock: string; availabilityZone: string }[];
        expect(subnets.map((s) => s.availabilityZone)).to.include.members(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        expect(subnets.map((s) => s.cidrBlock)).to.include("10.20.0.0/19");
    });
});
