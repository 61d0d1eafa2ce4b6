/**
 * The worker's probes, for Kubernetes (the worker serves nothing else): `/healthz` answers 200 while
 * the polling loop runs (an answer at all proves the event loop is not blocked), `/readyz` once the
 * queue has answered a receive. Both 503 otherwise. Nothing but the kubelet reaches the port: the
 * pod's NetworkPolicy admits no inbound connection, and the node's own traffic is exempt from it.
 */
import { createServer, type Server } from "node:http";

export interface HealthState {
    /** The polling loop is running (false once SIGTERM stopped it). */
    running: boolean;
    /** A receive has succeeded since start. */
    received: boolean;
}

export function startHealthServer(port: number, state: HealthState): Promise<Server> {
    const server = createServer((request, response) => {
        const ok = request.url === "/healthz" ? state.running : request.url === "/readyz" ? state.running && state.received : undefined;
        response.writeHead(ok === undefined ? 404 : ok ? 200 : 503, { "content-type": "text/plain" }).end(ok === undefined ? "not found" : ok ? "ok" : "unavailable");
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, () => resolve(server));
    });
}
