/**
 * Where a command's log lines go, and in what form: JSON lines (one object per event, what CloudWatch
 * Logs and scripts read) when stdout is not a terminal or `--log-format json` is given; one readable
 * line per event on a terminal or with `--log-format pretty` (pino-pretty's formatter, run in-process:
 * no transport thread). In readable form a tick is one sentence (the service, its queue and tasks, the
 * decision and why) and the embedded-metric records, which only CloudWatch Logs reads, are left out.
 * Colours only on a terminal and never when NO_COLOR is set (https://no-color.org).
 */
import type { DestinationStream } from "pino";
import { prettyFactory } from "pino-pretty";
import type { LogFormat } from "../../scaling/autoscaler-settings";

export interface LogOutput {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    /** True when stdout is a terminal. */
    readonly isTerminal?: boolean;
}

/** "pretty" or "json": what `auto` becomes for this output. */
export function resolveLogFormat(format: LogFormat, o: LogOutput): "pretty" | "json" {
    return format === "auto" ? (o.isTerminal ? "pretty" : "json") : format;
}

const DIRECTION_WORDS: Readonly<Record<string, string>> = { up: "scale up to", down: "scale down to", none: "stay at" };

/** A tick's log record as one sentence. */
export function tickSentence(log: Record<string, unknown>): string {
    const queue = log.visible === undefined
        ? `${String(log.queue)} unread`
        : `${String(log.queue)} ${String(log.visible)} visible${log.inFlight === undefined ? "" : `, ${String(log.inFlight)} in flight`}`;
    const tasks = `${String(log.running)} running of ${String(log.desired)} desired${log.pending ? `, ${String(log.pending)} pending` : ""}`;
    const verb = DIRECTION_WORDS[String(log.direction)] ?? String(log.direction);
    return `${String(log.service)}: ${queue}; ${tasks}; ${verb} ${String(log.to)}: ${String(log.reasonText)} (${String(log.outcome)})`;
}

function message(log: Record<string, unknown>, key: string): string {
    if (log[key] === "tick" && log.service !== undefined) return tickSentence(log);
    const err = log.err as { message?: unknown } | undefined;
    const text = String(log[key] ?? "");
    return err?.message !== undefined && !text.includes(String(err.message)) ? `${text}: ${String(err.message)}` : text;
}

/** The pino destination of `format`. */
export function logDestination(format: LogFormat, o: LogOutput): DestinationStream {
    if (resolveLogFormat(format, o) === "json") return { write: (line: string) => o.out(line) };
    const noColor = o.env.NO_COLOR !== undefined && o.env.NO_COLOR !== "";
    const pretty = prettyFactory({
        colorize: o.isTerminal === true && !noColor,
        translateTime: "HH:MM:ss",
        ignore: "pid,hostname,name",
        hideObject: true,
        messageFormat: (log, key) => message(log, key),
    });
    return {
        write(line: string) {
            const log = JSON.parse(line) as Record<string, unknown>;
            if (log._aws !== undefined) return;
            o.out(pretty(log));
        },
    };
}
