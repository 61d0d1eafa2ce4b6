// zod/mini: the same validation, tree-shaken to a few KB (the classic API adds about 440 KB to a bundle).
import * as z from "zod/mini";
import { CULTURE_PATTERN, languageFor } from "./languages";

/** Limits the API enforces, from the function's environment (platform:translate). */
export interface RequestLimits {
    maxCultures: number;
    /** UTF-8 bytes; Amazon Translate's TranslateText accepts at most 10,000. */
    maxTextBytes: number;
}

export interface TranslationRequest {
    text: string;
    /** `auto` (detected by Translate) or a Translate language code. */
    sourceLanguage: string;
    /** Target cultures as the client sent them, each with its Translate language, in request order. */
    targets: { culture: string; language: string }[];
}

export type Parsed = { ok: true; request: TranslationRequest } | { ok: false; errors: string[] };

const BodySchema = z.strictObject({
    data: z.string({ error: 'expected "data": the text to translate, a string' }),
    culture: z.array(z.string({ error: "expected a culture code string such as fr-FR" }), { error: 'expected "culture": a list of culture codes such as ["fr-FR", "tr-TR"]' }),
    source: z.optional(z.string({ error: 'expected "source": a culture code such as en-US, or leave it out to detect the language' })),
});

/**
 * Validates a request body, `{"data": "...", "culture": ["fr-FR", ...], "source"?: "en-US"}`,
 * and lists every problem at once (the client fixes them in one round trip).
 */
export function parseTranslationRequest(body: string | null | undefined, limits: RequestLimits): Parsed {
    let json: unknown;
    try {
        json = JSON.parse(body ?? "");
    } catch {
        return { ok: false, errors: ['the body must be JSON: {"data": "<text>", "culture": ["fr-FR", ...]}'] };
    }
    const parsed = BodySchema.safeParse(json);
    if (!parsed.success)
        return {
            ok: false,
            errors: parsed.error.issues.map((issue) =>
                issue.code === "unrecognized_keys" ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; expected "data", "culture" and optionally "source"` : issue.message,
            ),
        };
    const { data, culture, source } = parsed.data;
    const errors: string[] = [];
    if (data.trim() === "") errors.push('"data" is empty; expected the text to translate');
    const bytes = Buffer.byteLength(data, "utf8");
    if (bytes > limits.maxTextBytes) errors.push(`"data" is ${bytes} bytes (UTF-8); expected at most ${limits.maxTextBytes}`);
    if (culture.length === 0) errors.push('"culture" is empty; expected at least one culture code such as fr-FR');
    if (culture.length > limits.maxCultures) errors.push(`"culture" lists ${culture.length} cultures; expected at most ${limits.maxCultures}`);
    const targets: TranslationRequest["targets"] = [];
    const seen = new Set<string>();
    for (const code of culture) {
        const language = languageFor(code);
        if (!CULTURE_PATTERN.test(code)) errors.push(`culture "${code}" is not a culture code; expected a form such as fr-FR, tr-TR or zh-TW`);
        else if (!language) errors.push(`culture "${code}" has no language Amazon Translate supports`);
        else if (seen.has(code.toLowerCase())) errors.push(`culture "${code}" is listed twice`);
        else targets.push({ culture: code, language });
        seen.add(code.toLowerCase());
    }
    let sourceLanguage = "auto";
    if (source !== undefined) {
        const language = languageFor(source);
        if (!language) errors.push(`source "${source}" has no language Amazon Translate supports; leave it out to detect the language`);
        else sourceLanguage = language;
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, request: { text: data, sourceLanguage, targets } };
}
