/**
 * Process entry point: configuration from the environment, the store, the app, and the signals.
 * Everything testable lives in app.ts; this file only decides when the process exits and how.
 *
 * `main.js selfcheck` runs the nightly canary (selfcheck.ts) instead of the server.
 *
 * Exit codes: 0 after a clean shutdown or a passing selfcheck; 1 for invalid configuration, a failed startup, a shutdown
 * whose in-flight requests outlived SHUTDOWN_TIMEOUT_MS, a second signal during shutdown, or an
 * uncaught error.
 */
import { createApp } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";
import { DynamoDbTranslationStore } from "./dynamodb-store";
import { createLogger, type Logger } from "./logger";
import { selfcheck } from "./selfcheck";
import { DEMO_ITEMS, DEMO_TRANSLATION_ID, InMemoryTranslationStore, type TranslationStore } from "./store";

function createStore(config: Config, logger: Logger): TranslationStore {
    if (config.store.kind === "memory") {
        logger.warn({ demoTranslationId: DEMO_TRANSLATION_ID }, "STORE=memory: serving an in-memory demo store, not DynamoDB");
        return new InMemoryTranslationStore(DEMO_ITEMS);
    }
    return new DynamoDbTranslationStore({ tableName: config.store.table, region: config.store.region, endpoint: config.store.endpoint });
}

async function main(): Promise<void> {
    let config: Config;
    try {
        config = loadConfig(process.env);
    } catch (error) {
        // The configured level may be the invalid part, so this one line uses a fixed one.
        const bootLogger = createLogger({ level: "info" });
        if (error instanceof ConfigError) bootLogger.fatal({ issues: error.issues }, error.message);
        else bootLogger.fatal({ err: error }, "could not read the configuration");
        process.exit(1);
    }

    const logger = createLogger({ level: config.logLevel });
    const store = createStore(config, logger);
    if (process.argv[2] === "selfcheck") {
        const result = await selfcheck(store, logger);
        logger.flush();
        process.exit(result.ok ? 0 : 1);
    }
    logger.info({ config }, "starting"); // nothing secret in it
    const app = createApp(config, { store, logger });

    const exit = (code: number): never => {
        logger.flush();
        process.exit(code);
    };

    process.on("uncaughtException", (error) => {
        logger.fatal({ err: error }, "uncaught exception");
        exit(1);
    });
    process.on("unhandledRejection", (reason) => {
        logger.fatal({ err: reason }, "unhandled promise rejection");
        exit(1);
    });

    const onSignal = (signal: NodeJS.Signals) => {
        if (app.state === "draining" || app.state === "closing" || app.state === "stopped") {
            // The orchestrator sends one SIGTERM; a second signal is a person insisting (Ctrl-C twice).
            logger.warn({ signal }, "second signal during shutdown; exiting now");
            exit(1);
        }
        void app.shutdown(signal).then((result) => exit(result.ok ? 0 : 1));
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);

    try {
        await app.listen();
        await app.started();
    } catch (error) {
        logger.fatal({ err: error }, "startup failed; exiting");
        exit(1);
    }
}

void main();
