import { expect } from "chai";
import { ADDON_CATALOG, DEFAULT_CLASS_ANNOTATION, GP3_STORAGE_CLASS, KEDA_OPERATOR, mergeValues } from "../../platform/eks/addons";
import { CATALOG_DEFAULT_VERSIONS } from "../../platform/config";
import { CHARTS } from "../../platform/eks";
import { statementsOf } from "../helpers";
import { eksCatalog, eksDev, eksProd, HOSTED_ZONE_ID, synth, Synthesized, WEB } from "./fixtures";

const ADDON = "aws:eks/addon:Addon";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

/** Every statement of the inline policies of the role with this logical name. */
function grantsOf(stack: Synthesized, roleName: string): any[] {
    return stack
        .all("aws:iam/rolePolicy:RolePolicy")
        .filter((policy) => policy.name.startsWith(`${roleName}-`))
        .flatMap((policy) => statementsOf(policy));
}

/** The catalog's resources in a stack: its managed add-on, releases, roles and StorageClass. */
function catalogFootprint(stack: Synthesized) {
    return {
        ebsAddon: stack.all(ADDON).filter((a) => a.inputs.addonName === "aws-ebs-csi-driver").length,
        releases: stack
            .all(RELEASE)
            .map((r) => r.inputs.chart)
            .filter((chart) => ["external-dns", "cert-manager", "vertical-pod-autoscaler", "keda"].includes(chart as string)),
        roles: stack.all(ROLE).filter((r) => /-eks-(ebs-csi|external-dns|keda)$/.test(r.name)).length,
        storageClasses: stack.all("kubernetes:storage.k8s.io/v1:StorageClass").length,
    };
}

describe("EKS add-on catalog", () => {
    let on: Synthesized;
    before(async () => {
        on = await eksCatalog();
    });

    it("lists each optional add-on under its config key, with a managed add-on or a pinned chart as its version source", () => {
        expect(Object.keys(ADDON_CATALOG).sort()).to.deep.equal(Object.keys(CATALOG_DEFAULT_VERSIONS).sort());
        for (const [key, addon] of Object.entries(ADDON_CATALOG)) {
            if (addon.source.kind === "helm") expect(addon.source.chart.version, key).to.equal(CATALOG_DEFAULT_VERSIONS[key as keyof typeof CATALOG_DEFAULT_VERSIONS]);
        }
    });

    it("installs none of them unless enabled: dev and prod have no catalog release, role or StorageClass", async () => {
        for (const stack of [await eksDev(), await eksProd()]) expect(catalogFootprint(stack)).to.deep.equal({ ebsAddon: 0, releases: [], roles: 0, storageClasses: 0 });
    });

    it("installs each one with its role when enabled", () => {
        const footprint = catalogFootprint(on);
        expect({ ...footprint, releases: [...footprint.releases].sort() }).to.deep.equal({ ebsAddon: 1, releases: ["cert-manager", "external-dns", "keda", "vertical-pod-autoscaler"], roles: 3, storageClasses: 1 });
        for (const [chart, pin] of [
            ["external-dns", CHARTS.EXTERNAL_DNS],
            ["cert-manager", CHARTS.CERT_MANAGER],
            ["vertical-pod-autoscaler", CHARTS.VERTICAL_POD_AUTOSCALER],
            ["keda", CHARTS.KEDA],
        ] as const) {
            const release = on.all(RELEASE).find((r) => r.inputs.chart === chart)!;
            expect(release.inputs, chart).to.include({ version: pin.version, atomic: true, createNamespace: true });
            expect(release.inputs.repositoryOpts).to.deep.equal({ repo: pin.repository });
        }
    });

    it("turns one add-on off without touching the others", async () => {
        const without = await synth("dev", {
            apps: { web: WEB },
            eks: { addons: { ebsCsi: { enabled: true }, externalDns: { enabled: false, hostedZoneId: HOSTED_ZONE_ID }, keda: { enabled: true } } },
        });
        expect(catalogFootprint(without)).to.deep.include({ ebsAddon: 1, releases: ["keda"], roles: 2, storageClasses: 1 });
    });

    describe("EBS CSI driver", () => {
        it("is the managed add-on with its controller bound by Pod Identity to a role with AmazonEBSCSIDriverPolicy and the data key's grants", () => {
            const addon = on.all(ADDON).find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
            const role = on.one(ROLE, "-eks-ebs-csi");
            expect(addon.inputs.addonVersion).to.equal(CATALOG_DEFAULT_VERSIONS.ebsCsi);
            expect(addon.inputs.podIdentityAssociations).to.deep.equal([{ roleArn: role.state.arn, serviceAccount: "ebs-csi-controller-sa" }]);
            const attachment = on.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment").find((a) => a.name === "platform-dev-eks-ebs-csi")!;
            expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
            const dataKey = on.one("aws:kms/key:Key", "-data").state.arn;
            const statements = grantsOf(on, "platform-dev-eks-ebs-csi");
            expect(statements.flatMap((s) => [s.Resource].flat())).to.deep.equal([dataKey, dataKey]);
            expect(statements.find((s) => [s.Action].flat().includes("kms:CreateGrant")).Condition).to.deep.equal({ Bool: { "kms:GrantIsForAWSResource": "true" } });
            // The add-on associates the role itself: a second association for the service account would fail.
            expect(on.all(ASSOCIATION).filter((a) => a.inputs.serviceAccount === "ebs-csi-controller-sa")).to.have.length(0);
        });

        it("makes an encrypted gp3 StorageClass (the data key) the cluster default, binding volumes where the pod lands", () => {
            const storageClass = on.one("kubernetes:storage.k8s.io/v1:StorageClass");
            const dataKey = on.one("aws:kms/key:Key", "-data").state.arn;
            expect(storageClass.inputs.metadata).to.deep.equal({ name: GP3_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } });
            expect(storageClass.inputs).to.deep.include({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", reclaimPolicy: "Delete", allowVolumeExpansion: true });
            expect(storageClass.inputs.parameters).to.deep.equal({ type: "gp3", encrypted: "true", kmsKeyId: dataKey });
        });
    });

    describe("external-dns", () => {
        it("may change records in the configured zone only: every resource it is granted names that zone, except the actions that have none", () => {
            const statements = grantsOf(on, "platform-dev-eks-external-dns");
            const zoneArn = `arn:aws:route53:::hostedzone/${HOSTED_ZONE_ID}`;
            const change = statements.find((s) => [s.Action].flat().includes("route53:ChangeResourceRecordSets"));
            expect([change.Resource].flat()).to.deep.equal([zoneArn]);
            for (const statement of statements) {
                for (const resource of [statement.Resource].flat()) {
                    if (resource === "*") expect([statement.Action].flat()).to.deep.equal(["route53:ListHostedZones"]);
                    else expect(resource).to.be.oneOf([zoneArn, "arn:aws:route53:::change/*"]);
                }
            }
            expect(on.all(ASSOCIATION).find((a) => a.inputs.serviceAccount === "external-dns")!.inputs).to.include({ namespace: "external-dns" });
        });

        it("filters to that zone and owns its records by the stack's cluster name", () => {
            const values = on.all(RELEASE).find((r) => r.inputs.chart === "external-dns")!.inputs.values as any;
            expect(values.extraArgs).to.deep.equal([`--zone-id-filter=${HOSTED_ZONE_ID}`]);
            expect(values).to.include({ txtOwnerId: "platform-dev", policy: "upsert-only", registry: "txt" });
            expect(values.provider).to.deep.equal({ name: "aws" });
        });
    });

    it("cert-manager installs its CRDs with the chart and keeps them when the release goes", () => {
        const values = on.all(RELEASE).find((r) => r.inputs.chart === "cert-manager")!.inputs.values as any;
        expect(values.crds).to.deep.equal({ enabled: true, keep: true });
    });

    it("the Vertical Pod Autoscaler only recommends by default (no updater, no admission webhook); mode auto turns both on", async () => {
        const values = on.all(RELEASE).find((r) => r.inputs.chart === "vertical-pod-autoscaler")!.inputs.values as any;
        expect([values.recommender.enabled, values.updater.enabled, values.admissionController.enabled]).to.deep.equal([true, false, false]);
        const auto = await synth("dev", { apps: { web: WEB }, eks: { addons: { verticalPodAutoscaler: { enabled: true, mode: "auto" } } } });
        const autoValues = auto.all(RELEASE).find((r) => r.inputs.chart === "vertical-pod-autoscaler")!.inputs.values as any;
        expect([autoValues.updater.enabled, autoValues.admissionController.enabled]).to.deep.equal([true, true]);
    });

    it("KEDA's operator has its own Pod Identity role, bound to keda/keda-operator, with no grant until a scaler adds one", () => {
        const association = on.all(ASSOCIATION).find((a) => a.inputs.serviceAccount === KEDA_OPERATOR.serviceAccount)!;
        expect(association.inputs).to.include({ namespace: KEDA_OPERATOR.namespace, roleArn: on.one(ROLE, "-eks-keda").state.arn });
        expect(grantsOf(on, "platform-dev-eks-keda")).to.deep.equal([]);
    });

    it("merges the user's values over the platform's and refuses a key the pinned chart does not have", async () => {
        const tuned = await synth("dev", { apps: { web: WEB }, eks: { addons: { certManager: { enabled: true, values: { replicaCount: 3, webhook: { timeoutSeconds: 15 } } } } } });
        const values = tuned.all(RELEASE).find((r) => r.inputs.chart === "cert-manager")!.inputs.values as any;
        expect([values.replicaCount, values.webhook.timeoutSeconds, values.webhook.replicaCount]).to.deep.equal([3, 15, 1]);
        let error: unknown;
        try {
            await synth("dev", { apps: { web: WEB }, eks: { addons: { keda: { enabled: true, values: { operatr: {} } } } } });
        } catch (err) {
            error = err;
        }
        expect(String(error)).to.match(/keda 2\.20\.2 have keys or values that version does not accept: operatr/);
        expect(mergeValues({ a: { b: 1, c: [1] } }, { a: { c: [2] } })).to.deep.equal({ a: { b: 1, c: [2] } });
    });
});
