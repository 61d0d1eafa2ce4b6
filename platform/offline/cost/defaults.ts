/**
 * Usage assumptions: what the estimate cannot read from the program (requests, GB, messages per
 * month). Each stack may override them in `cost/usage.<stack>.yaml`, in the spirit of Infracost's
 * usage file; what the file leaves out keeps these defaults, and the report prints which applied.
 * The file is validated like stack config: a misspelt key or a negative figure is an error that
 * names the key.
 */
export const DEFAULT_USAGE = {
    /** GB per month through each NAT gateway or NAT instance (image pulls not served by endpoints, egress). */
    natGbPerMonth: 20,
    /** Average load balancer capacity units per hour, per load balancer. */
    lcuPerHour: 0.2,
    /** Requests per month to each Lambda function. */
    lambdaRequestsPerFunction: 100_000,
    /** Average Lambda duration in milliseconds. */
    lambdaAverageMs: 300,
    /** Requests per month to each REST API stage. */
    apiRequestsPerApi: 100_000,
    /** Requests per month (send, receive, delete) per SQS queue. */
    sqsRequestsPerQueue: 300_000,
    /** Publishes per month per SNS topic. */
    snsPublishesPerTopic: 10_000,
    /** Per on-demand DynamoDB table: write and read request units per month, and GB stored. */
    dynamodbWritesPerTable: 100_000,
    dynamodbReadsPerTable: 300_000,
    dynamodbGbPerTable: 1,
    /** GB stored per S3 bucket. */
    s3GbPerBucket: 5,
    /** GB of logs ingested per month per log group, and GB kept. */
    logsIngestGbPerGroup: 0.5,
    logsStoredGbPerGroup: 1,
    /** State transitions per month per Standard state machine; requests per Express one. */
    sfnTransitionsPerStandardMachine: 50_000,
    sfnRequestsPerExpressMachine: 100_000,
    /** Custom events published per month per event bus. */
    eventsPerBus: 100_000,
    /** GB of data in per month per Kinesis stream. */
    kinesisGbInPerStream: 1,
    /** GB of images stored per ECR repository. */
    ecrGbPerRepository: 2,
    /** Task-hours per month per scheduled ECS job. */
    jobTaskHoursPerJob: 3,
    /** Task-hours per month of a workflow's ECS tasks (the batch map's ECS processor: items x minutes each, a minute at least). */
    workflowTaskHoursPerTaskDefinition: 5,
    /** Requests per month inspected per WAF web ACL. */
    wafRequestsPerAcl: 100_000,
    /** KMS requests per month per key (most services cache data keys). */
    kmsRequestsPerKey: 20_000,
} as const;

export type Usage = { -readonly [K in keyof typeof DEFAULT_USAGE]: number };
