import { TranslateClient, TranslateTextCommand } from "@aws-sdk/client-translate";

/** What the handlers need from a translation service; tests pass a fake. */
export interface Translator {
    /** Translates `text` into `targetLanguage` (a Translate code). Throws a TranslationError; gives up when `signal` aborts. */
    translate(text: string, sourceLanguage: string, targetLanguage: string, signal?: AbortSignal): Promise<string>;
}

/**
 * A failure, classified: `permanent` ones (unsupported pair, text too long, language not
 * detected) are answered or recorded; the others (throttling, service errors) are retried.
 */
export class TranslationError extends Error {
    constructor(
        message: string,
        readonly permanent: boolean,
        options?: { cause?: unknown },
    ) {
        super(message, options);
        this.name = "TranslationError";
    }
}

const PERMANENT = new Set([
    "UnsupportedLanguagePairException",
    "TextSizeLimitExceededException",
    "DetectedLanguageLowConfidenceException",
    "InvalidRequestException",
    "InvalidParameterValueException",
    "UnsupportedDisplayLanguageCodeException",
]);

/** Amazon Translate through the AWS SDK v3 (the client is created once per container). */
export class AmazonTranslator implements Translator {
    constructor(private readonly client: TranslateClient) {}

    async translate(text: string, sourceLanguage: string, targetLanguage: string, signal?: AbortSignal): Promise<string> {
        try {
            const output = await this.client.send(new TranslateTextCommand({ Text: text, SourceLanguageCode: sourceLanguage, TargetLanguageCode: targetLanguage }), { abortSignal: signal });
            return output.TranslatedText ?? "";
        } catch (err) {
            const name = (err as Error).name;
            throw new TranslationError(`${name}: ${(err as Error).message}`, PERMANENT.has(name), { cause: err });
        }
    }
}
