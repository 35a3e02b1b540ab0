/**
 * The write rate PostgreSQL itself counts (pg_stat_database deltas) behind `autoscale db write-rate`:
 * the figure to hold against the write alarm's view of the load.
 */
import type { PoolClient } from "pg";
import { round1, round3 } from "./db-write-load";

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
