import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { renderConfigurationReference } from "../platform/config/reference";
import { PlatformInputSchema } from "../platform/config/schema";
import { REPO_ROOT } from "./helpers";

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");

describe("user-facing docs", () => {
    it("docs/configuration.md is what platform/config generates (run `npm run docs:config` after changing a schema or a default)", () => {
        expect(read("docs/configuration.md") === renderConfigurationReference(), "docs/configuration.md is stale: npm run docs:config").to.equal(true);
    });

    it("the configuration reference has a section for every top-level key, with the profile defaults", () => {
        const reference = renderConfigurationReference();
        for (const key of Object.keys(PlatformInputSchema.shape)) expect(reference, key).to.contain(`## \`platform:${key}\``);
        expect(reference).to.match(/\| `network\.natStrategy` \| .* \| `instance` \| `single` \| `perAz` \|/);
    });

    it("no user-facing file mentions issue numbers or merge markers", () => {
        const files = [
            "README.md",
            "CONTRIBUTING.md",
            "Pulumi.dev.yaml",
            "Pulumi.staging.yaml",
            "Pulumi.prod.yaml",
            "docs/configuration.md",
            "docs/your-first-app.md",
            "platform/ecs/README.md",
            "platform/eks/README.md",
            "platform/serverless/README.md",
            "platform/serverless/DATA.md",
            "policy/README.md",
            "docs/deploy.md",
            "docs/synth.md",
            "docs/platform.md",
        ];
        for (const file of files) {
            const text = read(file);
            expect(text, file).to.not.match(/\(issue \d+|issue \d+\)|<!--[^>]*issue \d+/i);
        }
    });

    it("the AWS Lambda Web Adapter is pinned to one version wherever an image or a doc copies it", () => {
        const files = ["apps/web/Dockerfile", "apps/worker/Dockerfile", "docs/first-app.md"];
        const pins = files.map((file) => [...read(file).matchAll(/public\.ecr\.aws\/awsguru\/aws-lambda-adapter:([^\s]+)/g)].map((match) => `${file} ${match[1]}`));
        for (const [index, file] of files.entries()) expect(pins[index], file).to.have.length(1);
        const versions = new Set(pins.flat().map((pin) => pin.split(" ")[1]));
        expect([...versions], pins.flat().join(", ")).to.have.length(1);
        // A release tag (x.y.z), never latest or a moving major.
        expect([...versions][0]).to.match(/^\d+\.\d+\.\d+$/);
    });

    it("every YAML example in the docs parses", () => {
        const files = [
            "README.md",
            "docs/deploy.md",
            "docs/your-first-app.md",
            "docs/platform.md",
            "platform/ecs/README.md",
            "platform/eks/README.md",
            "platform/serverless/README.md",
            "platform/serverless/DATA.md",
            "policy/README.md",
        ];
        let blocks = 0;
        for (const file of files) {
            for (const [, yaml] of read(file).matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
                blocks++;
                expect(() => parse(yaml), `${file}:\n${yaml}`).to.not.throw();
            }
        }
        expect(blocks, "YAML examples found").to.be.at.least(2);
    });
});
