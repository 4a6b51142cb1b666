/**
 * Checks `npx gauntlet …` command lines written in workflows and guides against the CLI itself:
 * the commands and flags come from the same commander definitions `gauntlet --help` prints.
 */
import { Command } from 'commander';
import { addCapacityCommand } from '../../lib/cli/capacity-command.ts';
import { addCompareCommand } from '../../lib/cli/compare-command.ts';
import { addPlanCommand } from '../../lib/cli/plan-command.ts';
import { addRecoverCommand } from '../../lib/cli/recover-command.ts';
import { addReportCommand } from '../../lib/cli/report-command.ts';
import { addRunCommand } from '../../lib/cli/run-command.ts';
import { addStartCommand } from '../../lib/cli/start-command.ts';

/** Command name → its long and short flags. */
export function gauntletFlags(): Map<string, Set<string>> {
  const program = new Command('gauntlet');
  const ignore = () => undefined;
  for (const add of [
    addRunCommand,
    addStartCommand,
    addPlanCommand,
    addRecoverCommand,
    addReportCommand,
    addCompareCommand,
    addCapacityCommand,
  ])
    add(program, ignore);
  return new Map(
    program.commands.map((c) => [
      c.name(),
      new Set(c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f))),
    ]),
  );
}

export interface Invocation {
  readonly command: string;
  readonly flags: readonly string[];
  readonly text: string;
}

/**
 * Every `npx gauntlet <command> …` in shell text, with continuation lines joined; a command line
 * ends at `;`, `&&`, `||`, `|`, a `then`/`fi` or the end of its line.
 */
export function gauntletInvocations(shell: string): Invocation[] {
  // GitHub expressions (`${{ inputs.scale || '1' }}`) are one word, whatever they hold.
  const joined = shell.replace(/\\\n\s*/g, ' ').replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
  return [...joined.matchAll(/npx gauntlet ([\w-]+)([^;&|\n]*)/g)].map((m) => {
    const rest = (m[2] ?? '').replace(/\s(?:then|fi)\b.*$/, '');
    return {
      command: m[1] ?? '',
      flags: [...rest.matchAll(/(?:^|\s)(--?[a-zA-Z][\w-]*)/g)].map((f) => f[1] ?? ''),
      text: `npx gauntlet ${m[1]}${rest}`.trim(),
    };
  });
}

/** Commands that pick a cluster with --kubeconfig/--context and default to the local one. */
const CLUSTER_COMMANDS = new Set(['run', 'plan', 'recover', 'capacity']);

/**
 * What is wrong with each invocation: an unknown command or flag, or (against a real cluster) a
 * command that would fall back to the embedded local cluster for want of --context/--kubeconfig.
 */
export function invocationProblems(
  invocations: readonly Invocation[],
  opts: { realCluster: boolean },
): string[] {
  const flags = gauntletFlags();
  const out: string[] = [];
  for (const inv of invocations) {
    const known = flags.get(inv.command);
    if (!known) {
      out.push(`${inv.text}: no command '${inv.command}' (${[...flags.keys()].join(', ')})`);
      continue;
    }
    for (const f of inv.flags) if (!known.has(f)) out.push(`${inv.text}: '${inv.command}' has no flag ${f}`);
    if (
      opts.realCluster &&
      CLUSTER_COMMANDS.has(inv.command) &&
      !inv.flags.some((f) => f === '--context' || f === '--kubeconfig')
    )
      out.push(`${inv.text}: names no cluster (--context or --kubeconfig), so it would use the local one`);
  }
  return out;
}
