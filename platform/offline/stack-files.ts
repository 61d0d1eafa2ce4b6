import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, type Node, parse, parseDocument } from "yaml";

export interface StackFiles {
    project: string;
    stack: string;
    /** Full keys to values as the Pulumi CLI hands them to a program: strings, JSON for structures. */
    config: Record<string, string>;
    /** Keys whose values were `secure:` ciphertext, replaced by a placeholder offline. */
    secretKeys: string[];
    projectFile: string;
    stackFile: string;
}

/** Raised for a missing or unreadable project or stack file. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` from a project directory the way the CLI does:
 * project-level defaults first, then the stack's values; keys without a namespace belong to the
 * project; `secure:` values (which need the stack's secrets provider to decrypt) become
 * placeholders so the program still sees a string where a secret goes.
 */
export function loadStackFiles(projectDir: string, stack: string): StackFiles {
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const projectDoc = readYaml(projectFile) as { name?: unknown; config?: Record<string, unknown> } | null;
    if (!projectDoc || typeof projectDoc.name !== "string") throw new StackFileError(`${projectFile}: expected a Pulumi project file with a "name"`);
    const project = { name: projectDoc.name, config: projectDoc.config };
    if (!existsSync(stackFile)) throw new StackFileError(`${stackFile}: no such stack file; stacks here: ${listStacks(projectDir).join(", ") || "none"}`);
    const stackDoc = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };
    const lossy = lossyNumbers(stackFile, project.name);
    if (lossy.length > 0)
        throw new StackFileError(
            `${stackFile}: ${lossy.length === 1 ? "a number loses digits" : "numbers lose digits"} as YAML reads ${lossy.length === 1 ? "it" : "them"}:\n${lossy.map((line) => `  - ${line}`).join("\n")}`,
        );

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const put = (rawKey: string, value: unknown) => {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
        if (isSecure(value)) {
            config[key] = `[secret ${key}: encrypted in the stack file, not decrypted offline]`;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    };
    for (const [key, declared] of Object.entries(project.config ?? {})) {
        // Project-level config: `key: value` or `key: { default: value }` (also `value:`).
        if (declared !== null && typeof declared === "object" && !Array.isArray(declared) && ("default" in declared || "value" in declared)) {
            const record = declared as { default?: unknown; value?: unknown };
            const value = record.value ?? record.default;
            if (value !== undefined) put(key, value);
        } else if (declared !== null && typeof declared !== "object") {
            put(key, declared);
        }
    }
    for (const [key, value] of Object.entries(stackDoc.config ?? {})) put(key, value);
    return { project: project.name, stack, config, secretKeys, projectFile, stackFile };
}

/**
 * Unquoted whole numbers whose value is not what was written: a leading zero (`012345678901`, an
 * account id, reads as 12345678901) or more digits than a double holds exactly. YAML turns them
 * into numbers before anything can check them, so the value the program gets is already wrong;
 * the only fix is quoting. Returns one line per value, naming the key.
 */
function lossyNumbers(file: string, project: string): string[] {
    const text = readFileSync(file, "utf8");
    const root = parseDocument(text).contents as Node | null;
    const found: string[] = [];
    const walk = (node: unknown, key: string) => {
        if (isMap(node)) {
            for (const pair of node.items) walk(pair.value, `${key}.${isScalar(pair.key) ? String(pair.key.value) : String(pair.key)}`);
        } else if (isSeq(node)) {
            node.items.forEach((item, index) => walk(item, `${key}[${index}]`));
        } else if (isScalar(node) && typeof node.value === "number" && node.range) {
            const written = text.slice(node.range[0], node.range[1]).trim();
            if (/^[-+]?\d+$/.test(written) && (String(node.value) !== written.replace(/^\+/, "") || !Number.isSafeInteger(node.value))) {
                found.push(`${key}: the unquoted number ${written} reads as ${String(node.value)}; quote it: "${written}"`);
            }
        }
    };
    const config = isMap(root) ? root.get("config", true) : undefined;
    if (isMap(config)) {
        for (const pair of config.items) {
            const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            walk(pair.value, name.includes(":") ? name : `${project}:${name}`);
        }
    }
    return found;
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function readYaml(file: string): unknown {
    if (!existsSync(file)) throw new StackFileError(`${file}: not found`);
    try {
        return parse(readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackFileError(`${file}: not valid YAML: ${(err as Error).message}`);
    }
}

export function listStacks(projectDir: string): string[] {
    return readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}
