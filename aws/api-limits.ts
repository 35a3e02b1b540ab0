/**
 * Documented AWS API limits and behaviours the queue autoscaler paces itself by. Each value cites the
 * page it comes from; nothing here imports anything of ours.
 */

/**
 * DescribeServices takes at most 10 services per call ("services: A list of services to describe.
 * You may specify up to 10 services to describe in a single operation"; ECS API Reference,
 * DescribeServices).
 */
export const DESCRIBE_SERVICES_MAX_PER_CALL = 10;

/**
 * ECS throttles per account and Region with token buckets ("Request throttling for the Amazon ECS
 * API", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html):
 * service read actions (DescribeServices, ListServices) have a bucket of 100 and refill 20 per
 * second; service modification actions (CreateService, UpdateService, DeleteService) a bucket of 50
 * and refill 5 per second. The refill rate is the sustained rate.
 */
export const ECS_SERVICE_READ_LIMIT = { burst: 100, perSecond: 20 } as const;
export const ECS_SERVICE_WRITE_LIMIT = { burst: 50, perSecond: 5 } as const;

/**
 * SQS documents no request-rate quota for GetQueueAttributes: standard queues "support a nearly
 * unlimited number of API calls per second, per API action" (Amazon SQS Developer Guide, "Amazon SQS
 * standard queues"). The value is the rate the autoscaler holds itself to instead.
 */
export const SQS_ATTRIBUTE_READS_PER_SECOND = 200;

/**
 * CloudWatch GetMetricData: 50 transactions per second per account and Region (Amazon CloudWatch
 * User Guide, "CloudWatch service quotas").
 */
export const CLOUDWATCH_GET_METRIC_DATA_PER_SECOND = 50;

/**
 * How long ECS itself waits for a service deployment to settle before it calls it stuck: the
 * `services-stable` waiter polls DescribeServices every 15 seconds and gives up after 40 failed
 * checks (AWS CLI reference, `aws ecs wait services-stable`), i.e. 600 s.
 */
export const SERVICES_STABLE_WAITER_MS = 15_000 * 40;

/** The stop timeout ECS gives a task between SIGTERM and SIGKILL by default, 30 s (ECS task definition parameters, stopTimeout). */
export const ECS_DEFAULT_STOP_TIMEOUT_MS = 30_000;

/** PutMetricData takes at most 1,000 metrics per request (CloudWatch API Reference, PutMetricData, MetricData). */
export const PUT_METRIC_DATA_MAX_DATUMS = 1000;

/** DescribeAlarms takes at most 100 alarm names per request (CloudWatch API Reference, DescribeAlarms, AlarmNames). */
export const DESCRIBE_ALARMS_MAX_NAMES = 100;

/**
 * One GetMetricData request takes at most 500 MetricDataQuery structures (CloudWatch API Reference,
 * GetMetricData, MetricDataQueries).
 */
export const GET_METRIC_DATA_MAX_QUERIES = 500;

/**
 * How long SQS may take to apply a queue attribute change such as a new policy: "When you change a
 * queue's attributes, the change can take up to 60 seconds for most of the attributes to propagate
 * throughout the Amazon SQS system" (Amazon SQS API Reference, SetQueueAttributes).
 */
export const SQS_ATTRIBUTE_PROPAGATION_SECONDS = 60;

/**
 * The shortest partition (an expiring Deny in the queue policy) that denies anything: the Deny may
 * take SQS_ATTRIBUTE_PROPAGATION_SECONDS to apply, and its removal as long again; 120 s leaves at
 * least one propagation time of real denial.
 */
export const MIN_PARTITION_SECONDS = 2 * SQS_ATTRIBUTE_PROPAGATION_SECONDS;
