/**
 * The one factory for the AWS SDK v3 clients the runtime uses. Region and endpoint come from the
 * standard AWS_REGION and AWS_ENDPOINT_URL environment variables, which the SDK reads itself, so the
 * same code talks to AWS, LocalStack or moto; explicit overrides win over the environment.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";

/** Settings that replace what the SDK would read from the environment. */
export interface ClientOverrides {
    /** Region; default: AWS_REGION (read by the SDK). */
    readonly region?: string;
    /** Endpoint URL; default: AWS_ENDPOINT_URL (read by the SDK), else the AWS endpoint of the region. */
    readonly endpoint?: string;
    /** Credentials; default: the SDK's default provider chain (environment, ECS task role, ...). */
    readonly credentials?: ECSClientConfig["credentials"];
    /** Attempts per call including the first; default: the SDK's (3). */
    readonly maxAttempts?: number;
}

export interface AwsClients {
    readonly ecs: ECSClient;
    readonly sqs: SQSClient;
    readonly cloudwatch: CloudWatchClient;
}

/** Only the keys that are set, so that unset ones keep the SDK's own defaults. */
function baseConfig(o: ClientOverrides): ClientOverrides {
    const config: { -readonly [K in keyof ClientOverrides]: ClientOverrides[K] } = {};
    if (o.region !== undefined) config.region = o.region;
    if (o.endpoint !== undefined) config.endpoint = o.endpoint;
    if (o.credentials !== undefined) config.credentials = o.credentials;
    if (o.maxAttempts !== undefined) config.maxAttempts = o.maxAttempts;
    return config;
}

export function createEcsClient(overrides: ClientOverrides = {}): ECSClient {
    return new ECSClient(baseConfig(overrides));
}

export function createSqsClient(overrides: ClientOverrides = {}): SQSClient {
    return new SQSClient(baseConfig(overrides));
}

export function createApplicationAutoScalingClient(overrides: ClientOverrides = {}): ApplicationAutoScalingClient {
    return new ApplicationAutoScalingClient(baseConfig(overrides));
}

/**
 * CloudWatch client with request compression disabled: moto rejects compressed PutMetricData bodies,
 * and metric batches here are small enough that compression gains nothing.
 */
export function createCloudWatchClient(overrides: ClientOverrides = {}): CloudWatchClient {
    return new CloudWatchClient({ ...baseConfig(overrides), disableRequestCompression: true });
}

/** All three clients with the same overrides. */
export function createAwsClients(overrides: ClientOverrides = {}): AwsClients {
    return {
        ecs: createEcsClient(overrides),
        sqs: createSqsClient(overrides),
        cloudwatch: createCloudWatchClient(overrides),
    };
}
