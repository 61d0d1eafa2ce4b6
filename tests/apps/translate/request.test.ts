import { expect } from "chai";
import { languageFor, TRANSLATE_LANGUAGES } from "../../../apps/translate/src/languages";
import { parseTranslationRequest } from "../../../apps/translate/src/request";

const limits = { maxCultures: 3, maxTextBytes: 10_000 };
const parse = (body: unknown) => parseTranslationRequest(typeof body === "string" ? body : JSON.stringify(body), limits);
const errorsOf = (body: unknown) => {
    const parsed = parse(body);
    if (parsed.ok) throw new Error("expected a rejection");
    return parsed.errors;
};

describe("translate: cultures and request validation", () => {
    it("maps cultures to Translate's language codes: exact regional codes, aliases, then the language subtag", () => {
        expect(languageFor("fr-FR")).to.equal("fr");
        expect(languageFor("tr-TR")).to.equal("tr");
        expect(languageFor("fr-CA")).to.equal("fr-CA");
        expect(languageFor("pt-PT")).to.equal("pt-PT");
        expect(languageFor("pt-BR")).to.equal("pt");
        expect(languageFor("zh-TW")).to.equal("zh-TW");
        expect(languageFor("zh-HK")).to.equal("zh-TW");
        expect(languageFor("zh-Hant-TW")).to.equal("zh-TW");
        expect(languageFor("zh-CN")).to.equal("zh");
        expect(languageFor("nb-NO")).to.equal("no");
        expect(languageFor("es-419")).to.equal("es");
        expect(languageFor("xx-YY")).to.equal(undefined);
        expect(languageFor("french")).to.equal(undefined);
        expect(TRANSLATE_LANGUAGES).to.have.length(75);
    });

    it("accepts text and cultures, keeping the client's culture codes with their languages", () => {
        const parsed = parse({ data: "Hello", culture: ["fr-FR", "zh-HK"] });
        expect(parsed).to.deep.equal({
            ok: true,
            request: {
                text: "Hello",
                sourceLanguage: "auto",
                targets: [
                    { culture: "fr-FR", language: "fr" },
                    { culture: "zh-HK", language: "zh-TW" },
                ],
            },
        });
        const withSource = parse({ data: "Hallo", culture: ["en-GB"], source: "de-DE" });
        expect(withSource.ok && withSource.request.sourceLanguage).to.equal("de");
    });

    it("rejects empty text", () => expect(errorsOf({ data: "   ", culture: ["fr-FR"] })).to.deep.equal(['"data" is empty; expected the text to translate']));

    it("rejects unknown culture codes and malformed ones, naming each", () => {
        expect(errorsOf({ data: "x", culture: ["fr-FR", "xx-YY", "french"] })).to.deep.equal([
            'culture "xx-YY" has no language Amazon Translate supports',
            'culture "french" is not a culture code; expected a form such as fr-FR, tr-TR or zh-TW',
        ]);
    });

    it("rejects too many cultures and duplicates", () => {
        expect(errorsOf({ data: "x", culture: ["fr-FR", "de-DE", "it-IT", "es-ES"] })).to.deep.equal(['"culture" lists 4 cultures; expected at most 3']);
        expect(errorsOf({ data: "x", culture: ["fr-FR", "FR-fr"] })).to.deep.equal(['culture "FR-fr" is listed twice']);
        expect(errorsOf({ data: "x", culture: [] })).to.deep.equal(['"culture" is empty; expected at least one culture code such as fr-FR']);
    });

    it("rejects text over Translate's limit, counting UTF-8 bytes rather than characters", () => {
        // 5,000 characters of 3 bytes each: 15,000 bytes.
        expect(errorsOf({ data: "語".repeat(5000), culture: ["fr-FR"] })).to.deep.equal(['"data" is 15000 bytes (UTF-8); expected at most 10000']);
        expect(parse({ data: "a".repeat(10_000), culture: ["fr-FR"] }).ok).to.equal(true);
    });

    it("rejects a body that is not JSON, lacks fields or has unknown ones, saying what is expected", () => {
        expect(errorsOf("not json")[0]).to.contain('the body must be JSON: {"data"');
        expect(errorsOf({ culture: ["fr-FR"] })).to.deep.equal(['expected "data": the text to translate, a string']);
        expect(errorsOf({ data: "x", culture: "fr-FR" })).to.deep.equal(['expected "culture": a list of culture codes such as ["fr-FR", "tr-TR"]']);
        expect(errorsOf({ data: "x", culture: ["fr-FR"], cultures: [] })).to.deep.equal(['unknown field "cultures"; expected "data", "culture" and optionally "source"']);
    });
});
