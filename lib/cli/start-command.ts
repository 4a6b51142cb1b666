import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.ts';
import { startStandInApp } from './stand-in-app.ts';

const smokeScenario = fileURLToPath(new URL('../../scenarios/smoke.ts', import.meta.url));

/**
 * The default job (`npm start`): start the stand-in app, run the smoke scenario against it with
 * every reporter, stop the app. No cluster or configuration needed.
 */
export function addStartCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('start')
    .description(
      'default job: start the stand-in app, run scenarios/smoke.ts against it, write reports, stop the app',
    )
    .option('--out <dir>', 'report directory (default gauntlet-results/smoke-<time>/)')
    .option('--scale <f>', 'multiply every duration of the scenario', Number)
    .action(async (opts: { out?: string; scale?: number }) => {
      // DRAIN_DELAY_MS is short: nothing routes to this app, so there is nothing to drain from.
      const app = await startStandInApp({ DRAIN_DELAY_MS: '100' });
      process.stderr.write(`stand-in app on ${app.url} (pid ${app.pid})\n`);
      try {
        setExit(await runCommand(smokeScenario, { url: app.url, engine: 'native', method: 'GET', ...opts }));
      } finally {
        await app.stop();
      }
    });
}
