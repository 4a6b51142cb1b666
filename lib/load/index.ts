import { UsageError } from '../errors.ts';
import type { LoadEngine } from './engine.ts';
import { createNativeEngine } from './native/index.ts';

export type { LoadEngine, LoadPlan, LoadContext, EngineReport } from './engine.ts';

const engineNames = ['native'] as const;
export type EngineName = (typeof engineNames)[number];

const factories: Record<EngineName, () => LoadEngine> = {
  native: createNativeEngine,
};

export function createEngine(name: string): LoadEngine {
  if (!(engineNames as readonly string[]).includes(name)) {
    throw new UsageError(`--engine: unknown engine '${name}'; available: ${engineNames.join(', ')}`);
  }
  return factories[name as EngineName]();
}
