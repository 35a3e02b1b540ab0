/**
 * How fast `autoscale db write-load` can write on this machine, and whether the server agrees.
 *
 *   npm run bench:db-write-load [-- --url postgres://postgres@127.0.0.1:5432/test --seconds 10 --hold-seconds 30]
 *
 * First holds 600 writes/s for --hold-seconds while reading pg_stat_database, and prints the tool's
 * achieved rate beside the server's. Then doubles the rate (600, 1200, 2400, ...) for --seconds each
 * until a step falls short (achieved below 95 % of the target, or any error), and prints the highest
 * rate held. Prints figures; asserts nothing.
 */
import { connect, dropTable, prepareTable, runWriteLoad, type WriteLoadSummary } from "../load/db-write-load";
import { readWriteCounters, writeRate } from "../load/db-write-rate";
import { realSleep } from "../runtime/autoscaler/time";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const URL = arg("url", "postgres://postgres@127.0.0.1:5432/test");
const STEP_SECONDS = Number(arg("seconds", "10"));
const HOLD_SECONDS = Number(arg("hold-seconds", "30"));
const CONNECTIONS = Number(arg("connections", "16"));
const TABLE = "autoscale_write_load_bench";
/** A step is held when at least this share of its target was achieved without errors. */
const HELD_SHARE = 0.95;

const quiet = { update: () => undefined, stop: () => undefined };

async function step(rate: number, seconds: number): Promise<WriteLoadSummary> {
    const pool = await connect(URL, CONNECTIONS);
    try {
        return await runWriteLoad(pool, { url: URL, rate, durationMs: seconds * 1000, connections: CONNECTIONS, table: TABLE, drop: false }, {
            clock: Date.now, sleep: realSleep, progress: quiet,
        });
    } finally {
        await pool.end();
    }
}

async function main(): Promise<void> {
    const admin = await connect(URL, 1);
    try {
        await dropTable(admin, TABLE);
        await prepareTable(admin, TABLE);
        const reader = await admin.connect();
        let before;
        try {
            before = await readWriteCounters(reader);
            const held = await step(600, HOLD_SECONDS);
            // Backends flush their statistics at most once a second.
            await new Promise((r) => setTimeout(r, 1500));
            const after = await readWriteCounters(reader);
            const server = writeRate(before, after);
            const serverWrites = Math.round(server.writesPerSecond * server.seconds);
            console.log(`hold 600/s for ${HOLD_SECONDS} s: tool achieved ${held.achievedPerSecond} writes/s (${held.writes} writes, p50 ${held.p50Ms} ms, p99 ${held.p99Ms} ms, errors ${held.errors}); ` +
                `server counted ${serverWrites} rows written = ${(serverWrites / HOLD_SECONDS).toFixed(1)} writes/s over the load's ${HOLD_SECONDS} s ` +
                `(${((serverWrites / held.writes - 1) * 100).toFixed(1)} % from the tool)`);
        } finally {
            reader.release();
        }

        const tryRate = async (rate: number): Promise<boolean> => {
            const s = await step(rate, STEP_SECONDS);
            const ok = s.errors === 0 && s.achievedPerSecond >= rate * HELD_SHARE;
            console.log(`target ${rate}/s: achieved ${s.achievedPerSecond}/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, errors ${s.errors} -> ${ok ? "held" : "not held"}`);
            return ok;
        };
        let best = 0;
        let failed = 0;
        for (let rate = 600; rate <= 76800; rate *= 2) {
            if (!(await tryRate(rate))) { failed = rate; break; }
            best = rate;
        }
        // Three halvings of the gap between the last rate held and the first one missed.
        for (let i = 0; i < 3 && failed > 0 && best > 0; i++) {
            const mid = Math.round((best + failed) / 2 / 50) * 50;
            if (mid <= best || mid >= failed) break;
            if (await tryRate(mid)) best = mid; else failed = mid;
        }
        console.log(`highest rate held (>= ${HELD_SHARE * 100} % of target for ${STEP_SECONDS} s, no errors, ${CONNECTIONS} connections): ${best} writes/s`);
        await dropTable(admin, TABLE);
    } finally {
        await admin.end();
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
});
