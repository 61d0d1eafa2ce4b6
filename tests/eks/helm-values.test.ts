import { expect } from "chai";
import { CHARTS, unknownValueKeys } from "../../platform/eks";
import { checkedValues, type ChartPin } from "../../platform/eks/helm-values";
import { eksCatalog, eksClusterAutoscaler, eksProd } from "./fixtures";

/** The pin whose chart a release installs. */
function pinOf(chart: string): ChartPin {
    const pin = Object.values(CHARTS).find((candidate) => candidate.chart === chart);
    if (!pin) throw new Error(`no pinned chart ${chart}`);
    return pin;
}

describe("Helm values against the pinned chart versions", () => {
    it("every release installs a pinned chart version whose value keys are all in the key list transcribed from that version's values.yaml (prod, the Cluster Autoscaler variant, every catalog add-on)", async () => {
        const releases = [...(await eksProd()).all("kubernetes:helm.sh/v3:Release"), ...(await eksClusterAutoscaler()).all("kubernetes:helm.sh/v3:Release"), ...(await eksCatalog()).all("kubernetes:helm.sh/v3:Release")];
        expect(new Set(releases.map((r) => r.inputs.chart))).to.deep.equal(new Set(Object.values(CHARTS).map((pin) => pin.chart)));
        for (const release of releases) {
            const pin = pinOf(release.inputs.chart as string);
            expect(release.inputs.version, release.name).to.equal(pin.version);
            expect(unknownValueKeys(pin, release.inputs.values as Record<string, unknown>), release.name).to.deep.equal([]);
            // Controllers in kube-system; catalog add-ons with their own namespace (and service account bindings) in it.
            expect(release.inputs.namespace).to.be.oneOf(["kube-system", "external-dns", "cert-manager", "keda"]);
        }
    });

    it("rejects a key the chart version does not have, at the top level and inside a checked section", () => {
        expect(unknownValueKeys(CHARTS.LOAD_BALANCER_CONTROLLER, { clusterName: "c", enableWafV2: false })).to.deep.equal(["enableWafV2"]);
        expect(unknownValueKeys(CHARTS.KARPENTER, { settings: { clusterName: "c", interruptionQueueName: "q" } })).to.deep.equal(["settings.interruptionQueueName"]);
        expect(unknownValueKeys(CHARTS.METRICS_SERVER, { podDisruptionBudget: { enabled: true, maxUnavailble: 1 } })).to.deep.equal(["podDisruptionBudget.maxUnavailble"]);
        // A key from an older chart version: cluster-autoscaler's `sslCertPath` was removed long ago.
        expect(unknownValueKeys(CHARTS.CLUSTER_AUTOSCALER, { sslCertPath: "/etc/ssl" })).to.deep.equal(["sslCertPath"]);
    });

    it("refuses a value of the wrong type or outside the enum where the chart ships a values schema (external-dns, cert-manager)", () => {
        expect(unknownValueKeys(CHARTS.EXTERNAL_DNS, { policy: "delete-all", txtOwnerId: "platform-dev" })).to.have.length(1);
        expect(unknownValueKeys(CHARTS.EXTERNAL_DNS, { policy: "sync", extraArgs: ["--zone-id-filter=Z1"] })).to.deep.equal([]);
        expect(unknownValueKeys(CHARTS.CERT_MANAGER, { crds: { enabled: "yes" } })).to.deep.equal(["crds.enabled: Invalid input: expected boolean, received string"]);
    });

    it("stops the program before any release is created with such a key", () => {
        expect(() => checkedValues(CHARTS.KARPENTER, { settings: { aws: { clusterName: "c" } } })).to.throw(/karpenter 1\.14\.1 have keys or values that version does not accept: settings\.aws/);
    });

    it("pins chart sources: Helm repositories over HTTPS, Karpenter from ECR Public's OCI registry", () => {
        for (const pin of Object.values(CHARTS)) {
            // cert-manager tags its chart versions with a leading v, as its releases.
            expect(pin.version).to.match(pin.chart === "cert-manager" ? /^v\d+\.\d+\.\d+$/ : /^\d+\.\d+\.\d+$/);
            if (pin.repository) expect(pin.repository).to.match(/^https:\/\//);
            else expect(pin.chart).to.match(/^oci:\/\/public\.ecr\.aws\//);
        }
    });
});
