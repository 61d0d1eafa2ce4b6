/**
 * The read side of the translation pipeline's storage: one record per translation request, keyed
 * by its UUID. The serverless pipeline writes the records; this service only reads them.
 */
import { z } from "zod";

export const TRANSLATION_STATUSES = ["PENDING", "COMPLETE", "PARTIAL", "FAILED"] as const;
export type TranslationStatus = (typeof TRANSLATION_STATUSES)[number];

/** What the API returns for one request (the stored item minus the source text). */
export interface TranslationRecord {
    id: string;
    status: TranslationStatus;
    createdAt: string;
    cultures: string[];
    translations: Record<string, string>;
    errors?: Record<string, string>;
}

export interface TranslationStore {
    /** The record with this id, or undefined when there is none. Throws StoreError when the store fails. */
    get(id: string): Promise<TranslationRecord | undefined>;
    /** Optional startup work (e.g. resolving credentials); readiness waits for it. */
    init?(): Promise<void>;
    /** Optional cleanup after the server has stopped (e.g. closing sockets). */
    close?(): Promise<void> | void;
}

/**
 * A failure of the store, not of the caller. `retryable` is true for throttling, timeouts and
 * service-side errors (the API answers 503 with Retry-After), false for misconfiguration or a
 * malformed item (500).
 */
export class StoreError extends Error {
    readonly retryable: boolean;

    constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = "StoreError";
        this.retryable = options.retryable;
    }
}

/** UUIDs, any version, any case; the API lower-cases them before the lookup. */
export const TRANSLATION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** DocumentClient returns a DynamoDB string set (SS) as a Set; a list (L) as an array. Accept both. */
const stringList = z.preprocess((value) => (value instanceof Set ? [...(value as Set<unknown>)] : value), z.array(z.string()));

/**
 * The stored item as the pipeline writes it (see apps/web/README.md, "DynamoDB item layout").
 * Unknown attributes are ignored, so the pipeline may add more.
 */
export const storedItemSchema = z.object({
    id: z.string().regex(TRANSLATION_ID_PATTERN),
    status: z.enum(TRANSLATION_STATUSES),
    createdAt: z.iso.datetime({ offset: true }),
    cultures: stringList,
    // A PENDING request may not have any translation yet; the pipeline may omit the map.
    translations: z.record(z.string(), z.string()).default({}),
    errors: z.record(z.string(), z.string()).optional(),
});

/** Maps a raw stored item to the API record; throws StoreError (not retryable) when it is malformed. */
export function toTranslationRecord(item: unknown): TranslationRecord {
    const result = storedItemSchema.safeParse(item);
    if (!result.success) {
        const detail = result.error.issues.map((issue) => `${issue.path.join(".") || "(item)"}: ${issue.message}`).join("; ");
        throw new StoreError(`stored translation item is malformed: ${detail}`, { retryable: false });
    }
    const { id, status, createdAt, cultures, translations, errors } = result.data;
    return { id, status, createdAt, cultures, translations, ...(errors === undefined ? {} : { errors }) };
}

/** In-memory store for tests and `STORE=memory` local runs. Items go through the same validation. */
export class InMemoryTranslationStore implements TranslationStore {
    private readonly items = new Map<string, unknown>();

    constructor(items: Iterable<Record<string, unknown>> = []) {
        for (const item of items) this.put(item);
    }

    /** Stores a raw item, as the pipeline would write it (it must have a string `id`). */
    put(item: Record<string, unknown>): void {
        if (typeof item.id !== "string") throw new TypeError("item.id must be a string");
        this.items.set(item.id, structuredClone(item));
    }

    get(id: string): Promise<TranslationRecord | undefined> {
        const item = this.items.get(id);
        return Promise.resolve(item === undefined ? undefined : toTranslationRecord(item));
    }
}

/** Seed for `STORE=memory` local runs, so `GET /translations/<DEMO_TRANSLATION_ID>` answers. */
export const DEMO_TRANSLATION_ID = "00000000-0000-4000-8000-000000000001";
export const DEMO_ITEMS: Record<string, unknown>[] = [
    {
        id: DEMO_TRANSLATION_ID,
        status: "PARTIAL",
        createdAt: "2025-01-01T12:00:00.000Z",
        sourceText: "Hello, world",
        cultures: ["fr-FR", "de-DE", "ja-JP"],
        translations: { "fr-FR": "Bonjour, le monde", "de-DE": "Hallo, Welt" },
        errors: { "ja-JP": "translation service timed out" },
    },
];
