/**
 * Amazon Translate's language codes (TranslateText accepts these as target and source), from
 * the "Supported languages" table of the Amazon Translate developer guide.
 */
export const TRANSLATE_LANGUAGES = [
    "af",
    "sq",
    "am",
    "ar",
    "hy",
    "az",
    "bn",
    "bs",
    "bg",
    "ca",
    "zh",
    "zh-TW",
    "hr",
    "cs",
    "da",
    "fa-AF",
    "nl",
    "en",
    "et",
    "fa",
    "tl",
    "fi",
    "fr",
    "fr-CA",
    "ka",
    "de",
    "el",
    "gu",
    "ht",
    "ha",
    "he",
    "hi",
    "hu",
    "is",
    "id",
    "ga",
    "it",
    "ja",
    "kn",
    "kk",
    "ko",
    "lv",
    "lt",
    "mk",
    "ms",
    "ml",
    "mt",
    "mr",
    "mn",
    "no",
    "ps",
    "pl",
    "pt",
    "pt-PT",
    "pa",
    "ro",
    "ru",
    "sr",
    "si",
    "sk",
    "sl",
    "so",
    "es",
    "es-MX",
    "sw",
    "sv",
    "ta",
    "te",
    "th",
    "tr",
    "uk",
    "ur",
    "uz",
    "vi",
    "cy",
] as const;

/** A culture as clients send it: a BCP 47 language tag with an optional script and region (fr-FR, zh-Hant-TW, es-419). */
export const CULTURE_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?$/;

const BY_LOWER = new Map<string, string>(TRANSLATE_LANGUAGES.map((code) => [code.toLowerCase(), code]));

/** Cultures whose Translate language is not their language subtag. */
const ALIASES: Record<string, string> = {
    "zh-hant": "zh-TW",
    "zh-hk": "zh-TW",
    "zh-mo": "zh-TW",
    "zh-hant-tw": "zh-TW",
    "zh-hant-hk": "zh-TW",
    "zh-hans": "zh",
    "zh-cn": "zh",
    "zh-sg": "zh",
    "zh-hans-cn": "zh",
    "pt-br": "pt",
    nb: "no",
    nn: "no",
    fil: "tl",
    iw: "he",
    in: "id",
};

/**
 * The Translate language for a culture: an exact match (fr-CA, pt-PT, es-MX, zh-TW, fa-AF), a
 * known alias (zh-HK → zh-TW, pt-BR → pt, nb-NO → no), else its language subtag (fr-FR → fr).
 * Undefined when Translate has no such language.
 */
export function languageFor(culture: string): string | undefined {
    if (!CULTURE_PATTERN.test(culture)) return undefined;
    const lower = culture.toLowerCase();
    const exact = BY_LOWER.get(lower) ?? ALIASES[lower];
    if (exact) return exact;
    const parts = lower.split("-");
    // Script then region (zh-Hant-TW) or language-region (nb-NO): try the longest known prefix.
    for (let length = parts.length - 1; length >= 1; length--) {
        const prefix = parts.slice(0, length).join("-");
        const match = BY_LOWER.get(prefix) ?? ALIASES[prefix];
        if (match) return match;
    }
    return undefined;
}
