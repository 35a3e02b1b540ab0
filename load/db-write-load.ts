/**
 * `autoscale db write-load` holds a steady write rate against PostgreSQL (a pg Pool; inserts and
 * updates, one statement per transaction, on a table of its own that it creates and can drop), shows
 * the achieved rate each second, and ends with achieved writes/s, p50/p99 latency and errors.
 * `autoscale db write-rate` prints the rate the server itself counts (pg_stat_database deltas), the
 * figure to hold against the write alarm's view. A bad URL, a refused connection or a rate of 0 is one
 * line on stderr and exit code 2, with nothing written.
 */
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { Pool, type PoolClient } from "pg";
import { realSleep } from "../runtime/autoscaler/time";
import { EXIT, runTool, type CliIo, type SetRun } from "../cli/io";
import { UsageError, parseCount, parseDuration } from "../input/usage";

/** The table write-load creates, writes and (with --drop) drops; nothing else is touched. */
export const DEFAULT_TABLE = "autoscale_write_load";

export interface WriteLoadSettings {
    readonly url: string;
    /** Writes per second to issue. */
    readonly rate: number;
    readonly durationMs: number;
    /** Pool size: the most statements in flight at once. */
    readonly connections: number;
    readonly table: string;
    /** Drop the table when done. */
    readonly drop: boolean;
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
    try {
        const u = new URL(url);
        if (u.password) u.password = "***";
        return u.toString();
    } catch {
        return "(unparsable URL)";
    }
}

/** A postgres:// or postgresql:// URL with a host and a database, else a UsageError naming --url. */
export function parsePostgresUrl(text: string | undefined): string {
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
export function parseRate(text: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--rate: ${JSON.stringify(text)} must be a number of writes per second > 0`);
    return n;
}

function parseTable(text: string): string {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(text)) throw new UsageError(`--table: ${JSON.stringify(text)} must be lower-case letters, digits and _, starting with a letter or _, at most 63 characters`);
    return text;
}

/** The value at quantile q (0-1) of ascending-sorted values, nearest-rank; undefined when empty. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
    if (sorted.length === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * sorted.length));
    return sorted[Math.min(sorted.length, rank) - 1];
}

/** Writes due by `elapsedMs` at `rate` per second on an even schedule, never more than `total`. */
export function writesDue(elapsedMs: number, rate: number, total: number): number {
    return Math.min(total, Math.floor((elapsedMs * rate) / 1000));
}

export interface WriteLoadSummary {
    readonly targetPerSecond: number;
    readonly durationSeconds: number;
    /** Successful writes that completed inside the run's duration. */
    readonly writes: number;
    readonly achievedPerSecond: number;
    readonly inserts: number;
    readonly updates: number;
    readonly p50Ms?: number;
    readonly p99Ms?: number;
    readonly errors: number;
    readonly firstError?: string;
    /** Achieved writes in each whole second. */
    readonly perSecond: readonly number[];
    readonly interrupted?: string;
}

export interface LoadProgress {
    /** Called once a second: seconds done, writes completed in the last second, errors so far. */
    update(second: number, achieved: number, errors: number): void;
    stop(): void;
}

export interface WriteLoadDeps {
    /** Epoch ms (or any monotonic ms). */
    readonly clock: () => number;
    readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    readonly progress: LoadProgress;
    readonly signal?: AbortSignal;
}

/** Statements of the load, on its own table only. */
function statements(table: string) {
    return {
        create: `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, payload text NOT NULL, counter integer NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())`,
        insert: `INSERT INTO ${table} (payload) VALUES ($1) RETURNING id`,
        update: `UPDATE ${table} SET counter = counter + 1, updated_at = now() WHERE id = $1`,
        drop: `DROP TABLE IF EXISTS ${table}`,
    };
}

/** Opens the pool and proves the server answers; a failure is a UsageError (exit 2) and nothing was written. */
export async function connect(url: string, max: number): Promise<Pool> {
    const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 1_000 });
    // An idle client that loses its connection must not crash the process.
    pool.on("error", () => undefined);
    try {
        await pool.query("SELECT 1");
        return pool;
    } catch (error) {
        await pool.end().catch(() => undefined);
        const e = error as NodeJS.ErrnoException;
        throw new UsageError(`--url: cannot connect to ${redactUrl(url)}: ${e.code ? `${e.code} ` : ""}${e.message}`);
    }
}

/**
 * Issues `rate` writes per second on an even schedule for the duration, alternating inserts and
 * updates of rows it inserted, at most `connections` in flight (a slow server lowers the achieved
 * rate instead of growing a queue). Each statement is its own transaction. Returns what was achieved.
 */
export async function runWriteLoad(pool: Pool, s: WriteLoadSettings, d: WriteLoadDeps): Promise<WriteLoadSummary> {
    const sql = statements(s.table);
    const total = Math.round((s.rate * s.durationMs) / 1000);
    const seconds = Math.ceil(s.durationMs / 1000);
    const perSecond = new Array<number>(seconds).fill(0);
    const latencies: number[] = [];
    const ids: number[] = [];
    let issued = 0;
    let inFlight = 0;
    let inserts = 0;
    let updates = 0;
    let errors = 0;
    let firstError: string | undefined;
    let wake: (() => void) | undefined;
    const start = d.clock();
    const end = start + s.durationMs;

    const write = async (n: number): Promise<void> => {
        // Every second write updates a row this run inserted; the first ones insert.
        const update = n % 2 === 1 && ids.length > 0;
        const t0 = performance.now();
        try {
            if (update) {
                await pool.query(sql.update, [ids[(n * 7919) % ids.length]]);
            } else {
                const r = await pool.query<{ id: string }>(sql.insert, [`write ${n}`]);
                if (ids.length < 100_000) ids.push(Number(r.rows[0].id));
            }
            const done = d.clock();
            if (done <= end) {
                perSecond[Math.min(seconds - 1, Math.floor((done - start) / 1000))]++;
                latencies.push(performance.now() - t0);
                if (update) updates++; else inserts++;
            }
        } catch (error) {
            errors++;
            firstError ??= (error as Error).message;
        } finally {
            inFlight--;
            wake?.();
        }
    };

    const pending = new Set<Promise<void>>();
    let shown = 0;
    const tickMs = Math.max(1, Math.min(5, 1000 / s.rate));
    while (!d.signal?.aborted) {
        const now = d.clock();
        if (now >= end) break;
        const due = writesDue(now - start, s.rate, total);
        while (issued < due && inFlight < s.connections) {
            inFlight++;
            const p = write(issued++);
            pending.add(p);
            void p.then(() => pending.delete(p));
        }
        const second = Math.floor((now - start) / 1000);
        if (second > shown) {
            d.progress.update(second, perSecond[second - 1], errors);
            shown = second;
        }
        // Sleep to the next due write, or until a slot frees when every connection is busy.
        const waitMs = inFlight >= s.connections ? tickMs : Math.max(0, Math.min(tickMs, start + ((issued + 1) * 1000) / s.rate - now));
        await Promise.race([d.sleep(waitMs, d.signal), new Promise<void>((r) => (wake = r))]);
        wake = undefined;
    }
    await Promise.all(pending);
    if (!d.signal?.aborted) d.progress.update(seconds, perSecond[seconds - 1], errors);
    d.progress.stop();
    latencies.sort((a, b) => a - b);
    const writes = inserts + updates;
    const elapsedMs = d.signal?.aborted ? Math.max(1, Math.min(d.clock(), end) - start) : s.durationMs;
    return {
        targetPerSecond: s.rate,
        durationSeconds: elapsedMs / 1000,
        writes,
        achievedPerSecond: round1((writes * 1000) / elapsedMs),
        inserts,
        updates,
        p50Ms: round3(quantile(latencies, 0.5)),
        p99Ms: round3(quantile(latencies, 0.99)),
        errors,
        ...(firstError !== undefined ? { firstError } : {}),
        perSecond: d.signal?.aborted ? perSecond.slice(0, Math.floor(elapsedMs / 1000)) : perSecond,
        ...(d.signal?.aborted ? { interrupted: String(d.signal.reason ?? "aborted") } : {}),
    };
}

/** The table the load writes to; created before the clock starts. */
export async function prepareTable(pool: Pool, table: string): Promise<void> {
    await pool.query(statements(table).create);
}

export async function dropTable(pool: Pool, table: string): Promise<void> {
    await pool.query(statements(table).drop);
}

/** Server-side counters of one database (pg_stat_database). */
export interface WriteCounters {
    /** Epoch ms when read. */
    readonly at: number;
    readonly inserted: number;
    readonly updated: number;
    readonly deleted: number;
    readonly commits: number;
}

/**
 * Reads pg_stat_database for the connected database. The snapshot is cleared first: with the default
 * stats_fetch_consistency (cache) a session would otherwise see the same figures again. Backends
 * flush their counts at most about once a second (PostgreSQL 15, cumulative statistics), so rates are
 * taken over whole seconds.
 */
export async function readWriteCounters(client: Pick<PoolClient, "query">, clock: () => number = Date.now): Promise<WriteCounters> {
    await client.query("SELECT pg_stat_clear_snapshot()");
    const r = await client.query<{ ins: string; upd: string; del: string; xact: string }>(
        "SELECT tup_inserted AS ins, tup_updated AS upd, tup_deleted AS del, xact_commit AS xact FROM pg_stat_database WHERE datname = current_database()");
    const row = r.rows[0];
    return { at: clock(), inserted: Number(row.ins), updated: Number(row.upd), deleted: Number(row.del), commits: Number(row.xact) };
}

export interface WriteRate {
    readonly seconds: number;
    /** Rows inserted, updated and deleted per second: one per write statement of write-load. */
    readonly writesPerSecond: number;
    readonly insertsPerSecond: number;
    readonly updatesPerSecond: number;
    readonly deletesPerSecond: number;
    /** Committed transactions per second, read-only ones included. */
    readonly commitsPerSecond: number;
}

/** The rates between two readings. */
export function writeRate(a: WriteCounters, b: WriteCounters): WriteRate {
    const s = Math.max(0.001, (b.at - a.at) / 1000);
    const per = (x: number) => round1(x / s);
    return {
        seconds: round3(s)!,
        writesPerSecond: per(b.inserted - a.inserted + b.updated - a.updated + b.deleted - a.deleted),
        insertsPerSecond: per(b.inserted - a.inserted),
        updatesPerSecond: per(b.updated - a.updated),
        deletesPerSecond: per(b.deleted - a.deleted),
        commitsPerSecond: per(b.commits - a.commits),
    };
}

function round1(x: number): number {
    return Math.round(x * 10) / 10;
}
function round3(x: number | undefined): number | undefined {
    return x === undefined ? undefined : Math.round(x * 1000) / 1000;
}

/** The closing line of write-load. */
export function describeLoad(s: WriteLoadSummary): string {
    const ms = (x?: number) => (x === undefined ? "-" : `${x.toFixed(2)} ms`);
    return `achieved ${s.achievedPerSecond} writes/s (${s.writes} writes in ${s.durationSeconds} s, target ${s.targetPerSecond}/s; ` +
        `${s.inserts} inserts, ${s.updates} updates); latency p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}; errors ${s.errors}` +
        (s.firstError ? ` (first: ${s.firstError})` : "") + (s.interrupted ? `; interrupted by ${s.interrupted}` : "");
}

function barProgress(target: number, seconds: number): LoadProgress {
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
                    clock: Date.now, sleep: realSleep, progress: barProgress(settings.rate, Math.ceil(settings.durationMs / 1000)), signal,
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

/** Reads the counters every interval for the duration; calls `line` per interval; returns the whole-window rate. */
export async function watchWriteRate(
    client: Pick<PoolClient, "query">,
    o: { intervalMs: number; durationMs: number },
    d: { clock: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; signal?: AbortSignal; line: (r: WriteRate) => void },
): Promise<WriteRate> {
    const first = await readWriteCounters(client, d.clock);
    let previous = first;
    while (!d.signal?.aborted && d.clock() - first.at < o.durationMs) {
        const next = first.at + Math.ceil((d.clock() - first.at + 1) / o.intervalMs) * o.intervalMs;
        await d.sleep(Math.max(0, Math.min(next, first.at + o.durationMs) - d.clock()), d.signal);
        const current = await readWriteCounters(client, d.clock);
        d.line(writeRate(previous, current));
        previous = current;
    }
    return writeRate(first, previous);
}
