import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as esbuild from "esbuild";

const REPO_ROOT = path.resolve(__dirname, "..");

/** What every entry of a cache depends on besides its own inputs: tool versions and options, shared files. */
export interface CacheKey {
    /** Serialised into the key: esbuild's version, the build options, the stored format. */
    data: unknown;
    /** Files (relative to the repository root) whose content is part of the key: the lock file, tsconfig... */
    files: string[];
}

/** One entry as kept on disk. */
interface Stored<T> {
    entry: string;
    value: T;
    /** sha256 of every file the build read (relative path -> hex digest). */
    inputs: Record<string, string>;
}

/**
 * An on-disk cache of what a build made of each entry (a Lambda bundle, a readiness code scan):
 * one JSON file per entry, in a directory named by a hash of the cache's key, and each entry valid
 * while every file its build read keeps its content. Entries are written beside and renamed, so a
 * concurrent reader sees a whole entry or none; an unwritable directory only means no cache.
 */
export class BuildCache<T> {
    private readonly hashes = new Map<string, string | undefined>();
    private keyHash: string | undefined;

    /**
     * @param root the cache's root directory, or false for no disk cache (read on every use, so
     *   settings changed by a test apply)
     * @param key what every entry depends on
     */
    constructor(
        private readonly root: () => string | false,
        private readonly key: () => CacheKey,
    ) {}

    /** The directory of this key's entries; undefined without a disk cache. */
    dir(): string | undefined {
        const root = this.root();
        if (root === false) return undefined;
        if (this.keyHash === undefined) {
            const { data, files } = this.key();
            const hash = createHash("sha256").update(JSON.stringify(data));
            for (const file of files) hash.update("\0").update(this.hashFile(file) ?? "");
            this.keyHash = hash.digest("hex").slice(0, 16);
        }
        return path.join(root, this.keyHash);
    }

    /** The cached value of an entry, if every file its build read still has the same content. */
    read(entry: string): T | undefined {
        const dir = this.dir();
        if (!dir) return undefined;
        let stored: Stored<T>;
        try {
            stored = JSON.parse(readFileSync(path.join(dir, fileOf(entry)), "utf8")) as Stored<T>;
        } catch {
            return undefined;
        }
        if (stored.entry !== entry || stored.value === undefined || !stored.inputs || Object.keys(stored.inputs).length === 0) return undefined;
        for (const [input, digest] of Object.entries(stored.inputs)) if (this.hashFile(input) !== digest) return undefined;
        return stored.value;
    }

    /** Keeps `value` for `entry`, valid while the files in `inputs` (relative to the repository root) keep their content. */
    write(entry: string, value: T, inputs: string[]): void {
        const dir = this.dir();
        if (!dir) return;
        const stored: Stored<T> = { entry, value, inputs: Object.fromEntries(inputs.map((input) => [input, this.hashFile(input) ?? ""])) };
        try {
            mkdirSync(dir, { recursive: true });
            const file = path.join(dir, fileOf(entry));
            const temporary = `${file}.${process.pid}.tmp`;
            writeFileSync(temporary, JSON.stringify(stored));
            renameSync(temporary, file);
        } catch {
            // A read-only checkout builds every time; nothing else changes.
        }
    }

    /** The entries that have a file in the cache (valid or not). */
    entries(): string[] {
        const dir = this.dir();
        if (!dir || !existsSync(dir)) return [];
        return readdirSync(dir)
            .filter((file) => file.endsWith(".json"))
            .map((file) => file.slice(0, -".json".length).replace(/__/g, "/"));
    }

    /** Forgets the file hashes and the key computed so far (after files or settings change). */
    forget(): void {
        this.hashes.clear();
        this.keyHash = undefined;
    }

    /** sha256 of a file relative to the repository root (undefined when unreadable), once until `forget`. */
    private hashFile(relative: string): string | undefined {
        if (!this.hashes.has(relative)) {
            let digest: string | undefined;
            try {
                digest = createHash("sha256")
                    .update(readFileSync(path.join(REPO_ROOT, relative)))
                    .digest("hex");
            } catch {
                digest = undefined;
            }
            this.hashes.set(relative, digest);
        }
        return this.hashes.get(relative);
    }
}

const fileOf = (entry: string) => `${entry.replace(/\//g, "__")}.json`;

/**
 * Every file an entry's build read: the entry and what it imports, transitively (externals
 * excluded), including modules tree shaking dropped, since an edit can bring them back.
 */
export function inputsOf(entry: string, inputs: esbuild.Metafile["inputs"]): string[] {
    const seen = new Set<string>([entry]);
    const queue = [entry];
    while (queue.length > 0) {
        for (const imported of inputs[queue.shift()!]?.imports ?? []) {
            if (imported.external || seen.has(imported.path) || !(imported.path in inputs)) continue;
            seen.add(imported.path);
            queue.push(imported.path);
        }
    }
    return [...seen].sort();
}
