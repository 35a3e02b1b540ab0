/**
 * The one place that ends, with this process, the process groups the local harness starts (moto_server,
 * the local stack's tasks and functions). They run detached, in groups of their own, so a Ctrl-C at the
 * terminal never reaches them, and Node, ended by a signal it has no listener for, runs no "exit"
 * listener. So on a stop signal with no other listener (a test run, a benchmark, a script) every
 * registered group is killed and the signal raised again, and the process ends as it would have. When
 * another listener is there (`autoscale up`'s Ctrl-C teardown, a command's stop, which may still need
 * moto to delete what it made), that listener owns the stop, and the "exit" hook kills what is left
 * when the process ends.
 */

/** Signals that end a test run or a script: Ctrl-C, a kill, the terminal closing. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const killers = new Set<() => void>();
let installed = false;

function killAll(): void {
    for (const kill of killers) kill();
}

function install(): void {
    if (installed) return;
    installed = true;
    process.on("exit", killAll);
    for (const signal of STOP_SIGNALS) {
        const onSignal = () => {
            if (process.listenerCount(signal) > 1) return;
            killAll();
            process.removeListener(signal, onSignal);
            process.kill(process.pid, signal);
        };
        process.on(signal, onSignal);
    }
}

/** Calls `kill` (synchronous: SIGKILL to what is still running) when this process exits or is stopped by a signal nobody else handles. */
export function killOnStop(kill: () => void): void {
    install();
    killers.add(kill);
}
