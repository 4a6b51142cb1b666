/** The flags that pick a cluster, shared by run, capacity, plan and recover. */
import type { Command } from 'commander';
import * as flag from './flags.ts';
import { createClusterClient, type ClusterClient } from '../cluster/client.ts';
import { localStatus } from '../local/index.ts';
import { GauntletError } from '../errors.ts';

export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  localDir?: string;
}

export function addClusterFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (default: the running local cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--local-dir <dir>', 'directory of the local cluster (default .gauntlet/local)');
}

/** How run and capacity pick their target: the local stack, a URL, or a cluster's workload. */
export function addTargetFlags(cmd: Command): Command {
  return cmd
    .option(
      '--target <local|url>',
      "'local': the Novel Engine stack on the embedded local cluster (started if not running, stopped after); or a URL",
      flag.target,
    )
    .option('--local-dir <dir>', 'directory of the local cluster (default .gauntlet/local)')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster a Kubernetes target lives in');
}

/**
 * A client for an explicit kubeconfig/context, else for the local cluster when it runs; never
 * starts one (plan and recover are read-only or repair-only).
 */
export async function clientFor(flags: ClusterFlags): Promise<ClusterClient | undefined> {
  if (flags.kubeconfig || flags.context) {
    return createClusterClient({ kubeconfig: flags.kubeconfig, context: flags.context });
  }
  const status = await localStatus({ dir: flags.localDir });
  if (status.running && status.state) return createClusterClient({ kubeconfig: status.state.kubeconfig });
  return undefined;
}

export async function requireClient(flags: ClusterFlags): Promise<ClusterClient> {
  const client = await clientFor(flags);
  if (!client) {
    throw new GauntletError(
      'GAUNTLET_USAGE',
      'no cluster: the local cluster is not running; pass --kubeconfig FILE [--context NAME], or start it with `gauntlet local up --stack`',
    );
  }
  return client;
}
