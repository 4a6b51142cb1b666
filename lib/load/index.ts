import { UsageError } from '../errors.ts';
import { createAutocannonEngine } from './autocannon/index.ts';
import type { LoadEngine } from './engine.ts';
import { createK6Engine } from './k6/index.ts';
import { createNativeEngine } from './native/index.ts';

export type { LoadEngine, LoadPlan, LoadContext, EngineReport } from './engine.ts';

const engineNames = ['native', 'k6', 'autocannon'] as const;
export type EngineName = (typeof engineNames)[number];

const factories: Record<EngineName, () => LoadEngine> = {
  native: createNativeEngine,
  k6: () => createK6Engine(),
  autocannon: () => createAutocannonEngine(),
};

export function createEngine(name: string): LoadEngine {
  if (!(engineNames as readonly string[]).includes(name)) {
    throw new UsageError(`--engine: unknown engine '${name}'; available: ${engineNames.join(', ')}`);
  }
  return factories[name as EngineName]();
}
