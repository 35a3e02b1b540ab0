/** What one side (base or head) of `autoscale diff` yields for one stack. */
import type { AutoscalerConfig } from "../config/load";
import type { ServiceScalingPlan } from "../scaling/plan";

export interface GraphResource {
    readonly urn: string;
    readonly type: string;
    /** The inputs as registered, as plain JSON (assets as content hashes). */
    readonly inputs: Record<string, unknown>;
    /** The resource's `ignoreChanges` option: inputs whose changes Pulumi does not apply to it. */
    readonly ignoreChanges?: readonly string[];
}

export interface SnapshotService {
    readonly key: string;
    readonly name: string;
    readonly consumesQueue: string | null;
    readonly scaledBy: "applicationAutoScaling" | "queueAutoscaler";
    readonly plan: ServiceScalingPlan;
}

export type SideSnapshot =
    /** The checkout has no Pulumi.<stack>.yaml. */
    | { readonly kind: "absent" }
    /** The stack file or the program refused the config; the problems as the program reports them. */
    | { readonly kind: "invalid"; readonly problems: readonly string[] }
    | {
        readonly kind: "graph";
        readonly resources: readonly GraphResource[];
        readonly services: readonly SnapshotService[];
        /** The stack's `autoscaler` config (plain data), which decides for the service the queue autoscaler owns. */
        readonly autoscaler: AutoscalerConfig;
    };
