import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { get, MAX_ATTEMPTS, probe, REQUIRED_SUCCESSES, RETRY_SECONDS } from "../../../apps/release-probe/src/probe";

const URL = "https://alb.example:8443/readyz";
const answering = (...statuses: (number | undefined)[]) => {
    const asked: string[] = [];
    const fetch = (url: string) => {
        asked.push(url);
        return Promise.resolve(statuses.length > 1 ? statuses.shift() : statuses[0]);
    };
    return { fetch, asked };
};

describe("release probe (ECS pre-traffic hook)", () => {
    it("lets the release continue after three 200s in a row from the test listener", async () => {
        const { fetch, asked } = answering(200);
        expect(await probe({ hookDetails: { url: URL } }, fetch)).to.deep.equal({ hookStatus: "SUCCEEDED" });
        expect(asked).to.deep.equal(Array(REQUIRED_SUCCESSES).fill(URL));
    });

    it("asks ECS to call again while green is not ready, counting the attempts in hookDetails (ECS passes them back as a JSON string or object)", async () => {
        expect(await probe({ hookDetails: JSON.stringify({ url: URL }) }, answering(200, 503).fetch)).to.deep.equal({ hookStatus: "IN_PROGRESS", callBackDelay: RETRY_SECONDS, hookDetails: { url: URL, attempt: 1 } });
        expect(await probe({ hookDetails: { url: URL, attempt: 4 } }, answering(undefined).fetch)).to.deep.include({ hookStatus: "IN_PROGRESS", hookDetails: { url: URL, attempt: 5 } });
    });

    it("rolls the release back after the last attempt, or when it was given no URL", async () => {
        expect(await probe({ hookDetails: { url: URL, attempt: MAX_ATTEMPTS - 1 } }, answering(500).fetch)).to.deep.equal({ hookStatus: "FAILED" });
        expect(await probe({}, answering(200).fetch)).to.deep.equal({ hookStatus: "FAILED" });
    });

    it("reads the status over real HTTP, and reports a refused connection as no answer", async () => {
        const server: Server = createServer((request, response) => {
            response.statusCode = request.url === "/readyz" ? 200 : 404;
            response.end("ok");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        try {
            expect(await get(`http://127.0.0.1:${port}/readyz`)).to.equal(200);
            expect(await get(`http://127.0.0.1:${port}/other`)).to.equal(404);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        expect(await get(`http://127.0.0.1:${port}/readyz`)).to.equal(undefined);
    });
});
