/**
 * ServiceScaling's scheduled actions under Pulumi mocks: each of the plan's schedules becomes one
 * aws.appautoscaling.ScheduledAction on the service's scalable target, with exactly the PutScheduledAction
 * inputs AWS documents (name, namespace, resource id and dimension of the target, schedule, time zone,
 * ScalableTargetAction, start and end), each after the one before it.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { allRegistered, named, ofType, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";
import { loadStackConfig } from "../../config/load";
import { ServiceScaling } from "../../components/service-scaling";
import type { ServiceScalingPlan } from "../../scaling/plan";

const SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction";
const CLUSTER = "ecs-autoscaling-staging";
const onTarget = (service: string) => ({ serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: `service/${CLUSTER}/${service}` });

describe("ServiceScaling: scheduled actions", () => {
    const constructed: pulumi.ResourceTransformationArgs[] = [];
    let staging: ServiceScaling;
    let custom: ServiceScaling;

    before(async () => {
        setupMocks("ecs-autoscaling", "staging");
        const api = loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" }).services.api;
        staging = new ServiceScaling("api-scaling", {
            service: { clusterName: CLUSTER, serviceName: api.name }, physicalName: api.name, plan: { ...api.plan, policies: [] },
        });
        const plan: ServiceScalingPlan = {
            service: "batch", minCapacity: 0, maxCapacity: 20, policies: [],
            scheduledActions: [{
                name: "nightly", schedule: "cron(30 1 * * ? *)", timezone: "America/New_York", minCapacity: 5, maxCapacity: 12,
                startTime: "2026-01-05T00:00:00Z", endTime: "2026-12-31T00:00:00Z",
            }, { name: "release", schedule: "at(2026-06-01T06:00:00)", timezone: "UTC", maxCapacity: 0 }],
        };
        custom = new ServiceScaling("batch-scaling", { service: { clusterName: CLUSTER, serviceName: "ecs-autoscaling-staging-batch" }, physicalName: "ecs-autoscaling-staging-batch", plan }, {
            transformations: [(a) => { constructed.push(a); return undefined; }],
        });
        await allRegistered();
    });

    it("staging's api: office hours as two scheduled actions in Europe/London on its scalable target", () => {
        expect(Object.keys(staging.scheduledActions)).to.deep.equal(["office-hours-start", "office-hours-end"]);
        expect(named(SCHEDULED_ACTION, "api-scaling-office-hours-start").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-api-office-hours-start", ...onTarget("ecs-autoscaling-staging-api"),
            schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", scalableTargetAction: { minCapacity: 4 },
        });
        expect(named(SCHEDULED_ACTION, "api-scaling-office-hours-end").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-api-office-hours-end", ...onTarget("ecs-autoscaling-staging-api"),
            schedule: "cron(0 19 ? * MON-FRI *)", timezone: "Europe/London", scalableTargetAction: { minCapacity: 2 },
        });
    });

    it("min and max, start and end pass through exactly; a lone max sets max only", () => {
        expect(named(SCHEDULED_ACTION, "batch-scaling-nightly").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-batch-nightly", ...onTarget("ecs-autoscaling-staging-batch"),
            schedule: "cron(30 1 * * ? *)", timezone: "America/New_York", scalableTargetAction: { minCapacity: 5, maxCapacity: 12 },
            startTime: "2026-01-05T00:00:00Z", endTime: "2026-12-31T00:00:00Z",
        });
        expect(named(SCHEDULED_ACTION, "batch-scaling-release").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-batch-release", ...onTarget("ecs-autoscaling-staging-batch"),
            schedule: "at(2026-06-01T06:00:00)", timezone: "UTC", scalableTargetAction: { maxCapacity: 0 },
        });
        expect(ofType(SCHEDULED_ACTION).map((r) => r.name)).to.have.members(["api-scaling-office-hours-start", "api-scaling-office-hours-end", "batch-scaling-nightly", "batch-scaling-release"]);
    });

    it("each action depends on the one before (the first on the target), is a child of the component and is deleted before it is replaced", () => {
        const nightly = constructed.find((c) => c.name === "batch-scaling-nightly")!;
        const release = constructed.find((c) => c.name === "batch-scaling-release")!;
        expect(nightly.opts.dependsOn).to.deep.equal([custom.target]);
        expect(release.opts.dependsOn).to.deep.equal([custom.scheduledActions.nightly]);
        for (const c of [nightly, release]) {
            expect(c.opts.parent).to.equal(custom);
            expect((c.opts as pulumi.CustomResourceOptions).deleteBeforeReplace).to.equal(true);
        }
    });
});
