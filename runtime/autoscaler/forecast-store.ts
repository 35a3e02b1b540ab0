/**
 * Where the arrival profile lives between tasks: every tick's work arriving, in tasks, goes out in the
 * tick's CloudWatch EMF record (metric ArrivalTasks, dimension Service, scaling/autoscaler-metrics.ts), so a
 * task that starts reads the last FORECAST_HISTORY_DAYS days back with GetMetricData, one Average per
 * slot, and folds them in order (forecast.ts): the profile it had, without a store of its own.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { GET_METRIC_DATA_MAX_QUERIES } from "../../aws/api-limits";
import { FORECAST_HISTORY_DAYS } from "../../scaling/autoscaler-controls";
import { autoscalerSeries } from "../../scaling/autoscaler-metrics";
import { apiCall } from "../aws/call";
import { cloudWatchDimensions } from "../aws/cloudwatch";
import { DAY_SECONDS, profileFromSlots, type ArrivalProfile, type ClosedSlot, type ForecastSettings } from "./forecast";
import { chunks } from "./pacing";

/** The GetMetricData queries of one slot length: each service's ArrivalTasks, Average per slot. */
export function arrivalHistoryQueries(services: readonly string[], slotSeconds: number): MetricDataQuery[] {
    return services.map((service, i) => {
        const series = autoscalerSeries(service, "ArrivalTasks");
        return {
            Id: `s${i}`,
            ReturnData: true,
            MetricStat: {
                Metric: { Namespace: series.namespace, MetricName: series.metricName, Dimensions: cloudWatchDimensions(series) },
                Period: slotSeconds,
                Stat: series.statistic,
            },
        };
    });
}

/**
 * The arrival profile of every service whose forecast is enabled, from the slots that ended before
 * `now` within the history: a service with no data gets an empty profile. Throws ApiCallError when
 * CloudWatch cannot be read (the caller starts from empty profiles then).
 */
export async function readArrivalProfiles(cloudwatch: CloudWatchClient, services: readonly { readonly service: string; readonly forecast: ForecastSettings }[], now: number, signal?: AbortSignal): Promise<Map<string, ArrivalProfile>> {
    const out = new Map<string, ArrivalProfile>();
    const bySlot = new Map<number, { service: string; forecast: ForecastSettings }[]>();
    for (const s of services) bySlot.set(s.forecast.slotSeconds, [...(bySlot.get(s.forecast.slotSeconds) ?? []), s]);
    for (const [slotSeconds, group] of bySlot) {
        const slotMs = slotSeconds * 1000;
        // Whole slots only: the one in progress is learned again by the new task.
        const end = Math.floor(now / slotMs) * slotMs;
        const start = end - FORECAST_HISTORY_DAYS * DAY_SECONDS * 1000;
        for (const batch of chunks(group, GET_METRIC_DATA_MAX_QUERIES)) {
            const slots = batch.map((): ClosedSlot[] => []);
            let token: string | undefined;
            do {
                const answer = await apiCall("GetMetricData", () => cloudwatch.send(new GetMetricDataCommand({
                    StartTime: new Date(start),
                    EndTime: new Date(end),
                    ScanBy: "TimestampAscending",
                    MetricDataQueries: arrivalHistoryQueries(batch.map((s) => s.service), slotSeconds),
                    ...(token ? { NextToken: token } : {}),
                }), { abortSignal: signal }));
                for (const r of answer.MetricDataResults ?? []) {
                    const into = slots[Number(r.Id?.slice(1))];
                    const stamps = r.Timestamps ?? [];
                    (r.Values ?? []).forEach((rate, i) => {
                        const at = stamps[i]?.getTime();
                        if (into && at !== undefined && at >= start && at < end) into.push({ start: at, rate });
                    });
                }
                token = answer.NextToken;
            } while (token);
            batch.forEach((s, i) => out.set(s.service, profileFromSlots(slots[i]!, s.forecast)));
        }
    }
    return out;
}
