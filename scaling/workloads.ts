/**
 * Workloads: what the running tasks do with the load, and the signals a controller sees.
 * - Queue: messages arrive, each running task processes `perTaskRate` messages/s, oldest first; the
 *   backlog, the in-flight messages, the oldest message's age and each message's wait are tracked.
 *   A busy task holds one message in flight (on average over the tick once the queue is empty); CPU is
 *   the share of task capacity in use.
 * - Requests: each running task serves `perTaskCapacity` requests/s at 100 % CPU; CPU above 100 % is
 *   not possible, the excess is demand the service cannot meet (time above target).
 */

/** What a controller can read after a tick; undefined where the metric would have no data. */
export interface WorkloadSignals {
    /** Visible messages (SQS ApproximateNumberOfMessages). */
    readonly visible: number;
    /** In-flight messages (ApproximateNumberOfMessagesNotVisible). */
    readonly inFlight: number;
    /** Seconds (ApproximateAgeOfOldestMessage). */
    readonly oldestAge: number;
    /** ECS service CPU utilization, %; no data without running tasks. */
    readonly cpu?: number;
    /** ECS service memory utilization, %. */
    readonly memory?: number;
    /** Requests per target in this tick (a Sum series). */
    readonly requestsPerTarget?: number;
    /** Utilization the demand would need, % (may exceed 100). */
    readonly demandUtilization?: number;
}

export interface QueueWorkloadSpec {
    readonly kind: "queue";
    /** Messages one task processes per second. */
    readonly perTaskRate: number;
    /** Memory utilization of a task, % (constant: a queue worker's memory does not follow its load). */
    readonly memoryPercent?: number;
}

export interface RequestWorkloadSpec {
    readonly kind: "requests";
    /** Requests/s one task serves at 100 % CPU. */
    readonly perTaskCapacity: number;
    /** Memory = memoryBase + memoryPerCpu x CPU, %. */
    readonly memoryBase?: number;
    readonly memoryPerCpu?: number;
}

export type WorkloadSpec = QueueWorkloadSpec | RequestWorkloadSpec;

/** Per-message waits in 1-s bins, for percentiles without keeping every message. */
export class WaitHistogram {
    private readonly bins: number[] = [];
    private total = 0;
    private maxWait = 0;

    /** `count` messages that waited `wait` s on average, the last of them `latest` s. */
    add(wait: number, count: number, latest = wait): void {
        if (count <= 0) return;
        const bin = Math.max(0, Math.floor(wait));
        while (this.bins.length <= bin) this.bins.push(0);
        this.bins[bin] += count;
        this.total += count;
        if (latest > this.maxWait) this.maxWait = latest;
    }

    get count(): number { return this.total; }
    get max(): number { return this.maxWait; }

    /** The q-quantile (0..1), seconds (bin upper edge); 0 when empty. */
    quantile(q: number): number {
        if (this.total === 0) return 0;
        const want = q * this.total;
        let seen = 0;
        for (let i = 0; i < this.bins.length; i++) {
            seen += this.bins[i];
            if (seen >= want - 1e-9) return Math.min(i + 1, this.maxWait);
        }
        return this.maxWait;
    }
}

export class QueueWorkload {
    /** Backlog, oldest first: arrival time and count (fractional arrivals accumulate). */
    private readonly chunks: { t: number; n: number }[] = [];
    private head = 0;
    private total = 0;
    private histogram = new WaitHistogram();
    private last: WorkloadSignals = { visible: 0, inFlight: 0, oldestAge: 0 };

    constructor(readonly spec: QueueWorkloadSpec) {
        if (!(spec.perTaskRate > 0)) throw new Error(`perTaskRate ${spec.perTaskRate} must be > 0 messages/s`);
    }

    get backlog(): number { return this.total; }
    /** The waits of the messages processed since the start or the last `restartWaits`. */
    get waits(): WaitHistogram { return this.histogram; }
    /** Forgets the waits recorded so far: a run measures from here (after a trace's history). */
    restartWaits(): void { this.histogram = new WaitHistogram(); }
    get signals(): WorkloadSignals { return this.last; }

    /** Advances [t, t + dt): `arrivals` messages arrive at t, `running` tasks process. */
    step(t: number, dt: number, arrivals: number, running: number): WorkloadSignals {
        if (arrivals > 0) {
            this.chunks.push({ t, n: arrivals });
            this.total += arrivals;
        }
        const capacity = running * this.spec.perTaskRate * dt;
        let left = capacity;
        while (left > 1e-12 && this.head < this.chunks.length) {
            const c = this.chunks[this.head];
            const take = Math.min(c.n, left);
            // A message taken at the point `done` of the tick waited from its arrival until then.
            const mid = (capacity - left + take / 2) / capacity;
            const end = (capacity - left + take) / capacity;
            this.histogram.add(Math.max(0, t + mid * dt - c.t), take, Math.max(0, t + end * dt - c.t));
            c.n -= take;
            left -= take;
            this.total -= take;
            if (c.n <= 1e-12) this.head++;
        }
        if (this.head > 1024 && this.head * 2 > this.chunks.length) {
            this.chunks.splice(0, this.head);
            this.head = 0;
        }
        if (this.total < 1e-9) this.total = 0;
        const end = t + dt;
        const messages = Math.ceil(this.total - 1e-9);
        const processed = capacity - left;
        // In flight: the tasks busy on average over the tick (processed / (rate x dt)), at least one per
        // message left up to the running tasks; a queue that keeps up shows its tasks' work in SQS's count
        // of received, not deleted messages (Little's law), not 0.
        const inFlight = Math.max(Math.min(messages, running), processed / (this.spec.perTaskRate * dt));
        this.last = {
            visible: Math.max(0, messages - inFlight),
            inFlight,
            oldestAge: this.head < this.chunks.length ? end - this.chunks[this.head].t : 0,
            cpu: running > 0 ? (100 * processed) / capacity : undefined,
            memory: running > 0 ? (this.spec.memoryPercent ?? 30) : undefined,
            demandUtilization: running > 0 ? (100 * (processed + this.total)) / capacity : undefined,
        };
        return this.last;
    }

    /** Counts the messages still waiting at the end of a run with their age then. */
    finish(end: number): void {
        for (let i = this.head; i < this.chunks.length; i++) this.histogram.add(end - this.chunks[i].t, this.chunks[i].n);
    }
}

export class RequestWorkload {
    private last: WorkloadSignals = { visible: 0, inFlight: 0, oldestAge: 0 };

    constructor(readonly spec: RequestWorkloadSpec) {
        if (!(spec.perTaskCapacity > 0)) throw new Error(`perTaskCapacity ${spec.perTaskCapacity} must be > 0 requests/s`);
    }

    get signals(): WorkloadSignals { return this.last; }

    step(_t: number, dt: number, arrivals: number, running: number): WorkloadSignals {
        const rate = arrivals / dt;
        if (running === 0) {
            this.last = { visible: 0, inFlight: 0, oldestAge: 0 };
            return this.last;
        }
        const demand = (100 * rate) / (running * this.spec.perTaskCapacity);
        const cpu = Math.min(100, demand);
        this.last = {
            visible: 0, inFlight: 0, oldestAge: 0,
            cpu,
            memory: (this.spec.memoryBase ?? 30) + (this.spec.memoryPerCpu ?? 0.3) * cpu,
            requestsPerTarget: (rate * dt) / running,
            demandUtilization: demand,
        };
        return this.last;
    }
}
