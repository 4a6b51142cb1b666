/** One place that turns a resolved action spec into its ChaosAction (a fresh one per injection). */
import type { ResolvedChaosAction } from '../lib/scenario/chaos-schema.ts';
import type { ChaosAction, ChaosTarget } from './action.ts';
import { BadRollout } from './bad-rollout.ts';
import { NodeDrain } from './node-drain.ts';
import { PodKill } from './pod-kill.ts';
import { RolloutRestart } from './rollout-restart.ts';
import { defaultZoneProviders } from './undo.ts';
import { ZoneOutage } from './zone-outage.ts';
import type { ZoneProviderRegistry } from './zone/provider.ts';

export interface ActionDeps {
  readonly zoneProviders?: ZoneProviderRegistry;
}

export function createChaosAction(
  spec: ResolvedChaosAction,
  target: ChaosTarget,
  deps: ActionDeps = {},
): ChaosAction {
  switch (spec.kind) {
    case 'pod-kill':
      return new PodKill(spec, target);
    case 'node-drain':
      return new NodeDrain(spec, target);
    case 'zone-outage':
      return new ZoneOutage(spec, target, deps.zoneProviders ?? defaultZoneProviders);
    case 'rollout-restart':
      return new RolloutRestart(spec, target);
    case 'bad-rollout':
      return new BadRollout(spec, target);
  }
}
