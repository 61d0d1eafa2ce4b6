// zod/mini: the same validation in a fraction of the bundle (tree-shakable functions, no methods).
import * as z from "zod/mini";

/** The object a workflow execution processes: what the workflow passes to each function. */
export const UploadRefSchema = z.strictObject({
    bucket: z.string().check(z.minLength(3)),
    key: z.string().check(z.minLength(1)),
    // Present because the bucket is versioned: the workflow analyses exactly the version that was written.
    versionId: z.string().check(z.minLength(1)),
});
export type UploadRef = z.infer<typeof UploadRefSchema>;

/** A one-line account of why input was refused, naming each field. */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
    return issues.map((issue) => `${issue.path.map(String).join(".") || "(input)"}: ${issue.message}`).join("; ");
}
