/**
 * Starts the program the way `pulumi up` / `pulumi preview` do, without the CLI: Pulumi's Node.js
 * language host runs `node <nodeargs> node_modules/@pulumi/pulumi/cmd/run --monitor <addr> ... .`
 * in the project directory, with the `typescript` runtime option as PULUMI_NODEJS_TYPESCRIPT, the
 * `tsconfig` option as PULUMI_NODEJS_TSCONFIG_PATH and the stack's config as PULUMI_CONFIG. Here
 * the monitor is a fake gRPC ResourceMonitor that answers registrations with an empty state and
 * reports each one; the probe resolves at the first resource after the stack itself, which proves
 * the program loaded (and times how long the loader took to get there).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as services from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { parse } from "yaml";
import { loadStackFiles } from "./stack-files";

/** The Node.js runtime options of a Pulumi.yaml (https://www.pulumi.com/docs/iac/concepts/projects/project-file/#runtime-options). */
export interface NodejsRuntimeOptions {
    typescript?: boolean;
    tsconfig?: string;
    nodeargs?: string;
}

export interface ProbeOptions {
    projectDir: string;
    stack: string;
    /** Override the Pulumi.yaml runtime options (the bench compares loaders this way). */
    runtime?: NodejsRuntimeOptions;
    /** Give up after this long. @default 120000 */
    timeoutMs?: number;
}

export interface ProbeResult {
    /** Type and name of the first resource registered after the stack. */
    first: { type: string; name: string };
    /** Milliseconds from spawning node to that registration. */
    ms: number;
    /** What the program wrote to stderr until then. */
    stderr: string;
}

/** The runtime options Pulumi.yaml sets (`runtime: {name: nodejs, options: {...}}`). */
export function runtimeOptions(projectDir: string): NodejsRuntimeOptions {
    const project = parse(readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { runtime?: string | { name?: string; options?: NodejsRuntimeOptions } };
    return typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
}

/** Splits `nodeargs` as a shell would a simple line (whitespace, single or double quotes). */
export function splitNodeArgs(line: string | undefined): string[] {
    const args: string[] = [];
    for (const match of (line ?? "").matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) args.push(match[1] ?? match[2] ?? match[3]);
    return args;
}

/** Runs the program through cmd/run against a fake monitor until its first resource registration. */
export async function probeRuntime(options: ProbeOptions): Promise<ProbeResult> {
    const runtime = options.runtime ?? runtimeOptions(options.projectDir);
    const files = loadStackFiles(options.projectDir, options.stack);
    const registered: { type: string; name: string }[] = [];
    let onFirst: (() => void) | undefined;

    const server = new grpc.Server();
    server.addService(services.ResourceMonitorService, {
        supportsFeature: (call: grpc.ServerUnaryCall<resproto.SupportsFeatureRequest, resproto.SupportsFeatureResponse>, callback: grpc.sendUnaryData<resproto.SupportsFeatureResponse>) => {
            const response = new resproto.SupportsFeatureResponse();
            response.setHassupport(["secrets", "resourceReferences"].includes(call.request.getId()));
            callback(null, response);
        },
        registerResource: (call: grpc.ServerUnaryCall<resproto.RegisterResourceRequest, resproto.RegisterResourceResponse>, callback: grpc.sendUnaryData<resproto.RegisterResourceResponse>) => {
            const type = call.request.getType();
            const name = call.request.getName();
            registered.push({ type, name });
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(`urn:pulumi:${options.stack}::${files.project}::${type}::${name}`);
            response.setId(call.request.getCustom() ? `${name}-id` : "");
            response.setObject(structproto.Struct.fromJavaScript({}));
            callback(null, response);
            if (type !== "pulumi:pulumi:Stack") onFirst?.();
        },
        registerResourceOutputs: (_call: unknown, callback: grpc.sendUnaryData<emptyproto.Empty>) => callback(null, new emptyproto.Empty()),
        invoke: (_call: unknown, callback: grpc.sendUnaryData<resproto.ResourceInvokeResponse>) => {
            const response = new resproto.ResourceInvokeResponse();
            response.setReturn(structproto.Struct.fromJavaScript({}));
            callback(null, response);
        },
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));

    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(files.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(files.secretKeys),
        PULUMI_NODEJS_TYPESCRIPT: String(runtime.typescript ?? true),
    };
    if (runtime.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = runtime.tsconfig;
    const runScript = require.resolve("@pulumi/pulumi/cmd/run", { paths: [options.projectDir] });
    const args = [...splitNodeArgs(runtime.nodeargs), runScript, `--monitor=127.0.0.1:${port}`, `--project=${files.project}`, `--stack=${options.stack}`, `--pwd=${options.projectDir}`, "."];

    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: options.projectDir, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
        const ms = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no resource registered within ${options.timeoutMs ?? 120_000} ms\n${stderr}`)), options.timeoutMs ?? 120_000);
            onFirst = () => {
                clearTimeout(timer);
                resolve(performance.now() - started);
            };
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`the program exited (${code}) before registering a resource:\n${stderr}`));
            });
        });
        return { first: registered.find((resource) => resource.type !== "pulumi:pulumi:Stack")!, ms, stderr };
    } finally {
        child.removeAllListeners("exit");
        child.kill("SIGKILL");
        server.forceShutdown();
    }
}
