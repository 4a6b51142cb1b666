/**
 * The whole local cluster in one call: the Kubernetes API over real processes, driven by kubectl.
 *
 *   const cluster = await startLocalCluster({ zones: 3, nodesPerZone: 2, dir: '.gauntlet/local' });
 *   kubectl --kubeconfig cluster.kubeconfigPath get nodes -L topology.kubernetes.io/zone
 *   await cluster.deployStack();                       // infra-fixtures/k8s/overlays/local, waits until served
 *   const f = await cluster.fault({ zone: 'zone-a', mode: 'stop' });   // stop | pause | partition | kubelet-down
 *   await cluster.recover(f.id);
 *   await cluster.close();                              // every pod process gone
 *
 * Topology (topology.ts): zones zone-a, zone-b, … in region local-1; node node-<zone letter><n> has
 * InternalIP 127.0.<zone>.<n> and pod CIDR 127.<zone>.<n>.0/24.
 *
 * Wiring (one module each):
 *   pod-bridge.ts      pods bound to a node → that node's kubelet; deletionTimestamp → terminate,
 *                      then remove the object; kubelet status and events → the store
 *   ingress-bridge.ts  Ingresses + ready endpoints → the ingress proxy; its address → Ingress status
 *   providers.ts       `kubectl logs`, metrics.k8s.io / `kubectl top`, HPA usage, configMap/secret env
 *   faults.ts          the fault modes; fault-admin.ts serves them on the API server:
 *                      POST/GET {apiUrl}/local-cluster/v1/faults, GET/DELETE …/faults/{id}
 *   options.ts         options, upstream default periods, and the cluster clock (`timeScale`)
 *   kustomize.ts, stack.ts   the stack's overlay rendered (built in, or kubectl kustomize for overlays
 *                      with patches) and applied to the store
 *
 * Controllers: the basic set (ReplicaSet, Deployment, scheduler, Endpoints, EndpointSlices, GC),
 * node lifecycle with taint eviction, HPA, PDB/eviction. NetworkPolicies are stored, not enforced.
 */
export { startLocalCluster, type LocalCluster } from './cluster.ts';
export { kAdminPrefix, kFaultsPath } from './fault-admin.ts';
export { kFaultModes, type Fault, type FaultMode, type FaultRequest } from './faults.ts';
export {
  KustomizeError,
  kubectlKustomize,
  renderKustomization,
  renderOverlay,
  type Manifest,
} from './kustomize.ts';
export {
  clusterClock,
  LocalClusterOptionsError,
  resolveOptions,
  type LocalClusterOptions,
  type ResolvedOptions,
} from './options.ts';
export { kStackOverlay } from './stack.ts';
export { buildTopology, type NodeSpec } from './topology.ts';
