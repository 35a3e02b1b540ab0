/**
 * What the scaled service's own ECS events say about how long its tasks take to start. The service
 * scheduler writes "(service <name>) has started <n> tasks: ..." when it launches tasks and
 * "(service <name>) has reached a steady state." once the running count matches the desired count
 * (DescribeServices `events`, newest first, up to 100). The time from a launch to the next steady state
 * is what a scale-up waits for its tasks, learned from the service itself before the autoscaler has
 * made a scale-up of its own (a deployment's launch counts as well).
 */

/** An ECS service event as DescribeServices returns it. */
export interface ServiceEvent {
    readonly createdAt?: Date;
    readonly message?: string;
}

const STARTED = /\) has started \d+ tasks?\b/;
const STEADY = /\) has reached a steady state\b/;

/**
 * Launch to steady state of the newest launch that reached one, ms; undefined when the events show
 * none. A launch followed by another launch before a steady state is skipped (the later one counts).
 */
export function taskStartFromEvents(events: readonly ServiceEvent[] | undefined): number | undefined {
    if (!events) return undefined;
    const dated = events
        .filter((e): e is { createdAt: Date; message: string } => e.createdAt instanceof Date && typeof e.message === "string")
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    let launchedAt: number | undefined;
    let found: number | undefined;
    for (const e of dated) {
        if (STARTED.test(e.message)) launchedAt = e.createdAt.getTime();
        else if (STEADY.test(e.message) && launchedAt !== undefined) {
            found = e.createdAt.getTime() - launchedAt;
            launchedAt = undefined;
        }
    }
    return found !== undefined && found > 0 ? found : undefined;
}
