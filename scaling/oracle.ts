/**
 * The oracle: the fewest tasks over time that keep the service within its target, knowing the whole
 * trace and the task start delay. It is the reference the other controllers' cost and latency are
 * divided by.
 * - Queue: at each tick, the fewest tasks that, processing oldest first at `rate` each, handle every
 *   message waiting or arriving within the next `age` seconds by its deadline (arrival + age).
 * - Requests: the fewest tasks that keep utilization at or below the target over the tick.
 * Tasks are asked for `taskStartSeconds` ahead, so they are running when needed; bounds apply.
 */
import type { Controller, ControllerAction, ControllerView, ServiceTarget } from "./simulate";
import { arrivalsBetween, type Trace } from "./traces";
import type { WorkloadSpec } from "./workloads";

export interface OracleOptions {
    readonly trace: Trace;
    readonly workload: WorkloadSpec;
    readonly target: ServiceTarget;
    readonly tickSeconds: number;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly taskStartSeconds: number;
}

/** Running tasks the oracle needs at each tick. */
export function oracleNeed(o: OracleOptions): number[] {
    const dt = o.tickSeconds;
    const n = Math.ceil(o.trace.duration / dt);
    const clamp = (k: number) => Math.min(o.maxCapacity, Math.max(o.minCapacity, k));
    const need: number[] = new Array(n);
    if (o.workload.kind === "queue") {
        if (o.target.kind !== "age") throw new Error("a queue workload's target is a message age");
        const rate = o.workload.perTaskRate;
        const age = Math.max(o.target.seconds, dt);
        // The oracle's own queue, oldest first: arrival time and count.
        const chunks: { t: number; n: number }[] = [];
        for (let i = 0; i < n; i++) {
            const t = i * dt;
            // Every message, waiting or arriving within the next `age` seconds, must be handled by its
            // deadline (arrival + age); oldest first, k tasks handle k x rate x (deadline - t) by then.
            let cum = 0;
            let k = 0;
            for (const c of chunks) {
                cum += c.n;
                k = Math.max(k, cum / (rate * Math.max(dt, c.t + age - t)));
            }
            for (let s = t; s < t + age; s += dt) {
                cum += arrivalsBetween(o.trace, s, s + dt);
                k = Math.max(k, cum / (rate * Math.max(dt, s + age - t)));
            }
            need[i] = clamp(Math.ceil(k - 1e-9));
            const arriving = arrivalsBetween(o.trace, t, t + dt);
            if (arriving > 0) chunks.push({ t, n: arriving });
            let capacity = need[i] * rate * dt;
            while (capacity > 1e-12 && chunks.length > 0) {
                const take = Math.min(chunks[0].n, capacity);
                chunks[0].n -= take;
                capacity -= take;
                if (chunks[0].n <= 1e-12) chunks.shift();
            }
        }
    } else {
        if (o.target.kind !== "utilization") throw new Error("a request workload's target is a utilization");
        const perTask = (o.workload.perTaskCapacity * o.target.percent) / 100;
        for (let i = 0; i < n; i++) {
            const t = i * dt;
            need[i] = clamp(Math.ceil(arrivalsBetween(o.trace, t, t + dt) / dt / perTask - 1e-9));
        }
    }
    return need;
}

/**
 * The oracle as a controller: it sets the desired count to the most it will need over the next start
 * delay, so new tasks are running in time, and drops it as soon as they are not needed.
 */
export function oracleController(o: OracleOptions, need: readonly number[] = oracleNeed(o)): { controller: Controller; initialDesired: number } {
    const dt = o.tickSeconds;
    const ahead = Math.ceil(o.taskStartSeconds / dt);
    const want = (i: number) => {
        let m = 0;
        for (let j = i; j <= Math.min(need.length - 1, i + ahead); j++) m = Math.max(m, need[j]);
        return m;
    };
    return {
        initialDesired: want(0),
        controller: {
            name: "oracle",
            tick(view: ControllerView): ControllerAction | undefined {
                const i = Math.round(view.now / dt);
                if (i >= need.length) return undefined;
                const to = want(i);
                return to === view.desired ? undefined : { desired: to, reason: `needs ${need[i]}, ${to} within the next ${o.taskStartSeconds} s` };
            },
        },
    };
}
