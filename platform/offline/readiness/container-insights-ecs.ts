/**
 * What Container Insights publishes for ECS under the `ECS/ContainerInsights` namespace, which
 * @aws-cdk/aws-service-spec does not cover: each metric and the dimension sets it is published
 * with, for the cluster, service and task-definition-family levels that Fargate tasks produce
 * (the EC2 `instance_*` metrics are left out: this platform runs ECS on Fargate only). Transcribed
 * from https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html;
 * re-read it when adding an alarm or graph on another Container Insights metric.
 */
export const CONTAINER_INSIGHTS_ECS: { metrics: string[]; dimensions: string[][] }[] = [
    {
        metrics: ["CpuReserved", "CpuUtilized", "MemoryReserved", "MemoryUtilized", "NetworkRxBytes", "NetworkTxBytes", "StorageReadBytes", "StorageWriteBytes"],
        dimensions: [["ClusterName"], ["ClusterName", "ServiceName"], ["ClusterName", "TaskDefinitionFamily"]],
    },
    { metrics: ["DeploymentCount", "DesiredTaskCount", "PendingTaskCount", "RunningTaskCount", "TaskSetCount"], dimensions: [["ClusterName", "ServiceName"]] },
    { metrics: ["ContainerInstanceCount", "ServiceCount", "TaskCount"], dimensions: [["ClusterName"]] },
];
