/**
 * The CloudWatch side of a metric: raw samples aggregated into period buckets with one statistic, a
 * bucket visible to alarms only after the publication delay (shared reference section 9.1). Buckets
 * are aligned to multiples of the period, as CloudWatch aligns them. Times are seconds on the engine's
 * clock.
 */
import type { Statistic } from "../metric-series";

interface Bucket {
    sum: number;
    count: number;
    min: number;
    max: number;
}

export class MetricPipeline {
    private readonly buckets = new Map<number, Bucket>();
    private oldestKept = -Infinity;

    /**
     * @param period bucket length, seconds
     * @param statistic how a bucket's samples become one datapoint
     * @param delaySeconds seconds after a bucket ends before alarms see it
     * @param retain buckets kept behind the newest visible one (at least the longest evaluation range)
     */
    constructor(
        readonly period: number,
        readonly statistic: Statistic,
        readonly delaySeconds: number,
        private readonly retain = 64,
    ) {
        if (!(period > 0)) throw new Error(`metric period ${period} must be > 0 seconds`);
    }

    /** One sample at time `t`; `count` samples of that value (SampleCount and Sum weigh them). */
    add(t: number, value: number, count = 1): void {
        const k = Math.floor(t / this.period);
        if (k < this.oldestKept) return;
        let b = this.buckets.get(k);
        if (!b) {
            b = { sum: 0, count: 0, min: Infinity, max: -Infinity };
            this.buckets.set(k, b);
            this.prune(k);
        }
        b.sum += value * count;
        b.count += count;
        if (value < b.min) b.min = value;
        if (value > b.max) b.max = value;
    }

    private prune(newest: number): void {
        const limit = newest - this.retain;
        if (limit <= this.oldestKept) return;
        for (const k of this.buckets.keys()) if (k < limit) this.buckets.delete(k);
        this.oldestKept = limit;
    }

    /** The datapoint of bucket k, undefined when it holds no sample. */
    datapoint(k: number): number | undefined {
        const b = this.buckets.get(k);
        if (!b || b.count === 0) return undefined;
        switch (this.statistic) {
            case "Average": return b.sum / b.count;
            case "Sum": return b.sum;
            case "Minimum": return b.min;
            case "Maximum": return b.max;
            case "SampleCount": return b.count;
        }
    }

    /** Index of the newest bucket an alarm can see at `now`: ended, and published. */
    newestVisible(now: number): number {
        return Math.floor((now - this.delaySeconds) / this.period) - 1;
    }

    /** The last `n` visible datapoints at `now`, oldest first; undefined marks a missing one. */
    datapoints(now: number, n: number): (number | undefined)[] {
        const last = this.newestVisible(now);
        const out: (number | undefined)[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.datapoint(last - n + 1 + i);
        return out;
    }
}

/** What an alarm reads: the last `n` datapoints visible at `now`, oldest first; undefined marks a missing one. */
export interface DatapointSource {
    readonly period: number;
    datapoints(now: number, n: number): (number | undefined)[];
}

/**
 * Metric math `m1 / m2` (user guide, "Create a target tracking scaling policy using metric math" [A4]):
 * each period's datapoint is the quotient of the two metrics' datapoints of that period, so a period is
 * visible once both inputs have published it, each after its own delay. Missing when either input is
 * missing or the divisor is 0: CloudWatch returns no finite value for it (U).
 */
export class RatioSource implements DatapointSource {
    readonly period: number;

    constructor(readonly numerator: MetricPipeline, readonly denominator: MetricPipeline) {
        if (numerator.period !== denominator.period) {
            throw new Error(`metric math: both metrics need the same period (${numerator.period} s and ${denominator.period} s)`);
        }
        this.period = numerator.period;
    }

    datapoints(now: number, n: number): (number | undefined)[] {
        const last = Math.min(this.numerator.newestVisible(now), this.denominator.newestVisible(now));
        const out: (number | undefined)[] = new Array(n);
        for (let i = 0; i < n; i++) {
            const k = last - n + 1 + i;
            const a = this.numerator.datapoint(k);
            const b = this.denominator.datapoint(k);
            out[i] = a === undefined || b === undefined || b === 0 ? undefined : a / b;
        }
        return out;
    }
}
