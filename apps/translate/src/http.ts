import type { APIGatewayProxyResult } from "aws-lambda";

/** A JSON response; every body says what happened, errors with the request id to quote. */
export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
    return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export function badRequest(errors: string[], requestId: string): APIGatewayProxyResult {
    return json(400, { message: "invalid request", errors, requestId });
}
