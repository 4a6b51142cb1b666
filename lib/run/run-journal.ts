/**
 * A run's chaos journal, opened on first use and shared by everything that changes the cluster:
 * the chaos schedule and an engine that creates objects there (k6-operator). One journal and one
 * run id per run, so entry ids never collide and `gauntlet recover` sees every change.
 */
import path from 'node:path';
import { ChaosJournal, JOURNAL_FILE, type JournalGuard } from '../../chaos/index.ts';
import type { ClusterClient } from '../cluster/client.ts';
import type { KubernetesTarget } from '../cluster/target.ts';

export class RunJournal {
  /** Names the run in the journal and in the annotation on what it touches. */
  readonly runId: string;
  readonly file: string;
  private journal?: Promise<ChaosJournal>;

  constructor(
    outDir: string,
    scenarioName: string,
    private readonly client: ClusterClient,
    private readonly target: KubernetesTarget,
  ) {
    this.runId = `${scenarioName}-${Date.now().toString(36)}`;
    this.file = path.join(outDir, JOURNAL_FILE);
  }

  open(): Promise<ChaosJournal> {
    this.journal ??= ChaosJournal.open(this.file);
    return this.journal;
  }

  /** A guard for one change; `t` is the run clock in seconds. */
  async guard(action: string, t: () => number | null): Promise<JournalGuard> {
    const journal = await this.open();
    return journal.guard(
      {
        runId: this.runId,
        action,
        server: this.client.server,
        context: this.client.contextName,
        target: {
          namespace: this.target.namespace,
          deployment: this.target.deployment,
          selector: this.target.selector,
        },
      },
      t,
    );
  }
}
