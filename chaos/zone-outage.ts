/**
 * zone-outage: take every node of one zone down through a zone fault provider (local, kind, aws-fis), in
 * one of the modes real outages take (stop, pause, partition, kubelet-down). The zone is named or
 * is the zone hosting most target pods. The journal holds the provider's handle, so a killed run's
 * zone can be recovered by `gauntlet recover`.
 */
import type { ResolvedZoneOutage } from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  type ChaosAction,
  type ChaosContext,
  type ChaosTarget,
  type JournalEntry,
  type ZoneFaultHandle,
} from './action.ts';
import {
  assertNotLastReady,
  ChaosRefusedError,
  listNodes,
  listTargetPods,
  ZONE_LABEL,
  zoneWithMostTargetPods,
} from './targets.ts';
import { applyUndo, defaultZoneProviders } from './undo.ts';
import { ZoneFaultRejected, zoneProvider, type ZoneProviderRegistry } from './zone/provider.ts';

export class ZoneOutage implements ChaosAction {
  readonly name = 'zone-outage';
  readonly mode: string;
  private _zone: string | undefined;
  private _nodes: string[] = [];
  private _handle: ZoneFaultHandle | undefined;

  constructor(
    private readonly spec: ResolvedZoneOutage,
    private readonly target: ChaosTarget,
    private readonly providers: ZoneProviderRegistry = defaultZoneProviders,
  ) {
    this.mode = spec.mode;
  }

  describe(): string {
    const zone =
      this.spec.zone ?? `the zone hosting most pods of ${this.target.namespace}/${this.target.deployment}`;
    const how = this.providers[this.spec.provider]?.plan?.(zone, this.spec);
    return `take ${zone} down ('${this.spec.mode}' on every node of it, provider ${this.spec.provider}${how ? `: ${how}` : ''}); recover it on revert`;
  }

  journalEntry(): JournalEntry {
    return {
      action: this.name,
      objects: this._nodes.map((name) => ({ kind: 'Node', name, mark: true })),
      undo: this._handle ? [{ kind: 'zone-recover', handle: this._handle }] : [],
      detail: {
        zone: this._zone,
        mode: this.spec.mode,
        provider: this.spec.provider,
        nodes: this._nodes,
        // When the provider saw the fault take effect (an FIS action's start, not the request's).
        ...(typeof this._handle?.startedAt === 'string' ? { faultStartedAt: this._handle.startedAt } : {}),
      },
    };
  }

  async inject(ctx: ChaosContext): Promise<void> {
    const provider = zoneProvider(this.providers, this.spec.provider, ctx.client, this.spec);
    const zone = this.spec.zone ?? (await zoneWithMostTargetPods(ctx.client, ctx.target));
    const nodes = (await listNodes(ctx.client))
      .filter((n) => n.metadata?.labels?.[ZONE_LABEL] === zone)
      .map((n) => n.metadata?.name ?? '');
    if (!nodes.length)
      throw new ChaosRefusedError(`zone-outage: no node is in zone ${zone} (label ${ZONE_LABEL})`);
    if (nodes.length > ctx.limits.maxNodes)
      throw new ChaosRefusedError(
        `zone-outage: ${zone} has ${nodes.length} nodes, more than chaosLimits.maxNodes (${ctx.limits.maxNodes}); raise the cap to allow it`,
      );
    const inZone = new Set(nodes);
    const pods = await listTargetPods(ctx.client, ctx.target);
    assertNotLastReady(
      `zone-outage ${zone}`,
      ctx.target,
      pods,
      (p) => inZone.has(p.spec?.nodeName ?? ''),
      this.spec.allowTotalOutage,
    );

    this._zone = zone;
    this._nodes = nodes;
    // Journalled without an id first: if the process dies before the provider answers, recovery
    // still knows which zone and mode to look for.
    this._handle = {
      ...provider.preparedHandle?.(zone, this.spec.mode),
      provider: provider.name,
      zone,
      mode: this.spec.mode,
    };
    await ctx.checkpoint();
    try {
      this._handle = await provider.inject(zone, this.spec.mode, { signal: ctx.signal, log: ctx.log });
    } catch (err) {
      // A refusal injected nothing; recovering "whatever fault that zone has" could end someone else's.
      if (err instanceof ZoneFaultRejected) {
        this._handle = undefined;
        await ctx.checkpoint();
      }
      throw err;
    }
    await ctx.checkpoint();
    emitEvent(ctx, 'chaos', `zone/${zone}`, `down (${this.spec.mode}, ${provider.name})`, {
      nodes,
      id: this._handle.id,
      ...(typeof this._handle.startedAt === 'string' ? { faultStartedAt: this._handle.startedAt } : {}),
    });
  }

  async revert(ctx: ChaosContext): Promise<void> {
    if (!this._handle) return;
    const did = await applyUndo(
      ctx.client,
      { kind: 'zone-recover', handle: this._handle },
      { signal: ctx.signal, log: ctx.log, zoneProviders: this.providers },
    );
    emitEvent(ctx, 'chaos', `zone/${this._zone}`, did);
  }
}
