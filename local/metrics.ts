/**
 * The metrics AWS publishes by itself and a local endpoint does not: SQS queue metrics (AWS/SQS) and
 * ECS service utilization (AWS/ECS), written to the endpoint's CloudWatch every second so that the
 * emulator evaluates the stack's alarms and target-tracking policies on real readings, and the queue
 * autoscaler finds the age of the oldest message where it reads it on AWS.
 *
 * - Queue depth and in-flight counts are the endpoint's own exact counts (GetQueueAttributes).
 * - The endpoint has no ApproximateAgeOfOldestMessage: it is estimated from the counts, oldest first
 *   (a rise of visible + in-flight is an arrival at that second, a fall removes the oldest arrivals).
 * - CPUUtilization and MemoryUtilization are each task process's CPU time and resident memory over
 *   the task definition's cpu units (1024 = one vCPU) and MiB, averaged over the service's running tasks
 *   (ECS's "service CPU utilization", CloudWatch metrics for ECS).
 */
import { readFileSync } from "fs";
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PUT_METRIC_DATA_MAX_DATUMS } from "../aws/api-limits";
import { ECS_METRICS, SQS_METRICS, ecsServiceDimensions } from "../aws/metrics";

export interface QueueReading {
    readonly visible: number;
    readonly inFlight: number;
    readonly oldestAgeSeconds: number;
}

/** Arrival times of what is in the queue (visible or in flight), oldest first, from counts sampled over time. */
export class AgeEstimate {
    private arrivals: { at: number; count: number }[] = [];
    private total = 0;

    update(now: number, total: number): number {
        if (total > this.total) this.arrivals.push({ at: now, count: total - this.total });
        let gone = this.total - total;
        while (gone > 0 && this.arrivals.length > 0) {
            const take = Math.min(gone, this.arrivals[0].count);
            this.arrivals[0].count -= take;
            gone -= take;
            if (this.arrivals[0].count === 0) this.arrivals.shift();
        }
        this.total = total;
        return this.arrivals.length > 0 ? Math.max(0, Math.round((now - this.arrivals[0].at) / 1000)) : 0;
    }
}

export interface QueueToWatch {
    readonly name: string;
    readonly url: string;
}

export async function readQueue(sqs: SQSClient, q: QueueToWatch, age: AgeEstimate, now: number): Promise<QueueReading> {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes ?? {};
    const visible = Number(a.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    return { visible, inFlight, oldestAgeSeconds: age.update(now, visible + inFlight) };
}

export function queueData(q: QueueToWatch, r: QueueReading, at: Date): MetricDatum[] {
    const dims = [{ Name: SQS_METRICS.queueDimension, Value: q.name }];
    return [
        { MetricName: SQS_METRICS.visible, Dimensions: dims, Value: r.visible, Unit: "Count", Timestamp: at },
        { MetricName: SQS_METRICS.notVisible, Dimensions: dims, Value: r.inFlight, Unit: "Count", Timestamp: at },
        { MetricName: SQS_METRICS.oldestAge, Dimensions: dims, Value: r.oldestAgeSeconds, Unit: "Seconds", Timestamp: at },
    ];
}

/** CPU seconds (user + system) and resident bytes of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after the command name (which may contain spaces) start at state, field 3.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[11]) + Number(fields[12]);
        const pages = Number(fields[21]);
        // Linux reports in clock ticks (USER_HZ, 100 on every mainstream kernel) and 4 KiB pages.
        return { cpuSeconds: ticks / 100, rssBytes: pages * 4096 };
    } catch {
        return undefined;
    }
}

export interface TaskUsageSample {
    readonly cpuPercent: number;
    readonly memoryPercent: number;
}

/** Per task: CPU percent of its cpu units since the last sample, memory percent of its MiB. */
export class TaskUsage {
    private last = new Map<number, { at: number; cpuSeconds: number }>();

    sample(pid: number, now: number, cpuUnits: number, memoryMiB: number): TaskUsageSample | undefined {
        const u = processUsage(pid);
        if (!u) return undefined;
        const before = this.last.get(pid);
        this.last.set(pid, { at: now, cpuSeconds: u.cpuSeconds });
        if (!before || now <= before.at) return undefined;
        const vcpus = cpuUnits / 1024;
        return {
            cpuPercent: Math.min(100, ((u.cpuSeconds - before.cpuSeconds) / ((now - before.at) / 1000) / vcpus) * 100),
            memoryPercent: Math.min(100, (u.rssBytes / (memoryMiB * 1024 * 1024)) * 100),
        };
    }
}

export function serviceUtilizationData(cluster: string, service: string, samples: readonly TaskUsageSample[], at: Date): MetricDatum[] {
    if (samples.length === 0) return [];
    const dims = Object.entries(ecsServiceDimensions(cluster, service)).map(([Name, Value]) => ({ Name, Value }));
    const avg = (f: (s: TaskUsageSample) => number) => samples.reduce((sum, s) => sum + f(s), 0) / samples.length;
    return [
        { MetricName: ECS_METRICS.cpu, Dimensions: dims, Value: avg((s) => s.cpuPercent), Unit: "Percent", Timestamp: at },
        { MetricName: ECS_METRICS.memory, Dimensions: dims, Value: avg((s) => s.memoryPercent), Unit: "Percent", Timestamp: at },
    ];
}

/** Writes `data` to one namespace, as many datums per call as PutMetricData takes. */
export async function publish(cloudwatch: CloudWatchClient, namespace: string, data: readonly MetricDatum[]): Promise<void> {
    for (let i = 0; i < data.length; i += PUT_METRIC_DATA_MAX_DATUMS) {
        await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + PUT_METRIC_DATA_MAX_DATUMS) }));
    }
}
