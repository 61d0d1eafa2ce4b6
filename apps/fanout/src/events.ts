import * as z from "zod/mini";

/** The source every event published through the fan-out API carries (callers cannot choose it). */
export const API_SOURCE = "platform.fanout.api";

/**
 * The EventBridge envelope the rules deliver (to the queue: as the message body; to the
 * function: as the event). Only the fields the subscribers read are checked.
 */
export const FanoutEventSchema = z.object({
    id: z.string().check(z.minLength(1)),
    source: z.string().check(z.minLength(1)),
    "detail-type": z.string().check(z.minLength(1)),
    time: z.string().check(z.minLength(1)),
    detail: z.record(z.string(), z.unknown()),
});
export type FanoutEvent = z.infer<typeof FanoutEventSchema>;

/** Parses an event, saying which field is wrong. */
export function parseEvent(value: unknown): FanoutEvent {
    const parsed = FanoutEventSchema.safeParse(value);
    if (!parsed.success) throw new Error(`not an EventBridge event: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`);
    return parsed.data;
}
