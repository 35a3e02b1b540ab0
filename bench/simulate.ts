/**
 * `npm run bench:simulate`: how long the engine takes to simulate 24 h of 10 services at 10-s ticks
 * (the staging stack's plans for api and worker, five of each, on the diurnal trace). Prints figures;
 * asserts nothing.
 */
import { performance } from "perf_hooks";
import { loadStackFile } from "../config/stack-file";
import { awsController } from "../scaling/aws-controller";
import { DEFAULT_ENGINE_PARAMS } from "../scaling/engine/params";
import { runClosedLoop } from "../scaling/simulate";
import { builtInTrace } from "../scaling/traces";

const SERVICES = 10;
const TICK_SECONDS = 10;

function main(): void {
    const stack = loadStackFile("staging");
    const plans = [stack.services.api.plan, stack.services.worker.plan];
    const trace = builtInTrace("diurnal", 1);
    const ticks = Math.ceil(trace.duration / TICK_SECONDS);
    const runs: { ms: number; changes: number }[] = [];
    for (let round = 0; round < 3; round++) {
        const start = performance.now();
        let changes = 0;
        for (let i = 0; i < SERVICES; i++) {
            const plan = plans[i % 2];
            const queue = plan === stack.services.worker.plan;
            const r = runClosedLoop(awsController(plan, { serviceName: `svc-${i}` }), {
                trace,
                workload: queue ? { kind: "queue", perTaskRate: 2 } : { kind: "requests", perTaskCapacity: 1 },
                target: queue ? { kind: "age", seconds: 60 } : { kind: "utilization", percent: 70 },
                tickSeconds: TICK_SECONDS, initialDesired: plan.minCapacity, params: DEFAULT_ENGINE_PARAMS,
            });
            changes += r.metrics.desiredChanges;
        }
        runs.push({ ms: performance.now() - start, changes });
    }
    const best = Math.min(...runs.map((r) => r.ms));
    console.log(`simulated 24 h of ${SERVICES} services at ${TICK_SECONDS}-s ticks (${ticks} ticks each, ${SERVICES * ticks} service-ticks)`);
    for (const [i, r] of runs.entries()) console.log(`  run ${i + 1}: ${r.ms.toFixed(0)} ms, ${r.changes} desired-count changes`);
    console.log(`best: ${best.toFixed(0)} ms (${((best * 1000) / (SERVICES * ticks)).toFixed(2)} us per service-tick); aim: under 1000 ms`);
}

main();
