/**
 * The clients and naming the appliers share for one local endpoint: the runtime's own client factory
 * (region, endpoint, timeouts, uncompressed CloudWatch) with test credentials and the SDK's retries (a
 * busy machine can make one answer slow), and Pulumi-style auto-names that are stable for a stack.
 */
import { createHash } from "crypto";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import {
    createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createElbv2Client, createRdsClient, createSqsClient,
    type ClientOverrides,
} from "../../runtime/aws/clients";
import type { ApplyContext, EndpointClients } from "./applier";

/** moto's and LocalStack's account unless configured otherwise. */
export const LOCAL_ACCOUNT = "123456789012";

export function endpointOverrides(endpoint: string, region: string): ClientOverrides {
    return { region, endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 3, requestTimeoutMs: 10_000 };
}

export function endpointClients(endpoint: string, region: string): EndpointClients {
    const o = endpointOverrides(endpoint, region);
    return {
        ecs: createEcsClient(o), sqs: createSqsClient(o), cloudwatch: createCloudWatchClient(o),
        logs: new CloudWatchLogsClient({ region, endpoint, credentials: o.credentials, maxAttempts: 3 }),
        autoscaling: createApplicationAutoScalingClient(o), elbv2: createElbv2Client(o), rds: createRdsClient(o),
    };
}

export function closeClients(clients: EndpointClients): void {
    for (const c of Object.values(clients)) c.destroy();
}

export function applyContext(endpoint: string, region: string, stack: string, clients = endpointClients(endpoint, region)): ApplyContext {
    return {
        endpoint: { url: endpoint, region }, clients, account: LOCAL_ACCOUNT, region,
        // Pulumi appends 7 random hex digits; here they derive from stack and name, so a re-run names alike.
        autoName(logicalName, maxLength = 255) {
            const suffix = createHash("sha1").update(`${stack}/${logicalName}`).digest("hex").slice(0, 7);
            return `${logicalName.slice(0, Math.max(1, maxLength - 8))}-${suffix}`;
        },
    };
}
