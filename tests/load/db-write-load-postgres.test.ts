/**
 * `autoscale db write-load` and `write-rate` against the local PostgreSQL (127.0.0.1:5432, trust auth,
 * database `test`): usage errors leave nothing behind, and the rate the tool reports is the rate the
 * server counts in pg_stat_database. How fast this machine can go is the benchmark's business
 * (bench/db-write-load.ts), not a test's.
 */
import { expect } from "chai";
import { Pool } from "pg";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { connect, dropTable, prepareTable, quantile, redactUrl, runWriteLoad, writesDue } from "../../load/db-write-load";
import { readWriteCounters, writeRate } from "../../load/db-write-rate";
import { realSleep } from "../../runtime/autoscaler/time";

const URL = "postgres://postgres@127.0.0.1:5432/test";

function testIo() {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: {}, out: (t) => out.push(t), err: (t) => err.push(t), onStopSignal: () => () => undefined };
    return { io, out: () => out.join(""), err: () => err.join("") };
}

async function tableExists(pool: Pool, table: string): Promise<boolean> {
    const r = await pool.query("SELECT to_regclass($1) AS t", [table]);
    return r.rows[0].t !== null;
}

describe("db write-load and write-rate: pure parts", () => {
    it("spreads writes evenly: 600/s gives 0 at 1 ms, 6 at 10 ms, 600 at 1 s, never more than the total", () => {
        expect([writesDue(1, 600, 1800), writesDue(10, 600, 1800), writesDue(1000, 600, 1800), writesDue(9000, 600, 1800)]).to.deep.equal([0, 6, 600, 1800]);
    });

    it("takes nearest-rank quantiles", () => {
        const v = Array.from({ length: 100 }, (_, i) => i + 1);
        expect([quantile(v, 0.5), quantile(v, 0.99), quantile([7], 0.99), quantile([], 0.5)]).to.deep.equal([50, 99, 7, undefined]);
    });

    it("turns two counter readings into per-second rates", () => {
        const a = { at: 0, inserted: 100, updated: 50, deleted: 0, commits: 200 };
        const b = { at: 2000, inserted: 700, updated: 650, deleted: 10, commits: 1420 };
        expect(writeRate(a, b)).to.deep.equal({ seconds: 2, writesPerSecond: 605, insertsPerSecond: 300, updatesPerSecond: 300, deletesPerSecond: 5, commitsPerSecond: 610 });
    });

    it("masks the password of a URL in messages", () => {
        expect(redactUrl("postgres://u:secret@h:5432/db")).to.equal("postgres://u:***@h:5432/db");
    });
});

describe("db write-load and write-rate against the local PostgreSQL", function () {
    this.timeout(60_000);
    let admin: Pool;
    before(async () => { admin = new Pool({ connectionString: URL, max: 1 }); });
    after(async () => { await admin.end(); });

    const usage: [string, string[], string][] = [
        ["a URL that is not one", ["--url", "not a url"], 'error: --url: "not a url" is not a URL; write postgres://user[:password]@host[:port]/database\n'],
        ["a URL of another scheme", ["--url", "mysql://u:pw@127.0.0.1/test"], 'error: --url: "mysql://u:***@127.0.0.1/test" must start with postgres:// or postgresql://\n'],
        ["no URL", [], "error: --url: (missing) is required, e.g. postgres://user@127.0.0.1:5432/test\n"],
        ["a rate of 0", ["--url", URL, "--rate", "0"], 'error: --rate: "0" must be a number of writes per second > 0\n'],
    ];
    for (const [name, args, message] of usage) {
        it(`write-load with ${name}: one line, exit 2, no table`, async () => {
            const t = testIo();
            const table = "write_load_usage_check";
            expect(await main(["db", "write-load", ...args, "--table", table, "--duration", "1s"], t.io)).to.equal(2);
            expect(t.err()).to.equal(message);
            expect(t.out()).to.equal("");
            expect(await tableExists(admin, table)).to.equal(false);
        });
    }

    it("write-load against a refused port: one line naming the URL and ECONNREFUSED, exit 2, no table", async () => {
        const t = testIo();
        const code = await main(["db", "write-load", "--url", "postgres://postgres:pw@127.0.0.1:1/test", "--table", "write_load_refused", "--duration", "1s"], t.io);
        expect(code).to.equal(2);
        expect(t.err()).to.match(/^error: --url: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: ECONNREFUSED [^\n]*\n$/);
        expect(await tableExists(admin, "write_load_refused")).to.equal(false);
    });

    it("write-rate against a refused port: exit 2", async () => {
        const t = testIo();
        expect(await main(["db", "write-rate", "--url", "postgres://postgres@127.0.0.1:1/test", "--duration", "1s"], t.io)).to.equal(2);
        expect(t.err().split("\n").filter(Boolean)).to.have.length(1);
    });

    it("the server counts the writes the tool reports (pg_stat_database within 10 %), inserts and updates alike", async () => {
        const table = "write_load_agreement";
        const pool = await connect(URL, 16);
        try {
            await dropTable(pool, table);
            await prepareTable(pool, table);
            const reader = await admin.connect();
            try {
                const before = await readWriteCounters(reader);
                const seconds: number[] = [];
                const summary = await runWriteLoad(pool, { url: URL, rate: 600, durationMs: 3000, connections: 16, table, drop: false }, {
                    clock: Date.now, sleep: realSleep, progress: { update: (_s, achieved) => seconds.push(achieved), stop: () => undefined },
                });
                // Backends flush their statistics at most once a second, and at the latest 10 s after going idle.
                await pool.end();
                await new Promise((r) => setTimeout(r, 1500));
                const after = await readWriteCounters(reader);
                const rate = writeRate(before, after);
                const serverWrites = Math.round(rate.writesPerSecond * rate.seconds);
                expect(summary.errors).to.equal(0);
                expect(summary.writes).to.equal(summary.inserts + summary.updates);
                expect(Math.abs(summary.inserts - summary.updates)).to.be.at.most(16);
                expect(serverWrites, `server ${serverWrites} vs tool ${summary.writes}`).to.be.within(summary.writes * 0.9, summary.writes * 1.1);
                expect(seconds).to.have.length(3);
                expect(summary.perSecond.reduce((a, b) => a + b, 0)).to.equal(summary.writes);
                const rows = await reader.query(`SELECT count(*)::int AS n FROM ${table}`);
                expect(rows.rows[0].n).to.be.at.least(summary.inserts);
            } finally {
                reader.release();
            }
        } finally {
            await pool.end().catch(() => undefined);
            await admin.query(`DROP TABLE IF EXISTS ${table}`);
        }
    });

    it("--drop removes the table it created; the summary line carries rate, latency and errors", async () => {
        const t = testIo();
        const table = "write_load_drop_check";
        const code = await main(["db", "write-load", "--url", URL, "--rate", "50", "--duration", "1s", "--table", table, "--drop"], t.io);
        expect(code).to.equal(0);
        expect(t.out()).to.match(/^achieved [\d.]+ writes\/s \(\d+ writes in 1 s, target 50\/s; \d+ inserts, \d+ updates\); latency p50 [\d.]+ ms, p99 [\d.]+ ms; errors 0\n$/);
        expect(await tableExists(admin, table)).to.equal(false);
    });

    it("write-rate prints one line per interval and the server's rate over the window", async () => {
        const t = testIo();
        expect(await main(["db", "write-rate", "--url", URL, "--interval", "500ms", "--duration", "1s", "--json"], t.io)).to.equal(0);
        const lines = t.out().trim().split("\n").map((l) => JSON.parse(l));
        expect(lines).to.have.length(3);
        expect(Object.keys(lines[2].summary)).to.deep.equal(["seconds", "writesPerSecond", "insertsPerSecond", "updatesPerSecond", "deletesPerSecond", "commitsPerSecond"]);
        expect(lines[2].summary.seconds).to.be.within(0.9, 1.5);
    });
});
