import { expect } from "chai";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { runReadiness } from "../../platform/offline/readiness";
import { cloudwatchMetricsRule } from "../../platform/offline/readiness/cloudwatch-metrics";
import { statementsOf } from "../helpers";
import { contextOf } from "../readiness/fixtures";
import { eksDev, synth, WEB } from "./fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const attributes = (ingress: RecordedResource) => String((ingress.inputs.metadata as any).annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).split(",");

describe("EKS CronJob failure alarms and Ingress access logs", function () {
    this.timeout(120_000);

    describe("a failure alarm per CronJob", () => {
        it("watches the failed pods Container Insights counts under the CronJob's name, in its namespace and cluster", async () => {
            const dev = await eksDev();
            const cronJob = dev.one("kubernetes:batch/v1:CronJob", "-eks-web-selfcheck");
            const alarm = dev.one(ALARM, "-eks-web-selfcheck-failed");
            expect(alarm.inputs).to.deep.include({ namespace: "ContainerInsights", metricName: "pod_status_failed", statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: 0 });
            expect(alarm.inputs.dimensions).to.deep.equal({ ClusterName: "platform-dev", Namespace: "web", PodName: (cronJob.inputs.metadata as any).name });
            expect(alarm.inputs.alarmActions).to.have.length(1);
        });

        it("passes the cloudwatch-metrics readiness rule, which knows EKS Container Insights' dimension sets and fails a set it never publishes", async () => {
            const dev = await eksDev();
            const ofAlarm = (resources: RecordedResource[]) => runReadiness(contextOf(dev.result, resources), [cloudwatchMetricsRule]).filter((f) => f.name.endsWith("-selfcheck-failed"));
            expect(ofAlarm(dev.resources)).to.deep.equal([]);
            const broken = structuredClone(dev.resources);
            (broken.find((r) => r.name.endsWith("-eks-web-selfcheck-failed"))!.inputs.dimensions as Record<string, string>).JobName = "web-selfcheck";
            const [finding] = ofAlarm(broken);
            expect(finding.severity).to.equal("failure");
            expect(finding.message).to.contain("pod_status_failed is published with the dimensions").and.contain("{ClusterName, Namespace, PodName}");
        });

        it("is not created without Container Insights (no metric to watch)", async () => {
            const off = await synth("dev", { apps: { web: WEB }, eks: { containerInsights: false } });
            expect(off.all(ALARM).filter((r) => r.name.includes("-eks-"))).to.deep.equal([]);
            expect(off.one("kubernetes:batch/v1:CronJob", "-eks-web-selfcheck")).to.exist;
        });
    });

    describe("access logs of the Ingress's ALB", () => {
        it("go to the platform's access-log bucket under eks/<app>, which admits ELB log delivery there, once its policy exists", async () => {
            const dev = await synth("dev", { apps: { web: WEB }, network: { loadBalancers: "perApp" } });
            const ingress = dev.one(INGRESS, "-eks-web");
            const bucket = dev.one("aws:s3/bucket:Bucket", "-alb-logs");
            expect(attributes(ingress)).to.include.members(["access_logs.s3.enabled=true", `access_logs.s3.bucket=${String(bucket.state.bucket)}`, "access_logs.s3.prefix=eks/web"]);
            const policy = dev.one("aws:s3/bucketPolicy:BucketPolicy", "-alb-logs");
            const delivery = statementsOf(policy).find((s: any) => s.Sid === "ElbDeliversThisAccountsAccessLogs");
            expect(delivery.Resource).to.include(`${String(bucket.state.arn)}/eks/web/AWSLogs/123456789012/*`);
            expect(ingress.dependsOn).to.include(policy.urn);
        });

        it("go to a bucket of the EKS runtime's own when no app runs on ECS", async () => {
            const eksOnly = await synth("dev", { apps: { web: { ...WEB, runtimes: ["eks"] } }, network: { loadBalancers: "perApp" } });
            const bucket = eksOnly.one("aws:s3/bucket:Bucket", "-eks-alb-logs");
            expect(attributes(eksOnly.one(INGRESS, "-eks-web"))).to.include(`access_logs.s3.bucket=${String(bucket.state.bucket)}`);
            const delivery = statementsOf(eksOnly.one("aws:s3/bucketPolicy:BucketPolicy", "-eks-alb-logs")).find((s: any) => s.Sid === "ElbDeliversThisAccountsAccessLogs");
            expect(delivery.Resource).to.deep.equal([`${String(bucket.state.arn)}/eks/web/AWSLogs/123456789012/*`]);
            expect(eksOnly.all("aws:s3/bucket:Bucket").filter((r) => r.name.endsWith("-alb-logs"))).to.have.length(1);
        });
    });
});
