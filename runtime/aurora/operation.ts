/**
 * The instance-class scaler's pure core: the operation it keeps as a tag on the cluster, the tag
 * encoding, and the decision whether to resume, start or leave alone. No I/O; the clock is an input.
 *
 * A class change moves the writer with one failover instead of resizing it in place (resizing the
 * writer is an outage for the whole cluster's writes; Aurora user guide, "Settings for Amazon Aurora":
 * "An outage occurs during this change"): a reader of the target class is made ready first, then the
 * cluster fails over to it, then the old writer is brought to the same class (a reader the stack
 * created) or removed (a reader the scaler created).
 */
import { CLASS_SCALER_TAG_PREFIX } from "../../scaling/aurora";

export type Direction = "up" | "down";

/** Steps in order; the operation tag records the next step to run. */
export const STEPS = ["prepare", "wait-candidate", "wait-failover", "retire-old-writer"] as const;
export type Step = typeof STEPS[number];

export interface Operation {
    readonly direction: Direction;
    readonly step: Step;
    readonly fromClass: string;
    readonly toClass: string;
    /** The writer when the operation started. */
    readonly oldWriter: string;
    /** The reader that becomes the writer. */
    readonly candidate: string;
    /** Whether the candidate is created by this operation (else an existing reader is modified). */
    readonly createCandidate: boolean;
    /** Epoch seconds. */
    readonly startedAt: number;
}

/** Tag keys. The cluster carries the operation and the last change; instances carry their origin. */
export const TAGS = {
    operation: `${CLASS_SCALER_TAG_PREFIX}operation`,
    lastChange: `${CLASS_SCALER_TAG_PREFIX}last-change`,
    /** On instances the scaler created: removed, not resized, once they stop being the writer. */
    created: `${CLASS_SCALER_TAG_PREFIX}created`,
    /** On a former writer kept as a reader: the first candidate for the next change. */
    standby: `${CLASS_SCALER_TAG_PREFIX}standby`,
    /** On the cluster while one invocation acts: which one, and until when (see Claim). */
    claim: `${CLASS_SCALER_TAG_PREFIX}claim`,
} as const;

/**
 * The claim one invocation holds on the cluster while it decides and acts, so that an SNS notification
 * and a schedule tick arriving together do not both start (or both advance) an operation, without the
 * reserved concurrency a new account's Lambda quota does not allow. RDS tags have no conditional write,
 * so an invocation writes its claim, waits CLAIM_SETTLE_MS, and reads it back: of invocations that
 * each saw no live claim, only the last writer reads its own token back and acts; the others stop. A
 * claim lapses at `until` (CLAIM_LEASE_SECONDS, two of the function's 60 s timeouts), so a crashed
 * invocation holds no one up for longer.
 */
export interface Claim {
    readonly by: string;
    /** Epoch seconds. */
    readonly until: number;
}

/** Longer than one bounded AddTagsToResource call: a contender that read no claim has written its own by then. */
export const CLAIM_SETTLE_MS = 5_000;
export const CLAIM_LEASE_SECONDS = 120;

export function encodeClaim(c: Claim): string {
    return `by=${c.by} until=${c.until}`;
}

export function decodeClaim(value: string): Claim | undefined {
    const m = /^by=(\S+) until=(\d+)$/.exec(value.trim());
    return m ? { by: m[1], until: Number(m[2]) } : undefined;
}

/**
 * Encodes an operation as one tag value. RDS tag values allow only letters, digits, spaces and
 * `_ . : / = + - @` (RDS API, Tag), so this is `key=value` pairs, not JSON; at most 256 characters.
 */
export function encodeOperation(op: Operation): string {
    const value = [
        `dir=${op.direction}`, `step=${op.step}`, `from=${op.fromClass}`, `to=${op.toClass}`,
        `old=${op.oldWriter}`, `cand=${op.candidate}`, `create=${op.createCandidate ? 1 : 0}`, `at=${op.startedAt}`,
    ].join(" ");
    if (value.length > 256) throw new Error(`operation tag value is ${value.length} characters; RDS allows 256: ${value}`);
    return value;
}

/** Decodes an operation tag value; throws naming the value when it is not one this code wrote. */
export function decodeOperation(value: string): Operation {
    const fields = new Map(value.trim().split(/\s+/).map((pair) => {
        const i = pair.indexOf("=");
        return [i < 0 ? pair : pair.slice(0, i), i < 0 ? "" : pair.slice(i + 1)] as const;
    }));
    const need = (k: string): string => {
        const v = fields.get(k);
        if (v === undefined || v === "") throw new Error(`tag ${TAGS.operation}="${value}": field ${k} is missing`);
        return v;
    };
    const direction = need("dir");
    const step = need("step");
    const at = Number(need("at"));
    if (direction !== "up" && direction !== "down") throw new Error(`tag ${TAGS.operation}="${value}": dir must be up or down`);
    if (!(STEPS as readonly string[]).includes(step)) throw new Error(`tag ${TAGS.operation}="${value}": step must be one of ${STEPS.join(", ")}`);
    if (!Number.isInteger(at)) throw new Error(`tag ${TAGS.operation}="${value}": at must be epoch seconds`);
    return {
        direction, step: step as Step, fromClass: need("from"), toClass: need("to"), oldWriter: need("old"),
        candidate: need("cand"), createCandidate: need("create") === "1", startedAt: at,
    };
}

export interface LastChange {
    readonly direction: Direction;
    /** Epoch seconds when the change finished. */
    readonly at: number;
}

export function encodeLastChange(c: LastChange): string {
    return `dir=${c.direction} at=${c.at}`;
}

export function decodeLastChange(value: string): LastChange | undefined {
    const m = /^dir=(up|down) at=(\d+)$/.exec(value.trim());
    return m ? { direction: m[1] as Direction, at: Number(m[2]) } : undefined;
}

export interface ScalerSettings {
    readonly clusterIdentifier: string;
    readonly alarmName: string;
    readonly smallClass: string;
    readonly largeClass: string;
    /** Seconds the alarm must have been OK before going back to the small class. */
    readonly okSecondsBeforeScaleDown: number;
    /** Seconds after a finished change before another may start. */
    readonly cooldownSeconds: number;
    readonly dryRun: boolean;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface Observation {
    /** Epoch seconds. */
    readonly now: number;
    readonly alarm: { readonly state: AlarmState; /** Epoch seconds of the last state change. */ readonly since: number };
    readonly writerClass: string;
    readonly operation?: Operation;
    readonly lastChange?: LastChange;
}

export type Decision =
    | { readonly action: "resume"; readonly operation: Operation; readonly reason: string }
    | { readonly action: "start"; readonly direction: Direction; readonly fromClass: string; readonly toClass: string; readonly reason: string }
    | { readonly action: "none"; readonly reason: string };

/**
 * What to do now. An operation in progress is always resumed and never joined by a second; otherwise a
 * sustained ALARM moves a small writer up, an OK held for okSecondsBeforeScaleDown moves a large
 * writer down, and either waits out the cooldown after the last change.
 */
export function decide(o: Observation, s: ScalerSettings): Decision {
    if (o.operation) {
        const op = o.operation;
        return {
            action: "resume",
            operation: op,
            reason: `operation ${op.direction} (${op.fromClass} -> ${op.toClass}) started at ${op.startedAt} is at step ${op.step}; no second operation starts`,
        };
    }
    let want: { direction: Direction; fromClass: string; toClass: string; why: string } | undefined;
    if (o.alarm.state === "ALARM") {
        if (o.writerClass === s.largeClass) return { action: "none", reason: `alarm ${s.alarmName} is ALARM and the writer is already ${s.largeClass}` };
        if (o.writerClass !== s.smallClass) {
            return { action: "none", reason: `writer class ${o.writerClass} is neither ${s.smallClass} nor ${s.largeClass}; changed outside the scaler, left alone` };
        }
        want = { direction: "up", fromClass: s.smallClass, toClass: s.largeClass, why: `alarm ${s.alarmName} is ALARM since ${o.alarm.since}` };
    } else if (o.alarm.state === "OK") {
        if (o.writerClass === s.smallClass) return { action: "none", reason: `alarm ${s.alarmName} is OK and the writer is already ${s.smallClass}` };
        if (o.writerClass !== s.largeClass) {
            return { action: "none", reason: `writer class ${o.writerClass} is neither ${s.smallClass} nor ${s.largeClass}; changed outside the scaler, left alone` };
        }
        const okFor = o.now - o.alarm.since;
        if (okFor < s.okSecondsBeforeScaleDown) {
            return { action: "none", reason: `alarm ${s.alarmName} OK for ${okFor} s of the ${s.okSecondsBeforeScaleDown} s needed before scaling down` };
        }
        want = { direction: "down", fromClass: s.largeClass, toClass: s.smallClass, why: `alarm ${s.alarmName} OK for ${okFor} s (>= ${s.okSecondsBeforeScaleDown} s)` };
    } else {
        return { action: "none", reason: `alarm ${s.alarmName} is ${o.alarm.state}; no change on missing data` };
    }
    if (o.lastChange) {
        const since = o.now - o.lastChange.at;
        if (since < s.cooldownSeconds) {
            return { action: "none", reason: `cooldown: last change (${o.lastChange.direction}) finished ${since} s ago, ${s.cooldownSeconds} s needed; ${want.why}` };
        }
    }
    return { action: "start", direction: want.direction, fromClass: want.fromClass, toClass: want.toClass, reason: want.why };
}

/** Identifier of an instance the scaler creates: `<cluster>-<up|down>-<startedAt base 36>` (at most 63 characters). */
export function candidateIdentifier(cluster: string, direction: Direction, startedAt: number): string {
    const id = `${cluster}-${direction}-${startedAt.toString(36)}`;
    if (id.length > 63) throw new Error(`instance identifier ${id} is ${id.length} characters; RDS allows 63`);
    return id;
}
