import * as http from "node:http";
import * as net from "node:net";
import { Writable } from "node:stream";
import { createApp, type App, type AppConfig } from "../../../apps/web/src/app";
import { createLogger } from "../../../apps/web/src/logger";
import type { TranslationRecord, TranslationStore } from "../../../apps/web/src/store";

export const ID_COMPLETE = "3f2b8c1e-5d6a-4b7c-8e9f-0a1b2c3d4e5f";
export const ID_ABSENT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

export const COMPLETE_ITEM = {
    id: ID_COMPLETE,
    status: "COMPLETE",
    createdAt: "2025-03-01T10:15:00.000Z",
    sourceText: "Good morning",
    cultures: ["fr-FR", "es-ES"],
    translations: { "fr-FR": "Bonjour", "es-ES": "Buenos días" },
};

/** A stream that keeps every JSON log line the logger writes. */
export class LogCapture extends Writable {
    readonly lines: string[] = [];
    private partial = "";

    override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
        const text = this.partial + chunk.toString();
        const parts = text.split("\n");
        this.partial = parts.pop() ?? "";
        this.lines.push(...parts.filter((line) => line.length > 0));
        callback();
    }

    /** Every line, parsed (throws on a line that is not JSON, which is itself a failure). */
    entries(): Record<string, any>[] {
        return this.lines.map((line) => JSON.parse(line) as Record<string, any>);
    }

    withMsg(msg: string): Record<string, any>[] {
        return this.entries().filter((entry) => entry.msg === msg);
    }
}

export interface TestApp {
    app: App;
    port: number;
    logs: LogCapture;
}

export const TEST_CONFIG: AppConfig = { port: 0, host: "127.0.0.1", shutdownTimeoutMs: 5_000, drainDelayMs: 0, keepAliveTimeoutMs: 65_000 };

const running: App[] = [];
const gatedStores: GatedStore[] = [];

/** Starts the real server on 127.0.0.1 and an ephemeral port; stopAll() in afterEach shuts it down. */
export async function startApp(store: TranslationStore, config: Partial<AppConfig> = {}, options: { awaitReady?: boolean } = {}): Promise<TestApp> {
    const logs = new LogCapture();
    const app = createApp({ ...TEST_CONFIG, ...config }, { store, logger: createLogger({ level: "debug", destination: logs }) });
    running.push(app);
    const address = await app.listen();
    if (options.awaitReady ?? true) await app.started();
    return { app, port: address.port, logs };
}

export async function stopAll(): Promise<void> {
    // A failed test may leave requests parked in a gated store; let them finish so shutdown can.
    for (const store of gatedStores.splice(0)) store.releaseAll();
    const apps = running.splice(0);
    await Promise.all(apps.map((app) => app.shutdown("test cleanup")));
}

export interface HttpResult {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    json: any;
}

/**
 * One GET over a fresh TCP connection. By default the client asks for `Connection: close` (agent:
 * false); `keepAlive: true` uses a one-off keep-alive agent, so the server's Connection header is its
 * own decision; `agent` reuses the caller's pool. Fetch is not used: its shared connection pool
 * would make "a new connection" ambiguous.
 */
export function get(port: number, path: string, options: { headers?: Record<string, string>; agent?: http.Agent; keepAlive?: boolean } = {}): Promise<HttpResult> {
    const ownAgent = options.keepAlive === true ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    const agent = options.agent ?? ownAgent ?? false;
    return new Promise<HttpResult>((resolve, reject) => {
        const request = http.request({ host: "127.0.0.1", port, path, method: "GET", headers: options.headers ?? {}, agent }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", reject);
            response.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                let json: unknown;
                try {
                    json = JSON.parse(body);
                } catch {
                    json = undefined;
                }
                resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json });
            });
        });
        request.on("error", reject);
        request.end();
    }).finally(() => ownAgent?.destroy());
}

/** Opens (and at once closes) a plain TCP connection: "connected", or the error code (e.g. ECONNREFUSED). */
export function tryConnect(port: number): Promise<string> {
    return new Promise((resolve) => {
        const socket = net.createConnection({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve("connected");
        });
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

/**
 * A store whose get() answers only when the test says so: deterministic "slow" requests. Records
 * are looked up in `items` once released.
 */
export class GatedStore implements TranslationStore {
    readonly calls: string[] = [];
    private readonly waiting: (() => void)[] = [];

    constructor(private readonly items: Map<string, TranslationRecord> = new Map()) {
        gatedStores.push(this);
    }

    get pending(): number {
        return this.waiting.length;
    }

    async get(id: string): Promise<TranslationRecord | undefined> {
        this.calls.push(id);
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        return this.items.get(id);
    }

    releaseAll(): void {
        for (const release of this.waiting.splice(0)) release();
    }
}

export const COMPLETE_RECORD: TranslationRecord = {
    id: ID_COMPLETE,
    status: "COMPLETE",
    createdAt: COMPLETE_ITEM.createdAt,
    cultures: COMPLETE_ITEM.cultures,
    translations: COMPLETE_ITEM.translations,
};
