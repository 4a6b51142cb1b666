/**
 * The `kind` zone provider: a kind node is a docker container named like its Kubernetes node, so a
 * zone outage is a docker CLI call on the containers of that zone's nodes:
 *
 *   stop          docker stop --time 0 <node>               revert: docker start <node>
 *   pause         docker pause <node>                       revert: docker unpause <node>
 *   partition     docker network disconnect --force kind <node>
 *                                                           revert: docker network connect --ip <its address> kind <node>
 *   kubelet-down  docker exec <node> systemctl stop kubelet revert: docker exec <node> systemctl start kubelet
 *
 * Containers are found with `docker ps --all --filter label=io.x-k8s.kind.cluster=<cluster>` and
 * matched to the zone's nodes (topology.kubernetes.io/zone) read from the API. Before touching
 * anything the provider checks that the kubeconfig's API server is the one this kind cluster
 * publishes, so an allowlisted context can never lead to another cluster's containers, and it
 * refuses a zone holding the control plane (the API server is what observes and recovers).
 *
 * Revert compares each container's actual state with the mode and acts only where the fault is
 * still there, so it is idempotent and works from a handle without an id (recover after a crash):
 * then the zone's nodes come from the API and their addresses from the nodes' InternalIP.
 */
import { execFile } from 'node:child_process';
import type { V1Node } from '@kubernetes/client-node';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import type { ResolvedZoneOutage, ZoneFaultMode } from '../../lib/scenario/chaos-schema.ts';
import { abortError, ChaosActionError, wrapApiError } from '../k8s.ts';
import { ZONE_LABEL } from '../targets.ts';
import {
  ZoneFaultRejected,
  type ZoneFaultContext,
  type ZoneFaultHandle,
  type ZoneFaultProvider,
  type ZoneProviderFactory,
} from './provider.ts';

export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
export const KIND_ROLE_LABEL = 'io.x-k8s.kind.role';
/** kind's docker network; kind itself honours KIND_EXPERIMENTAL_DOCKER_NETWORK, and so do we. */
export const KIND_DEFAULT_NETWORK = 'kind';

export interface KindZoneProviderOptions {
  /** The kind cluster; default from a `kind-<name>` context. */
  readonly cluster?: string | null;
  /** Environment of the docker CLI; its PATH decides which `docker` runs. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Bound on each docker command; default 60 s. */
  readonly commandTimeoutMs?: number;
}

interface Container {
  readonly name: string;
  readonly status: string;
  readonly paused: boolean;
  readonly role: string;
  readonly cluster: string;
  readonly networks: Readonly<Record<string, { ipv4: string; ipv6: string }>>;
  /** Host ports published for 6443/tcp (the API server, on control-plane containers). */
  readonly apiPorts: readonly string[];
}

interface Target {
  readonly name: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export interface KindZoneHandle extends ZoneFaultHandle {
  readonly cluster: string;
  readonly network: string;
  readonly containers: readonly Target[];
  readonly startedAt: string;
}

const VERBS: Record<ZoneFaultMode, { down: string; up: string }> = {
  stop: { down: '`docker stop`', up: '`docker start`' },
  pause: { down: '`docker pause`', up: '`docker unpause`' },
  partition: { down: '`docker network disconnect`', up: 'reconnect them with their addresses' },
  'kubelet-down': { down: '`systemctl stop kubelet` inside', up: 'start the kubelet again' },
};

function planText(zone: string, mode: ZoneFaultMode, cluster: string | null | undefined): string {
  const which = cluster ? `kind cluster ${cluster}` : 'the kind cluster of the context (kind-<name>)';
  return (
    `${VERBS[mode].down} the node containers of ${which} in ${zone} ` +
    `(label ${KIND_CLUSTER_LABEL}, nodes by ${ZONE_LABEL}), ${VERBS[mode].up} on revert`
  );
}

export function kindClusterFromContext(context: string): string | undefined {
  return /^kind-(.+)$/.exec(context)?.[1];
}

export function createKindZoneProvider(
  client: ClusterClient,
  options: KindZoneProviderOptions = {},
): ZoneFaultProvider {
  const env = options.env ?? process.env;
  const timeoutMs = options.commandTimeoutMs ?? 60_000;
  const network = env.KIND_EXPERIMENTAL_DOCKER_NETWORK || KIND_DEFAULT_NETWORK;
  const fail = (message: string) => new ChaosActionError(`zone-outage (kind): ${message}`);
  const refuse = (message: string) => new ZoneFaultRejected(`zone-outage (kind): ${message}`);

  function docker(
    args: string[],
    signal: AbortSignal,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      execFile(
        'docker',
        args,
        { env, signal, timeout: timeoutMs, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          if (signal.aborted) return reject(abortError(signal));
          const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
          if (e?.code === 'ENOENT')
            return reject(fail('no `docker` on PATH; install the docker CLI (docs/targets/kind.md)'));
          if (e?.killed) return reject(fail(`docker ${args.join(' ')}: no answer in ${timeoutMs / 1000} s`));
          resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }

  async function must(args: string[], signal: AbortSignal): Promise<string> {
    const r = await docker(args, signal);
    if (r.code !== 0)
      throw fail(`docker ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  function clusterName(explicit: string | null | undefined): string {
    const name = explicit ?? kindClusterFromContext(client.contextName);
    if (!name)
      throw refuse(
        `context "${client.contextName}" is not a kind context (kind-<name>); set kindOptions.cluster to the kind cluster's name`,
      );
    return name;
  }

  /** `docker inspect` of the named containers; a container that is gone is left out. */
  async function inspect(names: readonly string[], signal: AbortSignal): Promise<Map<string, Container>> {
    if (!names.length) return new Map();
    const args = ['inspect', '--type', 'container', ...names];
    const r = await docker(args, signal);
    // docker prints the containers it found and exits 1 when one is missing.
    if (r.code !== 0 && !/no such container/i.test(r.stderr))
      throw fail(`docker ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
    const raw = JSON.parse(r.stdout || '[]') as Array<{
      Name?: string;
      State?: { Status?: string; Paused?: boolean };
      Config?: { Labels?: Record<string, string> };
      NetworkSettings?: {
        Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;
        Ports?: Record<string, Array<{ HostPort?: string }> | null>;
      };
    }>;
    return new Map(
      raw.map((c) => {
        const name = (c.Name ?? '').replace(/^\//, '');
        const networks = Object.fromEntries(
          Object.entries(c.NetworkSettings?.Networks ?? {}).map(([k, v]) => [
            k,
            { ipv4: v.IPAddress ?? '', ipv6: v.GlobalIPv6Address ?? '' },
          ]),
        );
        const apiPorts = (c.NetworkSettings?.Ports?.['6443/tcp'] ?? []).map((p) => p.HostPort ?? '');
        return [
          name,
          {
            name,
            status: c.State?.Status ?? 'unknown',
            paused: c.State?.Paused ?? false,
            role: c.Config?.Labels?.[KIND_ROLE_LABEL] ?? '',
            cluster: c.Config?.Labels?.[KIND_CLUSTER_LABEL] ?? '',
            networks,
            apiPorts,
          },
        ];
      }),
    );
  }

  /** Every container of the kind cluster, stopped ones included. */
  async function containers(cluster: string, signal: AbortSignal): Promise<Map<string, Container>> {
    const args = [
      'ps',
      '--all',
      '--filter',
      `label=${KIND_CLUSTER_LABEL}=${cluster}`,
      '--format',
      '{{.Names}}',
    ];
    const names = (await must(args, signal))
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    return inspect(names, signal);
  }

  async function zoneNodes(zone: string): Promise<V1Node[]> {
    try {
      return (await client.core.listNode({ labelSelector: `${ZONE_LABEL}=${zone}` })).items;
    } catch (err) {
      throw wrapApiError(`zone-outage (kind): list nodes of ${zone}`, err);
    }
  }

  /** The kubeconfig's API server must be the one this kind cluster publishes on the host. */
  function assertSameCluster(cluster: string, all: Map<string, Container>): void {
    const port = new URL(client.server).port;
    const planes = [...all.values()].filter((c) => c.role === 'control-plane');
    if (planes.some((c) => c.apiPorts.includes(port))) return;
    const published = planes.flatMap((c) => c.apiPorts).join(', ') || 'none';
    throw refuse(
      `context "${client.contextName}" (server ${client.server}) is not kind cluster ${cluster}, whose API server is published on port(s) ${published}; ` +
        `point --context at kind-${cluster} or set kindOptions.cluster`,
    );
  }

  async function kubeletActive(name: string, signal: AbortSignal): Promise<boolean> {
    const r = await docker(['exec', name, 'systemctl', 'is-active', 'kubelet.service'], signal);
    return r.code === 0 && r.stdout.trim() === 'active';
  }

  async function down(mode: ZoneFaultMode, t: Target, signal: AbortSignal): Promise<void> {
    if (mode === 'stop') await must(['stop', '--time', '0', t.name], signal);
    else if (mode === 'pause') await must(['pause', t.name], signal);
    else if (mode === 'partition') await must(['network', 'disconnect', '--force', network, t.name], signal);
    else await must(['exec', t.name, 'systemctl', 'stop', 'kubelet.service'], signal);
  }

  /** Brings one container back if the fault is still on it; returns what it did. */
  async function up(
    mode: ZoneFaultMode,
    t: Target,
    c: Container | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    if (!c) return `${t.name} is gone`;
    if (mode === 'stop') {
      if (c.status === 'running') return `${t.name} already running`;
      await must(['start', t.name], signal);
      return `${t.name} started`;
    }
    if (mode === 'pause') {
      if (!c.paused) return `${t.name} not paused`;
      await must(['unpause', t.name], signal);
      return `${t.name} unpaused`;
    }
    if (mode === 'partition') {
      if (c.networks[network]) return `${t.name} already on ${network}`;
      const ip = [...(t.ipv4 ? ['--ip', t.ipv4] : []), ...(t.ipv6 ? ['--ip6', t.ipv6] : [])];
      await must(['network', 'connect', ...ip, network, t.name], signal);
      return `${t.name} reconnected to ${network}${t.ipv4 ? ` as ${t.ipv4}` : ' (address chosen by docker)'}`;
    }
    if (c.status !== 'running' || c.paused)
      return `${t.name} is ${c.paused ? 'paused' : c.status}; kubelet left alone`;
    if (await kubeletActive(t.name, signal)) return `${t.name} kubelet already active`;
    await must(['exec', t.name, 'systemctl', 'start', 'kubelet.service'], signal);
    return `${t.name} kubelet started`;
  }

  async function isDown(
    mode: ZoneFaultMode,
    c: Container | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (!c) return false;
    if (mode === 'stop') return c.status !== 'running';
    if (mode === 'pause') return c.paused;
    if (mode === 'partition') return !c.networks[network];
    return !(await kubeletActive(c.name, signal));
  }

  async function restore(
    mode: ZoneFaultMode,
    targets: readonly Target[],
    cluster: string,
    ctx: ZoneFaultContext,
  ): Promise<string[]> {
    const now = await inspect(
      targets.map((t) => t.name),
      ctx.signal,
    );
    const results = await Promise.allSettled(
      targets.map(async (t) => {
        const c = now.get(t.name);
        if (c && c.cluster !== cluster)
          return `${t.name} belongs to ${c.cluster ? `kind cluster ${c.cluster}` : 'no kind cluster'}; left alone`;
        return up(mode, t, c, ctx.signal);
      }),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    if (errors.length) throw fail(`could not bring back every node: ${errors.join('; ')}`);
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  return {
    name: 'kind',
    describe: (zone, mode) => planText(zone, mode, options.cluster),
    preparedHandle: () => ({ cluster: clusterName(options.cluster), network }),

    async inject(zone, mode, ctx) {
      const cluster = clusterName(options.cluster);
      const nodes = await zoneNodes(zone);
      if (!nodes.length) throw refuse(`no node is in zone ${zone} (label ${ZONE_LABEL})`);
      const all = await containers(cluster, ctx.signal);
      if (!all.size)
        throw refuse(
          `docker has no containers labelled ${KIND_CLUSTER_LABEL}=${cluster}; is kind cluster ${cluster} running?`,
        );
      assertSameCluster(cluster, all);
      const targets: Target[] = [];
      for (const n of nodes) {
        const name = n.metadata?.name ?? '';
        const c = all.get(name);
        if (!c) throw refuse(`node ${name} of ${zone} has no container in kind cluster ${cluster}`);
        if (c.role === 'control-plane')
          throw refuse(
            `${zone} holds the control plane (${name}); gauntlet needs its API server to observe and recover, so pick a zone of workers`,
          );
        if (c.status !== 'running' || c.paused)
          throw refuse(
            `${name} is already ${c.paused ? 'paused' : c.status}; recover it first (gauntlet recover)`,
          );
        const addr = c.networks[network];
        if (mode === 'partition' && !addr) throw refuse(`${name} is not on docker network ${network}`);
        targets.push({
          name,
          ...(addr?.ipv4 ? { ipv4: addr.ipv4 } : {}),
          ...(addr?.ipv6 ? { ipv6: addr.ipv6 } : {}),
        });
      }
      // All nodes of the zone at once, as a zone loses power.
      const results = await Promise.allSettled(targets.map((t) => down(mode, t, ctx.signal)));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (failed.length) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        // Half a zone down is not the fault asked for: bring back what went down, then refuse.
        try {
          await restore(mode, targets, cluster, ctx);
        } catch (err) {
          throw fail(`${failed.join('; ')}; and bringing the others back failed: ${(err as Error).message}`);
        }
        throw refuse(`${failed.join('; ')}; the other nodes of ${zone} were brought back`);
      }
      const after = await inspect(
        targets.map((t) => t.name),
        ctx.signal,
      );
      const still = [];
      for (const t of targets) if (!(await isDown(mode, after.get(t.name), ctx.signal))) still.push(t.name);
      if (still.length) throw fail(`docker reported success, but ${still.join(', ')} still up (${mode})`);
      const startedAt = new Date().toISOString();
      ctx.log(
        `zone ${zone} down (${mode}): ${targets.map((t) => t.name).join(', ')} (kind cluster ${cluster})`,
      );
      const handle: KindZoneHandle = {
        provider: 'kind',
        zone,
        mode,
        id: `${cluster}/${zone}/${mode}/${startedAt}`,
        cluster,
        network,
        containers: targets,
        startedAt,
      };
      return handle;
    },

    async revert(handle: ZoneFaultHandle, ctx) {
      const h = handle as Partial<KindZoneHandle> & ZoneFaultHandle;
      const cluster = clusterName(h.cluster ?? options.cluster);
      let targets = h.containers;
      if (!targets) {
        // The run died before the provider answered: the zone's nodes, their addresses from the API.
        targets = (await zoneNodes(h.zone)).map((n) => {
          const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
          const v6 = ip?.includes(':');
          return { name: n.metadata?.name ?? '', ...(ip ? (v6 ? { ipv6: ip } : { ipv4: ip }) : {}) };
        });
      }
      const did = await restore(h.mode, targets, cluster, ctx);
      ctx.log(`zone ${h.zone} (${h.mode}, kind cluster ${cluster}): ${did.join(', ') || 'no node'}`);
    },
  };
}

/** The registry entry: options from the scenario's `kindOptions`, none on recover. */
export const kindZoneProvider: ZoneProviderFactory = Object.assign(
  (client: ClusterClient, spec?: ResolvedZoneOutage) =>
    createKindZoneProvider(client, { cluster: spec?.kindOptions?.cluster ?? null }),
  { plan: (zone: string, spec: ResolvedZoneOutage) => planText(zone, spec.mode, spec.kindOptions?.cluster) },
);
