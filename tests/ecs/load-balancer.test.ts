import { expect } from "chai";
import { captureWarnings, statementsOf, synthPlatform } from "../helpers";
import { CERTIFICATE_ARN, devStack, prodStack, Synthesized, WEB } from "./fixtures";

const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";

describe("ECS load balancer and access logs", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    before(async () => {
        dev = await devStack();
        prod = await prodStack();
    });

    describe("load balancer", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`puts the ${stack} load balancer in the public subnets with invalid headers dropped, desync mitigation and access logs`, () => {
                const s = stack === "dev" ? dev : prod;
                const lb = s.one(LOAD_BALANCER);
                expect(lb.inputs).to.include({ loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, desyncMitigationMode: "defensive", idleTimeout: 60 });
                expect(lb.inputs.subnets).to.deep.equal(s.one("awsx:ec2:Vpc").state.publicSubnetIds);
                expect(lb.inputs.securityGroups).to.deep.equal([s.one("aws:ec2/securityGroup:SecurityGroup", "-web-alb").state.id]);
                expect(lb.inputs.accessLogs).to.deep.equal({ bucket: s.one("aws:s3/bucket:Bucket").state.bucket, prefix: "web", enabled: true });
                // ELB writes a test object when access logs are turned on: the bucket policy must exist first.
                expect(lb.dependsOn).to.include(s.one("aws:s3/bucketPolicy:BucketPolicy").urn);
            });
        }

        it("protects the prod load balancer from deletion, not dev's", () => {
            expect(prod.one(LOAD_BALANCER).inputs.enableDeletionProtection).to.equal(true);
            expect(dev.one(LOAD_BALANCER).inputs.enableDeletionProtection).to.equal(false);
        });

        it("serves HTTPS only when a certificate is set: TLS 1.3 policy on 443, and 80 only redirects", () => {
            const listeners = Object.fromEntries(prod.all(LISTENER).map((listener) => [listener.inputs.port, listener.inputs]));
            expect(Object.keys(listeners)).to.have.members(["80", "443"]);
            expect(listeners[443]).to.include({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: CERTIFICATE_ARN });
            expect(listeners[443].defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: prod.one("aws:lb/targetGroup:TargetGroup", "-web").state.arn }]);
            expect(listeners[80].protocol).to.equal("HTTP");
            expect(listeners[80].defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            expect(prod.warnings.join("\n")).to.not.contain("plain HTTP");
        });

        it("serves plain HTTP when no certificate is set, and says so in the synth output", () => {
            const listeners = dev.all(LISTENER);
            expect(listeners.map((listener) => [listener.inputs.port, listener.inputs.protocol])).to.deep.equal([[80, "HTTP"]]);
            expect(listeners[0].inputs.defaultActions).to.deep.equal([{ type: "forward", targetGroupArn: dev.one("aws:lb/targetGroup:TargetGroup", "-web").state.arn }]);
            expect(dev.warnings.join("\n")).to.contain("web: no ingress.certificateArn is set, so its load balancer serves plain HTTP on port 80");
        });

        it("health-checks tasks by IP on the readiness path, expecting 200, and drains them for 30 s", () => {
            for (const s of [dev, prod]) {
                const targetGroup = s.one("aws:lb/targetGroup:TargetGroup", "-web").inputs;
                expect(targetGroup).to.include({ targetType: "ip", protocol: "HTTP", port: 8080, deregistrationDelay: 30, vpcId: s.one("awsx:ec2:Vpc").state.vpcId });
                expect(targetGroup.healthCheck).to.deep.include({ enabled: true, path: "/readyz", matcher: "200", port: "traffic-port", protocol: "HTTP" });
            }
        });

        it("takes allowed CIDRs, TLS policy, idle timeout and deregistration delay from config", async () => {
            const { result } = await captureWarnings(() =>
                synthPlatform("prod", {
                    apps: { web: { imageTag: WEB.imageTag } },
                    ingress: {
                        certificateArn: CERTIFICATE_ARN,
                        allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
                        sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
                        idleTimeoutSeconds: 120,
                        deregistrationDelaySeconds: 10,
                    },
                }),
            );
            const cloud = result.cloud;
            const albSg = cloud.ofType("aws:ec2/securityGroup:SecurityGroup").find((sg) => sg.name.endsWith("-web-alb"))!.state.id;
            const open = cloud
                .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                .filter((rule) => rule.inputs.securityGroupId === albSg)
                .map((rule) => `${String(rule.inputs.fromPort)} ${String(rule.inputs.cidrIpv4)}`);
            expect(open).to.have.members(["443 203.0.113.0/24", "443 198.51.100.0/24", "80 203.0.113.0/24", "80 198.51.100.0/24"]);
            expect(cloud.ofType(LISTENER).find((listener) => listener.inputs.port === 443)!.inputs.sslPolicy).to.equal("ELBSecurityPolicy-TLS13-1-3-2021-06");
            expect(cloud.ofType(LOAD_BALANCER)[0].inputs.idleTimeout).to.equal(120);
            expect(cloud.ofType("aws:lb/targetGroup:TargetGroup")[0].inputs.deregistrationDelay).to.equal(10);
        });
    });

    describe("access-log bucket", () => {
        for (const [stack, days] of [
            ["dev", 14],
            ["prod", 365],
        ] as const) {
            it(`is versioned, SSE-S3 encrypted, private, owner-enforced and expires ${stack} logs after ${days} days`, () => {
                const s = stack === "dev" ? dev : prod;
                const bucket = s.one("aws:s3/bucket:Bucket");
                const name = bucket.state.bucket;
                expect(s.one("aws:s3/bucketVersioning:BucketVersioning").inputs).to.deep.equal({ bucket: name, versioningConfiguration: { status: "Enabled" } });
                // ELB log delivery supports SSE-S3 only.
                expect(s.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
                expect(s.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.deep.equal({
                    bucket: name,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                expect(s.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
                const rules = s.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[];
                expect(rules[0]).to.deep.include({ status: "Enabled", expiration: { days }, noncurrentVersionExpiration: { noncurrentDays: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
                expect(rules[1]).to.deep.include({ status: "Enabled", expiration: { expiredObjectDeleteMarker: true } });
            });
        }

        it("is protected in prod and force-deletable in dev", () => {
            expect(prod.one("aws:s3/bucket:Bucket").protect).to.equal(true);
            expect(prod.one("aws:s3/bucket:Bucket").inputs.forceDestroy).to.equal(false);
            expect(dev.one("aws:s3/bucket:Bucket").protect).to.equal(false);
            expect(dev.one("aws:s3/bucket:Bucket").inputs.forceDestroy).to.equal(true);
        });

        it("lets ELB (the regional ELB account and the log delivery service) write only this account's logs under the app's prefix, and denies plain HTTP", () => {
            const bucketArn = String(prod.one("aws:s3/bucket:Bucket").state.arn);
            const [allow, deny] = statementsOf(prod.one("aws:s3/bucketPolicy:BucketPolicy"));
            // eu-west-1's ELB account, from AWS's access-log guide.
            expect(allow).to.deep.include({
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com", AWS: "arn:aws:iam::156460612806:root" },
                Action: "s3:PutObject",
                Resource: [`${bucketArn}/web/AWSLogs/123456789012/*`],
            });
            expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } });
        });

        it("names only the log delivery service in Regions opened since August 2022, which have no ELB account", async () => {
            const { result } = await captureWarnings(() => synthPlatform("dev", { apps: { web: {} } }, { "aws:region": "eu-south-2" }));
            const policy = result.cloud.ofType("aws:s3/bucketPolicy:BucketPolicy")[0];
            expect(statementsOf(policy)[0].Principal).to.deep.equal({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
            expect(result.cloud.invokes.map((invoke) => invoke.token)).to.not.include("aws:elb/getServiceAccount:getServiceAccount");
        });
    });
});
