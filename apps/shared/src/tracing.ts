import type { Tracer } from "@aws-lambda-powertools/tracer";

/** What `traced` needs from a Tracer (a fake in tests). */
export type HandlerTracer = Pick<Tracer, "isTracingEnabled" | "getSegment" | "setSegment" | "annotateColdStart" | "addServiceNameAnnotation" | "addErrorAsMetadata">;

/**
 * Runs one invocation in its own X-Ray subsegment `## <name>`, annotated with cold start and
 * service, with the error as metadata when it throws: Powertools' captureLambdaHandler, by hand
 * (no middleware framework). Responses are not recorded: they carry user text.
 */
export async function traced<T>(tracer: HandlerTracer | undefined, name: string, run: () => Promise<T>): Promise<T> {
    const segment = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
    if (!tracer || !segment) return run();
    const subsegment = segment.addNewSubsegment(`## ${name}`);
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
        return await run();
    } catch (err) {
        tracer.addErrorAsMetadata(err as Error);
        throw err;
    } finally {
        subsegment.close();
        tracer.setSegment(segment);
    }
}
