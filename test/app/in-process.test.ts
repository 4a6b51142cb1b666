import { describe, expect, it } from 'vitest';
import { startApp } from '../../infra-fixtures/app/app.ts';
import { LruStore } from '../../infra-fixtures/app/narrative-store.ts';
import { generateText } from '../../infra-fixtures/app/narrative-text.ts';
import { matchRoute } from '../../infra-fixtures/app/routes.ts';
import { createWorkQueue } from '../../infra-fixtures/app/work-queue.ts';
import { call, postJson } from './harness.ts';

describe('LruStore', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const s = new LruStore<number>(3);
    s.set('a', 1);
    s.set('b', 2);
    s.set('c', 3);
    expect(s.get('a')).toBe(1); // a is now the youngest
    s.set('d', 4);
    expect(s.get('b')).toBeUndefined();
    expect([s.get('a'), s.get('c'), s.get('d')]).toEqual([1, 3, 4]);
    expect(s.size).toBe(3);
  });

  it('stays at capacity under many inserts', () => {
    const s = new LruStore<number>(100);
    for (let i = 0; i < 10_000; i++) s.set(String(i), i);
    expect(s.size).toBe(100);
    expect(s.get('9999')).toBe(9999);
    expect(s.get('0')).toBeUndefined();
  });

  it('refuses a capacity below 1', () => {
    expect(() => new LruStore(0)).toThrow(/capacity must be a positive integer/);
  });
});

describe('generateText', () => {
  it('is deterministic, exact in length, and sentence-shaped', () => {
    const a = generateText('a ship in the fog', 'scifi', 300);
    expect(generateText('a ship in the fog', 'scifi', 300)).toBe(a);
    expect(a.split(' ')).toHaveLength(300);
    expect(a).toMatch(/^[A-Z]/);
    expect(a.endsWith('.')).toBe(true);
    expect(generateText('a ship in the fog', 'scifi', 1)).toMatch(/^[A-Z][a-z]+\.$/);
    expect(generateText('a ship in the mist', 'scifi', 300)).not.toBe(a);
  });
});

describe('matchRoute', () => {
  it('templates item paths and refuses nested or empty ids', () => {
    expect(matchRoute('/api/v1/narratives/abc?x=1')).toEqual({ route: '/api/v1/narratives/:id', id: 'abc' });
    expect(matchRoute('/api/v1/narratives')).toEqual({ route: '/api/v1/narratives' });
    expect(matchRoute('/api/v1/narratives/').route).toBe('unmatched');
    expect(matchRoute('/api/v1/narratives/a/b').route).toBe('unmatched');
    expect(matchRoute('/healthz/').route).toBe('unmatched');
  });
});

describe('createWorkQueue', () => {
  it('runs jobs in arrival order and reports depth back to 0', async () => {
    const depths: number[] = [];
    const q = createWorkQueue(1, (d) => depths.push(d));
    const results = await Promise.all([1, 2, 3, 4].map((n) => q.run(() => n * 10)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(Math.max(...depths)).toBe(4);
    expect(depths.at(-1)).toBe(0);
    expect(q.depth).toBe(0);
  });

  it('passes a failing job on as a rejection without stopping the queue', async () => {
    const q = createWorkQueue(1, () => {});
    const failed = q.run(() => {
      throw new Error('boom');
    });
    const next = q.run(() => 'after');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});

describe('startApp', () => {
  it('serves in-process on an ephemeral port and closes cleanly', async () => {
    const app = await startApp({ port: 0, drainDelayMs: 0, logLevel: 'silent' });
    expect(app.host).toBe('127.0.0.1');
    expect(app.url).toBe(`http://127.0.0.1:${app.port}`);
    expect((await postJson(app.port, { prompt: 'in process' })).status).toBe(201);
    const closing = app.close();
    expect(app.close()).toBe(closing);
    await closing;
    await expect(call(app.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects an invalid config before binding', async () => {
    await expect(startApp({ addedLatencyMs: Number.NaN })).rejects.toThrow(
      /^addedLatencyMs must be a number/,
    );
  });
});
