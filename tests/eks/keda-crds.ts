import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/**
 * KEDA's ScaledObject and TriggerAuthentication (keda.sh/v1alpha1), which no kubernetes-models
 * package the project uses publishes: validated against the openAPIV3Schema of the CRDs the pinned
 * chart installs (tests/fixtures/keda/*.schema.json, extracted from kedacore/charts v2.20.2), made
 * strict: every object that lists its properties refuses others (as strict-fields.ts does for the
 * built-in kinds), except where the CRD preserves unknown fields.
 */

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: JsonSchema | boolean };

/** The schema with Kubernetes' extensions dropped and `additionalProperties: false` wherever properties are listed. */
function strict(schema: JsonSchema): JsonSchema {
    const result: JsonSchema = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key.startsWith("x-kubernetes-") || key === "$comment" || key === "description" || key === "format") continue;
        if (key === "properties") result.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, inner]) => [name, strict(inner)]));
        else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) result[key] = strict(value as JsonSchema);
        else result[key] = value;
    }
    if (schema.properties && !schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties === undefined) result.additionalProperties = false;
    return result;
}

const schemas = new Map<string, z.ZodType>();

/** The validator of a KEDA kind, from the pinned chart's CRD. */
export function kedaSchema(kind: string): z.ZodType {
    if (!schemas.has(kind)) {
        const file = path.join(__dirname, "..", "fixtures", "keda", `${kind}.schema.json`);
        if (!fs.existsSync(file)) throw new Error(`no KEDA CRD schema for ${kind}`);
        schemas.set(kind, z.fromJSONSchema(strict(JSON.parse(fs.readFileSync(file, "utf8")))));
    }
    return schemas.get(kind)!;
}

export const isKedaObject = (manifest: Record<string, unknown>) => String(manifest.apiVersion).startsWith("keda.sh/");

/** Throws with the failing JSON paths when the manifest is not valid for its KEDA kind. */
export function validateKeda(manifest: Record<string, unknown>): void {
    const result = kedaSchema(String(manifest.kind)).safeParse(manifest);
    if (!result.success) throw new Error(result.error.issues.map((issue) => `data/${issue.path.join("/")} ${issue.message}`).join(", "));
}
