import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import kinesalite from "kinesalite";

/**
 * DynamoDB- and Kinesis-compatible servers on loopback, in memory (no LevelDB files), on a free
 * port: real request validation and conditional writes, no network beyond 127.0.0.1.
 */
export interface LocalPeer {
    endpoint: string;
    close(): Promise<void>;
}

function listen(server: Server): Promise<LocalPeer> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ endpoint: `http://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(() => done())) });
        });
    });
}

export function startDynalite(): Promise<LocalPeer> {
    return listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
}

export function startKinesalite(): Promise<LocalPeer> {
    return listen(kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10 }));
}

/** Credentials and region for SDK clients pointed at a local peer (they only need to be well formed). */
export const LOCAL_CLIENT = { region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
