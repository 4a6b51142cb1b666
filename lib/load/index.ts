import { UsageError } from '../errors.ts';
import { createAutocannonEngine } from './autocannon/index.ts';
import type { LoadEngine } from './engine.ts';
import { createK6Engine } from './k6/index.ts';
import { createK6OperatorEngine } from './k6-operator/index.ts';
import { createNativeEngine } from './native/index.ts';

export type { LoadEngine, LoadPlan, LoadContext, LoadCluster, EngineReport } from './engine.ts';

const engineNames = ['native', 'k6', 'autocannon', 'k6-operator'] as const;
export type EngineName = (typeof engineNames)[number];

export interface EngineOptions {
  /** k6-operator: runner pods. */
  readonly parallelism?: number;
  /** Progress lines of engines that report them (k6-operator). */
  readonly log?: (line: string) => void;
}

const factories: Record<EngineName, (o: EngineOptions) => LoadEngine> = {
  native: () => createNativeEngine(),
  k6: () => createK6Engine(),
  autocannon: () => createAutocannonEngine(),
  'k6-operator': (o) =>
    createK6OperatorEngine({
      ...(o.parallelism !== undefined ? { parallelism: o.parallelism } : {}),
      ...(o.log ? { log: o.log } : {}),
    }),
};

export function createEngine(name: string, options: EngineOptions = {}): LoadEngine {
  if (!(engineNames as readonly string[]).includes(name)) {
    throw new UsageError(`--engine: unknown engine '${name}'; available: ${engineNames.join(', ')}`);
  }
  if (options.parallelism !== undefined && name !== 'k6-operator') {
    throw new UsageError(
      `--parallelism: only --engine k6-operator runs several load generators; drop --parallelism or add --engine k6-operator`,
    );
  }
  return factories[name as EngineName](options);
}
