/**
 * Follows the runner pods of one TestRun: a watch on `app=k6,k6_cr=<name>,runner=true` pods, and
 * for every runner whose k6 container has started, its log, followed while it runs. Lines of k6's
 * JSON output go to the merger under the pod's name; k6's own log lines (JSON on stderr) are kept,
 * the last few hundred, to explain how the runner ended.
 *
 * A runner's output is complete when its container has terminated and its log was read to the
 * end. A followed log that breaks off while the runner still runs is read again from the start,
 * skipping the bytes already taken (logs are append-only), and once the container has terminated
 * one last plain read picks up whatever the follow missed. A pod log the kubelet rotated under a
 * long follow cannot be re-read in full; such gaps show up as restarts in the evidence.
 */
import { StringDecoder } from 'node:string_decoder';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterClient } from '../../cluster/client.ts';
import { Reflector } from '../../cluster/reflector.ts';
import { parseK6Log, type K6LogLine } from '../k6/exit.ts';
import type { K6OutputMerger } from '../k6/merge.ts';
import { PodLogError, streamPodLog } from './pod-log.ts';
import { RUNNER_CONTAINER, runnerSelector } from './resources.ts';

const kLogTailLines = 300;
const kMaxRereads = 20;

export interface RunnerReport {
  readonly pod: string;
  /** The k6 container's exit code, once it terminated. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Container termination reason (Completed, Error, OOMKilled, …). */
  readonly reason: string | null;
  readonly terminated: boolean;
  /** The pod was deleted before its output was complete. */
  readonly gone: boolean;
  /** Output read to the end (or given up on). */
  readonly drained: boolean;
  readonly bytes: number;
  /** Times the log was read again after a follow broke off. */
  readonly rereads: number;
  readonly readError: string | null;
}

interface Runner {
  readonly pod: string;
  container: string;
  started: boolean;
  terminated: boolean;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  gone: boolean;
  drained: boolean;
  following: boolean;
  /** Ends the current log request (not the fleet) when the container exited but the follow lingers. */
  cut: AbortController | null;
  consumed: number;
  skip: number;
  rereads: number;
  readError: string | null;
  decoder: StringDecoder;
  partial: string;
  log: string[];
}

export interface FleetOptions {
  readonly onError: (err: unknown) => void;
  /** Pause before reading a log again; default 500 ms. */
  readonly retryMs?: number;
  /** How long a log that ended may wait for its container to show as terminated; default 5 s. */
  readonly settleMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class RunnerFleet {
  private readonly runners = new Map<string, Runner>();
  private readonly stopper = new AbortController();
  private readonly loops = new Set<Promise<void>>();
  private readonly reflector: Reflector<V1Pod>;

  constructor(
    private readonly client: ClusterClient,
    private readonly namespace: string,
    testRun: string,
    private readonly merger: K6OutputMerger,
    private readonly options: FleetOptions,
  ) {
    const selector = runnerSelector(testRun);
    this.reflector = new Reflector<V1Pod>(
      {
        resource: `runner pods (${selector})`,
        path: `/api/v1/namespaces/${namespace}/pods`,
        modelType: 'V1Pod',
        labelSelector: selector,
        list: () => client.core.listNamespacedPod({ namespace, labelSelector: selector }),
      },
      {
        watch: client.watch,
        onChange: (c) => (c.type === 'deleted' ? this.onGone(c.object) : this.onPod(c.object)),
        onError: (err) => {
          if (!this.stopper.signal.aborted) options.onError(err);
        },
        backoff: { initialMs: 250, maxMs: 2000 },
      },
    );
  }

  /** Lists the runners there are and starts watching; resolves after the first list. */
  start(): Promise<void> {
    return this.reflector.start();
  }

  /** Runners whose k6 container has started (running or already terminated). */
  started(): number {
    return [...this.runners.values()].filter((r) => r.started).length;
  }

  /** Runners whose output is complete. */
  drained(): number {
    return [...this.runners.values()].filter((r) => r.drained).length;
  }

  reports(): RunnerReport[] {
    return [...this.runners.values()]
      .sort((a, b) => (a.pod < b.pod ? -1 : 1))
      .map((r) => ({
        pod: r.pod,
        exitCode: r.exitCode,
        signal: r.signal,
        reason: r.reason,
        terminated: r.terminated,
        gone: r.gone,
        drained: r.drained,
        bytes: r.consumed,
        rereads: r.rereads,
        readError: r.readError,
      }));
  }

  /**
   * k6's own log lines of one runner (the last few hundred). k6 logs JSON (`--log-format=json`),
   * so once it has, plain text is its stdout (the end-of-test summary) and is left out.
   */
  logOf(pod: string): K6LogLine[] {
    const lines = parseK6Log((this.runners.get(pod)?.log ?? []).join('\n'));
    const json = lines.filter((l) => l.level !== 'text');
    return json.length ? json : lines;
  }

  /** Stops following; what each runner sent so far is handed to the merger as its complete output. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await Promise.all([this.reflector.stop(), ...this.loops]);
    for (const r of this.runners.values()) this.finish(r);
  }

  private onPod(pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name || this.stopper.signal.aborted) return;
    let r = this.runners.get(name);
    if (!r) {
      const containers = pod.spec?.containers ?? [];
      const container = containers.some((c) => c.name === RUNNER_CONTAINER)
        ? RUNNER_CONTAINER
        : (containers[0]?.name ?? RUNNER_CONTAINER);
      r = {
        pod: name,
        container,
        started: false,
        terminated: false,
        exitCode: null,
        signal: null,
        reason: null,
        gone: false,
        drained: false,
        following: false,
        cut: null,
        consumed: 0,
        skip: 0,
        rereads: 0,
        readError: null,
        decoder: new StringDecoder('utf8'),
        partial: '',
        log: [],
      };
      this.runners.set(name, r);
    }
    const status = pod.status?.containerStatuses?.find((c) => c.name === r.container);
    const term = status?.state?.terminated;
    if (status?.state?.running || term) r.started = true;
    if (term) {
      if (!r.terminated) this.cutLingering(r);
      r.terminated = true;
      r.exitCode = term.exitCode ?? null;
      r.signal = term.signal !== undefined ? String(term.signal) : null;
      r.reason = term.reason ?? null;
    } else if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      r.started = true;
      r.terminated = true;
    }
    if (r.started && !r.following && !r.drained) this.follow(r);
  }

  /** A kubelet ends a follow when the container exits; one that stays open is cut after a grace. */
  private cutLingering(r: Runner): void {
    const cut = r.cut;
    if (!cut) return;
    const t = setTimeout(() => cut.abort(), this.options.settleMs ?? 5000);
    t.unref();
    cut.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  }

  private onGone(pod: V1Pod): void {
    const r = this.runners.get(pod.metadata?.name ?? '');
    if (r) r.gone = true;
  }

  private follow(r: Runner): void {
    r.following = true;
    const loop = this.followLoop(r)
      .catch((err: unknown) => {
        r.readError = err instanceof Error ? err.message : String(err);
        this.options.onError(err);
      })
      .finally(() => {
        r.following = false;
        this.loops.delete(loop);
        this.finish(r);
      });
    this.loops.add(loop);
  }

  private async followLoop(r: Runner): Promise<void> {
    const signal = this.stopper.signal;
    const retryMs = this.options.retryMs ?? 500;
    while (!signal.aborted && !r.gone) {
      const final = r.terminated;
      r.skip = r.consumed;
      let end;
      const cut = (r.cut = new AbortController());
      const onStop = () => cut.abort();
      signal.addEventListener('abort', onStop, { once: true });
      try {
        end = await streamPodLog(
          this.client,
          {
            namespace: this.namespace,
            pod: r.pod,
            container: r.container,
            follow: !final,
            signal: cut.signal,
          },
          (chunk) => this.take(r, chunk),
        );
      } catch (err) {
        // 400 while the container is still being created; 404 when the pod went away.
        if (err instanceof PodLogError && err.status === 404) return;
        if (++r.rereads > kMaxRereads) throw err;
        r.readError = err instanceof Error ? err.message : String(err);
        await sleep(retryMs, signal);
        continue;
      } finally {
        signal.removeEventListener('abort', onStop);
        cut.abort();
        r.cut = null;
      }
      if (signal.aborted) return;
      // Cut because the container exited: the next round is the final plain read.
      if (end === 'aborted') continue;
      if (final && end === 'ended') return;
      await this.settle(r);
      if (!r.terminated) {
        if (++r.rereads > kMaxRereads) throw new Error(`${r.pod}: its log broke off ${kMaxRereads} times`);
        await sleep(retryMs, signal);
      }
    }
  }

  /** A followed log ended: give the pod status a moment to say whether the container exited. */
  private async settle(r: Runner): Promise<void> {
    const deadline = Date.now() + (this.options.settleMs ?? 5000);
    while (!r.terminated && !r.gone && !this.stopper.signal.aborted && Date.now() < deadline)
      await sleep(100, this.stopper.signal);
  }

  private take(r: Runner, chunk: Buffer): void {
    let data = chunk;
    if (r.skip > 0) {
      const n = Math.min(r.skip, data.length);
      r.skip -= n;
      data = data.subarray(n);
    }
    if (!data.length) return;
    r.consumed += data.length;
    this.lines(r, r.decoder.write(data));
  }

  private lines(r: Runner, text: string): void {
    const all = r.partial + text;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', start)) {
      this.route(r, all.slice(start, nl));
      start = nl + 1;
    }
    r.partial = all.slice(start);
  }

  /** k6 writes its output records as `{"type":"Metric"|"Point",…}`; everything else is its log. */
  private route(r: Runner, line: string): void {
    if (line.startsWith('{"type":"Point"') || line.startsWith('{"type":"Metric"')) {
      this.merger.push(r.pod, `${line}\n`);
      return;
    }
    if (line.trim() === '') return;
    r.log.push(line);
    if (r.log.length > kLogTailLines) r.log.splice(0, r.log.length - kLogTailLines);
  }

  private finish(r: Runner): void {
    if (r.drained) return;
    r.drained = true;
    const rest = r.partial + r.decoder.end();
    r.partial = '';
    // An unterminated last line was cut off; the parser counts a record as malformed.
    if (rest.startsWith('{"type":')) this.merger.push(r.pod, rest);
    else if (rest.trim()) r.log.push(rest);
    this.merger.push(r.pod, '');
    this.merger.end(r.pod);
  }
}
