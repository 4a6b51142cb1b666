/**
 * What a resource handler gets: the parsed route, the store, the pluggable providers (logs,
 * eviction, usage) and request helpers. Providers are owned by other modules (kubelet, PDB
 * controller, metrics); the API server only calls them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import type { DeleteOptions, KubeObject, StoredObject } from '../store/types.ts';
import type { ResourceRoute } from './paths.ts';
import type { Shape } from './representation.ts';

export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** Callback form of a followed log (the kubelet's `followLogs`): returns a function that stops it. */
export type LogFollower = (onData: (chunk: string) => void, onEnd: () => void) => () => void;

export type LogOutput = string | AsyncIterable<string | Uint8Array> | LogFollower;

/** Returns the log text, or a stream for `follow`; `signal` aborts when the client leaves. */
export type LogProvider = (
  pod: StoredObject,
  options: LogOptions,
  signal: AbortSignal,
) => LogOutput | Promise<LogOutput>;

export interface EvictionRequest {
  store: Store;
  pod: StoredObject;
  /** The Eviction body as sent (policy/v1 or v1beta1). */
  eviction: KubeObject;
  deleteOptions: DeleteOptions;
  dryRun: boolean;
}

/** Deletes the pod or throws an ApiError (e.g. 429 TooManyRequests when a PDB forbids it). */
export type EvictionHandler = (request: EvictionRequest) => void | Promise<void>;

export interface ContainerUsage {
  name: string;
  cpuMillicores: number;
  memoryBytes: number;
}

/** Field names match the process kubelet's samples, so they can be passed through unchanged. */
export interface PodUsage {
  containers: readonly ContainerUsage[];
  /** Sample time (Date or epoch ms); default now. */
  timestamp?: Date | number;
  /** Sampling window; default 15 s. */
  windowMs?: number;
}

export interface NodeUsage {
  cpuMillicores: number;
  memoryBytes: number;
  timestamp?: Date | number;
  windowMs?: number;
}

/** Source of `metrics.k8s.io` data; `undefined` means "no sample yet" and hides the object. */
export interface UsageProvider {
  pod?(pod: StoredObject): PodUsage | undefined;
  node?(node: StoredObject): NodeUsage | undefined;
}

export interface Providers {
  logs?: LogProvider;
  eviction?: EvictionHandler;
  usage?: UsageProvider;
}

export interface ServerSettings {
  maxBodyBytes: number;
  bookmarkIntervalMs: number;
  /** How long a watch without `timeoutSeconds` stays open. */
  watchTimeoutMs: () => number;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  store: Store;
  route: ResourceRoute;
  providers: Providers;
  settings: ServerSettings;
  shape: Shape;
  readJson(what: string): Promise<unknown>;
  /** Registers cleanup for long-running replies, run when the server closes. */
  onClose(cleanup: () => void): () => void;
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`${name}: invalid value "${v}": must be an integer`);
  return Number(v);
}

/** `dryRun=All` (the only legal value) → true. */
export function dryRunParam(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun').filter((v) => v !== '');
  if (!values.length) return false;
  if (values.every((v) => v === 'All')) return true;
  throw errors.badRequest(`dryRun: Unsupported value: "${values.join(',')}": supported values: "All"`);
}
