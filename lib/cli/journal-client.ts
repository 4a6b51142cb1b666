/**
 * Which cluster `gauntlet recover` repairs when no --kubeconfig or --context is given: the one its
 * journal's open entries were injected into. A run against kind or EKS records its kubeconfig
 * context, and recover after a crash is usually typed by someone who has switched context since,
 * or in a CI step that never selected one; guessing the current context (or the local cluster)
 * would skip every entry as "another API server".
 */
import { readJournal } from '../../chaos/index.ts';
import { createClusterClient, type ClusterClient } from '../cluster/client.ts';
import { GauntletError } from '../errors.ts';
import { clientFor, requireClient, type ClusterFlags } from './cluster-flags.ts';

export async function clientForJournal(
  flags: ClusterFlags,
  journalFile: string,
  log: (line: string) => void,
): Promise<ClusterClient> {
  if (flags.kubeconfig || flags.context) return requireClient(flags);
  const open = (await readJournal(journalFile)).filter((r) => !r.reverted);
  const local = await clientFor(flags);
  if (local && (open.length === 0 || open.some((r) => r.server === local.server))) return local;
  const recorded = open.find((r) => r.context !== '');
  if (!recorded) return requireClient(flags);
  let client: ClusterClient;
  try {
    client = createClusterClient({ context: recorded.context });
  } catch (err) {
    throw new GauntletError(
      'GAUNTLET_USAGE',
      `recover: the journal's faults were injected through context "${recorded.context}" (${recorded.server}), ` +
        `which the default kubeconfig cannot select (${(err as Error).message}); ` +
        'pass --kubeconfig FILE --context NAME for that cluster',
    );
  }
  log(`recover: using context "${recorded.context}" (${client.server}), recorded in the journal`);
  return client;
}
