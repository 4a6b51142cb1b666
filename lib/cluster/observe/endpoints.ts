/**
 * The Service's EndpointSlices, merged into one view per address: a Service may spread its
 * endpoints over several slices and move an address between them, so added/removed is judged on
 * the union, never on a single slice. An address routes traffic when its `ready` condition is
 * true (unset means ready, per the API); terminating endpoints are not ready.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import { objectRef, type GaugeSample } from '../timeline.ts';
import type { TrackerContext } from './context.ts';

export interface EndpointState {
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod: string | undefined;
  node: string | undefined;
  zone: string | undefined;
}

export class EndpointTracker {
  private readonly slices = new Map<string, V1EndpointSlice>();
  private merged = new Map<string, EndpointState>();
  constructor(
    private readonly ctx: TrackerContext,
    private readonly namespace: string,
    private readonly service: string,
  ) {}

  list(): EndpointState[] {
    return [...this.merged.values()];
  }

  apply(change: ReflectorChange<V1EndpointSlice>): void {
    const name = change.object.metadata?.name ?? '';
    if (change.type === 'deleted') this.slices.delete(name);
    else this.slices.set(name, change.object);
    const next = merge(this.slices.values());
    const prev = this.merged;
    this.merged = next;
    if (change.initial) return;
    const t = this.ctx.now();
    const object = objectRef('Service', this.namespace, this.service);
    for (const [address, now] of next) {
      if (now.ready && !prev.get(address)?.ready) {
        this.ctx.emit({
          t,
          kind: 'endpoint-added',
          object,
          message: `${address}${now.pod ? ` (pod ${now.pod})` : ''} added to service ${this.service}`,
          detail: describe(now),
        });
      }
    }
    for (const [address, was] of prev) {
      if (!was.ready) continue;
      const now = next.get(address);
      if (now?.ready) continue;
      const reason = !now ? 'removed' : now.terminating ? 'terminating' : 'not-ready';
      this.ctx.emit({
        t,
        kind: 'endpoint-removed',
        object,
        message: `${address}${was.pod ? ` (pod ${was.pod})` : ''} removed from service ${this.service}: ${reason}`,
        detail: { ...describe(now ?? was), reason, serving: now?.serving ?? false },
      });
    }
  }

  gauges(): GaugeSample[] {
    let ready = 0;
    for (const e of this.merged.values()) if (e.ready) ready++;
    return [{ name: 'endpoints.ready', labels: { service: this.service }, value: ready }];
  }
}

function describe(e: EndpointState): Record<string, unknown> {
  return {
    address: e.address,
    pod: e.pod ?? null,
    node: e.node ?? null,
    zone: e.zone ?? null,
    terminating: e.terminating,
  };
}

function merge(slices: Iterable<V1EndpointSlice>): Map<string, EndpointState> {
  const out = new Map<string, EndpointState>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      const terminating = c.terminating === true;
      const ready = (c.ready ?? true) && !terminating;
      const state = {
        ready,
        serving: c.serving ?? ready,
        terminating,
        pod: ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined,
        node: ep.nodeName,
        zone: ep.zone,
      };
      for (const address of ep.addresses ?? []) {
        const existing = out.get(address);
        // During a move between slices the ready copy wins: the address still routes.
        if (!existing || (state.ready && !existing.ready)) out.set(address, { address, ...state });
      }
    }
  }
  return out;
}
