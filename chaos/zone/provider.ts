/**
 * A zone outage is the one fault the Kubernetes API cannot express, so it goes through a provider:
 * `local` (the local cluster's fault admin endpoint) here; `kind` (the node containers) and
 * `aws-fis` (an FIS experiment) implement the same small interface in their own modules.
 *
 * The handle is plain JSON: the journal keeps it, and `gauntlet recover` hands it back to
 * `revert` in another process. `revert` must be idempotent and must accept a handle without an
 * `id` (the process died between asking for the fault and hearing back): then it recovers whatever
 * fault of that zone and mode the provider knows of.
 */
import type { ClusterClient } from '../../lib/cluster/client.ts';
import type { ResolvedZoneOutage, ZoneFaultMode } from '../../lib/scenario/chaos-schema.ts';
import type { ZoneFaultHandle } from '../action.ts';
import { ChaosActionError } from '../k8s.ts';

export type { ZoneFaultHandle, ZoneFaultMode };

export interface ZoneFaultContext {
  readonly signal: AbortSignal;
  log(message: string): void;
}

export interface ZoneFaultProvider {
  readonly name: string;
  /** Words for the dry-run plan. */
  describe(zone: string, mode: ZoneFaultMode): string;
  /** Takes the zone down; resolves once the fault is in effect. */
  inject(zone: string, mode: ZoneFaultMode, ctx: ZoneFaultContext): Promise<ZoneFaultHandle>;
  /**
   * Fields journalled with the handle before inject (e.g. a region), so a revert without an id
   * knows where to look; may refuse (throw) when the provider cannot work here.
   */
  preparedHandle?(zone: string, mode: ZoneFaultMode): Record<string, unknown>;
  /** Brings the zone back; a fault that is already gone is fine. */
  revert(handle: ZoneFaultHandle, ctx: ZoneFaultContext): Promise<void>;
}

/**
 * The provider answered and refused (bad zone, a fault already there): nothing was injected, so
 * there is nothing to revert. Any other inject error leaves it open whether the fault took effect.
 */
export class ZoneFaultRejected extends ChaosActionError {
  constructor(message: string) {
    super(message);
    this.name = 'ZoneFaultRejected';
  }
}

/**
 * Builds a provider. `spec` is the scenario's action (its provider options); `gauntlet recover`
 * has none, so `revert` must work from the journalled handle alone. `plan` gives the dry-run words
 * without a cluster connection.
 */
export type ZoneProviderFactory = ((
  client: ClusterClient,
  spec?: ResolvedZoneOutage,
) => ZoneFaultProvider) & {
  readonly plan?: (zone: string, spec: ResolvedZoneOutage) => string;
};
export type ZoneProviderRegistry = Readonly<Record<string, ZoneProviderFactory>>;

export function zoneProvider(
  registry: ZoneProviderRegistry,
  name: string,
  client: ClusterClient,
  spec?: ResolvedZoneOutage,
): ZoneFaultProvider {
  const factory = registry[name];
  if (!factory) {
    throw new Error(
      `zone-outage: no zone fault provider "${name}"; available: ${Object.keys(registry).join(', ') || 'none'}`,
    );
  }
  return factory(client, spec);
}
