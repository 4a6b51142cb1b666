import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-gauntlet.ts';

// A process that takes the first signal as "stop gracefully" and then stays busy for a while,
// as a run does while it reverts faults and writes reports.
const script = `
import { interruptSignal } from ${JSON.stringify(join(repoRoot, 'lib/cli/signals.ts'))};
const i = interruptSignal(() => console.error('first'), 'run gauntlet recover DIR');
i.signal.addEventListener('abort', () => console.error('aborted'));
console.error('ready');
setTimeout(() => { i.dispose(); process.exit(0); }, 4000);
`;

function run(gapsMs: number[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      const before = stderr;
      stderr += d.toString();
      if (!before.includes('ready') && stderr.includes('ready')) {
        let at = 0;
        for (const gap of gapsMs) setTimeout(() => child.kill('SIGINT'), (at += gap));
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('interruptSignal', () => {
  it('a second Ctrl-C after 500 ms exits 130 at once and says what may be left behind', async () => {
    const started = Date.now();
    const r = await run([100, 900]);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/first\naborted\n/);
    expect(r.stderr).toContain('SIGINT again: exiting without reports\nrun gauntlet recover DIR');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('a repeat within 500 ms (npm forwarding the same Ctrl-C) is not taken as force', async () => {
    const r = await run([100, 50]);
    // Both signals land while it is busy; it then finishes on its own (exit 0 after 4 s).
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('again');
  }, 40_000);
});
