import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.ts';

const nightlyScenario = fileURLToPath(new URL('../../scenarios/nightly.ts', import.meta.url));

/**
 * The default job (`npm start`): the nightly scenario against the Novel Engine stack on the
 * embedded local cluster (started for the run and stopped after it, unless one was already
 * running), with every reporter. Needs nothing but Node.js.
 */
export function addStartCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('start')
    .description(
      'default job: run scenarios/nightly.ts on the embedded local cluster (started and stopped for the run), write reports',
    )
    .option('--out <dir>', 'report directory (default gauntlet-results/nightly-<time>/)')
    .option('--scale <f>', 'multiply every duration of the scenario', Number)
    .option('--local-dir <dir>', 'directory of the local cluster (default .gauntlet/local)')
    .option(
      '-q, --quiet',
      'no live progress or final table: one PASS/FAIL line naming the report directory (every report file is still written)',
    )
    .action(async (opts: { out?: string; scale?: number; quiet?: boolean; localDir?: string }) => {
      setExit(
        await runCommand(nightlyScenario, { target: 'local', engine: 'native', method: 'GET', ...opts }),
      );
    });
}
