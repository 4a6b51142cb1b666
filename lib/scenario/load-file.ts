import { existsSync } from 'node:fs';
import { resolve as resolvePath, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { GauntletError, ScenarioInvalidError } from '../errors.ts';
import type { ResolvedScenario } from './resolved.ts';
import { type ResolveOptions, resolveScenario } from './resolve.ts';

/**
 * Load a `.ts` (or `.js`) scenario file at run time. TypeScript is compiled on the fly by tsx,
 * which the `gauntlet` entry point registers, so there is no build step.
 */
export async function loadScenarioFile(
  file: string,
  opts: Omit<ResolveOptions, 'source'> = {},
): Promise<ResolvedScenario> {
  const abs = resolvePath(file);
  const shown = relative(process.cwd(), abs) || abs;
  if (!existsSync(abs)) {
    throw new GauntletError('GAUNTLET_SCENARIO_NOT_FOUND', `${shown}: no such scenario file`);
  }
  let mod: Record<string, unknown>;
  try {
    // tsImport loads the file as ESM wherever it lives (no package.json with "type": "module" needed).
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ScenarioInvalidError(shown, [`cannot load the file: ${why}`]);
  }
  let value = mod.default ?? mod.scenario;
  // A file compiled as CommonJS arrives wrapped once more: { default: { default: scenario } }.
  if (value && typeof value === 'object' && 'default' in value && !('name' in value)) {
    value = (value as { default: unknown }).default;
  }
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (value === undefined) {
    throw new ScenarioInvalidError(shown, [
      'no scenario exported: add `export default defineScenario({ ... })`',
    ]);
  }
  return resolveScenario(value, { ...opts, source: shown });
}
