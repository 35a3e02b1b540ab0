/**
 * Scheduled actions in `autoscale emulate`: the endpoint (moto) stores PutScheduledAction's actions but
 * never runs them. Each pass reads the target's actions, finds those whose fire time fell in (last pass,
 * now] on the emulator's virtual clock (scaling/schedule.ts: at/rate/cron in the action's time zone,
 * within StartTime..EndTime), and runs each as Application Auto Scaling does (scaling/engine/scheduled.ts:
 * it sets MinCapacity and/or MaxCapacity; a desired count outside the new bounds moves to the nearest
 * bound): RegisterScalableTarget with what the action sets, UpdateService when desired moves, and one
 * activity-record line per action.
 */
import { DescribeScheduledActionsCommand, RegisterScalableTargetCommand, type ScheduledAction } from "@aws-sdk/client-application-auto-scaling";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE } from "../aws/scaling-ids";
import type { Logger } from "../runtime/aws/logger";
import { formatActivityRecord, taskChangeEvent } from "../scaling/activity-record";
import type { AwsScalingEngine } from "../scaling/engine/scaler";
import { boundsAfter, scheduledFirings, type EngineScheduledAction, type ScheduledFiring } from "../scaling/engine/scheduled";
import { parseSchedule } from "../scaling/schedule";
import type { EvidenceClients } from "../proof/evidence-collect";
import { send } from "./call";

/** The engine's form of the actions described for `resourceId`, and why any other is not run. */
export function engineActionsFromAws(described: readonly ScheduledAction[], resourceId: string): { actions: EngineScheduledAction[]; skipped: string[] } {
    const actions: EngineScheduledAction[] = [];
    const skipped: string[] = [];
    // moto matches ResourceId as a substring: keep the exact target's actions only.
    for (const a of described.filter((x) => x.ResourceId === resourceId && x.ScalableDimension === ECS_DESIRED_COUNT)) {
        const name = a.ScheduledActionName ?? "";
        const schedule = parseSchedule(a.Schedule ?? "");
        if ("problem" in schedule) {
            skipped.push(`scheduled action ${name}: Schedule ${JSON.stringify(a.Schedule ?? "")} ${schedule.problem}`);
            continue;
        }
        const min = a.ScalableTargetAction?.MinCapacity;
        const max = a.ScalableTargetAction?.MaxCapacity;
        actions.push({
            name, schedule,
            // Timezone defaults to UTC (PutScheduledAction API reference).
            window: {
                timezone: a.Timezone ?? "UTC",
                ...(a.StartTime ? { startMs: new Date(a.StartTime).getTime() } : {}),
                ...(a.CreationTime ? { createdMs: new Date(a.CreationTime).getTime() } : {}),
                ...(a.EndTime ? { endMs: new Date(a.EndTime).getTime() } : {}),
            },
            ...(min !== undefined ? { minCapacity: min } : {}),
            ...(max !== undefined ? { maxCapacity: max } : {}),
        });
    }
    return { actions, skipped };
}

/** The actions that fire in (fromMs, toMs] of virtual epoch ms, oldest first (`at` in virtual epoch seconds). */
export function firedBetween(actions: readonly EngineScheduledAction[], fromMs: number, toMs: number): ScheduledFiring[] {
    return scheduledFirings(actions, 0, fromMs / 1000, toMs / 1000);
}

/**
 * The activity's cause in Application Auto Scaling's words for a scheduled action: the name and the
 * bounds the target has after it (a bound the action does not set keeps its value), then the desired
 * change when there is one.
 */
export function scheduledCause(name: string, bounds: { min: number; max: number }, oldDesired: number, newDesired: number): string {
    const change = newDesired !== oldDesired ? `, changing the desired capacity from ${oldDesired} to ${newDesired}` : "";
    return `scheduled action name ${name} set min capacity to ${bounds.min} and max capacity to ${bounds.max}${change}`;
}

export interface ScheduledPass {
    readonly clients: EvidenceClients;
    readonly cluster: string;
    readonly service: string;
    readonly resourceId: string;
    readonly engine: AwsScalingEngine;
    /** The service's desired count and its running plus pending tasks before the pass. */
    readonly desired: number;
    readonly tasks: number;
    /** Virtual epoch ms: the previous pass and this one. */
    readonly fromMs: number;
    readonly toMs: number;
    readonly clock: () => number;
    readonly record: (line: string) => Promise<void>;
    readonly logger?: Logger;
    /** Skips already warned about, so a bad action is named once, not every pass. */
    readonly warned: Set<string>;
}

/** Runs the actions due in the pass's window; returns the desired count and tasks after them, and how many ran. */
export async function runScheduledActions(p: ScheduledPass): Promise<{ desired: number; tasks: number; fired: number }> {
    const described: ScheduledAction[] = [];
    let token: string | undefined;
    do {
        const page = await send("DescribeScheduledActions", (abortSignal) => p.clients.autoscaling.send(new DescribeScheduledActionsCommand({
            ServiceNamespace: ECS_NAMESPACE, ResourceId: p.resourceId, ...(token ? { NextToken: token } : {}),
        }), { abortSignal }));
        described.push(...(page.ScheduledActions ?? []));
        token = page.NextToken;
    } while (token);
    const { actions, skipped } = engineActionsFromAws(described, p.resourceId);
    for (const s of skipped.filter((x) => !p.warned.has(`${p.resourceId} ${x}`))) {
        p.warned.add(`${p.resourceId} ${s}`);
        p.logger?.warn({ resourceId: p.resourceId, skipped: s }, `not emulated: ${s}`);
    }
    let desired = p.desired;
    let tasks = p.tasks;
    let fired = 0;
    for (const f of firedBetween(actions, p.fromMs, p.toMs)) {
        const next = boundsAfter(p.engine.capacityBounds(), f.action);
        if (!next) {
            p.logger?.warn({ resourceId: p.resourceId, action: f.action.name }, `scheduled action ${f.action.name} not run: it would set min above max`);
            continue;
        }
        await send("RegisterScalableTarget", (abortSignal) => p.clients.autoscaling.send(new RegisterScalableTargetCommand({
            ServiceNamespace: ECS_NAMESPACE, ResourceId: p.resourceId, ScalableDimension: ECS_DESIRED_COUNT,
            ...(f.action.minCapacity !== undefined ? { MinCapacity: f.action.minCapacity } : {}),
            ...(f.action.maxCapacity !== undefined ? { MaxCapacity: f.action.maxCapacity } : {}),
        }), { abortSignal }));
        p.engine.setCapacityBounds(next.min, next.max);
        const to = Math.min(next.max, Math.max(next.min, desired));
        let event: string | undefined;
        if (to !== desired) {
            await send("UpdateService", (abortSignal) => p.clients.ecs.send(new UpdateServiceCommand({ cluster: p.cluster, service: p.service, desiredCount: to }), { abortSignal }));
            event = taskChangeEvent(p.service, tasks, to);
            tasks = to;
        }
        const cause = scheduledCause(f.action.name, next, desired, to);
        await p.record(formatActivityRecord({
            time: new Date(p.clock()).toISOString(), resourceId: p.resourceId, policy: f.action.name,
            oldDesired: desired, newDesired: to, cause, ...(event ? { event } : {}),
        }));
        p.logger?.info({ resourceId: p.resourceId, action: f.action.name, min: next.min, max: next.max, oldDesired: desired, newDesired: to }, cause);
        desired = to;
        fired++;
    }
    return { desired, tasks, fired };
}
