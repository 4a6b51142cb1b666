/**
 * A stand-in for k6-operator on the local cluster's store, so the k6-operator engine can be tested
 * without k6 or the operator. It reacts to TestRuns the way the operator does, as far as a client
 * can see:
 *
 *   - checks that `spec.script.configMap` names a ConfigMap holding the script file (else stage
 *     `error`, as the operator's initializer fails), then walks `status.stage` through
 *     initialization → initialized → created → started → finished;
 *   - creates `spec.parallelism` runner pods `<name>-<i>-<suffix>` labelled `app=k6,
 *     k6_cr=<name>, runner=true, job-name=<name>-<i>`, owned by the TestRun, with the operator's
 *     `k6 run` command line in a container named `k6`, and marks them Running;
 *   - "runs" each runner by appending a recorded k6 output (test/fixtures/k6 variants) to the pod's
 *     log in small chunks, then terminates the container with the exit code the test chose.
 *
 * The runners' logs reach the API server through its log provider (`logs`), which serves the text
 * so far and, for `follow`, every later chunk until the container terminated or the pod is gone.
 * Deleting the TestRun removes the pods through owner-reference GC, like the operator's Jobs.
 */
import type { LogProvider } from '../../infra-fixtures/local-cluster/api/context.ts';
import type { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { rfc3339 } from '../../infra-fixtures/local-cluster/store/util.ts';

export interface FakeRunnerPlan {
  /** What the runner's k6 writes: stdout (JSON output) and stderr (its log), interleaved. */
  readonly output: string;
  readonly exitCode: number;
}

export interface FakeOperatorOptions {
  /** The output of runner `index` (1-based) of `testRun`. */
  runner(testRun: StoredObject, index: number): FakeRunnerPlan;
  /** Bytes appended per tick; default 700. */
  readonly chunkBytes?: number;
  /** Time between chunks; default 5 ms. */
  readonly paceMs?: number;
  /** Keep runners running after their output (an endless test), until their pod is deleted. */
  readonly hold?: boolean;
  /** Fail the initializer with this message (stage `error`). */
  readonly failInit?: string;
}

interface PodLog {
  text: string;
  closed: boolean;
  listeners: Set<{ data: (s: string) => void; end: () => void }>;
}

export interface FakeOperator {
  readonly logs: LogProvider;
  /** TestRuns seen (as first created). */
  readonly testRuns: StoredObject[];
  /** Runner pods created, by TestRun name. */
  readonly pods: Map<string, string[]>;
  stop(): void;
}

/** The operator's runner command (pkg/resources/jobs/runner.go), for a realistic pod spec. */
function runnerCommand(tr: StoredObject, index: number): string[] {
  const n = tr.spec.parallelism as number;
  const segment = n > 1 ? ['--execution-segment', `${index - 1}/${n}:${index}/${n}`] : [];
  const args = String(tr.spec.arguments ?? '')
    .split(' ')
    .filter(Boolean);
  return [
    'k6',
    'run',
    '--quiet',
    ...segment,
    ...args,
    `/test/${tr.spec.script.configMap.file}`,
    '--address=0.0.0.0:6565',
    '--paused',
    '--tag',
    `instance_id=${index}`,
    '--tag',
    `testrun_name=${tr.metadata.name}`,
  ];
}

export function startFakeOperator(store: Store, options: FakeOperatorOptions): FakeOperator {
  const logs = new Map<string, PodLog>();
  const timers = new Set<NodeJS.Timeout>();
  const testRuns: StoredObject[] = [];
  const pods = new Map<string, string[]>();
  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const key = (ns: string | undefined, name: string) => `${ns}/${name}`;

  const setStage = (tr: StoredObject, stage: string, condition?: { reason: string; message: string }) => {
    if (!store.tryGet('testruns.k6.io', tr.metadata.namespace, tr.metadata.name)) return;
    store.mutate(
      'testruns.k6.io',
      tr.metadata.namespace,
      tr.metadata.name,
      (d) => {
        d.status = {
          ...(d.status ?? {}),
          stage,
          ...(condition
            ? {
                conditions: [
                  {
                    type: 'TestRunRunning',
                    status: 'False',
                    lastTransitionTime: rfc3339(new Date()),
                    ...condition,
                  },
                ],
              }
            : {}),
        };
      },
      { subresource: 'status' },
    );
  };

  const closeLog = (k: string) => {
    const log = logs.get(k);
    if (!log || log.closed) return;
    log.closed = true;
    for (const l of log.listeners) l.end();
  };

  const runRunner = (tr: StoredObject, pod: StoredObject, plan: FakeRunnerPlan, done: () => void) => {
    const k = key(pod.metadata.namespace, pod.metadata.name);
    const log: PodLog = { text: '', closed: false, listeners: new Set() };
    logs.set(k, log);
    const now = rfc3339(new Date());
    store.mutate(
      'pods',
      pod.metadata.namespace,
      pod.metadata.name,
      (d) => {
        d.status = {
          ...d.status,
          phase: 'Running',
          startTime: now,
          containerStatuses: [
            {
              name: 'k6',
              image: 'grafana/k6:latest',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            },
          ],
        };
      },
      { subresource: 'status' },
    );
    const size = options.chunkBytes ?? 700;
    let at = 0;
    const tick = () => {
      if (!store.tryGet('pods', pod.metadata.namespace, pod.metadata.name)) return closeLog(k);
      if (at < plan.output.length) {
        const chunk = plan.output.slice(at, (at += size));
        log.text += chunk;
        for (const l of log.listeners) l.data(chunk);
        return later(options.paceMs ?? 5, tick);
      }
      if (options.hold) return;
      const end = rfc3339(new Date());
      store.mutate(
        'pods',
        pod.metadata.namespace,
        pod.metadata.name,
        (d) => {
          d.status.phase = plan.exitCode === 0 ? 'Succeeded' : 'Failed';
          d.status.containerStatuses = [
            {
              ...d.status.containerStatuses[0],
              ready: false,
              started: false,
              state: {
                terminated: {
                  exitCode: plan.exitCode,
                  reason: plan.exitCode === 0 ? 'Completed' : 'Error',
                  startedAt: now,
                  finishedAt: end,
                },
              },
            },
          ];
        },
        { subresource: 'status' },
      );
      closeLog(k);
      done();
    };
    later(options.paceMs ?? 5, tick);
  };

  const start = (tr: StoredObject) => {
    testRuns.push(tr);
    const ns = tr.metadata.namespace!;
    setStage(tr, 'initialization');
    const ref = tr.spec.script?.configMap as { name: string; file?: string } | undefined;
    const file = ref?.file ?? 'test.js';
    const data = (ref ? store.tryGet('configmaps', ns, ref.name)?.data : undefined) as
      Record<string, string> | undefined;
    const why =
      options.failInit ?? (data?.[file] ? undefined : `script ${file} not found in ConfigMap ${ref?.name}`);
    if (why)
      return later(10, () => setStage(tr, 'error', { reason: 'TestRunPreparationFailed', message: why }));
    later(10, () => {
      setStage(tr, 'initialized');
      setStage(tr, 'created');
      const n = tr.spec.parallelism as number;
      const names: string[] = [];
      let remaining = n;
      for (let i = 1; i <= n; i++) {
        const job = `${tr.metadata.name}-${i}`;
        const pod = store.create('pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            generateName: `${job}-`,
            namespace: ns,
            labels: {
              app: 'k6',
              k6_cr: tr.metadata.name,
              runner: 'true',
              'job-name': job,
              ...(tr.spec.runner?.metadata?.labels ?? {}),
            },
            ownerReferences: [
              {
                apiVersion: 'k6.io/v1alpha1',
                kind: 'TestRun',
                name: tr.metadata.name,
                uid: tr.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            restartPolicy: 'Never',
            hostname: job,
            containers: [
              {
                name: 'k6',
                image: tr.spec.runner?.image ?? 'grafana/k6:latest',
                command: runnerCommand(tr, i),
                env: tr.spec.runner?.env ?? [],
              },
            ],
          },
        });
        names.push(pod.metadata.name);
        runRunner(tr, pod, options.runner(tr, i), () => {
          if (--remaining === 0) setStage(tr, 'finished');
        });
      }
      pods.set(tr.metadata.name, names);
      setStage(tr, 'started');
    });
  };

  const trWatch = store.watch('testruns.k6.io', {}, (e) => {
    if (e.type === 'ADDED' && !testRuns.some((t) => t.metadata.uid === e.object.metadata.uid))
      setImmediate(() => !stopped && start(e.object as StoredObject));
  });
  const podWatch = store.watch('pods', { labelSelector: 'app=k6,runner=true' }, (e) => {
    if (e.type === 'DELETED') closeLog(key(e.object.metadata.namespace, e.object.metadata.name!));
  });

  const provider: LogProvider = (pod, opts) => {
    const log = logs.get(key(pod.metadata.namespace, pod.metadata.name));
    if (!log) return '';
    if (!opts.follow || log.closed) return log.text;
    return (onData, onEnd) => {
      const l = { data: onData, end: onEnd };
      if (log.text) onData(log.text);
      log.listeners.add(l);
      return () => log.listeners.delete(l);
    };
  };

  return {
    logs: provider,
    testRuns,
    pods,
    stop() {
      stopped = true;
      trWatch.stop();
      podWatch.stop();
      for (const t of timers) clearTimeout(t);
      for (const k of logs.keys()) closeLog(k);
    },
  };
}
