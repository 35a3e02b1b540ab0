/**
 * Bad input to the operator tools (the commands of cli/ and the rooms they wire: proof/, load/,
 * emulator/): one line naming the flag, the value and the rule, exit code 2, raised before any AWS call.
 */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration such as `500ms`, `60s`, `10m`, `1h` or `90` (seconds), in milliseconds. `flag` names the
 * flag in the error.
 */
export function parseDuration(text: string, flag: string): number {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (!m) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a duration; write e.g. 60s, 10m, 1h or 500ms`);
    const ms = Number(m[1]) * UNITS_MS[m[2] ?? "s"];
    if (!Number.isFinite(ms)) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a finite duration`);
    return Math.round(ms);
}

/** A whole number >= min, named by its flag. */
export function parseCount(text: string, flag: string, min = 0): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < min) throw new UsageError(`${flag}: ${JSON.stringify(text)} must be a whole number >= ${min}`);
    return n;
}

/** Milliseconds as the tools print them: `950 ms`, `12.3 s`. */
export function formatMs(ms: number | undefined): string {
    if (ms === undefined) return "-";
    return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}
