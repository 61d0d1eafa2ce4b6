import { expect } from "chai";
import { ConfigError, DEFAULTS, loadConfig } from "../../../apps/web/src/config";

/** The variables of the ConfigError that loadConfig throws for `env`. */
function failingVariables(env: Record<string, string>): string[] {
    try {
        loadConfig(env);
    } catch (error) {
        expect(error, "loadConfig throws a ConfigError").to.be.instanceOf(ConfigError);
        return (error as ConfigError).issues.map((issue) => issue.variable);
    }
    expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

function configError(env: Record<string, string>): ConfigError {
    try {
        loadConfig(env);
    } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
    }
    expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

const DYNAMO_ENV = { TRANSLATIONS_TABLE: "translations-dev", AWS_REGION: "eu-west-1" };

describe("apps/web configuration", () => {
    it("applies the documented defaults for a DynamoDB deployment", () => {
        const config = loadConfig(DYNAMO_ENV);
        expect(config).to.deep.equal({
            port: 8080,
            host: "0.0.0.0",
            logLevel: "info",
            store: { kind: "dynamodb", table: "translations-dev", region: "eu-west-1" },
            shutdownTimeoutMs: 25_000,
            drainDelayMs: 5_000,
            keepAliveTimeoutMs: 65_000,
        });
    });

    it("keeps the default drain delay plus in-flight budget under ECS's and Kubernetes' 30 s stop timeout", () => {
        expect(DEFAULTS.SHUTDOWN_TIMEOUT_MS, "SHUTDOWN_TIMEOUT_MS default").to.be.below(30_000);
        expect(DEFAULTS.DRAIN_DELAY_MS, "DRAIN_DELAY_MS default").to.be.below(DEFAULTS.SHUTDOWN_TIMEOUT_MS);
        expect(DEFAULTS.KEEP_ALIVE_TIMEOUT_MS, "keep-alive above the ALB's 60 s idle timeout").to.be.above(60_000);
    });

    it("reads every variable", () => {
        const config = loadConfig({
            PORT: "9090",
            HOST: "::",
            LOG_LEVEL: "DEBUG",
            TRANSLATIONS_TABLE: "translations",
            AWS_REGION: "us-east-2",
            DYNAMODB_ENDPOINT: "http://localhost:8000",
            SHUTDOWN_TIMEOUT_MS: "20000",
            DRAIN_DELAY_MS: "0",
            KEEP_ALIVE_TIMEOUT_MS: "75000",
        });
        expect(config).to.deep.equal({
            port: 9090,
            host: "::",
            logLevel: "debug",
            store: { kind: "dynamodb", table: "translations", region: "us-east-2", endpoint: "http://localhost:8000" },
            shutdownTimeoutMs: 20_000,
            drainDelayMs: 0,
            keepAliveTimeoutMs: 75_000,
        });
    });

    it("needs neither table nor region with STORE=memory", () => {
        expect(loadConfig({ STORE: "memory" }).store).to.deep.equal({ kind: "memory" });
    });

    it("names TRANSLATIONS_TABLE when it is missing for the DynamoDB store", () => {
        const error = configError({ AWS_REGION: "eu-west-1" });
        expect(error.issues).to.deep.equal([{ variable: "TRANSLATIONS_TABLE", message: "is required unless STORE=memory" }]);
        expect(error.message).to.equal("Invalid configuration: TRANSLATIONS_TABLE: is required unless STORE=memory");
    });

    it("names AWS_REGION when no region is set, and accepts AWS_DEFAULT_REGION instead", () => {
        expect(failingVariables({ TRANSLATIONS_TABLE: "translations" })).to.deep.equal(["AWS_REGION"]);
        expect(loadConfig({ TRANSLATIONS_TABLE: "translations", AWS_DEFAULT_REGION: "ap-southeast-2" }).store).to.deep.include({ region: "ap-southeast-2" });
    });

    it("treats an empty variable as unset", () => {
        expect(loadConfig({ ...DYNAMO_ENV, PORT: "", LOG_LEVEL: " " }).port).to.equal(8080);
        expect(failingVariables({ AWS_REGION: "eu-west-1", TRANSLATIONS_TABLE: "" })).to.deep.equal(["TRANSLATIONS_TABLE"]);
    });

    it("rejects a PORT that is not a whole number or is out of range, naming PORT", () => {
        expect(configError({ ...DYNAMO_ENV, PORT: "http" }).message).to.equal('Invalid configuration: PORT: must be a whole number, got "http"');
        expect(configError({ ...DYNAMO_ENV, PORT: "70000" }).message).to.equal("Invalid configuration: PORT: must be between 0 and 65535, got 70000");
        expect(failingVariables({ ...DYNAMO_ENV, PORT: "-1" })).to.deep.equal(["PORT"]);
        expect(failingVariables({ ...DYNAMO_ENV, PORT: "80.5" })).to.deep.equal(["PORT"]);
    });

    it("rejects an unknown LOG_LEVEL or STORE, listing the accepted values", () => {
        const logLevel = configError({ ...DYNAMO_ENV, LOG_LEVEL: "verbose" });
        expect(logLevel.issues).to.deep.equal([{ variable: "LOG_LEVEL", message: "must be one of fatal, error, warn, info, debug, trace, silent" }]);
        expect(failingVariables({ STORE: "postgres" })).to.deep.equal(["STORE"]);
    });

    it("rejects a malformed table name, region or endpoint", () => {
        expect(failingVariables({ TRANSLATIONS_TABLE: "no spaces allowed", AWS_REGION: "eu-west-1" })).to.deep.equal(["TRANSLATIONS_TABLE"]);
        expect(failingVariables({ TRANSLATIONS_TABLE: "translations", AWS_REGION: "Ireland" })).to.deep.equal(["AWS_REGION"]);
        expect(failingVariables({ ...DYNAMO_ENV, DYNAMODB_ENDPOINT: "ftp://example" })).to.deep.equal(["DYNAMODB_ENDPOINT"]);
    });

    it("requires DRAIN_DELAY_MS to be below SHUTDOWN_TIMEOUT_MS, which is the whole budget", () => {
        const error = configError({ ...DYNAMO_ENV, SHUTDOWN_TIMEOUT_MS: "10000", DRAIN_DELAY_MS: "10000" });
        expect(error.issues).to.deep.equal([{ variable: "DRAIN_DELAY_MS", message: "must be less than SHUTDOWN_TIMEOUT_MS (10000), got 10000" }]);
        expect(failingVariables({ ...DYNAMO_ENV, SHUTDOWN_TIMEOUT_MS: "0" })).to.include("SHUTDOWN_TIMEOUT_MS");
    });

    it("reports every bad variable at once", () => {
        expect(failingVariables({ PORT: "x", LOG_LEVEL: "loud", KEEP_ALIVE_TIMEOUT_MS: "10" }).sort()).to.deep.equal(["AWS_REGION", "KEEP_ALIVE_TIMEOUT_MS", "LOG_LEVEL", "PORT", "TRANSLATIONS_TABLE"]);
    });
});
