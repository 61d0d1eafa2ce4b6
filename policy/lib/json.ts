/**
 * JSON-string properties (IAM documents, container definitions, state machine definitions,
 * redrive policies) reach a policy as strings; the typed SDK also lets a program pass some of
 * them as objects. A document that does not parse is itself a violation: AWS would reject it, or
 * worse, the policy could not check what it says.
 */

export type JsonProperty<T = unknown> = { state: "absent" } | { state: "ok"; value: T } | { state: "invalid"; message: string };

/**
 * Reads `value` (the property named `property`, for messages) as a JSON document: a string is
 * parsed, an object or array is taken as is, undefined/null/"" is absent.
 */
export function readJson(value: unknown, property: string): JsonProperty {
    if (value === undefined || value === null || value === "") return { state: "absent" };
    if (typeof value !== "string") {
        if (typeof value === "object") return { state: "ok", value };
        return { state: "invalid", message: `${property} must be a JSON document, got a ${typeof value}` };
    }
    try {
        return { state: "ok", value: JSON.parse(value) as unknown };
    } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { state: "invalid", message: `${property} is not valid JSON (${reason}); the policy cannot check it and AWS would reject it` };
    }
}
