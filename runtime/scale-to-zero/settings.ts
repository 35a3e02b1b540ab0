/**
 * The functions' settings, read from the environment variables the component sets (the names are in
 * scaling/scale-to-zero.ts). A missing or malformed value stops the function before any AWS call.
 */
import { SCALE_TO_ZERO_ENV, type ScaleToZeroTarget } from "../../scaling/scale-to-zero";

export class ScaleToZeroSettingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`scale-to-zero settings: ${problems.join("; ")}`);
        this.name = "ScaleToZeroSettingsError";
    }
}

const NUMBERS = ["idleSeconds", "wakeCapacity", "minCapacity", "maxCapacity"] as const;

export function settingsFromEnv(env: NodeJS.ProcessEnv): ScaleToZeroTarget {
    const problems: string[] = [];
    const out: Record<string, string | number> = {};
    for (const [key, name] of Object.entries(SCALE_TO_ZERO_ENV)) {
        const raw = env[name]?.trim();
        if (!raw) {
            problems.push(`${name} is not set`);
            continue;
        }
        if ((NUMBERS as readonly string[]).includes(key)) {
            const n = Number(raw);
            if (!Number.isInteger(n) || n < 0) problems.push(`${name}=${JSON.stringify(raw)} must be a whole number >= 0`);
            out[key] = n;
        } else {
            out[key] = raw;
        }
    }
    const t = out as unknown as ScaleToZeroTarget;
    if (problems.length === 0) {
        if (t.idleSeconds < 60) problems.push(`${SCALE_TO_ZERO_ENV.idleSeconds}=${t.idleSeconds} must be >= 60`);
        if (t.wakeCapacity < 1) problems.push(`${SCALE_TO_ZERO_ENV.wakeCapacity}=${t.wakeCapacity} must be >= 1`);
        if (t.minCapacity > t.maxCapacity) problems.push(`${SCALE_TO_ZERO_ENV.minCapacity}=${t.minCapacity} must be <= ${SCALE_TO_ZERO_ENV.maxCapacity} (${t.maxCapacity})`);
        if (t.wakeCapacity > t.maxCapacity) problems.push(`${SCALE_TO_ZERO_ENV.wakeCapacity}=${t.wakeCapacity} must be <= ${SCALE_TO_ZERO_ENV.maxCapacity} (${t.maxCapacity})`);
    }
    if (problems.length > 0) throw new ScaleToZeroSettingsError(problems);
    return t;
}
