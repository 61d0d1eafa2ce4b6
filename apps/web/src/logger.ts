/**
 * Structured logs: one JSON object per line, `{"level":"info","time":"<ISO>","service":"web",
 * "msg":...}` plus the fields of each call. Written synchronously to stdout (the container log
 * driver collects it), never to a file, so the root filesystem can stay read-only and nothing is
 * lost when the process exits right after a line.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config";

export type { Logger } from "pino";

export interface LoggerOptions {
    level: LogLevel;
    /** Where lines go; stdout (synchronously) when omitted. Tests pass a capturing stream. */
    destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
    const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
    return pino(
        {
            level: options.level,
            base: { service: "web" },
            timestamp: pino.stdTimeFunctions.isoTime,
            formatters: {
                // "level":"info" rather than pino's numeric 30: CloudWatch and Loki filters read better.
                level: (label) => ({ level: label }),
            },
        },
        destination,
    );
}
