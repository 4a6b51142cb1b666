/**
 * A container's environment, built the way the kubelet builds it: the image's ENV, then the
 * container's `env` in order, with `$(VAR)` references to earlier variables expanded (`$$(VAR)`
 * escapes) and `fieldRef` values from the pod. Two local-cluster rules on top:
 *   - HOST is always the pod IP: a container binding 0.0.0.0 means "my network namespace", and the
 *     pod's loopback address is the nearest local equivalent (0.0.0.0 would collide across pods);
 *   - PORT defaults to the first containerPort when neither the image nor the pod sets it.
 * The host's own variables are not inherited, except PATH and HOME so commands can be found.
 */
import type { ImageMapping } from '../runtime.ts';
import type { Container, EnvVar, Pod } from './types.ts';

export interface EnvContext {
  readonly pod: Pod;
  readonly podIP: string;
  readonly hostIP: string;
  readonly nodeName: string;
}

/** Resolves `valueFrom` sources the kubelet cannot see by itself (configMapKeyRef, secretKeyRef…). */
export type EnvSourceResolver = (pod: Pod, env: EnvVar) => string | undefined;

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Expands `$(NAME)` from `env`; unknown references stay as written, `$$` yields `$`. */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? all),
  );
}

function mapEntry(map: Record<string, string> | undefined, key: string): string {
  return map?.[key] ?? '';
}

export function fieldRefValue(fieldPath: string, ctx: EnvContext): string {
  const { pod } = ctx;
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath);
  if (keyed) return mapEntry(pod.metadata[keyed[1] as 'labels' | 'annotations'], keyed[2] as string);
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new EnvError(`fieldRef "${fieldPath}" is not a supported field path`);
  }
}

function envValue(pod: Pod, env: EnvVar, ctx: EnvContext, resolver: EnvSourceResolver | undefined): string {
  const from = env.valueFrom;
  if (!from) return env.value ?? '';
  if (from.fieldRef) return fieldRefValue(from.fieldRef.fieldPath, ctx);
  const resolved = resolver?.(pod, env);
  if (resolved !== undefined) return resolved;
  const source = Object.keys(from)[0] ?? 'valueFrom';
  throw new EnvError(
    `env ${env.name}: ${source} cannot be resolved by the local kubelet (no source resolver given)`,
  );
}

export function containerEnv(
  container: Container,
  image: ImageMapping,
  ctx: EnvContext,
  resolver?: EnvSourceResolver,
): Record<string, string> {
  const env: Record<string, string> = {};
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  env.HOSTNAME = ctx.pod.metadata.name;
  Object.assign(env, image.env);
  for (const entry of container.env ?? []) {
    const raw = envValue(ctx.pod, entry, ctx, resolver);
    env[entry.name] = entry.valueFrom ? raw : expandVars(raw, env);
  }
  const firstPort = container.ports?.[0]?.containerPort;
  if (env.PORT === undefined && firstPort !== undefined) env.PORT = String(firstPort);
  env.HOST = ctx.podIP;
  return env;
}

/** The container's argv with `$(VAR)` references expanded from its environment. */
export function expandArgv(argv: readonly string[], env: Record<string, string>): string[] {
  return argv.map((a) => expandVars(a, env));
}
