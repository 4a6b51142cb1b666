/**
 * A kube-state-metrics stand-in for the local cluster: the series kube-prometheus alerts read
 * (pod restarts and waiting reasons, deployment and HPA replica counts, node conditions, taints),
 * rendered from the store. Mounted on the API server like discovery; see ../sd/index.ts.
 *
 *   GET {apiUrl}/local-cluster/v1/state-metrics     text exposition, bearer token as for the API
 *
 * Families: kube_pod_info, kube_pod_status_phase, kube_pod_status_ready,
 * kube_pod_container_status_{restarts_total,waiting,waiting_reason,running,ready,last_terminated_reason},
 * kube_deployment_{spec_replicas,status_replicas,status_replicas_available,status_replicas_unavailable,
 * status_replicas_updated,status_replicas_ready,metadata_generation,status_observed_generation,status_condition},
 * kube_horizontalpodautoscaler_{spec_max_replicas,spec_min_replicas,status_current_replicas,
 * status_desired_replicas,status_condition}, kube_node_{info,status_condition,spec_unschedulable,spec_taint}.
 */
export { handleStateMetrics, kStateMetricsPath, stateMetricsRoute, stateObjects } from './handler.ts';
export { formatFamilies, renderStateMetrics, type StateObjects } from './render.ts';
