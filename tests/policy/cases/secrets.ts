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
            {
                name: "secret-related names that do not hold a secret (SECRET_ARN, TOKEN_TTL, PASSWORD_MIN_LENGTH, CACHE_KEY, API_KEY_HEADER)",
                resources: () =>
                    single(T.lambdaFunction, {
                        ...FN,
                        environment: {
                            variables: {
                                SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
                                TOKEN_TTL: "3600",
                                PASSWORD_MIN_LENGTH: "14",
                                CACHE_KEY: "orders-v2-2026-12",
                                API_KEY_HEADER: "x-api-key",
                                SECRET_NAME: "prod/db/credentials",
                                tokenExpiry: "15minutes",
                            },
                        },
                    }),
            },
            {
                name: "secret-named variables holding a secret's name, a setting, a URI or a template",
                resources: () =>
                    single(T.lambdaFunction, {
                        ...FN,
                        environment: {
                            variables: {
                                DB_PASSWORD: "prod-db-password",
                                AUTH_TOKEN: "disabled",
                                VAULT_TOKEN: "vault:secret/data/app#token",
                                CLIENT_SECRET: "{{resolve:secretsmanager:oauth:SecretString:client_secret}}",
                                DATABASE_URL: "postgres://app:${DB_PASSWORD}@db.internal:5432/app",
                                CACHE_URL: "redis://cache.internal:6379/0",
                            },
                        },
                    }),
            },
            {
                name: "an ECS sidecar's environment with a TOKEN_TTL and a SECRET_ARN",
                resources: () =>
                    ecsTask([
                        { name: "TOKEN_TTL", value: "900" },
                        { name: "SECRET_ARN", value: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" },
                    ]),
            },
            {
                name: "user data exporting settings with secret-like names",
                resources: () => single(T.launchTemplate, { userData: Buffer.from("#!/bin/bash\nexport SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:x\nTOKEN_TTL=3600\n").toString("base64") }),
            },
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
                name: "names ending in a secret word once split (DB_PASS, stripeApiKey, client-secret)",
                resources: () => single(T.lambdaFunction, { ...FN, environment: { variables: { DB_PASS: "Tr0ub4dor&3xyz", stripeApiKey: "pk_9f8e7d6c5b4a3210", "client-secret": "s3cr3tv4lu3xyz" } } }),
                messages: ["DB_PASS is named like a secret", "stripeApiKey is named like a secret", "client-secret is named like a secret"],
            },
            {
                name: "tokens recognised by their format under innocuous names (GitHub, Stripe live, JWT, a URL with a password)",
                resources: () =>
                    single(T.lambdaFunction, {
                        ...FN,
                        environment: {
                            variables: {
                                GH: "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
                                PAYMENTS: ["sk", "live", "51Habcdefghijklmnop"].join("_"),
                                SESSION: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlMTIz",
                                DATABASE_URL: "postgres://app:Pa55word1@db.internal:5432/app",
                            },
                        },
                    }),
                messages: ["GH holds a GitHub token", "PAYMENTS holds a Stripe live key", "SESSION holds a JSON Web Token", "DATABASE_URL holds a URL with a password in it"],
            },
            {
                name: "a password exported in plain-text instance user data",
                resources: () => single(T.instance, { ami: "ami-1", instanceType: "t3.micro", userData: "#!/bin/bash\nexport DB_PASSWORD='hunter2hunter2'\n/opt/app/start" }),
                messages: ["userData sets DB_PASSWORD to a literal value named like a secret"],
            },
            {
                name: "a secret access key set through the AWS CLI in user data",
                resources: () =>
                    single(T.instance, { ami: "ami-1", instanceType: "t3.micro", userData: `#!/bin/bash\naws configure set aws_secret_access_key ${["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/")}\n` }),
                messages: ["userData holds an AWS secret access key"],
            },
            {
                name: "access key in base64 user data",
                resources: () => single(T.launchTemplate, { userData: Buffer.from(`export AWS_ACCESS_KEY_ID=${KEY_ID}`).toString("base64") }),
                messages: ["userData holds an AWS access key ID"],
            },
        ],
    },
];
