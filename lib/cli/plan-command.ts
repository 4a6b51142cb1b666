/**
 * `gauntlet plan <scenario>`: what a run would do, read-only: the load, the SLAs and verdicts, the
 * target as the cluster resolves it (when one is reachable) and the chaos plan. Touches nothing and
 * never starts a cluster.
 */
import type { Command } from 'commander';
import { chaosPlanText } from '../../chaos/index.ts';
import { resolveKubernetesTarget } from '../cluster/target.ts';
import { formatDuration } from '../scenario/duration.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import { profileDurationMs, type ResolvedScenario } from '../scenario/resolved.ts';
import { LOCAL_STACK_TARGET } from '../run/cluster-session.ts';
import { addClusterFlags, clientFor, type ClusterFlags } from './cluster-flags.ts';
import * as flag from './flags.ts';

interface PlanFlags extends ClusterFlags {
  scale?: number;
  target?: string;
}

export function addPlanCommand(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('plan')
    .description('print what a run of the scenario would do (load, verdicts, target, chaos plan); read-only')
    .argument('<scenario>', 'scenario file (.ts)')
    .option('--scale <f>', 'multiply every duration of the scenario', flag.positiveNumber('--scale', '0.1'))
    .option('--target <local>', "'local': plan against the local cluster's stack", flag.target);
  addClusterFlags(cmd).action(async (file: string, opts: PlanFlags) => {
    process.stdout.write(`${await planText(file, opts)}\n`);
    setExit(0);
  });
}

export async function planText(file: string, opts: PlanFlags): Promise<string> {
  let scenario: ResolvedScenario = await loadScenarioFile(file, { scale: opts.scale ?? 1 });
  if (opts.target === 'local' && scenario.target.kind === 'url')
    scenario = { ...scenario, target: LOCAL_STACK_TARGET };
  const lines = [`Scenario ${scenario.name}${scenario.description ? `: ${scenario.description}` : ''}`];
  lines.push(`Load: ${describeLoad(scenario)}, ${scenario.requests.length} request kinds`);
  const slaNames = [
    ...scenario.slas.map((s) => `${s.id}${s.scope !== 'run' ? ` [${s.scope}]` : ''}`),
    ...scenario.promqlSlas.map((s) => `server-side ${s.id}${s.scope !== 'run' ? ` [${s.scope}]` : ''}`),
  ];
  lines.push(`SLAs: ${slaNames.join(', ') || 'none'}`);
  lines.push(`Verify: ${scenario.verify.map((v) => v.kind).join(', ') || 'none'}`);
  const t = scenario.target;
  if (t.kind === 'url') {
    lines.push(`Target: ${t.url}`);
    return lines.join('\n');
  }
  const spec = `${t.namespace}/${t.deployment ?? `(pods ${t.selector})`}`;
  const client = await clientFor(opts).catch(() => undefined);
  let chaosTarget = { namespace: t.namespace, deployment: t.deployment ?? '?', selector: t.selector ?? '?' };
  if (client) {
    try {
      const resolved = await resolveKubernetesTarget(client, t);
      chaosTarget = {
        namespace: resolved.namespace,
        deployment: resolved.deployment,
        selector: resolved.selector,
      };
      lines.push(
        `Target: deployment ${spec} on context ${client.contextName}; load to ${resolved.url} (from the ${resolved.urlSource})`,
      );
    } catch (e) {
      lines.push(
        `Target: deployment ${spec}; not resolvable now: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  } else {
    lines.push(
      `Target: deployment ${spec}; no cluster reachable now (a run starts the local cluster, or pass --kubeconfig)`,
    );
  }
  lines.push(
    chaosPlanText(scenario.chaos, chaosTarget, {
      endMs: profileDurationMs(scenario.profile),
      limits: scenario.chaosLimits,
      ...(client ? { cluster: client } : {}),
    }),
  );
  return lines.join('\n');
}

function describeLoad(s: ResolvedScenario): string {
  const p = s.profile;
  const total = formatDuration(profileDurationMs(p));
  if (p.kind === 'constant-arrival-rate') return `${p.rate} req/s for ${total}`;
  if (p.kind === 'closed') return `${p.connections} connections for ${total}`;
  return `ramping ${p.startRate} → ${p.stages.map((st) => `${st.target} req/s over ${formatDuration(st.durationMs)}`).join(' → ')} (${total})`;
}
