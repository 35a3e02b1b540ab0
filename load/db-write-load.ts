/**
 * The database write load behind `autoscale db write-load`: a steady write rate against PostgreSQL (a
 * pg Pool; inserts and updates, one statement per transaction, on a table of its own that it creates
 * and can drop), with the achieved rate each second and, at the end, achieved writes/s, p50/p99
 * latency and errors. A refused connection is a UsageError (exit 2), with nothing written.
 */
import { Pool } from "pg";
import { UsageError } from "../input/usage";

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

/** One decimal, as rates are reported (writes/s). */
export function round1(x: number): number {
    return Math.round(x * 10) / 10;
}

/** Three decimals, as latencies (ms) and windows (s) are reported. */
export function round3(x: number | undefined): number | undefined {
    return x === undefined ? undefined : Math.round(x * 1000) / 1000;
}
