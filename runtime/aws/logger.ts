/**
 * JSON logger factory: one line of JSON per event on stdout, level from LOG_LEVEL (default "info").
 * No transports (they start worker threads and load files at run time), so bundled code logs the same.
 *
 * Errors logged as `err` carry their message, name, the failed operation and the AWS error code; the
 * stack trace only when the level is debug or trace (an operator reading error lines needs the
 * operation and the code, not the SDK's call stack).
 */
import pino from "pino";
import { LOG_LEVELS, parseLogLevel, type LogLevel } from "../../scaling/log-levels";
import { ApiCallError, errorCode } from "./call";

export type Logger = pino.Logger;

/** The levels LOG_LEVEL may name. */
export { LOG_LEVELS, type LogLevel };

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

/** Thrown for a level that is not one of LOG_LEVELS. */
export class LogLevelError extends Error {
    constructor(value: string) {
        super(`LOG_LEVEL: ${JSON.stringify(value)} must be one of ${LOG_LEVELS.join(", ")}`);
        this.name = "LogLevelError";
    }
}

/** The level to use: `level`, else LOG_LEVEL, else "info"; an unknown one throws LogLevelError. */
export function logLevel(level: string | undefined, env: NodeJS.ProcessEnv = process.env): LogLevel {
    const raw = level ?? (env.LOG_LEVEL?.trim() === "" ? undefined : env.LOG_LEVEL);
    if (raw === undefined) return "info";
    const l = parseLogLevel(raw);
    if (l === undefined) throw new LogLevelError(raw);
    return l;
}

/** `err` as logged: what failed and how; the stack (and the cause's) only when `withStack`. */
export function serializeError(error: unknown, withStack: boolean): Record<string, unknown> {
    if (!(error instanceof Error)) return { message: String(error) };
    const out: Record<string, unknown> = { type: error.name, message: error.message };
    if (error instanceof ApiCallError) {
        out.operation = error.operation;
        out.code = error.code;
    } else {
        const code = errorCode(error);
        if (code !== "Error") out.code = code;
    }
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        ?? ((error.cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode);
    if (status !== undefined) out.httpStatusCode = status;
    if (withStack) {
        out.stack = error.stack;
        if (error.cause !== undefined) out.cause = serializeError(error.cause, true);
    }
    return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
    const level = logLevel(options.level, options.env ?? process.env);
    const withStack = level === "debug" || level === "trace";
    const config: pino.LoggerOptions = {
        level,
        base: options.name ? { name: options.name } : undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { err: (e: unknown) => serializeError(e, withStack) },
    };
    return options.destination ? pino(config, options.destination) : pino(config);
}

/** amqp://user:secret@host -> amqp://user:***@host, for logs and errors. */
export function redactUrl(url: string): string {
    return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}
