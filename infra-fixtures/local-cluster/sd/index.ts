/**
 * Prometheus service discovery for the local cluster over http_sd_configs (Debian's Prometheus
 * 2.42 is built without kubernetes_sd_configs). Targets carry the `__meta_kubernetes_*` labels of
 * upstream Kubernetes discovery for the pod, endpoints, endpointslice and node roles, so the
 * relabel rules of a kube-prometheus-style config work unchanged (../../prometheus/).
 *
 * ## Mounting (the cluster assembly)
 *
 * Both handlers go on the API server, behind its bearer token and TLS, as extra routes listed
 * BEFORE the fault admin route: `extraRoutes` is searched in order and the fault admin prefix
 * `/local-cluster/v1/` would otherwise claim (and 404) these paths.
 *
 *   import { serviceDiscoveryRoute } from '../sd/index.ts';
 *   import { stateMetricsRoute } from '../state-metrics/index.ts';
 *   startApiServer({ …, extraRoutes: [serviceDiscoveryRoute(store), stateMetricsRoute(store), faultAdminRoute(faults, nodes)] });
 *
 * Paths then served (GET only):
 *   {apiUrl}/local-cluster/v1/sd/pod            role pod
 *   {apiUrl}/local-cluster/v1/sd/endpoints      role endpoints
 *   {apiUrl}/local-cluster/v1/sd/endpointslice  role endpointslice
 *   {apiUrl}/local-cluster/v1/sd/node           role node
 *   {apiUrl}/local-cluster/v1/state-metrics     kube-state-metrics series (../state-metrics/)
 * with optional `?namespace=a,b&labelSelector=…&fieldSelector=…&attach_metadata=node`.
 *
 * Prometheus authenticates as any API client does: `authorization: {credentials_file: <token>}`
 * and `tls_config: {ca_file: <CA from the kubeconfig>}`, both supported by 2.42's http_sd.
 * `handleServiceDiscovery(store, req, res)` also works on a plain node:http server (tests).
 *
 * ## Differences from a real cluster
 * - Node targets point at the kubelet port 10250, where no process-kubelet listens.
 * - Label set: upstream's for Prometheus 2.4x plus the newer `endpointslice_endpoint_node_name`
 *   and `endpointslice_endpoint_zone`; http_sd adds `__meta_url` to every target.
 */
export { discoveryObjects, handleServiceDiscovery, kSdPrefix, serviceDiscoveryRoute } from './handler.ts';
export {
  endpointSliceTargetGroups,
  endpointsTargetGroups,
  kRoles,
  nodeTargetGroups,
  podTargetGroups,
  targetGroups,
  toHttpSd,
  type DiscoveryObjects,
  type DiscoveryOptions,
  type HttpSdGroup,
  type Role,
  type TargetGroup,
} from './targets.ts';
export { sanitizeLabelName, type LabelSet } from './labels.ts';
