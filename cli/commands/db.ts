/**
 * `autoscale db write-load` holds a steady write rate against PostgreSQL and ends with achieved
 * writes/s, p50/p99 latency and errors (load/db-write-load.ts); `autoscale db write-rate` prints the
 * rate the server itself counts (load/db-write-rate.ts). A bad URL, a refused connection or a rate of 0
 * is one line on stderr and exit code 2, with nothing written.
 */
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { UsageError, parseCount, parseDuration } from "../../input/usage";
import {
    DEFAULT_TABLE, connect, dropTable, prepareTable, redactUrl, runWriteLoad, type LoadProgress, type WriteLoadSettings, type WriteLoadSummary,
} from "../../load/db-write-load";
import { watchWriteRate } from "../../load/db-write-rate";
import { realSleep } from "../../runtime/autoscaler/time";
import { EXIT, progressLines, runTool, type CliIo, type SetRun } from "../io";

/** A postgres:// or postgresql:// URL with a host and a database, else a UsageError naming --url. */
function parsePostgresUrl(text: string | undefined): string {
    if (text === undefined || text.trim() === "") throw new UsageError("--url: (missing) is required, e.g. postgres://user@127.0.0.1:5432/test");
    let u: URL;
    try {
        u = new URL(text);
    } catch {
        throw new UsageError(`--url: ${JSON.stringify(text.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@"))} is not a URL; write postgres://user[:password]@host[:port]/database`);
    }
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
        throw new UsageError(`--url: ${JSON.stringify(redactUrl(text))} must start with postgres:// or postgresql://`);
    }
    if (u.hostname === "") throw new UsageError(`--url: ${JSON.stringify(redactUrl(text))} names no host`);
    if (u.pathname.replace(/^\//, "") === "") throw new UsageError(`--url: ${JSON.stringify(redactUrl(text))} names no database (add /<database>)`);
    return text;
}

/** A positive number of writes per second. */
function parseRate(text: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--rate: ${JSON.stringify(text)} must be a number of writes per second > 0`);
    return n;
}

function parseTable(text: string): string {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(text)) throw new UsageError(`--table: ${JSON.stringify(text)} must be lower-case letters, digits and _, starting with a letter or _, at most 63 characters`);
    return text;
}

/** The closing line of write-load. */
function describeLoad(s: WriteLoadSummary): string {
    const ms = (x?: number) => (x === undefined ? "-" : `${x.toFixed(2)} ms`);
    return `achieved ${s.achievedPerSecond} writes/s (${s.writes} writes in ${s.durationSeconds} s, target ${s.targetPerSecond}/s; ` +
        `${s.inserts} inserts, ${s.updates} updates); latency p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}; errors ${s.errors}` +
        (s.firstError ? ` (first: ${s.firstError})` : "") + (s.interrupted ? `; interrupted by ${s.interrupted}` : "");
}

/** A bar on a terminal; elsewhere (a CI log, a pipe) a line every few seconds on stderr. */
function barProgress(io: CliIo, target: number, seconds: number): LoadProgress {
    if (process.stderr.isTTY !== true) {
        const progress = progressLines(io);
        return {
            update: (second, achieved, errs) => progress(() => `write-load: ${second} of ${seconds} s, ${achieved} writes/s (target ${target}), errors ${errs}`),
            stop: () => undefined,
        };
    }
    const bar = new SingleBar({
        format: "write-load [{bar}] {value}/{total} s | {achieved} writes/s (target {target}) | errors {errors}",
        stream: process.stderr,
        hideCursor: true,
    });
    bar.start(seconds, 0, { achieved: 0, target, errors: 0 });
    return {
        update: (second, achieved, errs) => bar.update(second, { achieved, target, errors: errs }),
        stop: () => bar.stop(),
    };
}

interface LoadFlags { url?: string; rate: string; duration: string; connections: string; table: string; drop?: boolean; json?: boolean }
interface RateFlags { url?: string; interval: string; duration: string; json?: boolean }

/** Registers `db write-load` and `db write-rate`. */
export function addDbCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const db = program.command("db").description("PostgreSQL write load and the write rate the server sees");
    db.command("write-load")
        .description("hold --rate writes/s (inserts and updates on a table of its own) for --duration")
        .option("--url <postgres-url>", "postgres://user[:password]@host[:port]/database")
        .option("--rate <writes/s>", "writes per second to hold", "600")
        .option("--duration <duration>", "how long, e.g. 60s or 5m", "60s")
        .option("--connections <n>", "pool size: statements in flight at most", "16")
        .option("--table <name>", "the table it creates and writes to", DEFAULT_TABLE)
        .option("--drop", "drop the table when done")
        .option("--json", "print the summary as JSON")
        .action((flags: LoadFlags) => setRun(() => runTool(io, async (signal) => {
            const settings: WriteLoadSettings = {
                url: parsePostgresUrl(flags.url),
                rate: parseRate(flags.rate),
                durationMs: positiveDuration(flags.duration, "--duration"),
                connections: parseCount(flags.connections, "--connections", 1),
                table: parseTable(flags.table),
                drop: flags.drop === true,
            };
            const pool = await connect(settings.url, settings.connections);
            try {
                await prepareTable(pool, settings.table);
                const summary = await runWriteLoad(pool, settings, {
                    clock: Date.now, sleep: realSleep, progress: barProgress(io, settings.rate, Math.ceil(settings.durationMs / 1000)), signal,
                });
                if (settings.drop) await dropTable(pool, settings.table);
                io.out(`${flags.json ? JSON.stringify(summary) : describeLoad(summary)}\n`);
                return summary.errors === 0 && summary.interrupted === undefined ? EXIT.ok : EXIT.failure;
            } finally {
                await pool.end();
            }
        })));
    db.command("write-rate")
        .description("print the rows written per second the server counts (pg_stat_database deltas)")
        .option("--url <postgres-url>", "postgres://user[:password]@host[:port]/database")
        .option("--interval <duration>", "time between readings", "1s")
        .option("--duration <duration>", "how long to watch", "30s")
        .option("--json", "print one JSON object per interval and the summary")
        .action((flags: RateFlags) => setRun(() => runTool(io, async (signal) => {
            const url = parsePostgresUrl(flags.url);
            const intervalMs = positiveDuration(flags.interval, "--interval");
            const durationMs = positiveDuration(flags.duration, "--duration");
            const pool = await connect(url, 1);
            try {
                const client = await pool.connect();
                try {
                    const summary = await watchWriteRate(client, { intervalMs, durationMs }, {
                        clock: Date.now, sleep: realSleep, signal,
                        line: (r) => io.out(`${flags.json ? JSON.stringify(r) : `${r.writesPerSecond} writes/s (inserts ${r.insertsPerSecond}, updates ${r.updatesPerSecond}, deletes ${r.deletesPerSecond}), ${r.commitsPerSecond} commits/s`}\n`),
                    });
                    io.out(`${flags.json ? JSON.stringify({ summary }) : `server saw ${summary.writesPerSecond} writes/s (rows inserted + updated + deleted) and ${summary.commitsPerSecond} commits/s over ${summary.seconds} s`}\n`);
                    return EXIT.ok;
                } finally {
                    client.release();
                }
            } finally {
                await pool.end();
            }
        })));
    return db;
}

function positiveDuration(text: string, flag: string): number {
    const ms = parseDuration(text, flag);
    if (ms <= 0) throw new UsageError(`${flag}: ${JSON.stringify(text)} must be longer than 0`);
    return ms;
}
