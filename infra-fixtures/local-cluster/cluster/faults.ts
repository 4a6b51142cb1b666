/**
 * Zone and node faults, the one thing the Kubernetes API cannot express, in the modes real outages
 * take (kube-api.md §10):
 *
 *   stop          power off: every pod process SIGKILLed, connections refused, heartbeats stop;
 *                 recovery reboots the node: heartbeats resume and the pods still bound restart
 *   pause         SIGSTOP every process: connections open, then hang; heartbeats stop
 *   partition     pods keep running, but the ingress cannot reach the node's pod range (requests
 *                 hang until the connect timeout) and heartbeats stop, like an AWS network-ACL blackhole
 *   kubelet-down  heartbeats stop, pods keep serving and stay in the endpoints until the node
 *                 lifecycle controller marks them not ready
 *
 * Only the node side is done here; the heartbeats follow the kubelet's reachability (the assembler
 * wires onHeartbeatsChange), and the node lifecycle controller plays out the rest on its clock.
 * Failures are ApiErrors naming the field, so the admin endpoint sends them as Status objects.
 */
import type { ProcessKubelet } from '../kubelet/kubelet.ts';
import type { IngressProxy } from '../ingress/proxy.ts';
import { ApiError } from '../store/errors.ts';
import { isPlainObject } from '../store/json.ts';
import { rfc3339 } from '../store/util.ts';
import { zonesOf, type NodeSpec } from './topology.ts';

export const kFaultModes = ['stop', 'pause', 'partition', 'kubelet-down'] as const;
export type FaultMode = (typeof kFaultModes)[number];

export interface FaultRequest {
  readonly zone?: string;
  readonly node?: string;
  readonly mode: FaultMode;
}

export interface Fault {
  readonly id: string;
  readonly mode: FaultMode;
  readonly zone?: string;
  readonly node?: string;
  readonly nodes: readonly string[];
  readonly startedAt: string;
  readonly recoveredAt?: string;
}

export interface FaultManager {
  list(): Fault[];
  get(id: string): Fault;
  /** Validates (400/404/409 ApiError naming the field), then injects; resolves once in effect. */
  inject(request: unknown): Promise<Fault>;
  /** Ends the fault; resolves once the nodes are back (their heartbeats resume). */
  recover(id: string): Promise<Fault>;
  recoverAll(): Promise<void>;
}

export interface FaultDeps {
  readonly nodes: readonly NodeSpec[];
  readonly kubelets: ReadonlyMap<string, ProcessKubelet>;
  readonly ingress: IngressProxy;
  readonly now?: () => Date;
}

function badField(field: string, reason: string, message: string, code = 400): ApiError {
  const statusReason = code === 404 ? 'NotFound' : code === 409 ? 'Conflict' : 'BadRequest';
  return new ApiError(code, statusReason, `${field}: ${message}`, {
    kind: 'faults',
    causes: [{ reason, field, message }],
  });
}

function validate(input: unknown, deps: FaultDeps): FaultRequest {
  if (!isPlainObject(input))
    throw badField('body', 'FieldValueInvalid', 'must be a JSON object like {"zone":"zone-a","mode":"stop"}');
  const unknownKey = Object.keys(input).find((k) => !['zone', 'node', 'mode'].includes(k));
  if (unknownKey !== undefined)
    throw badField(unknownKey, 'FieldValueNotSupported', 'unknown field; a fault has zone or node, and mode');
  const { zone, node, mode } = input;
  if (mode === undefined)
    throw badField('mode', 'FieldValueRequired', `Required value: one of ${kFaultModes.join(', ')}`);
  if (typeof mode !== 'string' || !(kFaultModes as readonly string[]).includes(mode)) {
    throw badField(
      'mode',
      'FieldValueNotSupported',
      `Unsupported value: ${JSON.stringify(mode)}: supported values: ${kFaultModes.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  if ((zone === undefined) === (node === undefined))
    throw badField('zone', 'FieldValueRequired', 'give exactly one of zone or node');
  for (const [field, value] of [
    ['zone', zone],
    ['node', node],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      throw badField(field, 'FieldValueInvalid', 'must be a non-empty string');
  }
  if (zone !== undefined && !deps.nodes.some((n) => n.zone === zone)) {
    throw badField(
      'zone',
      'FieldValueNotFound',
      `zone "${zone}" not found; zones: ${zonesOf(deps.nodes).join(', ')}`,
      404,
    );
  }
  if (node !== undefined && !deps.nodes.some((n) => n.name === node)) {
    throw badField(
      'node',
      'FieldValueNotFound',
      `node "${node}" not found; nodes: ${deps.nodes.map((n) => n.name).join(', ')}`,
      404,
    );
  }
  return {
    mode: mode as FaultMode,
    ...(zone !== undefined ? { zone: zone as string } : {}),
    ...(node !== undefined ? { node: node as string } : {}),
  };
}

export function createFaultManager(deps: FaultDeps): FaultManager {
  const now = deps.now ?? (() => new Date());
  const active = new Map<string, Fault>();
  let serial = 0;

  const kubelet = (name: string): ProcessKubelet => deps.kubelets.get(name)!;
  const podCIDR = (name: string): string => deps.nodes.find((n) => n.name === name)!.podCIDR;

  async function apply(mode: FaultMode, nodes: readonly string[]): Promise<void> {
    switch (mode) {
      case 'stop':
        await Promise.all(nodes.map((n) => kubelet(n).stopAll()));
        return;
      case 'pause':
        for (const n of nodes) kubelet(n).pauseAll();
        return;
      case 'partition':
        deps.ingress.blackhole(nodes.map(podCIDR));
        for (const n of nodes) kubelet(n).stopHeartbeats();
        return;
      case 'kubelet-down':
        for (const n of nodes) kubelet(n).stopHeartbeats();
        return;
    }
  }

  function revert(mode: FaultMode, nodes: readonly string[]): void {
    switch (mode) {
      case 'stop':
      case 'pause':
        for (const n of nodes) kubelet(n).resumeAll();
        return;
      case 'partition':
        deps.ingress.unblackhole(nodes.map(podCIDR));
        for (const n of nodes) kubelet(n).startHeartbeats();
        return;
      case 'kubelet-down':
        for (const n of nodes) kubelet(n).startHeartbeats();
        return;
    }
  }

  function get(id: string): Fault {
    const f = active.get(id);
    if (!f) {
      throw new ApiError(404, 'NotFound', `faults "${id}" not found`, { name: id, kind: 'faults' });
    }
    return f;
  }

  async function recover(id: string): Promise<Fault> {
    const fault = get(id);
    active.delete(id);
    revert(fault.mode, fault.nodes);
    return { ...fault, recoveredAt: rfc3339(now()) };
  }

  return {
    list: () => [...active.values()],
    get,
    recover,
    async recoverAll() {
      for (const id of [...active.keys()]) await recover(id);
    },
    async inject(input) {
      const request = validate(input, deps);
      const nodes = deps.nodes
        .filter((n) => (request.zone !== undefined ? n.zone === request.zone : n.name === request.node))
        .map((n) => n.name);
      for (const f of active.values()) {
        const overlap = nodes.find((n) => f.nodes.includes(n));
        if (overlap !== undefined) {
          throw badField(
            request.zone !== undefined ? 'zone' : 'node',
            'FieldValueDuplicate',
            `node ${overlap} already has fault ${f.id} (${f.mode}); recover it first (DELETE .../faults/${f.id})`,
            409,
          );
        }
      }
      const fault: Fault = {
        id: `fault-${++serial}`,
        mode: request.mode,
        ...(request.zone !== undefined ? { zone: request.zone } : {}),
        ...(request.node !== undefined ? { node: request.node } : {}),
        nodes,
        startedAt: rfc3339(now()),
      };
      // Registered first: a second request for the same nodes is refused while this one takes effect.
      active.set(fault.id, fault);
      await apply(fault.mode, nodes);
      return fault;
    },
  };
}
