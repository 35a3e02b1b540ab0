/**
 * JSON logger factory: one line of JSON per event on stdout, level from LOG_LEVEL (default "info").
 * No transports (they start worker threads and load files at run time), so bundled code logs the same.
 */
import pino from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
    /** Logger name, written as `name` on every line. */
    readonly name?: string;
    /** Level; default: LOG_LEVEL, else "info". */
    readonly level?: string;
    /** Where lines go; default: stdout. Tests pass a stream that collects the lines. */
    readonly destination?: pino.DestinationStream;
    /** Environment to read LOG_LEVEL from; default: process.env. */
    readonly env?: NodeJS.ProcessEnv;
}

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export function createLogger(options: LoggerOptions = {}): Logger {
    const fromEnv = (options.env ?? process.env).LOG_LEVEL?.trim().toLowerCase();
    const level = options.level ?? (fromEnv && LEVELS.has(fromEnv) ? fromEnv : "info");
    const config: pino.LoggerOptions = {
        level,
        base: options.name ? { name: options.name } : undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
    };
    return options.destination ? pino(config, options.destination) : pino(config);
}
