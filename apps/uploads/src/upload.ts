import { z } from "zod";

/** The object a workflow execution processes: what the workflow passes to each function. */
export const UploadRefSchema = z.strictObject({
    bucket: z.string().min(3),
    key: z.string().min(1),
    // Present because the bucket is versioned: the workflow analyses exactly the version that was written.
    versionId: z.string().min(1),
});
export type UploadRef = z.infer<typeof UploadRefSchema>;
