/** Talking to a cluster: the client, target discovery, readiness, preflight facts and observers. */
export { createClusterClient, type ClusterClient, type ClusterClientOptions } from './client.ts';
export { resolveKubernetesTarget, type KubernetesTarget, type KubernetesTargetSpec } from './target.ts';
export { waitForReady, type ReadyProgress, type WaitForReadyOptions } from './wait-ready.ts';
export {
  preflightSnapshot,
  type PreflightContainer,
  type PreflightPdb,
  type PreflightPod,
  type PreflightSnapshot,
} from './preflight.ts';
export {
  startClusterObserver,
  type ClusterObserver,
  type ClusterObserverOptions,
  type ClusterSnapshot,
} from './observer.ts';
export type { ClusterEvent, ClusterEventKind, ClusterGaugePoint, GaugeName } from './timeline.ts';
export { parseLabelSelector, selectorMatches, selectorToString } from './selector.ts';
