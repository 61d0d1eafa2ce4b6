/**
 * Error names the workflows branch on. A Lambda function's error type is the thrown error's
 * `name`, and Step Functions matches Retry and Catch on it: TransientError is retried with
 * backoff, anything else goes to the failure path at once.
 */

/** May pass on a retry: throttling, a 5xx from a service, a network timeout. */
export class TransientError extends Error {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "TransientError";
    }
}

/** The input can never be processed as it is (wrong type, too large, deleted, malformed). */
export class InvalidInputError extends Error {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "InvalidInputError";
    }
}

// SDK v3 error names that mean "slow down or try again", across S3, Rekognition, DynamoDB, Kinesis.
const TRANSIENT_NAMES = new Set([
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalError",
    "InternalServerError",
    "InternalServerErrorException",
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
]);

/** True when an AWS SDK v3 (or network) error may pass on a retry. */
export function isTransient(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    const sdk = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
    if (sdk.$retryable) return true;
    if (TRANSIENT_NAMES.has(error.name)) return true;
    if ((sdk.$metadata?.httpStatusCode ?? 0) >= 500) return true;
    return sdk.code === "ECONNRESET" || sdk.code === "ETIMEDOUT" || sdk.code === "EPIPE";
}

/** Re-throws an SDK error as TransientError when a retry may help, otherwise unchanged. */
export function classify(error: unknown, what: string): never {
    if (isTransient(error)) throw new TransientError(`${what}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    throw error;
}
