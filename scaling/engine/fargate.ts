/**
 * An ECS service's tasks on Fargate (shared reference section 6 and 9.10): a desired-count increase
 * starts tasks at most launchRatePerMinute per minute [E5], each RUNNING taskStartSeconds after its
 * launch [E10, E11]; a decrease stops pending tasks first, then running ones, at once.
 */
import type { EngineParams } from "./params";

export class FargateService {
    private desiredCount: number;
    /** Times (seconds) at which pending tasks become RUNNING, ascending. */
    private readonly pendingReadyAt: number[] = [];
    private runningCount: number;
    private nextLaunchAt = -Infinity;

    constructor(initial: number, private readonly p: Pick<EngineParams, "taskStartSeconds" | "launchRatePerMinute">) {
        this.desiredCount = initial;
        this.runningCount = initial;
    }

    get desired(): number { return this.desiredCount; }
    get running(): number { return this.runningCount; }
    get pending(): number { return this.pendingReadyAt.length; }

    /** Sets the desired count at `now`, launching or stopping tasks. */
    setDesired(now: number, n: number): void {
        if (!Number.isInteger(n) || n < 0) throw new Error(`desired count ${n} must be a whole number >= 0`);
        this.desiredCount = n;
        const have = this.runningCount + this.pendingReadyAt.length;
        const spacing = 60 / this.p.launchRatePerMinute;
        for (let i = have; i < n; i++) {
            const launch = Math.max(now, this.nextLaunchAt);
            this.nextLaunchAt = launch + spacing;
            this.pendingReadyAt.push(launch + this.p.taskStartSeconds);
        }
        let surplus = have - n;
        while (surplus > 0 && this.pendingReadyAt.length > 0) { this.pendingReadyAt.pop(); surplus--; }
        if (surplus > 0) this.runningCount -= surplus;
    }

    /** Moves tasks whose start time has come to RUNNING. */
    advance(now: number): void {
        let started = 0;
        while (started < this.pendingReadyAt.length && this.pendingReadyAt[started] <= now) started++;
        if (started > 0) {
            this.pendingReadyAt.splice(0, started);
            this.runningCount += started;
        }
    }
}
