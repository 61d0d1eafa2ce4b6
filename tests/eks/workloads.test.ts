import { expect } from "chai";
import { ascpObjects } from "../../platform/eks/secrets";
import { statementsOf } from "../helpers";
import { CERTIFICATE_ARN, eksClusterAutoscaler, eksDev, eksProd, PARAMETER_ARN, SECRET_ARN, SECRETS_KEY_ARN, Synthesized, TABLE_ARN } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const podOf = (stack: Synthesized) => (stack.one(DEPLOYMENT).inputs as any).spec.template.spec;

describe("EKS workloads from the app spec", () => {
    let dev: Synthesized;
    let prod: Synthesized;
    let unreleased: Synthesized;
    before(async () => {
        dev = await eksDev();
        prod = await eksProd();
        unreleased = await eksClusterAutoscaler();
    });

    it("creates the app's namespace enforcing the Pod Security Standards restricted profile", () => {
        const namespace = prod.one("kubernetes:core/v1:Namespace").inputs as any;
        expect(namespace.metadata.name).to.equal("web");
        expect(namespace.metadata.labels).to.deep.include({
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        });
    });

    it("binds a dedicated service account (no API token) to a role with exactly the spec's table and secret grants", () => {
        expect(prod.one("kubernetes:core/v1:ServiceAccount").inputs).to.deep.include({
            automountServiceAccountToken: false,
            metadata: { name: "web", namespace: "web", labels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "pulumi" } },
        });
        const association = prod.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "-web-pods");
        expect(association.inputs).to.include({ namespace: "web", serviceAccount: "web", roleArn: prod.one("aws:iam/role:Role", "-eks-web-pods").state.arn });
        const statements = prod
            .all("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.name.startsWith("platform-prod-eks-web-pods-"))
            .flatMap((p) => statementsOf(p));
        expect(statements).to.have.deep.members([
            { Sid: "TableTRANSLATIONSTABLE", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`] },
            { Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [SECRET_ARN] },
            { Sid: "ReadOwnParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [PARAMETER_ARN] },
            {
                Sid: "DecryptOwnSecrets",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [SECRETS_KEY_ARN],
                Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"] } },
            },
        ]);
        // dev's web has no secrets: tables only.
        expect(
            dev
                .all("aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.name.startsWith("platform-dev-eks-web-pods-"))
                .map((p) => p.name),
        ).to.deep.equal(["platform-dev-eks-web-pods-table-translationstable"]);
        expect(podOf(prod)).to.include({ serviceAccountName: "web", automountServiceAccountToken: false });
    });

    it("runs the container non-root, read-only, without capabilities or privilege escalation, under RuntimeDefault seccomp", () => {
        const pod = podOf(prod);
        expect(pod.securityContext).to.deep.equal({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.containers[0].securityContext).to.deep.equal({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        // The writable paths are emptyDirs: /tmp by default.
        expect(podOf(dev).volumes).to.deep.equal([{ name: "writable-0", emptyDir: { sizeLimit: "256Mi" } }]);
        expect(podOf(dev).containers[0].volumeMounts).to.deep.equal([{ name: "writable-0", mountPath: "/tmp" }]);
    });

    it("sizes requests and limits from the spec's cpu and memory (prod 512 units = 500m, 1024 MiB; dev 250m, 512 MiB)", () => {
        expect(podOf(prod).containers[0].resources).to.deep.equal({ requests: { cpu: "500m", memory: "1024Mi" }, limits: { cpu: "500m", memory: "1024Mi" } });
        expect(podOf(dev).containers[0].resources.requests).to.deep.equal({ cpu: "250m", memory: "512Mi" });
    });

    it("probes liveness and readiness on the spec's paths, with a startup budget of the grace period", () => {
        const container = podOf(prod).containers[0];
        expect(container.livenessProbe.httpGet).to.deep.equal({ path: "/healthz", port: "http" });
        expect(container.readinessProbe.httpGet).to.deep.equal({ path: "/readyz", port: "http" });
        expect(container.startupProbe).to.deep.include({ periodSeconds: 5, failureThreshold: 12 });
        expect(container.ports).to.deep.equal([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    });

    it("pulls the released image by tag from the app's ECR repository; before a release, the placeholder", () => {
        const repository = prod.one("aws:ecr/repository:Repository").state.repositoryUrl;
        expect(podOf(prod).containers[0].image).to.equal(`${String(repository)}:1.4.2`);
        expect(podOf(prod).containers[0]).to.not.have.property("command");
        const placeholder = podOf(unreleased).containers[0];
        expect(placeholder.image).to.equal("public.ecr.aws/docker/library/node:22-alpine");
        expect(placeholder.command[0]).to.equal("node");
    });

    it("spreads pods across zones (strictly in prod) and hosts, on workload nodes of the spec's architecture", () => {
        const pod = podOf(prod);
        expect(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable])).to.deep.equal([
            ["topology.kubernetes.io/zone", "DoNotSchedule"],
            ["kubernetes.io/hostname", "ScheduleAnyway"],
        ]);
        expect(podOf(dev).topologySpreadConstraints[0].whenUnsatisfiable).to.equal("ScheduleAnyway");
        expect(pod.nodeSelector).to.deep.equal({ "kubernetes.io/arch": "arm64", "platform/node-role": "workload" });
        expect(pod.terminationGracePeriodSeconds).to.equal(30);
    });

    it("passes the spec's environment, the table names and the region", () => {
        expect(podOf(dev).containers[0].env).to.deep.equal([
            { name: "AWS_REGION", value: "eu-west-1" },
            { name: "LOG_LEVEL", value: "info" },
            { name: "TRANSLATIONS_TABLE", value: "translations" },
        ]);
    });

    it("passes secrets as variables from a Secret the CSI driver syncs with the pod's own role, never as values in the manifest", () => {
        const container = podOf(prod).containers[0];
        expect(container.env.filter((e: any) => e.valueFrom)).to.deep.equal([
            { name: "API_KEY", valueFrom: { secretKeyRef: { name: "web-secrets", key: "API_KEY" } } },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "web-secrets", key: "DB_PASSWORD" } } },
        ]);
        expect(podOf(prod).volumes).to.deep.include({ name: "secrets", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "web" } } });
        expect(container.volumeMounts).to.deep.include({ name: "secrets", mountPath: "/mnt/secrets", readOnly: true });
        const spc = prod.one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").inputs as any;
        expect(spc.metadata).to.deep.include({ name: "web", namespace: "web" });
        expect(spc.spec.parameters.usePodIdentity).to.equal("true");
        expect(JSON.parse(spc.spec.parameters.objects)).to.deep.equal([
            { objectName: PARAMETER_ARN, objectType: "ssmparameter", objectAlias: "API_KEY" },
            { objectName: SECRET_ARN, objectType: "secretsmanager", objectAlias: "secret-0", jmesPath: [{ path: "password", objectAlias: "DB_PASSWORD" }] },
        ]);
        expect(spc.spec.secretObjects).to.deep.equal([
            {
                secretName: "web-secrets",
                type: "Opaque",
                data: [
                    { objectName: "API_KEY", key: "API_KEY" },
                    { objectName: "DB_PASSWORD", key: "DB_PASSWORD" },
                ],
            },
        ]);
        expect(JSON.stringify(prod.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.inputs))).to.not.contain("AbCdEf:password");
        expect(prod.one(DEPLOYMENT).dependsOn).to.include(prod.one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").urn);
        // The driver is installed only where some app has secrets.
        expect(prod.one("kubernetes:helm.sh/v3:Release", "-secrets-store").inputs.values).to.deep.include({ awsRegion: "eu-west-1" });
        expect(dev.all("kubernetes:helm.sh/v3:Release").map((r) => r.name)).to.not.include("platform-dev-eks-secrets-store");
    });

    it("creates the SecretProviderClass after the Secrets Store CSI driver release that brings its CRD", () => {
        const release = prod.one("kubernetes:helm.sh/v3:Release", "-secrets-store");
        expect(prod.one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass").dependsOn).to.include(release.urn);
    });

    it("leaves the replica count to an HPA bounded by the spec's replicas and CPU target, with a PDB allowing one eviction", () => {
        expect((prod.one(DEPLOYMENT).inputs as any).spec).to.not.have.property("replicas");
        const hpa = (prod.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs as any).spec;
        expect(hpa).to.deep.include({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } });
        expect(hpa.metrics).to.deep.equal([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
        expect((dev.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs as any).spec).to.deep.include({ minReplicas: 1, maxReplicas: 2 });
        const pdb = (prod.one("kubernetes:policy/v1:PodDisruptionBudget").inputs as any).spec;
        expect(pdb).to.deep.equal({ maxUnavailable: 1, selector: (prod.one(DEPLOYMENT).inputs as any).spec.selector });
    });

    it("serves through an ALB Ingress: HTTPS with the certificate and TLS policy in prod, plain HTTP in dev", () => {
        const prodIngress = (prod.one(INGRESS).inputs as any).metadata.annotations;
        expect(prodIngress).to.deep.include({
            "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE_ARN,
            "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
        });
        expect(prodIngress["alb.ingress.kubernetes.io/load-balancer-attributes"]).to.contain("deletion_protection.enabled=true");
        // dev shares the stack's load balancer (network.loadBalancers: shared): a TargetGroupBinding, created once the controller runs, instead of an Ingress.
        expect(dev.all(INGRESS)).to.deep.equal([]);
        expect(dev.one("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding").dependsOn).to.include(dev.one("kubernetes:helm.sh/v3:Release", "-lbc").urn);
        expect((prod.one(INGRESS).inputs as any).spec.ingressClassName).to.equal("alb");
        expect(prod.one(INGRESS).dependsOn).to.include(prod.one("kubernetes:helm.sh/v3:Release", "-lbc").urn);
        // Pods are admitted only once the controller's pod webhook answers.
        expect(prod.one(DEPLOYMENT).dependsOn).to.include(prod.one("kubernetes:helm.sh/v3:Release", "-lbc").urn);
    });

    it("denies all traffic by default, then allows the ALB on the app port, DNS, the Pod Identity agent and HTTPS out", () => {
        const policies = Object.fromEntries(prod.all(NETWORK_POLICY).map((p) => [(p.inputs as any).metadata.name, (p.inputs as any).spec]));
        expect(policies["default-deny"]).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(policies["allow-alb-to-server"].ingress).to.deep.equal([{ from: [{ ipBlock: { cidr: "10.30.0.0/16" } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        const egress = policies["allow-dns-credentials-https"].egress;
        expect(egress.map((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`).join(","))).to.deep.equal(["UDP/53,TCP/53", "TCP/80", "TCP/443"]);
        expect(egress[1].to).to.deep.equal([{ ipBlock: { cidr: "169.254.170.23/32" } }]);
    });

    it("runs each job as a CronJob on the converted schedule and time zone, suspended until the first release", () => {
        const cron = (prod.one(CRONJOB).inputs as any).spec;
        expect(cron).to.deep.include({ schedule: "0 3 * * *", timeZone: "UTC", suspend: false, concurrencyPolicy: "Forbid" });
        const pod = cron.jobTemplate.spec.template.spec;
        expect(pod.restartPolicy).to.equal("Never");
        expect(pod.containers[0].args).to.deep.equal(["/app/main.js", "selfcheck"]);
        expect(pod.containers[0].securityContext.readOnlyRootFilesystem).to.equal(true);
        expect((unreleased.one(CRONJOB).inputs as any).spec.suspend).to.equal(true);
    });

    it("turns ECS secret references into ASCP objects: one per secret version, whole values aliased to their variable, JSON keys as JMESPath", () => {
        expect(
            ascpObjects({
                DB_URL: SECRET_ARN,
                DB_USER: `${SECRET_ARN}:username:AWSPREVIOUS:`,
                DB_PASSWORD: `${SECRET_ARN}:password::`,
                API_KEY: PARAMETER_ARN,
            }),
        ).to.deep.equal([
            { objectName: PARAMETER_ARN, objectType: "ssmparameter", objectAlias: "API_KEY" },
            { objectName: SECRET_ARN, objectType: "secretsmanager", objectAlias: "DB_URL", jmesPath: [{ path: "password", objectAlias: "DB_PASSWORD" }] },
            { objectName: SECRET_ARN, objectType: "secretsmanager", objectAlias: "secret-1", objectVersionLabel: "AWSPREVIOUS", jmesPath: [{ path: "username", objectAlias: "DB_USER" }] },
        ]);
    });
});
