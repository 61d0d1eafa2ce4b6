import { expect } from "chai";
import { classify, InvalidInputError, isTransient, TransientError } from "../../apps/shared/src/workflow-errors";

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("workflow errors: what the workflows retry", () => {
    it("treats throttling, 5xx, SDK-retryable and network errors as transient", () => {
        for (const error of [
            sdkError("ThrottlingException", 400),
            sdkError("ProvisionedThroughputExceededException", 400),
            sdkError("SlowDown", 503),
            sdkError("InternalError", 500),
            sdkError("SomethingNew", 502),
            sdkError("TooManyRequests", 429, { $retryable: { throttling: true } }),
            Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
        ]) {
            expect(isTransient(error), error.name).to.be.true;
        }
    });

    it("treats access, validation and missing-resource errors as permanent", () => {
        for (const error of [sdkError("AccessDenied", 403), sdkError("ValidationException", 400), sdkError("NoSuchKey", 404), new Error("bug"), "not an error"]) {
            expect(isTransient(error), String(error)).to.be.false;
        }
    });

    it("re-throws a transient SDK error as TransientError (the name Step Functions retries on), keeping the cause; others unchanged", () => {
        const throttled = sdkError("SlowDown", 503);
        let thrown: unknown;
        try {
            classify(throttled, "HeadObject");
        } catch (error) {
            thrown = error;
        }
        expect(thrown).to.be.instanceOf(TransientError);
        expect((thrown as Error).name).to.equal("TransientError");
        expect((thrown as Error).message).to.equal("HeadObject: SlowDown: SlowDown");
        expect((thrown as Error).cause).to.equal(throttled);
        const denied = sdkError("AccessDenied", 403);
        expect(() => classify(denied, "HeadObject")).to.throw(denied);
        expect(new InvalidInputError("x").name).to.equal("InvalidInputError");
    });
});
