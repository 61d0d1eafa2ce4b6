import { expect } from "chai";
import { z } from "zod";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { sharedSynth } from "../helpers";
import { eksAutoMode, eksCatalog, eksClusterAutoscaler, eksDev, eksProd } from "./fixtures";
import { isKedaObject, validateKeda } from "./keda-crds";
import { fieldProblems, modelModule } from "./strict-fields";

/**
 * Every Kubernetes object the program creates, validated against the OpenAPI schema of its kind
 * (kubernetes-models for the built-in kinds, @kubernetes-models/karpenter for Karpenter's CRDs:
 * types, enums, required fields) and, because those validators let unknown fields through,
 * type-checked against the models' interfaces so a field the kind does not have fails too
 * (strict-fields.ts). Helm releases are checked against their chart's values in helm-values.test.ts.
 */

/**
 * The Secrets Store CSI driver's SecretProviderClass (secrets-store.csi.x-k8s.io/v1), which no
 * kubernetes-models package publishes: its CRD's openAPIV3Schema, transcribed (strict, so a
 * misspelt field fails too).
 */
const SecretProviderClassSchema = z.strictObject({
    apiVersion: z.literal("secrets-store.csi.x-k8s.io/v1"),
    kind: z.literal("SecretProviderClass"),
    metadata: z.strictObject({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }),
    spec: z.strictObject({
        provider: z.string(),
        parameters: z.record(z.string(), z.string()).optional(),
        secretObjects: z
            .array(
                z.strictObject({
                    secretName: z.string(),
                    type: z.string(),
                    labels: z.record(z.string(), z.string()).optional(),
                    annotations: z.record(z.string(), z.string()).optional(),
                    data: z.array(z.strictObject({ objectName: z.string(), key: z.string() })),
                }),
            )
            .optional(),
    }),
});

const isSecretProviderClass = (manifest: Record<string, any>) => String(manifest.apiVersion).startsWith("secrets-store.csi.x-k8s.io/");

/**
 * The AWS Load Balancer Controller's TargetGroupBinding (elbv2.k8s.aws/v1beta1), which no
 * kubernetes-models package publishes: the fields of its CRD's openAPIV3Schema the platform may
 * set (config/crd/bases/elbv2.k8s.aws_targetgroupbindings.yaml), strict.
 */
const intOrString = z.union([z.number().int(), z.string()]);
const TargetGroupBindingSchema = z.strictObject({
    apiVersion: z.literal("elbv2.k8s.aws/v1beta1"),
    kind: z.literal("TargetGroupBinding"),
    metadata: z.strictObject({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }),
    spec: z.strictObject({
        serviceRef: z.strictObject({ name: z.string(), port: intOrString }),
        targetGroupARN: z.string().min(1),
        targetType: z.enum(["instance", "ip"]).optional(),
        ipAddressType: z.enum(["ipv4", "ipv6"]).optional(),
        networking: z
            .strictObject({
                ingress: z.array(
                    z.strictObject({
                        from: z.array(z.union([z.strictObject({ ipBlock: z.strictObject({ cidr: z.string() }) }), z.strictObject({ securityGroup: z.strictObject({ groupID: z.string() }) })])),
                        ports: z.array(z.strictObject({ port: intOrString.optional(), protocol: z.enum(["TCP", "UDP"]).optional() })),
                    }),
                ),
            })
            .optional(),
    }),
});
const isTargetGroupBinding = (manifest: Record<string, any>) => manifest.apiVersion === "elbv2.k8s.aws/v1beta1";

/**
 * EKS Auto Mode's NodeClass and IngressClassParams (eks.amazonaws.com/v1), which no kubernetes-models
 * package publishes: the fields the platform sets, transcribed strictly from the EKS user guide
 * (create-node-class.html "NodeClass specification"; auto-configure-alb.html "IngressClassParams").
 */
const selectorTerms = z.array(z.strictObject({ id: z.string().optional(), tags: z.record(z.string(), z.string()).optional(), name: z.string().optional() })).min(1);
const metadata = z.strictObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() });
const AUTO_MODE_SCHEMAS: Record<string, z.ZodType> = {
    NodeClass: z.strictObject({
        apiVersion: z.literal("eks.amazonaws.com/v1"),
        kind: z.literal("NodeClass"),
        metadata,
        spec: z.strictObject({
            role: z.string(),
            subnetSelectorTerms: selectorTerms,
            securityGroupSelectorTerms: selectorTerms,
            ephemeralStorage: z.strictObject({ size: z.string().regex(/^\d+Gi$/), iops: z.number().optional(), throughput: z.number().optional(), kmsKeyID: z.string().optional() }).optional(),
            networkPolicy: z.enum(["DefaultAllow", "DefaultDeny"]).optional(),
            networkPolicyEventLogs: z.enum(["Enabled", "Disabled"]).optional(),
            snatPolicy: z.enum(["Random", "Disabled"]).optional(),
            tags: z.record(z.string(), z.string()).optional(),
        }),
    }),
    IngressClassParams: z.strictObject({
        apiVersion: z.literal("eks.amazonaws.com/v1"),
        kind: z.literal("IngressClassParams"),
        metadata,
        spec: z.strictObject({
            scheme: z.enum(["internal", "internet-facing"]).optional(),
            ipAddressType: z.enum(["ipv4", "dualstack"]).optional(),
            certificateARNs: z.array(z.string()).optional(),
            group: z.strictObject({ name: z.string() }).optional(),
        }),
    }),
};
const isAutoModeKind = (manifest: Record<string, any>) => manifest.apiVersion === "eks.amazonaws.com/v1";

/** Validates one manifest against its OpenAPI schema (not unknown fields: see fieldProblems); throws with the failing JSON paths. */
async function validateSchema(manifest: Record<string, any>): Promise<void> {
    // KEDA's kinds: their CRDs' schemas, strict (keda-crds.ts).
    if (isKedaObject(manifest)) return validateKeda(manifest);
    if (isAutoModeKind(manifest)) {
        const schema = AUTO_MODE_SCHEMAS[manifest.kind];
        if (!schema) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
        const result = schema.safeParse(manifest);
        if (!result.success) throw new Error(result.error.issues.map((issue) => `data/${issue.path.join("/")} ${issue.message}`).join(", "));
        return;
    }
    if (isSecretProviderClass(manifest) || isTargetGroupBinding(manifest)) {
        const result = (isTargetGroupBinding(manifest) ? TargetGroupBindingSchema : SecretProviderClassSchema).safeParse(manifest);
        if (!result.success) throw new Error(result.error.issues.map((issue) => `data/${issue.path.join("/")} ${issue.message}`).join(", "));
        return;
    }
    const models = (await import(modelModule(manifest.apiVersion))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[manifest.kind];
    if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
    new Model(manifest).validate();
}

/** Validates one manifest strictly: its schema, and no field its kind does not have. */
async function validateManifest(manifest: Record<string, any>): Promise<void> {
    await validateSchema(manifest);
    if (isSecretProviderClass(manifest) || isAutoModeKind(manifest) || isTargetGroupBinding(manifest) || isKedaObject(manifest)) return;
    const problems = fieldProblems([manifest]);
    if (problems.length > 0) throw new Error(problems.join(", "));
}

/** The manifest Pulumi sends for a recorded Kubernetes resource: its inputs, with apiVersion and kind. */
function manifestOf(resource: RecordedResource): Record<string, any> {
    return JSON.parse(JSON.stringify(resource.inputs));
}

const isKubernetesObject = (resource: RecordedResource) => resource.type.startsWith("kubernetes:") && resource.custom && resource.type !== "kubernetes:helm.sh/v3:Release";

describe("Kubernetes objects against the OpenAPI schema", () => {
    const stacks: [string, () => Promise<{ resources: RecordedResource[] }>][] = [
        ["dev (fixture)", eksDev],
        ["prod (fixture)", eksProd],
        ["dev on the Cluster Autoscaler (fixture)", eksClusterAutoscaler],
        ["dev with every catalog add-on (fixture)", eksCatalog],
        ["dev on EKS Auto Mode (fixture)", eksAutoMode],
        ["the dev fixture stack", () => sharedSynth("dev").then((r) => ({ resources: r.cloud.resources }))],
        ["the prod fixture stack", () => sharedSynth("prod").then((r) => ({ resources: r.cloud.resources }))],
    ];
    for (const [label, build] of stacks) {
        it(`${label}: every Kubernetes object is valid for its kind, with no field the kind does not have`, async () => {
            const objects = (await build()).resources.filter(isKubernetesObject);
            const kinds = new Set(objects.map((o) => o.type));
            // The whole app surface is there, so a kind dropping out of the program cannot pass unnoticed.
            for (const kind of [
                "core/v1:Namespace",
                "core/v1:ServiceAccount",
                "apps/v1:Deployment",
                "core/v1:Service",
                "autoscaling/v2:HorizontalPodAutoscaler",
                "policy/v1:PodDisruptionBudget",
                "networking.k8s.io/v1:NetworkPolicy",
                "batch/v1:CronJob",
            ]) {
                expect(kinds, kind).to.include(`kubernetes:${kind}`);
            }
            // An Ingress of its own per app, or a binding to the stack's shared load balancer (dev's default).
            expect(kinds.has("kubernetes:networking.k8s.io/v1:Ingress") || kinds.has("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"), "Ingress or TargetGroupBinding").to.equal(true);
            const failures: string[] = [];
            for (const object of objects) {
                const manifest = manifestOf(object);
                expect(manifest.apiVersion, object.name).to.be.a("string");
                try {
                    await validateSchema(manifest);
                } catch (err) {
                    failures.push(`${object.type} ${object.name}: ${String(err)}`);
                }
            }
            // Unknown fields: every model-backed object of the stack in one type-check.
            const modelled = objects.filter(
                (object) => !isSecretProviderClass(manifestOf(object)) && !isAutoModeKind(manifestOf(object)) && !isTargetGroupBinding(manifestOf(object)) && !isKedaObject(manifestOf(object)),
            );
            failures.push(
                ...fieldProblems(
                    modelled.map(manifestOf),
                    modelled.map((object) => `${object.type} ${object.name}`),
                ),
            );
            expect(failures).to.deep.equal([]);
        });
    }

    it("validates the TargetGroupBinding against its CRD's schema, and refuses a misspelt field", async () => {
        const binding = manifestOf((await eksDev()).resources.find((r) => r.type === "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding") as RecordedResource);
        await validateManifest(binding);
        const misspelt = { ...binding, spec: { ...binding.spec, targetGroupArn: binding.spec.targetGroupARN } };
        delete misspelt.spec.targetGroupARN;
        let error: unknown;
        await validateManifest(misspelt).catch((e: unknown) => (error = e));
        expect(String(error)).to.contain("targetGroupArn");
    });

    it("validates Karpenter's EC2NodeClass and NodePool too", async () => {
        const prod = await eksProd();
        const karpenter = prod.resources.filter((r) => r.type.startsWith("kubernetes:karpenter"));
        expect(karpenter.map((r) => r.type).sort()).to.deep.equal(["kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "kubernetes:karpenter.sh/v1:NodePool"]);
        for (const object of karpenter) await validateManifest(manifestOf(object));
    });

    describe("catches manifests the Pulumi types would let through", () => {
        let deployment: Record<string, any>;
        let nodePool: Record<string, any>;
        before(async () => {
            const prod = await eksProd();
            deployment = manifestOf(prod.one("kubernetes:apps/v1:Deployment"));
            nodePool = manifestOf(prod.one("kubernetes:karpenter.sh/v1:NodePool"));
        });

        const rejects = async (manifest: Record<string, any>, message: RegExp) => {
            let error: unknown;
            try {
                await validateManifest(manifest);
            } catch (err) {
                error = err;
            }
            expect(error, "validation should fail").to.be.instanceOf(Error);
            expect(String(error)).to.match(message);
        };

        it("a replica count given as a word", async () => {
            await rejects({ ...deployment, spec: { ...deployment.spec, replicas: "two" } }, /spec\/replicas must be integer/);
        });

        it("a container port given as a string where a number is required", async () => {
            const spec = structuredClone(deployment.spec);
            spec.template.spec.containers[0].ports[0].containerPort = "8080";
            await rejects({ ...deployment, spec }, /containerPort must be integer/);
        });

        it("a container without a name", async () => {
            const spec = structuredClone(deployment.spec);
            delete spec.template.spec.containers[0].name;
            await rejects({ ...deployment, spec }, /containers\/0 must have required property '?name'?/);
        });

        it("a Karpenter disruption policy that does not exist", async () => {
            const spec = structuredClone(nodePool.spec);
            spec.disruption.consolidationPolicy = "WhenIdle";
            await rejects({ ...nodePool, spec }, /consolidationPolicy must be equal to one of the allowed values/);
        });

        it("a misspelt Deployment field (spec.replicaz)", async () => {
            await validateSchema({ ...deployment, spec: { ...deployment.spec, replicaz: 2 } });
            await rejects({ ...deployment, spec: { ...deployment.spec, replicaz: 2 } }, /'"?replicaz"?' does not exist in type/);
        });

        it("a misspelt field deep in a pod template", async () => {
            const spec = structuredClone(deployment.spec);
            spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
            await rejects({ ...deployment, spec }, /readOnlyRootFileSystem/);
        });

        it("an EC2NodeClass with a launch-template-only metadata field (instanceMetadataTags)", async () => {
            const prod = await eksProd();
            const nodeClass = manifestOf(prod.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"));
            const spec = { ...nodeClass.spec, metadataOptions: { ...nodeClass.spec.metadataOptions, instanceMetadataTags: "disabled" } };
            await rejects({ ...nodeClass, spec }, /instanceMetadataTags/);
        });

        it("a SecretProviderClass with a misspelt field", async () => {
            const prod = await eksProd();
            const spc = manifestOf(prod.one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"));
            await validateManifest(spc);
            await rejects({ ...spc, spec: { ...spc.spec, secretObject: spc.spec.secretObjects } }, /secretObject/);
        });

        it("and accepts the unmodified manifests", async () => {
            await validateManifest(deployment);
            await validateManifest(nodePool);
        });
    });
});
