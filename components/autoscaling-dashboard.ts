/**
 * A CloudWatch dashboard that shows whether the stack scales as planned: tasks running against
 * desired, each service's utilization against its targets, the watched queue against every step bound,
 * and what the cluster has reserved. The body is built by dashboard-body.ts from the scaling plans.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DASHBOARD_NAME_PATTERN, DASHBOARD_NAME_RULE } from "../aws/names";
import { dashboardBody, type DashboardService } from "./dashboard-body";
import { throwIfAny } from "./input-errors";

export interface AutoscalingDashboardArgs {
    /** Physical dashboard name (`names.dashboard`): letters, digits, `-` and `_`, at most 255 characters. Required. */
    readonly dashboardName: string;
    /** Region whose metrics the widgets read (a dashboard is global, its widgets are not). Required. */
    readonly region: pulumi.Input<string>;
    /** Physical cluster name, the ClusterName dimension. Undefined when the stack creates no cluster (no cluster widget). */
    readonly clusterName?: string;
    /** Services to draw, in this order, each with its scaling plan. Required; may be empty. */
    readonly services: readonly DashboardService[];
    /** The stack's queues, key -> physical name: each consumer's queue is drawn beside its tasks. Defaults to none. */
    readonly queues?: Readonly<Record<string, string>>;
}

export class AutoscalingDashboard extends pulumi.ComponentResource {
    readonly dashboard: aws.cloudwatch.Dashboard;
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: AutoscalingDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:monitoring:AutoscalingDashboard", name, {}, opts);
        // Config checks names.dashboard with the same rule; this catches only a caller that passes a name by hand.
        if (!DASHBOARD_NAME_PATTERN.test(args.dashboardName)) {
            throwIfAny("AutoscalingDashboard", [{ propertyPath: "dashboardName", reason: `${JSON.stringify(args.dashboardName)} ${DASHBOARD_NAME_RULE}` }]);
        }

        this.dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName: args.dashboardName,
            dashboardBody: pulumi.output(args.region).apply((region) => JSON.stringify(dashboardBody({
                region,
                clusterName: args.clusterName,
                services: args.services,
                queues: args.queues,
            }))),
        }, { parent: this });

        this.dashboardName = this.dashboard.dashboardName;
        this.registerOutputs({ dashboardName: this.dashboardName });
    }
}
