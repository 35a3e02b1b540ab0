/**
 * The one factory for the AWS SDK v3 clients the runtime uses. Region and endpoint come from the
 * standard AWS_REGION and AWS_ENDPOINT_URL environment variables, which the SDK reads itself, so the
 * same code talks to AWS, LocalStack or moto; explicit overrides win over the environment.
 *
 * Every client has a connection timeout and a request timeout: without them one unanswered call
 * holds a tick (and a stop after SIGTERM) for as long as the socket stays open. Every client turns an
 * answer no AWS protocol parses (an HTML page) into one line naming the endpoint (endpoint-answer.ts).
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SQSClient } from "@aws-sdk/client-sqs";
import { endpointAnswerPlugin } from "./endpoint-answer";

/** Settings that replace what the SDK would read from the environment. */
export interface ClientOverrides {
    /** Region; default: AWS_REGION (read by the SDK). */
    readonly region?: string;
    /** Endpoint URL; default: AWS_ENDPOINT_URL (read by the SDK), else the AWS endpoint of the region. */
    readonly endpoint?: string;
    /** Credentials; default: the SDK's default provider chain (environment, ECS task role, ...). */
    readonly credentials?: ECSClientConfig["credentials"];
    /** Attempts per call including the first; default: AWS_MAX_ATTEMPTS, else the SDK's (3). */
    readonly maxAttempts?: number;
    /** Longest wait for a TCP (and TLS) connection, ms; default CONNECTION_TIMEOUT_MS. */
    readonly connectionTimeoutMs?: number;
    /** Longest wait for an answer once connected (socket idle), ms; default REQUEST_TIMEOUT_MS. */
    readonly requestTimeoutMs?: number;
}

/** Default connection timeout, ms: an AWS endpoint that accepts no connection in 3 s is unreachable. */
export const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * Default request timeout, ms. Every call the runtime makes is a small control-plane request that AWS
 * answers in well under a second; 5 s leaves room for a slow answer and still ends a tick that will
 * never be answered long before the next interval's worth of backoff.
 */
export const REQUEST_TIMEOUT_MS = 5_000;

export interface AwsClients {
    readonly ecs: ECSClient;
    readonly sqs: SQSClient;
    readonly cloudwatch: CloudWatchClient;
}

type BaseConfig = Pick<ECSClientConfig, "region" | "endpoint" | "credentials" | "maxAttempts" | "requestHandler">;

/** The timeouts, and only the other keys that are set, so that unset ones keep the SDK's own defaults. */
function baseConfig(o: ClientOverrides): BaseConfig {
    const config: { -readonly [K in keyof BaseConfig]: BaseConfig[K] } = {
        // The SDK builds its NodeHttpHandler from these options.
        requestHandler: {
            connectionTimeout: o.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
            requestTimeout: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
            // Without this the handler only prints a warning when the request timeout passes and keeps waiting.
            throwOnRequestTimeout: true,
        },
    };
    if (o.region !== undefined) config.region = o.region;
    if (o.endpoint !== undefined) config.endpoint = o.endpoint;
    if (o.credentials !== undefined) config.credentials = o.credentials;
    if (o.maxAttempts !== undefined) config.maxAttempts = o.maxAttempts;
    return config;
}

export function createEcsClient(overrides: ClientOverrides = {}): ECSClient {
    const client = new ECSClient(baseConfig(overrides));
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

export function createSqsClient(overrides: ClientOverrides = {}): SQSClient {
    const client = new SQSClient(baseConfig(overrides));
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

export function createApplicationAutoScalingClient(overrides: ClientOverrides = {}): ApplicationAutoScalingClient {
    const client = new ApplicationAutoScalingClient(baseConfig(overrides));
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

export function createElbv2Client(overrides: ClientOverrides = {}): ElasticLoadBalancingV2Client {
    const client = new ElasticLoadBalancingV2Client(baseConfig(overrides));
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

export function createRdsClient(overrides: ClientOverrides = {}): RDSClient {
    const client = new RDSClient(baseConfig(overrides));
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

/**
 * CloudWatch client with request compression disabled: moto rejects compressed PutMetricData bodies,
 * and metric batches here are small enough that compression gains nothing.
 */
export function createCloudWatchClient(overrides: ClientOverrides = {}): CloudWatchClient {
    const client = new CloudWatchClient({ ...baseConfig(overrides), disableRequestCompression: true });
    client.middlewareStack.use(endpointAnswerPlugin());
    return client;
}

/** All three clients with the same overrides. */
export function createAwsClients(overrides: ClientOverrides = {}): AwsClients {
    return {
        ecs: createEcsClient(overrides),
        sqs: createSqsClient(overrides),
        cloudwatch: createCloudWatchClient(overrides),
    };
}
