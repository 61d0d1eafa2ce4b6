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
 * Detection follows Checkov CKV_AWS_45/CKV_AWS_46 and CKV_K8S_35: AWS key IDs, private keys,
 * tokens of a known format, and variables named like a secret holding a literal that is not a
 * reference (an ARN, a path, a secret's name, a template).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
 */

const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )*PRIVATE KEY-----/;
/** A secret access key written next to its name, as the AWS CLI config and credentials files and `aws configure set` spell it. */
const SECRET_ACCESS_KEY = /aws_secret_access_key["'\s:=]+[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i;

/**
 * Credentials recognisable by their own format, whatever the variable is called. Formats from
 * the issuers' documentation: GitHub tokens (https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/),
 * Slack tokens (https://api.slack.com/authentication/token-types), Stripe live keys
 * (https://docs.stripe.com/keys), Google API keys (https://cloud.google.com/docs/authentication/api-keys),
 * JSON Web Tokens (RFC 7519: three base64url parts, the first a JSON header), and a URL whose
 * user info carries a password (RFC 3986 section 3.2.1).
 */
const TOKEN_FORMATS: [RegExp, string][] = [
    [/\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}/, "a GitHub token"],
    [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
    [/\b[sr]k_live_[A-Za-z0-9]{16,}/, "a Stripe live key"],
    [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
    [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
    [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:(?![$%{<*])[^\s/@]{3,}@/i, "a URL with a password in it"],
];

/**
 * Words that, ending a variable name, say it holds a secret. The name is split into words at
 * `_`, `-`, `.` and camelCase humps, so `DB_PASS`, `stripeApiKey` and `client-secret` all end in
 * one; `SECRET_ARN`, `TOKEN_TTL`, `PASSWORD_MIN_LENGTH` and `API_KEY_HEADER` do not (they name
 * or configure a secret rather than hold it). A bare `KEY` is not enough (`CACHE_KEY`,
 * `PARTITION_KEY`): it needs a qualifier.
 */
const SECRET_LAST_WORDS = new Set(["PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PAT"]);
const SECRET_KEY_QUALIFIERS = new Set(["API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "CLIENT", "AUTH", "HMAC", "LICENSE"]);

/** `stripeApiKey` -> ["STRIPE", "API", "KEY"]; `DB_PASS` -> ["DB", "PASS"]. */
function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .split(/[_.\-\s]+/)
        .filter((word) => word !== "")
        .map((word) => word.toUpperCase());
}

export function isSecretName(name: string): boolean {
    const words = nameWords(name);
    const last = words[words.length - 1];
    if (last === undefined) return false;
    if (SECRET_LAST_WORDS.has(last)) return true;
    return last === "KEY" && words.length >= 2 && SECRET_KEY_QUALIFIERS.has(words[words.length - 2]);
}

/** Settings a secret-named variable commonly holds instead of a secret (`AUTH_TOKEN: "disabled"`). */
const SETTING_WORDS = new Set(["disabled", "enabled", "required", "optional", "none", "null", "undefined", "true", "false", "unset", "default"]);

/**
 * A value that points at a secret instead of being one: ARNs, dynamic references, paths, URIs
 * without credentials (`vault:`, `ssm://`), variable and template references, placeholders, and
 * secret names (lower-case words joined by `-`, `_`, `.` or `/`, such as `prod-db-credentials`).
 */
function isReference(value: string): boolean {
    if (/^(\{\{|\/|\$|%|<|\[)/.test(value)) return true;
    if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return true;
    if (SETTING_WORDS.has(value.toLowerCase())) return true;
    return /^[a-z]+([-_./][a-z0-9]+)+$/.test(value) && value.split(/[-_./]/).every((word) => /^[a-z]+$|^[0-9]+$/.test(word));
}

/** Why `value` (of variable `name`) looks like a plain-text secret, or undefined. */
export function plaintextSecretReason(name: string, value: unknown): string | undefined {
    const text = str(value);
    if (text === undefined || text === "") return undefined;
    if (ACCESS_KEY_ID.test(text)) return "holds an AWS access key ID";
    if (PRIVATE_KEY.test(text)) return "holds a private key";
    const format = TOKEN_FORMATS.find(([pattern]) => pattern.test(text));
    if (format) return `holds ${format[1]}`;
    if (isSecretName(name) && text.length >= 8 && !/\s/.test(text) && !isReference(text)) return "is named like a secret and holds a literal value";
    return undefined;
}

/** `NAME=value` assignments in a shell script (user data), with `export` or not, quoted or not. */
function shellAssignments(script: string): [string, string][] {
    const found: [string, string][] = [];
    for (const match of script.matchAll(/(?:^|[\s;])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|([^\s;]+))/g)) found.push([match[1], match[2] ?? match[3] ?? match[4] ?? ""]);
    return found;
}

function checkVariables(where: string, variables: [string, unknown][], report: Report): void {
    for (const [name, value] of variables) {
        const reason = plaintextSecretReason(name, value);
        if (reason) report(`${where} ${name} ${reason}; expected the value from Secrets Manager or SSM Parameter Store (ECS secrets, Kubernetes secretKeyRef, or read at runtime)`);
    }
}

const INSTANCE_TYPES: string[] = [T.launchTemplate, T.instance, T.launchConfiguration];

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
            if (ACCESS_KEY_ID.test(data)) return report("userData holds an AWS access key ID; expected an instance profile role");
            if (PRIVATE_KEY.test(data)) return report("userData holds a private key; expected it fetched from Secrets Manager at boot");
            if (SECRET_ACCESS_KEY.test(data)) return report("userData holds an AWS secret access key; expected an instance profile role");
            const format = TOKEN_FORMATS.find(([pattern]) => pattern.test(data));
            if (format) return report(`userData holds ${format[1]}; expected it fetched from Secrets Manager at boot`);
            const assigned = shellAssignments(data).filter(([name, value]) => plaintextSecretReason(name, value) !== undefined);
            if (assigned.length > 0) report(`userData sets ${assigned.map(([name]) => name).join(", ")} to a literal value named like a secret; expected it fetched from Secrets Manager at boot`);
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
