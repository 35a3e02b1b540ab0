/**
 * RabbitMQ queue source: message and consumer counts of one named queue (AMQP queue.declare with
 * passive=true, which amqplib calls `checkQueue`), and the depth published to CloudWatch as the
 * series `rabbitmqQueueDepthSeries(queue)`, so that step-scaling alarms can watch a RabbitMQ queue as
 * they watch an SQS one.
 */
import { PutMetricDataCommand, type CloudWatchClient, type StandardUnit } from "@aws-sdk/client-cloudwatch";
import * as amqp from "amqplib";
import { rabbitmqQueueDepthSeries } from "../../../scaling/metric-series";
import { apiCall, ApiCallError, type ApiErrorListener } from "../../aws/call";
import { cloudWatchDimensions } from "../../aws/cloudwatch";
export { redactUrl } from "../../aws/logger";
import type { QueueObservation, QueueSource } from "../types";

/** What the source needs of an AMQP channel: amqplib's `Channel` satisfies it. */
export type RabbitMqChannel = Pick<amqp.Channel, "checkQueue">;

/** A channel the source opened itself, which it watches for errors and closes. */
export interface OwnedRabbitMqChannel extends RabbitMqChannel {
    close(): Promise<void>;
    on(event: "error" | "close", listener: (...args: any[]) => void): unknown;
}

/** What the source needs of an AMQP connection: amqplib's `ChannelModel` satisfies it. */
export interface RabbitMqConnection {
    createChannel(): Promise<OwnedRabbitMqChannel>;
    close(): Promise<void>;
    on(event: "error" | "close", listener: (...args: any[]) => void): unknown;
}

export interface RabbitMqQueueSourceOptions {
    /** The queue to watch; it must exist (checking a missing queue fails the observation). */
    readonly queueName: string;
    /**
     * amqp:// or amqps:// URL. The source connects on the first observation, owns the connection,
     * reconnects after a failure and closes it in close(). Give either url or channel.
     */
    readonly url?: string;
    /** An open channel owned by the caller (who also closes it); used as is. Give either url or channel. */
    readonly channel?: RabbitMqChannel;
    /** Opens a connection for `url`; default amqplib's `connect`. */
    readonly connect?: (url: string) => Promise<RabbitMqConnection>;
    /** Publishes the depth to CloudWatch; without it nothing is published. */
    readonly cloudwatch?: CloudWatchClient;
    /** Epoch milliseconds; default Date.now. */
    readonly clock?: () => number;
    /**
     * Told about a failed PutMetricData. The observation still succeeds: the counts drive this
     * autoscaler whether or not CloudWatch took the data point.
     */
    readonly onAuxiliaryError?: ApiErrorListener;
}


/**
 * Watches one RabbitMQ queue.
 *
 * `observe()` calls `checkQueue(queueName)`: `visible` is the ready-message count, `consumers` the
 * consumer count; `inFlight` and `delayed` are 0 (the broker does not report unacknowledged messages
 * through this call). With a CloudWatch client it then sends PutMetricData: Namespace, MetricName and
 * Dimensions from `rabbitmqQueueDepthSeries(queueName)`, Value = visible, Unit "Count", Timestamp =
 * the observation time. A failed check rejects with an {@link ApiCallError} (operation "checkQueue";
 * "connect" / "createChannel" when the source could not open them).
 */
export class RabbitMqQueueSource implements QueueSource {
    readonly kind = "rabbitmq" as const;
    readonly queueName: string;
    private readonly url?: string;
    private readonly injected?: RabbitMqChannel;
    private readonly connectTo: (url: string) => Promise<RabbitMqConnection>;
    private readonly cloudwatch?: CloudWatchClient;
    private readonly clock: () => number;
    private readonly onAuxiliaryError?: ApiErrorListener;
    private connection?: RabbitMqConnection;
    private channel?: OwnedRabbitMqChannel;
    private closed = false;

    constructor(options: RabbitMqQueueSourceOptions) {
        if ((options.url === undefined) === (options.channel === undefined)) {
            throw new Error("RabbitMqQueueSource needs exactly one of url or channel");
        }
        if (!options.queueName) throw new Error("RabbitMqQueueSource needs a queueName");
        this.queueName = options.queueName;
        this.url = options.url;
        this.injected = options.channel;
        this.connectTo = options.connect ?? ((url) => amqp.connect(url));
        this.cloudwatch = options.cloudwatch;
        this.clock = options.clock ?? Date.now;
        this.onAuxiliaryError = options.onAuxiliaryError;
    }

    async observe(): Promise<QueueObservation> {
        if (this.closed) throw new Error(`RabbitMQ source for queue "${this.queueName}" is closed`);
        const channel = this.injected ?? await this.ownedChannel();
        let reply: amqp.Replies.AssertQueue;
        try {
            reply = await apiCall("checkQueue", () => channel.checkQueue(this.queueName));
        } catch (error) {
            // The broker closes a channel on a failed check (e.g. 404 for a missing queue): open a new
            // one next time.
            if (channel === this.channel) await this.dropChannel();
            throw error;
        }
        const observedAt = this.clock();
        const observation: QueueObservation = {
            visible: reply.messageCount,
            inFlight: 0,
            delayed: 0,
            consumers: reply.consumerCount,
            observedAt,
        };
        await this.publishDepth(observation.visible, observedAt);
        return observation;
    }

    /** Sends the depth as one data point of `rabbitmqQueueDepthSeries(queueName)`. */
    private async publishDepth(depth: number, at: number): Promise<void> {
        const cloudwatch = this.cloudwatch;
        if (!cloudwatch) return;
        const series = rabbitmqQueueDepthSeries(this.queueName);
        try {
            await apiCall("PutMetricData", () => cloudwatch.send(new PutMetricDataCommand({
                Namespace: series.namespace,
                MetricData: [{
                    MetricName: series.metricName,
                    Dimensions: cloudWatchDimensions(series),
                    Value: depth,
                    Unit: series.unit as StandardUnit,
                    Timestamp: new Date(at),
                }],
            })));
        } catch (error) {
            if (!(error instanceof ApiCallError)) throw error;
            this.onAuxiliaryError?.(error);
        }
    }

    private async ownedChannel(): Promise<OwnedRabbitMqChannel> {
        if (this.channel) return this.channel;
        if (!this.connection) {
            const url = this.url!;
            const connection = await apiCall("connect", () => this.connectTo(url));
            // Without an 'error' listener a broken connection would throw out of amqplib's socket
            // handler and end the process; here it only means "reconnect on the next observation".
            connection.on("error", () => undefined);
            connection.on("close", () => {
                if (this.connection === connection) {
                    this.connection = undefined;
                    this.channel = undefined;
                }
            });
            this.connection = connection;
        }
        const connection = this.connection;
        let channel: OwnedRabbitMqChannel;
        try {
            channel = await apiCall("createChannel", () => connection.createChannel());
        } catch (error) {
            await this.dropConnection();
            throw error;
        }
        channel.on("error", () => undefined);
        channel.on("close", () => {
            if (this.channel === channel) this.channel = undefined;
        });
        this.channel = channel;
        return channel;
    }

    private async dropChannel(): Promise<void> {
        const channel = this.channel;
        this.channel = undefined;
        // Closing a channel the broker already closed rejects; either way it is gone.
        await channel?.close().catch(() => undefined);
    }

    private async dropConnection(): Promise<void> {
        const connection = this.connection;
        this.connection = undefined;
        this.channel = undefined;
        await connection?.close().catch(() => undefined);
    }

    /** Closes the channel and connection the source opened; an injected channel stays open. */
    async close(): Promise<void> {
        this.closed = true;
        await this.dropChannel();
        await this.dropConnection();
    }
}
