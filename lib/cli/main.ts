import { Command, CommanderError } from 'commander';
import { isGauntletError } from '../errors.ts';
import { gauntletVersion } from '../version.ts';
import { addLocalCommand } from './local-command.ts';
import { addCapacityCommand } from './capacity-command.ts';
import { addCompareCommand } from './compare-command.ts';
import { addK6Command } from './k6-command.ts';
import { addReportCommand } from './report-command.ts';
import { addPlanCommand } from './plan-command.ts';
import { addRecoverCommand } from './recover-command.ts';
import { addRunCommand } from './run-command.ts';
import { addStartCommand } from './start-command.ts';

/** Runs the CLI and returns the exit code (0 pass, 1 verdict failed, 2 usage/setup error). */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('gauntlet')
    .description("Chaos and load verification: turn a service's production-readiness claims into evidence.")
    .version(gauntletVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  addRunCommand(program, setExit);
  addStartCommand(program, setExit);
  addPlanCommand(program, setExit);
  addRecoverCommand(program, setExit);
  addReportCommand(program, setExit);
  addCompareCommand(program, setExit);
  addCapacityCommand(program, setExit);
  addLocalCommand(program, setExit);
  addK6Command(program, setExit);
  program.commands.forEach((c) => c.exitOverride());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; every parsing problem is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isGauntletError(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}
