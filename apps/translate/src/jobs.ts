import * as z from "zod/mini";

/** The SNS message attribute the worker's subscription filters on. */
export const JOB_KIND = "translation-job";

/** One unit of work: one culture of one request. The text is read from the table, not carried (SNS/SQS cap messages at 256 KB). */
export const JobSchema = z.strictObject({
    requestId: z.uuid(),
    culture: z.string().check(z.minLength(2)),
    language: z.string().check(z.minLength(2)),
});
export type Job = z.infer<typeof JobSchema>;

export function parseJob(body: string): Job {
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        throw new Error("job is not JSON");
    }
    const parsed = JobSchema.safeParse(json);
    if (!parsed.success) throw new Error(`not a translation job: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`);
    return parsed.data;
}
