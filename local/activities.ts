/**
 * Scaling activities of a local stack, with their causes, from the three things that change a desired
 * count here: the emulator (Application Auto Scaling's policies, one JSON line per activity in its
 * record file, scaling/activity-record.ts), the queue autoscaler (its "set desired count" log line) and
 * the scale-to-zero functions (their idle-check and wake results).
 */
import { closeSync, openSync, readSync, statSync } from "fs";

export interface Activity {
    /** Epoch ms. */
    readonly at: number;
    /** ECS service name (or the scalable resource's name). */
    readonly service: string;
    readonly from: number;
    readonly to: number;
    /** Who changed it: "policy <name>", "scheduled action <name>", "queue autoscaler", "scale-to-zero". */
    readonly by: string;
    readonly cause: string;
}

/** One line of the emulator's record (scaling/activity-record.ts) as an Activity, or undefined. */
export function activityFromRecord(line: string): Activity | undefined {
    try {
        const r = JSON.parse(line) as { time?: string; resourceId?: string; policy?: string; alarm?: string; oldDesired?: number; newDesired?: number; cause?: string };
        if (r.resourceId === undefined || r.newDesired === undefined) return undefined;
        return {
            at: Date.parse(r.time ?? "") || Date.now(), service: r.resourceId.split("/").pop() ?? r.resourceId,
            from: r.oldDesired ?? 0, to: r.newDesired, by: `${r.alarm === undefined && r.cause?.startsWith("scheduled action ") ? "scheduled action" : "policy"} ${r.policy ?? "?"}`, cause: r.cause ?? "",
        };
    } catch {
        return undefined;
    }
}

/** The queue autoscaler's log line for a change it made (runtime/autoscaler/actuator.ts), as an Activity. */
export function activityFromAutoscalerLog(line: string): Activity | undefined {
    try {
        const r = JSON.parse(line) as { msg?: string; time?: number; service?: string; from?: number; to?: number; reason?: { code?: string; text?: string } | string };
        const m = /^set desired count of (\S+) from (\d+) to (\d+) \(([^)]*)\)$/.exec(r.msg ?? "");
        if (!m) return undefined;
        return {
            at: typeof r.time === "number" ? r.time : Date.now(), service: m[1], from: Number(m[2]), to: Number(m[3]),
            by: "queue autoscaler", cause: typeof r.reason === "object" && r.reason?.text ? r.reason.text : m[4],
        };
    } catch {
        return undefined;
    }
}

/**
 * A scale-to-zero function's log line (runtime/scale-to-zero: idle check and wake) that changed the
 * service's desired count, as an Activity.
 */
export function activityFromScaleToZeroLog(line: string): Activity | undefined {
    try {
        const r = JSON.parse(line) as { time?: string; service?: string; desiredBefore?: number; desiredCount?: number; transition?: string; reason?: string; msg?: string };
        if (r.service === undefined || r.desiredBefore === undefined || r.desiredCount === undefined || r.desiredBefore === r.desiredCount) return undefined;
        const by = /^wake/.test(r.msg ?? "") ? "scale-to-zero wake" : "scale-to-zero idle check";
        return { at: Date.parse(r.time ?? "") || Date.now(), service: r.service, from: r.desiredBefore, to: r.desiredCount, by, cause: `${r.transition ?? ""}: ${r.reason ?? ""}` };
    } catch {
        return undefined;
    }
}

/** Reads the lines appended to a file since the last call (the emulator's record). */
export class FileTail {
    private offset = 0;
    private rest = "";

    constructor(private readonly file: string) {}

    read(): string[] {
        let size: number;
        try {
            size = statSync(this.file).size;
        } catch {
            return [];
        }
        if (size <= this.offset) return [];
        const fd = openSync(this.file, "r");
        try {
            const buf = Buffer.alloc(size - this.offset);
            readSync(fd, buf, 0, buf.length, this.offset);
            this.offset = size;
            const lines = (this.rest + buf.toString("utf8")).split("\n");
            this.rest = lines.pop() ?? "";
            return lines.filter((l) => l.trim() !== "");
        } finally {
            closeSync(fd);
        }
    }
}

/** The terminal's line for an activity: short, one per change. */
export function activityLine(a: Activity): string {
    const time = new Date(a.at).toISOString().slice(11, 19);
    return `${time} ${a.service}: desired ${a.from} -> ${a.to} (${a.by}: ${a.cause})`;
}
