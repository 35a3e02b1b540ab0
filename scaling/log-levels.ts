/**
 * The levels LOG_LEVEL may name, for the runtime's logger (runtime/aws/logger.ts) and for config, which
 * refuses a built-in workload's LOG_LEVEL the logger would refuse at start.
 */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level `raw` names as the logger reads it (trimmed, any case), or undefined when it names none. */
export function parseLogLevel(raw: string): LogLevel | undefined {
    const l = raw.trim().toLowerCase();
    return (LOG_LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : undefined;
}
