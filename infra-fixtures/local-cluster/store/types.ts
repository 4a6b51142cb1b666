/**
 * Plain-JSON Kubernetes object shapes shared by the store, the API server, the controllers and
 * the kubelet. Objects stay loosely typed on purpose: the store serves many kinds and keeps
 * whatever fields clients send, exactly as the real API server round-trips unknown-but-valid data.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any stored object. `spec`/`status` are deliberately `any`: every kind shapes them differently. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  [key: string]: unknown;
}

/** An object as stored: metadata identity fields are always present. */
export interface StoredObject extends KubeObject {
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  /** Pods only: seconds until the kubelet must have stopped the pod; 0 removes the object at once. */
  gracePeriodSeconds?: number;
  /** Dependents (by ownerReferences) handling; default Background. */
  propagationPolicy?: PropagationPolicy;
  /** Deprecated upstream spelling of `propagationPolicy: Orphan`, still sent by old clients. */
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic';

/** metav1.LabelSelector, as found in deployments, services (plain map) and topology rules. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
