/**
 * stop-task: stops one random running task of the service, then measures how long ECS takes to
 * replace it. Nothing to undo: ECS starts the replacement itself.
 */
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { apiCall } from "../../aws/call";
import { waitForRecovery } from "./common";
import type { ChaosContext, ChaosResult, FailureSimulation } from "./types";

/** The reason StopTask records (visible in the stopped task's `stoppedReason`). */
export const STOP_TASK_REASON = "ecs-autoscaling failure simulation (stop-task): worker stopped on purpose";

async function run(ctx: ChaosContext): Promise<ChaosResult> {
    const { t } = ctx;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await apiCall("ListTasks", () =>
            t.ecs.send(new ListTasksCommand({ cluster: t.cluster, serviceName: t.service, desiredStatus: "RUNNING", nextToken })));
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    // ListTasks' serviceName filter is not honoured everywhere (moto ignores it): keep the service's
    // own tasks by their group.
    const group = `service:${t.service}`;
    const workers: string[] = [];
    for (let i = 0; i < arns.length; i += 100) {
        const batch = arns.slice(i, i + 100);
        const out = await apiCall("DescribeTasks", () => t.ecs.send(new DescribeTasksCommand({ cluster: t.cluster, tasks: batch })));
        for (const task of out.tasks ?? []) if (task.group === group && task.taskArn) workers.push(task.taskArn);
    }
    if (workers.length === 0) {
        return { outcome: "nothing_to_do", action: `no running task of service ${t.service} to stop`, details: { listed: arns.length } };
    }
    const task = workers[Math.min(workers.length - 1, Math.floor(ctx.random() * workers.length))]!;
    await apiCall("StopTask", () => t.ecs.send(new StopTaskCommand({ cluster: t.cluster, task, reason: STOP_TASK_REASON })));
    const recovery = await waitForRecovery(ctx);
    return {
        outcome: recovery ? "done" : "interrupted",
        action: `stopped task ${task} (1 of ${workers.length} running)`,
        recovery,
        details: { task, candidates: workers.length },
    };
}

export const stopTask: FailureSimulation = {
    kind: "stop-task",
    needs: [],
    run,
    // A stopped task is replaced by ECS; nothing is left to heal.
    heal: async () => undefined,
};
