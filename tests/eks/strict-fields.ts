import * as path from "node:path";
import * as ts from "typescript";
import { REPO_ROOT } from "../helpers";

/**
 * kubernetes-models' validators follow the OpenAPI schema, which (like the API server) allows
 * unknown properties: a misspelt field passes them and the API server drops it silently. The
 * models' TypeScript interfaces list every field, so each manifest is also type-checked as an
 * object literal of its kind's interface: TypeScript's excess-property check then rejects any
 * field the kind does not have, at every depth.
 */

/** The module and interface of a kind in kubernetes-models / @kubernetes-models/karpenter. */
export function modelModule(apiVersion: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group.startsWith("karpenter.")) return `@kubernetes-models/karpenter/${group}/${version}`;
    return group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

const OPTIONS: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
};
// One host for every check: the models' declaration files are parsed once.
const host = ts.createCompilerHost(OPTIONS);
const sourceFiles = new Map<string, ts.SourceFile | undefined>();
const readSourceFile = host.getSourceFile.bind(host);
const fileExists = host.fileExists.bind(host);
let generated = { fileName: "", text: "" };
host.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (fileName === generated.fileName) return ts.createSourceFile(fileName, generated.text, languageVersion);
    if (!sourceFiles.has(fileName)) sourceFiles.set(fileName, readSourceFile(fileName, languageVersion, ...rest));
    return sourceFiles.get(fileName);
};
host.fileExists = (fileName) => fileName === generated.fileName || fileExists(fileName);
let checks = 0;

/**
 * Type-checks each manifest against its kind's interface; returns one message per manifest that
 * has a field its kind does not know (or a value of the wrong type), prefixed with `labels[i]`.
 */
export function fieldProblems(manifests: Record<string, unknown>[], labels: string[] = manifests.map((_, i) => String(i))): string[] {
    const lines: string[] = [];
    manifests.forEach((manifest, index) => {
        const { apiVersion, kind } = manifest as { apiVersion: string; kind: string };
        lines.push(`import type { I${kind} as T${index} } from "${modelModule(apiVersion)}/${kind}";`);
    });
    const firstManifestLine = lines.length;
    // One manifest per line, so a diagnostic's line names its manifest.
    manifests.forEach((manifest, index) => lines.push(`export const m${index}: T${index} = ${JSON.stringify(manifest)};`));
    generated = { fileName: path.join(REPO_ROOT, `__manifests_${checks++}__.ts`), text: lines.join("\n") };
    const program = ts.createProgram([generated.fileName], OPTIONS, host);
    const source = program.getSourceFile(generated.fileName)!;
    return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
        const line = diagnostic.start === undefined ? -1 : source.getLineAndCharacterOfPosition(diagnostic.start).line;
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
        return line >= firstManifestLine ? `${labels[line - firstManifestLine]}: ${message}` : message;
    });
}
