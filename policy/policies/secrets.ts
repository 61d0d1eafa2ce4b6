import type { Report } from "../lib/define";
import { defineResourcePolicy } from "../lib/define";
import { readTask, TASK_TYPES } from "../lib/ecs";
import { containersOf, podTemplateOf, POD_TYPES } from "../lib/podspec";
import { list, rec, str } from "../lib/props";
import { T } from "../lib/types";

/**
 * Secrets written into configuration in plain text: Lambda environment variables, ECS container
 * environments, Kubernetes container env values (every container, sidecar, init and ephemeral)
 * and EC2 user data. The value ends up in the state file, the console and every describe call.
 * Detection follows Checkov CKV_AWS_45/CKV_AWS_46 and CKV_K8S_35: AWS key IDs, private keys, and
 * variables named like a secret holding a literal that is not a reference.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
 */

const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )*PRIVATE KEY-----/;
/** The last word of the variable name says it holds a secret. */
const SECRET_NAME = /(^|[_.-])(PASSWORD|PASSWD|PASSPHRASE|PWD|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CLIENT_SECRET|AUTH_TOKEN|CREDENTIALS?)$/i;

/** A value that points at a secret instead of being one: ARNs, SSM/Secrets Manager references, paths, variable references, placeholders. */
function isReference(value: string): boolean {
    return /^(arn:|\{\{resolve:|ssm:|secretsmanager:|\/|\$\{|\$\(|<)/.test(value) || /^[a-z0-9-]+\/[A-Za-z0-9/_+=.@-]+$/.test(value);
}

/** Why `value` (of variable `name`) looks like a plain-text secret, or undefined. */
export function plaintextSecretReason(name: string, value: unknown): string | undefined {
    const text = str(value);
    if (text === undefined || text === "") return undefined;
    if (ACCESS_KEY_ID.test(text)) return "holds an AWS access key ID";
    if (PRIVATE_KEY.test(text)) return "holds a private key";
    if (SECRET_NAME.test(name) && text.length >= 8 && !/\s/.test(text) && !isReference(text)) return "is named like a secret and holds a literal value";
    return undefined;
}

function checkVariables(where: string, variables: [string, unknown][], report: Report): void {
    for (const [name, value] of variables) {
        const reason = plaintextSecretReason(name, value);
        if (reason) report(`${where} ${name} ${reason}; expected the value from Secrets Manager or SSM Parameter Store (ECS secrets, Kubernetes secretKeyRef, or read at runtime)`);
    }
}

const INSTANCE_TYPES: string[] = [T.launchTemplate, T.instance];

/** User data as written and base64-decoded (launch templates take base64; instances either form). */
function decodedUserData(props: Record<string, unknown>): string {
    const decode = (value: string | undefined) => (value !== undefined && /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, "base64").toString("utf8") : "");
    const plain = str(props.userData);
    return [plain ?? "", decode(plain), decode(str(props.userDataBase64))].join("\n");
}

export const noPlaintextSecrets = defineResourcePolicy({
    name: "no-plaintext-secrets",
    description: "No credentials in plain text in Lambda environment variables, ECS container environments, Kubernetes container env values or EC2 user data.",
    severity: "high",
    frameworks: ["Checkov CKV_AWS_45", "Checkov CKV_AWS_46", "FSBP ECS.8"],
    remediation: "Store the secret in Secrets Manager (or SSM SecureString) and pass its ARN: ECS `secrets`, Kubernetes secretKeyRef or CSI driver, Lambda reads it at runtime (Parameters and Secrets extension).",
    types: [T.lambdaFunction, ...TASK_TYPES, ...POD_TYPES, ...INSTANCE_TYPES],
    validate: ({ type, props, parentType }, report) => {
        if (type === T.lambdaFunction) return checkVariables("environment.variables", Object.entries(rec(rec(props.environment).variables)), report);
        if (INSTANCE_TYPES.includes(type)) {
            const data = decodedUserData(props);
            if (ACCESS_KEY_ID.test(data)) report("userData holds an AWS access key ID; expected an instance profile role");
            else if (PRIVATE_KEY.test(data)) report("userData holds a private key; expected it fetched from Secrets Manager at boot");
            return;
        }
        if ((TASK_TYPES as string[]).includes(type)) {
            if (parentType?.startsWith("awsx:ecs:")) return;
            const read = readTask(type, props);
            // A containerDefinitions string that does not parse is reported by the ECS policies.
            if (read.state !== "ok") return;
            for (const container of read.task.containers) {
                const variables = list(container.definition.environment).map((item) => [str(rec(item).name) ?? "", rec(item).value] as [string, unknown]);
                checkVariables(`${container.label}: environment`, variables, report);
            }
            return;
        }
        const pod = podTemplateOf(type, props);
        if (!pod) return;
        for (const ref of containersOf(pod)) {
            const variables = list(ref.container.env).map((item) => [str(rec(item).name) ?? "", rec(item).value] as [string, unknown]);
            checkVariables(`${ref.label}: env`, variables, report);
        }
    },
});

export const secretsPolicies = [noPlaintextSecrets];
