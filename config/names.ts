/**
 * Physical names of the stack's named resources. They are fixed at config time (not left to Pulumi's
 * random suffixes) so the metric series, dashboards and the autoscaler can name them as plain data.
 */
export interface QueueNames {
    readonly queue: string;
    readonly deadLetterQueue: string;
}

export interface ResourceNames {
    readonly prefix: string;
    readonly cluster: string;
    readonly services: Readonly<Record<string, string>>;
    /** Per key under `queues`: `<prefix>-<key>` and `<prefix>-<key>-dlq`. */
    readonly queues: Readonly<Record<string, QueueNames>>;
    readonly dashboard: string;
    readonly alertsTopic: string;
    readonly autoscalerService: string;
}

export function resourceNames(prefix: string, services: readonly string[], queues: readonly string[]): ResourceNames {
    return {
        prefix,
        cluster: prefix,
        services: Object.fromEntries(services.map((s) => [s, `${prefix}-${s}`])),
        queues: Object.fromEntries(queues.map((q) => [q, { queue: `${prefix}-${q}`, deadLetterQueue: `${prefix}-${q}-dlq` }])),
        dashboard: `${prefix}-autoscaling`,
        alertsTopic: `${prefix}-alerts`,
        autoscalerService: `${prefix}-queue-autoscaler`,
    };
}
