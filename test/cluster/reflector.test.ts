/**
 * The reflector's failure handling with a scripted watch: relist after a 410 (ERROR event or HTTP
 * status), back-off after errors and after watches that close at once, initial-list failures, and
 * stop() while a watch request is still on the wire.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Reflector, type ReflectorChange, type WatchLike } from '../../lib/cluster/reflector.ts';
import { GauntletError } from '../../lib/errors.ts';

type Callback = (phase: string, obj: unknown) => void;
type Done = (err: unknown) => void;

interface WatchCall {
  params: Record<string, unknown>;
  callback: Callback;
  done: Done;
  controller: AbortController;
}

/** A watch whose behaviour per call is scripted; records every call. */
function scriptedWatch(onCall: (call: WatchCall, index: number) => void | Promise<void>) {
  const calls: WatchCall[] = [];
  const watch: WatchLike = {
    async watch(_path, params, callback, done) {
      const controller = new AbortController();
      const call = { params, callback, done, controller };
      calls.push(call);
      await onCall(call, calls.length - 1);
      return controller;
    },
  };
  return { watch, calls };
}

function cm(name: string, rv: string, data: Record<string, string> = {}): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', resourceVersion: rv },
    data,
  };
}

function listOf(...items: V1ConfigMap[]) {
  const rv = String(Math.max(0, ...items.map((i) => Number(i.metadata!.resourceVersion))));
  return { items, metadata: { resourceVersion: rv } };
}

const spec = (list: () => Promise<ReturnType<typeof listOf>>) => ({
  resource: 'configmaps',
  path: '/api/v1/namespaces/ns/configmaps',
  modelType: 'V1ConfigMap',
  list,
});

function collect() {
  const changes: string[] = [];
  const errors: unknown[] = [];
  return {
    changes,
    errors,
    onChange: (c: ReflectorChange<V1ConfigMap>) =>
      changes.push(`${c.type} ${c.object.metadata?.name}${c.initial ? ' initial' : ''}`),
    onError: (err: unknown) => errors.push(err),
  };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Reflector', () => {
  it('resumes from the last resourceVersion and relists after an ERROR 410, reporting the difference', async () => {
    let lists = 0;
    const listFn = async () =>
      ++lists === 1 ? listOf(cm('a', '5'), cm('b', '6')) : listOf(cm('b', '9'), cm('c', '10'));
    const { watch, calls } = scriptedWatch((call, i) => {
      if (i === 0) {
        setImmediate(() => {
          call.callback('MODIFIED', cm('a', '7', { x: '1' }));
          call.callback('BOOKMARK', { metadata: { resourceVersion: '8' } });
          call.done(null);
        });
      } else if (i === 1) {
        setImmediate(() => {
          call.callback('ERROR', {
            kind: 'Status',
            code: 410,
            reason: 'Expired',
            message: 'too old resource version',
          });
        });
      }
    });
    const sink = collect();
    const r = new Reflector(spec(listFn), { watch, ...sink, backoff: { initialMs: 10, maxMs: 20 } });
    await r.start();
    await tick(300);
    await r.stop();
    expect(calls.map((c) => c.params.resourceVersion)).toEqual(['6', '8', '10']);
    expect(calls[0]!.params).toMatchObject({ allowWatchBookmarks: true });
    expect(sink.changes).toEqual([
      'added a initial',
      'added b initial',
      'modified a',
      // the relist: a vanished, b changed, c appeared
      'deleted a',
      'modified b',
      'added c',
    ]);
    expect(sink.errors).toEqual([]);
    expect(r.items().map((o) => o.metadata?.name)).toEqual(['b', 'c']);
    // Every aborted: nothing left open.
    expect(calls.every((c) => c.controller.signal.aborted)).toBe(true);
  });

  it('relists after an HTTP 410 from the watch request', async () => {
    let lists = 0;
    const { watch, calls } = scriptedWatch((call, i) => {
      if (i === 0) call.done(Object.assign(new Error('Gone'), { statusCode: 410 }));
    });
    const sink = collect();
    const r = new Reflector(
      spec(async () => (++lists, listOf(cm('a', String(lists))))),
      { watch, ...sink },
    );
    await r.start();
    await tick(100);
    await r.stop();
    expect(lists).toBe(2);
    expect(calls.map((c) => c.params.resourceVersion)).toEqual(['1', '2']);
    expect(sink.errors).toEqual([]);
  });

  it('backs off when every fresh version expires at once as well', async () => {
    let lists = 0;
    const { watch } = scriptedWatch((call) => {
      setImmediate(() => call.callback('ERROR', { kind: 'Status', code: 410, message: 'too old' }));
    });
    const sink = collect();
    const r = new Reflector(
      spec(async () => (++lists, listOf(cm('a', String(lists))))),
      { watch, ...sink, backoff: { initialMs: 40, maxMs: 160 } },
    );
    await r.start();
    await new Promise((res) => setTimeout(res, 700));
    await r.stop();
    expect(lists).toBeGreaterThanOrEqual(3);
    expect(lists).toBeLessThanOrEqual(10);
    expect(sink.errors).toEqual([]);
  });

  it('backs off exponentially after failing watches and reports each failure', async () => {
    const { watch, calls } = scriptedWatch((call) => {
      call.done(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }));
    });
    const sink = collect();
    const r = new Reflector(
      spec(async () => listOf(cm('a', '1'))),
      {
        watch,
        ...sink,
        backoff: { initialMs: 40, maxMs: 160 },
      },
    );
    await r.start();
    await tick(700);
    await r.stop();
    // 40, 80, 160, 160, … (±20 % jitter): about 6 attempts in 700 ms, never a hot loop.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.length).toBeLessThanOrEqual(8);
    expect(sink.errors.length).toBe(calls.length);
    expect(String((sink.errors[0] as Error).message)).toBe('watch configmaps (500): Internal Server Error');
  });

  it('does not spin when the server closes watches at once, and reports no error for it', async () => {
    const { watch, calls } = scriptedWatch((call) => call.done(null));
    const sink = collect();
    const r = new Reflector(
      spec(async () => listOf(cm('a', '1'))),
      {
        watch,
        ...sink,
        backoff: { initialMs: 40, maxMs: 160 },
      },
    );
    await r.start();
    await tick(700);
    await r.stop();
    expect(calls.length).toBeLessThanOrEqual(8);
    expect(sink.errors).toEqual([]);
  });

  it('fails start on a forbidden list, naming the resource and the fix', async () => {
    const { watch } = scriptedWatch(() => undefined);
    const sink = collect();
    const forbidden = Object.assign(new Error('HTTP-Code: 403'), {
      code: 403,
      body: JSON.stringify({
        kind: 'Status',
        message: 'configmaps is forbidden: User "x" cannot list resource',
      }),
    });
    const r = new Reflector(
      spec(async () => {
        throw forbidden;
      }),
      { watch, ...sink },
    );
    const err = await r.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GauntletError);
    expect((err as Error).message).toBe(
      'list configmaps (403): configmaps is forbidden: User "x" cannot list resource; grant the kubeconfig\'s user list and watch on configmaps (RBAC)',
    );
    await r.stop();
  });

  it('retries a transiently failing first list, then starts', async () => {
    let lists = 0;
    const { watch } = scriptedWatch(() => undefined);
    const sink = collect();
    const r = new Reflector(
      spec(async () => {
        if (++lists < 3) throw Object.assign(new Error('Service Unavailable'), { code: 503 });
        return listOf(cm('a', '1'));
      }),
      { watch, ...sink, backoff: { initialMs: 10, maxMs: 20 } },
    );
    await r.start();
    expect(lists).toBe(3);
    expect(sink.errors).toHaveLength(2);
    expect(sink.changes).toEqual(['added a initial']);
    await r.stop();
  });

  it('stops while a watch request is still waiting for its response, and aborts it when it comes', async () => {
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const { watch, calls } = scriptedWatch(() => answered);
    const sink = collect();
    const r = new Reflector(
      spec(async () => listOf(cm('a', '1'))),
      { watch, ...sink },
    );
    await r.start();
    await tick(20);
    const stopping = r.stop();
    release();
    await stopping;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.controller.signal.aborted).toBe(true);
    // Late events after stop are ignored.
    calls[0]!.callback('ADDED', cm('late', '2'));
    expect(sink.changes).toEqual(['added a initial']);
  });

  it('rejects start when stopped before the first list completes', async () => {
    let release!: () => void;
    const { watch } = scriptedWatch(() => undefined);
    const sink = collect();
    const r = new Reflector(
      spec(async () => {
        await new Promise<void>((res) => (release = res));
        return listOf(cm('a', '1'));
      }),
      { watch, ...sink },
    );
    const started = r.start().catch((e: unknown) => e);
    await tick(10);
    const stopping = r.stop();
    release();
    await stopping;
    expect(String(await started)).toContain('stopped before the initial list completed');
    expect(sink.changes).toEqual([]);
  });
});
