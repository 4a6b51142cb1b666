/**
 * Nodes as the kubelet presents them to the control plane: the registered Node object and the
 * Lease + status heartbeats the node lifecycle controller watches.
 *
 *   store.create('nodes', nodeObject({ name: 'node-a1', address: '127.0.1.1', zone: 'zone-a', region: 'local' }));
 *   const hb = startNodeHeartbeat(store, 'node-a1');   // pause() / resume() / stop(), .running
 */
export {
  kKubeletConditions,
  kubeletConditions,
  nodeObject,
  type ConditionStatus,
  type NodeCondition,
  type NodeObjectOptions,
} from './node-object.ts';
export {
  kNodeLeaseNamespace,
  startNodeHeartbeat,
  type NodeHeartbeat,
  type NodeHeartbeatOptions,
} from './heartbeat.ts';
