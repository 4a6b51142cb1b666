import type { ScenarioInput } from './schema.ts';

/**
 * Typed identity helper for scenario files: `export default defineScenario({ ... })`. It gives
 * authors completion and type errors; validation with field-named messages happens when the file
 * is loaded (`resolveScenario`), so plain-object scenarios get the same checks.
 */
export function defineScenario<const T extends ScenarioInput>(scenario: T): T;
export function defineScenario<const T extends ScenarioInput>(factory: () => T): () => T;
export function defineScenario(s: unknown): unknown {
  return s;
}
