/**
 * Scheduled scaling (Application Auto Scaling PutScheduledAction): the three schedule forms AWS accepts,
 * `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` and `cron(Minutes Hours Day-of-month Month Day-of-week
 * Year)`, their rules, and the instants a schedule fires at in its IANA time zone. Pure: the config
 * module checks expressions with `scheduleProblem`, the engine fires actions with `firingsBetween`.
 *
 * Sources: PutScheduledAction API reference (Schedule, Timezone, StartTime, EndTime); Application Auto
 * Scaling user guide, "Schedule recurring scaling actions using cron expressions" (the six fields, their
 * values and wildcards; "you can't specify the Day-of-month and Day-of-week fields in the same cron
 * expression": one of them must be `?`). At and cron run at the local time of `Timezone` (UTC by default).
 */

export type Schedule =
    | { readonly kind: "at"; readonly local: LocalTime }
    | { readonly kind: "rate"; readonly seconds: number }
    | { readonly kind: "cron"; readonly fields: readonly string[] };

export interface LocalTime {
    readonly year: number; readonly month: number; readonly day: number;
    readonly hour: number; readonly minute: number; readonly second: number;
}

const RATE_UNITS: Readonly<Record<string, number>> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
    readonly name: string; readonly min: number; readonly max: number;
    readonly names?: readonly string[]; readonly question?: boolean; readonly special?: RegExp;
}
/** The six fields in order, with their values and the wildcards each allows (user guide, cron expressions). */
const CRON_FIELDS: readonly CronField[] = [
    { name: "Minutes", min: 0, max: 59 },
    { name: "Hours", min: 0, max: 23 },
    { name: "Day-of-month", min: 1, max: 31, question: true, special: /^(?:L|\d{1,2}W)$/ },
    { name: "Month", min: 1, max: 12, names: MONTHS },
    { name: "Day-of-week", min: 1, max: 7, names: WEEKDAYS, question: true, special: /^(?:L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
    { name: "Year", min: 1970, max: 2199 },
];

/** The parsed schedule, or why AWS would refuse it (completing `<key>: <value> ...`). */
export function parseSchedule(expression: string): Schedule | { readonly problem: string } {
    const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
    if (at) {
        const [year, month, day, hour, minute, second] = at.slice(1).map(Number);
        const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
        if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
            return { problem: "is not a calendar date and time: at() takes yyyy-mm-ddThh:mm:ss" };
        }
        return { kind: "at", local: { year, month, day, hour, minute, second } };
    }
    const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(expression);
    if (rate) {
        const value = Number(rate[1]);
        const unit = RATE_UNITS[rate[2]];
        if (unit === undefined) return { problem: "has an unknown unit: rate(value unit) takes minute, minutes, hour, hours, day or days" };
        if (value < 1) return { problem: "must have a positive value: rate(value unit) takes a whole number of at least 1" };
        return { kind: "rate", seconds: value * unit };
    }
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (cron) {
        const fields = cron[1].trim().split(/\s+/);
        if (fields.length !== 6) return { problem: `has ${fields.length} cron fields; cron() takes six: Minutes Hours Day-of-month Month Day-of-week Year` };
        for (let i = 0; i < 6; i++) {
            const problem = cronFieldProblem(CRON_FIELDS[i], fields[i].toUpperCase());
            if (problem) return { problem };
        }
        const [, , dom, , dow] = fields;
        if ((dom === "?") === (dow === "?")) {
            return { problem: "must have ? in exactly one of Day-of-month and Day-of-week (AWS cron: the two cannot both be set, and one must be ?)" };
        }
        return { kind: "cron", fields: fields.map((f) => f.toUpperCase()) };
    }
    return { problem: "must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(Minutes Hours Day-of-month Month Day-of-week Year)" };
}

function cronFieldProblem(f: CronField, text: string): string | undefined {
    const says = `${f.name} ${JSON.stringify(text)} is not allowed: it takes ${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ""}` +
        ` with , - * /${f.question ? " ?" : ""}${f.special ? (f.name === "Day-of-month" ? " L W" : " L #") : ""}`;
    if (text === "?") return f.question ? undefined : says;
    if (f.special?.test(text)) {
        const head = /^[A-Z0-9]*?(?=[LW#]|$)/.exec(text)![0];
        const n = head === "" ? f.min : value(f, head);
        return n !== undefined && n >= f.min && n <= f.max ? undefined : says;
    }
    for (const part of text.split(",")) {
        const m = /^(\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:\/(\d+))?$/.exec(part);
        if (!m || (m[2] !== undefined && Number(m[2]) < 1)) return says;
        if (m[1] === "*") continue;
        for (const v of m[1].split("-")) {
            const n = value(f, v);
            if (n === undefined || n < f.min || n > f.max) return says;
        }
    }
    return undefined;
}

function value(f: CronField, v: string): number | undefined {
    if (/^\d+$/.test(v)) return Number(v);
    const i = f.names?.indexOf(v) ?? -1;
    return i < 0 ? undefined : i + 1;
}

/** Whether `zone` is an IANA time zone the runtime knows (Intl), as AWS's Timezone takes. */
export function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return zone.length > 0;
    } catch {
        return false;
    }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock fields of an instant in a time zone. */
export function localTime(epochMs: number, zone: string): LocalTime & { readonly weekday: number } {
    let f = formatters.get(zone);
    if (!f) {
        f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", weekday: "short" });
        formatters.set(zone, f);
    }
    const p: Record<string, string> = {};
    for (const part of f.formatToParts(new Date(epochMs))) p[part.type] = part.value;
    return {
        year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour) % 24, minute: Number(p.minute), second: Number(p.second),
        weekday: WEEKDAYS.indexOf(p.weekday.toUpperCase()) + 1,
    };
}

function fieldMatches(f: CronField, text: string, v: number, ctx: { day: number; month: number; year: number; weekday: number }): boolean {
    if (text === "?" || text === "*") return true;
    const daysInMonth = new Date(Date.UTC(ctx.year, ctx.month, 0)).getUTCDate();
    if (f.name === "Day-of-month" && text === "L") return v === daysInMonth;
    if (f.name === "Day-of-month" && text.endsWith("W")) return v === nearestWeekday(parseInt(text, 10), ctx.year, ctx.month, daysInMonth);
    if (f.name === "Day-of-week" && text === "L") return v === 7;
    if (f.name === "Day-of-week" && text.endsWith("L")) return v === value(f, text.slice(0, -1)) && ctx.day + 7 > daysInMonth;
    if (f.name === "Day-of-week" && text.includes("#")) {
        const [d, k] = text.split("#");
        return v === value(f, d) && Math.ceil(ctx.day / 7) === Number(k);
    }
    return text.split(",").some((part) => {
        const [range, step] = part.split("/");
        const [lo, hi] = range === "*" ? [f.min, f.max] : range.split("-").map((x) => value(f, x)!);
        const top = hi ?? (step !== undefined ? f.max : lo);
        return v >= lo && v <= top && (v - lo) % Number(step ?? 1) === 0;
    });
}

/** `nW`: the weekday nearest day n, within the month (user guide, cron wildcards). */
function nearestWeekday(n: number, year: number, month: number, daysInMonth: number): number {
    const day = Math.min(n, daysInMonth);
    const wd = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (wd === 6) return day === 1 ? 3 : day - 1;
    if (wd === 0) return day === daysInMonth ? day - 2 : day + 1;
    return day;
}

/** Whether a valid cron's six fields match a local minute. */
export function cronMatches(fields: readonly string[], t: LocalTime & { weekday: number }): boolean {
    const values = [t.minute, t.hour, t.day, t.month, t.weekday, t.year];
    return CRON_FIELDS.every((f, i) => fieldMatches(f, fields[i], values[i], t));
}

/** The instant a local wall-clock time has in a zone (the earlier one when it occurs twice; the shifted one when a DST gap skips it). */
export function zonedEpochMs(local: LocalTime, zone: string): number {
    const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    let t = guess;
    for (let i = 0; i < 3; i++) {
        const l = localTime(t, zone);
        const shown = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
        t += guess - shown;
    }
    const earlier = t - 3600_000;
    const l = localTime(earlier, zone);
    return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) === guess ? earlier : t;
}

export interface ScheduleWindow {
    readonly timezone: string;
    /** Epoch ms; recurring schedules fire from here (rate: first at the start). */
    readonly startMs?: number;
    /** Epoch ms the action was put: a rate() without a start counts its periods from here. */
    readonly createdMs?: number;
    readonly endMs?: number;
}

/**
 * Epoch ms at which the schedule fires in [fromMs, toMs). A cron fires at its local minute in the time
 * zone, so across a DST change it stays at the local time and its UTC instant moves by the offset.
 * AWS does not document a local minute the change repeats or skips: here the first fires once and the
 * second does not fire.
 * `at` fires once; `rate` every period from the start time, or from when the action was put.
 */
export function firingsBetween(schedule: Schedule, w: ScheduleWindow, fromMs: number, toMs: number): number[] {
    const lo = Math.max(fromMs, w.startMs ?? -Infinity);
    const hi = Math.min(toMs, w.endMs ?? Infinity);
    if (lo >= hi) return [];
    if (schedule.kind === "at") {
        const at = zonedEpochMs(schedule.local, w.timezone);
        return at >= lo && at < hi ? [at] : [];
    }
    if (schedule.kind === "rate") {
        const origin = w.startMs ?? w.createdMs;
        // Counted from each window's own start instead, it would fire at every call.
        if (origin === undefined) throw new Error("a rate() schedule needs its StartTime or the time it was put to count its periods from");
        const period = schedule.seconds * 1000;
        const out: number[] = [];
        for (let t = origin + Math.max(0, Math.ceil((lo - origin) / period)) * period; t < hi; t += period) out.push(t);
        return out;
    }
    const out: number[] = [];
    const seen = new Set<string>();
    // The zone's offset is read once per quarter hour (every offset and change falls on one); the local
    // fields of each minute follow from it by arithmetic.
    let block = NaN;
    let offsetMs = 0;
    for (let t = Math.ceil(lo / 60_000) * 60_000; t < hi; t += 60_000) {
        if (Math.floor(t / 900_000) !== block) {
            block = Math.floor(t / 900_000);
            const z = localTime(t, w.timezone);
            offsetMs = Date.UTC(z.year, z.month - 1, z.day, z.hour, z.minute, z.second) - t;
        }
        const d = new Date(t + offsetMs);
        const l = {
            year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(),
            second: d.getUTCSeconds(), weekday: d.getUTCDay() + 1,
        };
        if (!cronMatches(schedule.fields, l)) continue;
        const key = `${l.year}-${l.month}-${l.day} ${l.hour}:${l.minute}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(t);
    }
    return out;
}
