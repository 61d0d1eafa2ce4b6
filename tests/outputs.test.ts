import { expect } from "chai";
import { captureWarnings, synthPlatform } from "./helpers";

describe("stack outputs", function () {
    this.timeout(120_000);

    it("exports only what the stack has: no undefined output, so the engine has nothing to warn about", async () => {
        // No apps: no ECS cluster, no EKS cluster, no serverless or data app.
        const { result, warnings } = await captureWarnings(() => synthPlatform("dev", { profile: "dev" }));
        expect(warnings.filter((line) => /Undefined value/.test(line))).to.deep.equal([]);
        expect(result.outputs).to.include.keys("profile", "region", "vpcId", "alarmTopicArn");
        for (const absent of ["ecsClusterName", "eksClusterName", "eksKubeconfig", "translateApiUrl", "fanoutApiUrl"]) expect(result.outputs, absent).to.not.have.property(absent);
        for (const [key, value] of Object.entries(result.outputs)) expect(value, key).to.not.equal(undefined);
    });
});
