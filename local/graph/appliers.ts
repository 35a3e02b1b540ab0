/**
 * The registry: which resource types the local stack creates in the endpoint (one applier each), and
 * which it leaves out, with why. A type in neither list stops `autoscale up` before anything is created.
 */
import type { Applier } from "./applier";
import { DATA_APPLIERS } from "./appliers-data";
import { EC2_APPLIERS } from "./appliers-ec2";
import { ECS_APPLIERS } from "./appliers-ecs";
import { ELBV2_APPLIERS } from "./appliers-elbv2";
import { SIGNED_APPLIERS } from "./appliers-signed";

export const APPLIERS: Readonly<Record<string, Applier>> = {
    ...EC2_APPLIERS, ...ECS_APPLIERS, ...DATA_APPLIERS, ...ELBV2_APPLIERS, ...SIGNED_APPLIERS,
};

const ACCESS_LOGS = "the ALB's access-log bucket: the local load balancer (a proxy on a loopback port) writes no access logs, so the bucket and its settings are left out";

/** Types the endpoint is not asked to hold, and why. docs/local.md lists the same. */
export const NOT_HELD: Readonly<Record<string, string>> = {
    "docker-build:index:Image": "building the project image needs Docker; locally its tasks run the project's own `autoscale` bundle as processes instead",
    "aws:s3/bucket:Bucket": ACCESS_LOGS,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ACCESS_LOGS,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ACCESS_LOGS,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ACCESS_LOGS,
    "aws:s3/bucketPolicy:BucketPolicy": ACCESS_LOGS,
};

/**
 * Resources of a held type the endpoint still cannot take, and why: moto's PutScalingPolicy accepts
 * StepScaling and TargetTrackingScaling only (docs/local.md), so a predictive policy is left out;
 * `autoscale simulate` runs its forecast instead.
 */
export function notHeldReason(type: string, inputs: Record<string, any>): string | undefined {
    if (type === "aws:appautoscaling/policy:Policy" && inputs.policyType === "PredictiveScaling") {
        return "a predictive scaling policy: the local endpoint (moto) refuses PutScalingPolicy with PolicyType PredictiveScaling and makes no forecast; `autoscale simulate --compare` runs it";
    }
    return APPLIERS[type] ? undefined : NOT_HELD[type] ?? `no applier for ${type}`;
}

/** A custom resource type is "supported" when it has an applier. */
export function isSupported(type: string): boolean {
    return APPLIERS[type] !== undefined;
}
