/**
 * What Container Insights with enhanced observability publishes for EKS under the
 * `ContainerInsights` namespace, which @aws-cdk/aws-service-spec does not cover: each metric and
 * the dimension sets the CloudWatch agent emits it with. Transcribed from the agent's EMF metric
 * declarations in enhanced mode (the amazon-cloudwatch-observability add-on's default, and
 * platform/eks/observability.ts sets it): aws/amazon-cloudwatch-agent
 * translator/translate/otel/exporter/awsemf/kubernetes.go (setKubernetesMetricDeclaration), with
 * the metric list of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-enhanced-EKS.html.
 * Re-read that file when the add-on's agent changes.
 */
export const CONTAINER_INSIGHTS_EKS: { metrics: string[]; dimensions: string[][] }[] = [
    {
        metrics: [
            "container_cpu_utilization",
            "container_cpu_utilization_over_container_limit",
            "container_memory_utilization",
            "container_memory_utilization_over_container_limit",
            "container_memory_failures_total",
            "container_filesystem_usage",
            "container_status_running",
            "container_status_terminated",
            "container_status_waiting",
            "container_status_waiting_reason_crashed",
        ],
        dimensions: [["ClusterName"], ["ContainerName", "FullPodName", "PodName", "Namespace", "ClusterName"], ["ContainerName", "PodName", "Namespace", "ClusterName"]],
    },
    {
        metrics: ["pod_cpu_utilization", "pod_memory_utilization", "pod_network_rx_bytes", "pod_network_tx_bytes", "pod_cpu_utilization_over_pod_limit", "pod_memory_utilization_over_pod_limit"],
        dimensions: [["PodName", "Namespace", "ClusterName"], ["ClusterName"], ["Service", "Namespace", "ClusterName"], ["ClusterName", "Namespace"], ["FullPodName", "PodName", "Namespace", "ClusterName"]],
    },
    {
        metrics: ["pod_interface_network_rx_dropped", "pod_interface_network_rx_errors", "pod_interface_network_tx_dropped", "pod_interface_network_tx_errors"],
        dimensions: [["FullPodName", "PodName", "Namespace", "ClusterName"], ["PodName", "Namespace", "ClusterName"], ["Service", "Namespace", "ClusterName"], ["ClusterName"]],
    },
    {
        // A CronJob's pods are published under PodName = the CronJob's name: the agent maps a Job named
        // <cronjob>-<schedule time> to its CronJob (parseCronJobFromJob in its pod store).
        metrics: [
            "pod_cpu_reserved_capacity",
            "pod_memory_reserved_capacity",
            "pod_number_of_container_restarts",
            "pod_number_of_containers",
            "pod_number_of_running_containers",
            "pod_status_ready",
            "pod_status_scheduled",
            "pod_status_running",
            "pod_status_pending",
            "pod_status_failed",
            "pod_status_unknown",
            "pod_status_succeeded",
        ],
        dimensions: [["PodName", "Namespace", "ClusterName"], ["ClusterName"], ["FullPodName", "PodName", "Namespace", "ClusterName"], ["Service", "Namespace", "ClusterName"]],
    },
    {
        metrics: [
            "node_cpu_utilization",
            "node_memory_utilization",
            "node_network_total_bytes",
            "node_cpu_reserved_capacity",
            "node_memory_reserved_capacity",
            "node_number_of_running_pods",
            "node_number_of_running_containers",
            "node_cpu_usage_total",
            "node_cpu_limit",
            "node_memory_working_set",
            "node_memory_limit",
            "node_status_condition_ready",
            "node_status_condition_disk_pressure",
            "node_status_condition_memory_pressure",
            "node_status_condition_pid_pressure",
            "node_status_condition_network_unavailable",
            "node_status_condition_unknown",
            "node_status_capacity_pods",
            "node_status_allocatable_pods",
            "node_interface_network_rx_dropped",
            "node_interface_network_rx_errors",
            "node_interface_network_tx_dropped",
            "node_interface_network_tx_errors",
            "node_diskio_io_service_bytes_total",
            "node_diskio_io_serviced_total",
            "node_filesystem_utilization",
            "node_filesystem_inodes",
            "node_filesystem_inodes_free",
        ],
        dimensions: [["NodeName", "InstanceId", "ClusterName"], ["ClusterName"]],
    },
    { metrics: ["service_number_of_running_pods"], dimensions: [["Service", "Namespace", "ClusterName"], ["ClusterName"]] },
    {
        metrics: ["replicas_desired", "replicas_ready", "status_replicas_available", "status_replicas_unavailable", "daemonset_status_number_available", "daemonset_status_number_unavailable"],
        dimensions: [["PodName", "Namespace", "ClusterName"], ["ClusterName"]],
    },
    { metrics: ["namespace_number_of_running_pods"], dimensions: [["Namespace", "ClusterName"], ["ClusterName"]] },
    { metrics: ["cluster_node_count", "cluster_failed_node_count", "cluster_number_of_running_pods"], dimensions: [["ClusterName"]] },
    { metrics: ["etcd_db_total_size_in_bytes"], dimensions: [["ClusterName", "endpoint"], ["ClusterName"]] },
    { metrics: ["apiserver_storage_list_duration_seconds"], dimensions: [["ClusterName", "resource"], ["ClusterName"]] },
    {
        metrics: [
            "apiserver_storage_objects",
            "apiserver_request_total",
            "apiserver_request_total_5xx",
            "apiserver_request_duration_seconds",
            "apiserver_admission_controller_admission_duration_seconds",
            "rest_client_request_duration_seconds",
            "rest_client_requests_total",
            "etcd_request_duration_seconds",
        ],
        dimensions: [["ClusterName"]],
    },
];
