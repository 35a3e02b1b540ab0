/**
 * The failure simulations' test harness: stubbed ECS and SQS clients (aws-sdk-client-mock) for the
 * worker service `main/worker` and the queue `work`, a fake clock, a service whose running count follows
 * its desired count unless a test says otherwise, and the AWS calls recorded as the failure-simulation
 * principal's (tests/helpers/aws-call-recorder.ts). Call it inside a describe block.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import type { ChaosOptions, ChaosTarget } from "../../../runtime/autoscaler/chaos";
import { CLIENT_CONFIG, fakeTime, type FakeTime } from "../support";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

export const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
export const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:work";
export const ROLE = "arn:aws:iam::123456789012:role/demo-worker-task";
export const taskArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/main/${id}`;

/** The worker service's counts as DescribeServices reports them. */
export interface ServiceCounts {
    desired: number;
    running: number;
}

/** How DescribeServices moves running after each read. */
export type CountStep = (s: ServiceCounts) => void;

/** What each test starts from: the clock, the service at 3 of 3 tasks, running following desired at once. */
export interface ChaosState {
    readonly t: FakeTime;
    readonly svc: ServiceCounts;
    readonly step: CountStep;
}

/**
 * How a test file sees the state: `reset` hands it each test's fresh state; `current`, when the file
 * replaces the service or its step during a test, lets the stubbed ECS read the file's own.
 */
export interface ChaosBinding {
    readonly reset: (fresh: ChaosState) => void;
    readonly current?: () => ChaosState;
}

export function chaosHarness(testFile: string, binding: ChaosBinding) {
    recordAwsCalls(testFile, "autoscaler-failure-simulation", { cluster: "main", service: "worker", queue: "work" });
    const ecs = new ECSClient(CLIENT_CONFIG);
    const sqs = new SQSClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    const sqsMock = mockClient(sqs);
    const target: ChaosTarget = { ecs, sqs, cluster: "main", service: "worker", queueUrl: QUEUE_URL, workerRoleArn: ROLE };
    let own: ChaosState;
    const state = (): ChaosState => binding.current?.() ?? own;

    function mockEcs(): void {
        ecsMock.on(DescribeServicesCommand).callsFake(() => {
            const { svc, step } = state();
            const answer = { services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] };
            step(svc);
            return answer;
        });
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            state().svc.desired = input.desiredCount!;
            return {};
        });
    }

    const options = (extra: Partial<ChaosOptions> = {}): ChaosOptions => ({
        allowed: true, clock: state().t.now, sleep: state().t.sleep, pollIntervalMs: 5_000, recoveryTimeoutMs: 20_000, drainTimeoutMs: 30_000, partitionDurationMs: 60_000, ...extra,
    });

    /** Runs `run` while advancing fake time in steps until it settles. */
    async function drive<T>(run: Promise<T>, stepMs = 1_000, limitMs = 600_000): Promise<T> {
        const t = state().t;
        let done = false;
        const result = run.finally(() => (done = true));
        for (let waited = 0; !done && waited <= limitMs; waited += stepMs) {
            await t.settle();
            if (!done) await t.advance(stepMs);
        }
        return result;
    }

    beforeEach(() => {
        own = {
            t: fakeTime(5_000_000),
            svc: { desired: 3, running: 3 },
            step: (s) => {
                s.running = s.desired;
            },
        };
        binding.reset(own);
        mockEcs();
    });
    afterEach(() => {
        ecsMock.reset();
        sqsMock.reset();
    });

    return { ecs, sqs, ecsMock, sqsMock, target, options, drive };
}
