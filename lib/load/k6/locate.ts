/** Finding the k6 executable, and the setup error when there is none. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GauntletError } from '../../errors.ts';

export const K6_INSTALL_HINT =
  'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/ — e.g. `brew install k6`, ' +
  'the Grafana apt/rpm repository, or a release binary on PATH), or use --engine native';

/** Absolute path of `name` in the PATH directories, or null. */
export function findOnPath(name: string, path: string = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here, or not executable
    }
  }
  return null;
}

export function k6NotFound(): GauntletError {
  return new GauntletError('GAUNTLET_SETUP', `--engine k6: no k6 executable on PATH; ${K6_INSTALL_HINT}`);
}

/** The k6 executable, or the setup error that says how to install it. */
export function locateK6(path?: string): string {
  const found = findOnPath('k6', path);
  if (found === null) throw k6NotFound();
  return found;
}
