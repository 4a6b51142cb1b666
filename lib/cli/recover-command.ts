/**
 * `gauntlet recover <journal|run-dir>`: undoes every fault a run journalled but did not revert
 * (the run was killed, or a revert failed): uncordons, restores templates, recovers zones. Only
 * objects still carrying the run's annotation are touched.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { findChaosMarks, JOURNAL_FILE, recoverFromJournal } from '../../chaos/index.ts';
import { UsageError } from '../errors.ts';
import { addClusterFlags, type ClusterFlags } from './cluster-flags.ts';
import { clientForJournal } from './journal-client.ts';

export function addRecoverCommand(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('recover')
    .description('undo the faults a run journalled but did not revert (after a crash or kill -9)')
    .argument('<journal>', `a run directory or its ${JOURNAL_FILE}`);
  addClusterFlags(cmd)
    .addHelpText(
      'after',
      `
Without --kubeconfig or --context: the running local cluster when the journal's faults are on it,
else the kubeconfig context the journal recorded (from $KUBECONFIG or ~/.kube/config).

Exit codes: 0 nothing left to undo · 1 some entry could not be recovered · 2 usage error`,
    )
    .action(async (target: string, opts: ClusterFlags) => {
      const file = journalPath(target);
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const client = await clientForJournal(opts, file, log);
      const report = await recoverFromJournal(client, file, { log });
      for (const e of report.entries)
        process.stdout.write(`${e.status.padEnd(9)} ${e.id} ${e.action}: ${e.notes.join('; ')}\n`);
      process.stdout.write(
        `${report.entries.filter((e) => e.status === 'recovered').length} recovered, ${report.alreadyReverted} already reverted by their run\n`,
      );
      const marks = await findChaosMarks(client);
      for (const m of marks) process.stdout.write(`still marked: ${JSON.stringify(m)}\n`);
      setExit(report.entries.some((e) => e.status === 'failed') ? 1 : 0);
    });
}

function journalPath(p: string): string {
  if (!existsSync(p))
    throw new UsageError(`recover: ${p} does not exist; pass a run directory or its ${JOURNAL_FILE}`);
  const file = statSync(p).isDirectory() ? path.join(p, JOURNAL_FILE) : p;
  if (!existsSync(file))
    throw new UsageError(`recover: no ${JOURNAL_FILE} in ${p}; that run injected no fault`);
  return file;
}
