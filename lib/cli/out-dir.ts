import { join } from 'node:path';

/** gauntlet-results/<scenario>-<UTC timestamp>/: sortable, one directory per run. */
export function defaultOutDir(scenario: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join('gauntlet-results', `${scenario}-${stamp}`);
}
