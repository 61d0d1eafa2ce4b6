/**
 * The HTTP service, without any process wiring: `createApp(config, deps)` returns an app that can
 * listen and shut down as many times as a test suite likes. main.ts adds signals and process.exit.
 *
 * Lifecycle: starting -> ready -> draining -> closing -> stopped.
 *   starting  listening, startup work (store.init) not finished: /readyz 503.
 *   ready     /readyz 200.
 *   draining  after SIGTERM: /readyz 503 so load balancers / kube-proxy stop routing here, while
 *             the server still accepts and serves (DRAIN_DELAY_MS). Responses carry
 *             `Connection: close` so keep-alive clients reconnect elsewhere.
 *   closing   listener closed (new connections refused), idle keep-alive sockets closed, requests
 *             arriving on a still-open connection answered 503; in-flight requests finish until
 *             SHUTDOWN_TIMEOUT_MS (counted from the signal) runs out, then remaining sockets are
 *             destroyed and the shutdown reports failure.
 *   stopped   everything closed; the store closed.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import type { Config } from "./config";
import type { Logger } from "./logger";
import { StoreError, TRANSLATION_ID_PATTERN, type TranslationRecord, type TranslationStore } from "./store";

export type AppConfig = Pick<Config, "port" | "host" | "shutdownTimeoutMs" | "drainDelayMs" | "keepAliveTimeoutMs">;

export interface AppDeps {
    store: TranslationStore;
    logger: Logger;
}

export type AppState = "starting" | "ready" | "draining" | "closing" | "stopped";

export interface ShutdownResult {
    /** True when every in-flight request finished within the shutdown timeout. */
    ok: boolean;
    signal: string;
    durationMs: number;
    /** Requests still running when the timeout struck (0 when ok). */
    abandonedRequests: number;
    reason?: string;
}

export interface App {
    readonly state: AppState;
    /** Requests being handled right now. */
    readonly inFlight: number;
    /** The underlying node:http server. */
    readonly server: Server;
    /** Binds the port and starts the startup work; resolves once bound (readiness may still be 503). */
    listen(): Promise<AddressInfo>;
    /** Resolves when startup work is done and /readyz answers 200; rejects when it failed. */
    started(): Promise<void>;
    /** Drains and stops; idempotent (every call gets the same result). Never rejects. */
    shutdown(signal: string): Promise<ShutdownResult>;
}

/** The JSON body of every error this service writes itself. */
export interface ErrorBody {
    error: string;
    message: string;
    requestId: string;
}

export const REQUEST_ID_HEADER = "x-request-id";
/** An incoming request id is reused only when it is this tame; otherwise a UUID is generated. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:=+/-]{1,128}$/;
const PROBE_ROUTES = new Set(["/healthz", "/readyz"]);
/** After the shutdown timeout, how long to wait for destroyed sockets to be reported closed. */
const FORCED_CLOSE_GRACE_MS = 1_000;

function requestIdOf(headers: Record<string, string | string[] | undefined>): string {
    const value = headers[REQUEST_ID_HEADER];
    return typeof value === "string" && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

function pathOf(url: string): string {
    const query = url.indexOf("?");
    return query === -1 ? url : url.slice(0, query);
}

/**
 * One access-log line per request: method, path, route, status, durationMs (the request id comes
 * from the request's child logger). Probes log at debug so they don't drown the rest.
 */
class AccessLogController extends LogController {
    override incomingRequest(): void {
        // One line per request, at completion.
    }

    override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
        const fields = {
            method: request.method,
            path: pathOf(request.url),
            route: request.routeOptions.url,
            status: reply.statusCode,
            durationMs: Math.round(reply.elapsedTime * 100) / 100,
        };
        if (error) reply.log.error({ ...fields, err: error }, "request errored");
        else if (reply.statusCode >= 500) reply.log.error(fields, "request completed");
        else if (PROBE_ROUTES.has(fields.route ?? "")) reply.log.debug(fields, "request completed");
        else reply.log.info(fields, "request completed");
    }
}

function toResponse(record: TranslationRecord): TranslationRecord {
    const { id, status, createdAt, cultures, translations, errors } = record;
    return { id, status, createdAt, cultures, translations, ...(errors === undefined ? {} : { errors }) };
}

function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createApp(config: AppConfig, deps: AppDeps): App {
    const { store, logger } = deps;
    let state: AppState = "starting";
    let inFlight = 0;
    let listening = false;
    let startup: Promise<void> | undefined;
    let shutdownResult: Promise<ShutdownResult> | undefined;

    const fastify = Fastify({
        loggerInstance: logger,
        logController: new AccessLogController({ requestIdLogLabel: "requestId" }),
        requestIdHeader: false,
        genReqId: (req) => requestIdOf(req.headers),
        keepAliveTimeout: config.keepAliveTimeoutMs,
        // Node's server.close() closes idle keep-alive sockets itself; busy ones end after their
        // response, which carries `Connection: close` once shutdown has begun (onSend below).
        forceCloseConnections: "idle",
        return503OnClosing: true,
        bodyLimit: 16 * 1024,
    });

    const sendError = (reply: FastifyReply, status: number, error: string, message: string): FastifyReply => reply.code(status).send({ error, message, requestId: reply.request.id } satisfies ErrorBody);

    fastify.addHook("onRequest", (request, reply, done) => {
        inFlight += 1;
        reply.raw.once("close", () => {
            inFlight -= 1;
        });
        reply.header(REQUEST_ID_HEADER, request.id);
        reply.header("cache-control", "no-store");
        done();
    });

    fastify.addHook("onSend", (_request, reply, payload, done) => {
        if (state !== "starting" && state !== "ready") reply.header("connection", "close");
        done(null, payload);
    });

    fastify.setNotFoundHandler((request, reply) => {
        void sendError(reply, 404, "not_found", `no route for ${request.method} ${pathOf(request.url)}`);
    });

    fastify.setErrorHandler((error: unknown, request, reply) => {
        const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
        const status = typeof statusCode === "number" && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
        if (status >= 500) {
            request.log.error({ err: error }, "unhandled error");
            void sendError(reply, status, "internal_error", "internal server error");
        } else {
            // Fastify's own 4xx errors (bad content type, body too large, ...) have safe messages.
            const message = error instanceof Error ? error.message : "bad request";
            void sendError(reply, status, "bad_request", message);
        }
    });

    fastify.get("/healthz", (_request, reply) => {
        void reply.send({ status: "ok" });
    });

    fastify.get("/readyz", (_request, reply) => {
        void reply.code(state === "ready" ? 200 : 503).send({ status: state });
    });

    fastify.get<{ Params: { id: string } }>("/translations/:id", async (request, reply) => {
        if (!TRANSLATION_ID_PATTERN.test(request.params.id)) {
            return sendError(reply, 400, "invalid_id", "translation id must be a UUID");
        }
        const id = request.params.id.toLowerCase();
        let record: TranslationRecord | undefined;
        try {
            record = await store.get(id);
        } catch (error) {
            if (error instanceof StoreError && error.retryable) {
                request.log.warn({ err: error, translationId: id }, "translation store unavailable");
                void reply.header("retry-after", "1");
                return sendError(reply, 503, "store_unavailable", "the translation store is temporarily unavailable; retry later");
            }
            request.log.error({ err: error, translationId: id }, "translation store failed");
            return sendError(reply, 500, "internal_error", "internal server error");
        }
        if (record === undefined) return sendError(reply, 404, "not_found", `translation ${id} not found`);
        return toResponse(record);
    });

    async function runStartup(address: AddressInfo): Promise<void> {
        try {
            await store.init?.();
        } catch (error) {
            logger.error({ err: error }, "startup failed");
            throw error;
        }
        if (state === "starting") {
            state = "ready";
            logger.info({ host: address.address, port: address.port }, "ready");
        }
    }

    async function runShutdown(signal: string): Promise<ShutdownResult> {
        const startedAt = performance.now();
        const elapsed = () => Math.round(performance.now() - startedAt);
        // Nobody routes to an app that never reported ready, so there is nothing to drain.
        const drainMs = state === "ready" ? config.drainDelayMs : 0;
        state = "draining";
        logger.info({ signal, drainDelayMs: drainMs, shutdownTimeoutMs: config.shutdownTimeoutMs, inFlight }, "shutdown started; readiness now 503");
        if (drainMs > 0) await sleep(drainMs);

        state = "closing";
        logger.info({ inFlight }, "closing listener; waiting for in-flight requests");
        const closed = fastify.close().then(
            () => undefined,
            (error: unknown) => error,
        );
        const remaining = Math.max(0, config.shutdownTimeoutMs - (performance.now() - startedAt));
        const outcome = await raceTimeout(closed, remaining);

        let result: ShutdownResult;
        if (outcome === "timeout") {
            const abandoned = inFlight;
            logger.error({ signal, abandonedRequests: abandoned, shutdownTimeoutMs: config.shutdownTimeoutMs }, "shutdown timed out; destroying remaining connections");
            fastify.server.closeAllConnections();
            if ((await raceTimeout(closed, FORCED_CLOSE_GRACE_MS)) === "timeout") logger.error("connections still open after being destroyed");
            result = { ok: false, signal, durationMs: elapsed(), abandonedRequests: abandoned, reason: `in-flight requests exceeded the ${config.shutdownTimeoutMs} ms shutdown timeout` };
        } else if (outcome !== undefined) {
            logger.error({ err: outcome }, "error while closing the server");
            result = { ok: false, signal, durationMs: elapsed(), abandonedRequests: inFlight, reason: "error while closing the server" };
        } else {
            result = { ok: true, signal, durationMs: elapsed(), abandonedRequests: 0 };
        }

        try {
            await store.close?.();
        } catch (error) {
            logger.warn({ err: error }, "error while closing the store");
        }
        state = "stopped";
        if (result.ok) logger.info({ signal, durationMs: result.durationMs }, "shutdown complete");
        else logger.error({ signal, durationMs: result.durationMs, reason: result.reason }, "shutdown finished with errors");
        return result;
    }

    return {
        get state() {
            return state;
        },
        get inFlight() {
            return inFlight;
        },
        get server() {
            return fastify.server;
        },
        async listen() {
            if (listening || shutdownResult !== undefined) throw new Error("listen() may be called once, before shutdown()");
            listening = true;
            await fastify.listen({ port: config.port, host: config.host });
            const address = fastify.server.address() as AddressInfo;
            startup = runStartup(address);
            // started() reports the failure; don't let it surface as an unhandled rejection too.
            startup.catch(() => undefined);
            return address;
        },
        started() {
            return startup ?? Promise.reject(new Error("started() before listen()"));
        },
        shutdown(signal: string) {
            shutdownResult ??= runShutdown(signal).catch((error: unknown): ShutdownResult => {
                // runShutdown handles its own failures; this is a last resort so shutdown never rejects.
                logger.error({ err: error }, "shutdown failed");
                state = "stopped";
                return { ok: false, signal, durationMs: 0, abandonedRequests: inFlight, reason: "shutdown failed" };
            });
            return shutdownResult;
        },
    };
}
