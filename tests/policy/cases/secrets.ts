import { T } from "../../../policy/lib/types";
import { single } from "../fixtures";
import type { PolicySuite } from "../runner";

const FN = { runtime: "nodejs22.x", handler: "index.handler" };
const KEY_ID = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const ecsTask = (environment: { name: string; value: string }[]) =>
    single(T.ecsTaskDefinition, {
        family: "web",
        containerDefinitions: JSON.stringify([
            { name: "web", image: "i" },
            { name: "agent", image: "a", environment },
        ]),
    });
const pod = (env: Record<string, unknown>[]) =>
    single("kubernetes:apps/v1:Deployment", { spec: { template: { spec: { containers: [{ name: "web", image: "i" }], initContainers: [{ name: "migrate", image: "m", env }] } } } });

export const secretsCases: PolicySuite[] = [
    {
        policy: "no-plaintext-secrets",
        pass: [
            {
                name: "Lambda environment with a secret's ARN and plain settings",
                resources: () => single(T.lambdaFunction, { ...FN, environment: { variables: { DB_SECRET: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", TABLE_NAME: "orders", LOG_LEVEL: "info" } } }),
            },
            { name: "ECS environment naming a secret by path", resources: () => ecsTask([{ name: "API_TOKEN", value: "/platform/prod/api-token" }]) },
            { name: "Kubernetes env from a secretKeyRef", resources: () => pod([{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]) },
        ],
        fail: [
            {
                name: "Lambda environment with a literal password",
                resources: () => single(T.lambdaFunction, { ...FN, environment: { variables: { DB_PASSWORD: "hunter2hunter2" } } }),
                messages: ["environment.variables DB_PASSWORD is named like a secret and holds a literal value"],
            },
            { name: "access key ID in a sidecar's ECS environment", resources: () => ecsTask([{ name: "KEY", value: KEY_ID }]), messages: ["containerDefinitions[1] (agent): environment KEY holds an AWS access key ID"] },
            { name: "token in an init container's env", resources: () => pod([{ name: "GITHUB_TOKEN", value: "ghp_0123456789abcdef" }]), messages: ["spec.template.spec.initContainers[0] (migrate): env GITHUB_TOKEN"] },
            {
                name: "access key in base64 user data",
                resources: () => single(T.launchTemplate, { userData: Buffer.from(`export AWS_ACCESS_KEY_ID=${KEY_ID}`).toString("base64") }),
                messages: ["userData holds an AWS access key ID"],
            },
        ],
    },
];
