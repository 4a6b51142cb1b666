import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, call, killAll, postJson, sample, spawnApp } from './harness.ts';

let app: AppProcess;
let port: number;

beforeAll(async () => {
  app = await spawnApp();
  port = app.port;
});
afterAll(killAll);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('probes', () => {
  it('announces the bound port as one JSON line', () => {
    const line = JSON.parse(app.stdoutLines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'listening', host: '127.0.0.1', port });
    expect(port).toBeGreaterThan(0);
  });

  it('healthz and readyz answer 200', async () => {
    const h = await call(port, '/healthz');
    expect(h.status).toBe(200);
    expect(h.json()).toEqual({ status: 'ok' });
    expect(h.headers['content-type']).toMatch(/^application\/json/);
    const r = await call(port, '/readyz');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ status: 'ready' });
  });

  it('HEAD is allowed where GET is, without a body', async () => {
    const h = await call(port, '/healthz', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.text).toBe('');
  });

  it('ignores a query string when routing', async () => {
    expect((await call(port, '/healthz?probe=1')).status).toBe(200);
  });
});

describe('narratives', () => {
  it('creates a narrative and reads it back', async () => {
    const created = await postJson(port, {
      prompt: 'A lighthouse keeper finds a letter',
      genre: 'mystery',
      maxWords: 40,
    });
    expect(created.status).toBe(201);
    const body = created.json<{
      id: string;
      text: string;
      words: number;
      genre: string;
      prompt: string;
      createdAt: string;
    }>();
    expect(body.id).toMatch(uuid);
    expect(body).toMatchObject({ prompt: 'A lighthouse keeper finds a letter', genre: 'mystery', words: 40 });
    expect(body.text.split(' ')).toHaveLength(40);
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
    expect(created.headers.location).toBe(`/api/v1/narratives/${body.id}`);

    const read = await call(port, `/api/v1/narratives/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.json()).toEqual(body);
  });

  it('fills defaults and generates the same text for the same prompt', async () => {
    const a = (await postJson(port, { prompt: 'same seed' })).json<{
      id: string;
      text: string;
      genre: string;
      words: number;
    }>();
    const b = (await postJson(port, { prompt: 'same seed' })).json<{ id: string; text: string }>();
    expect(a.genre).toBe('fantasy');
    expect(a.words).toBe(120);
    expect(a.text).toBe(b.text);
    expect(a.id).not.toBe(b.id);
    const c = (await postJson(port, { prompt: 'same seed', genre: 'horror' })).json<{ text: string }>();
    expect(c.text).not.toBe(a.text);
  });

  it('accepts a charset parameter on the content type', async () => {
    const r = await postJson(
      port,
      { prompt: 'x' },
      { headers: { 'content-type': 'Application/JSON; charset=utf-8' } },
    );
    expect(r.status).toBe(201);
  });

  it('404s an unknown id and 400s a malformed one, naming the field', async () => {
    const missing = await call(port, '/api/v1/narratives/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found', field: 'id' } });
    const bad = await call(port, '/api/v1/narratives/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_id', field: 'id' } });
  });
});

describe('request validation', () => {
  // Each case: what was sent → the field the 400 must name.
  const cases: ReadonlyArray<[string, unknown, string, string]> = [
    ['missing prompt', {}, 'prompt', 'missing_field'],
    ['prompt not a string', { prompt: 42 }, 'prompt', 'invalid_field'],
    ['empty prompt', { prompt: '' }, 'prompt', 'invalid_field'],
    ['blank prompt', { prompt: '   ' }, 'prompt', 'invalid_field'],
    ['prompt over 2000 chars', { prompt: 'x'.repeat(2001) }, 'prompt', 'invalid_field'],
    ['unknown genre', { prompt: 'x', genre: 'western' }, 'genre', 'invalid_field'],
    ['null genre', { prompt: 'x', genre: null }, 'genre', 'invalid_field'],
    ['maxWords zero', { prompt: 'x', maxWords: 0 }, 'maxWords', 'invalid_field'],
    ['maxWords fractional', { prompt: 'x', maxWords: 2.5 }, 'maxWords', 'invalid_field'],
    ['maxWords as text', { prompt: 'x', maxWords: '10' }, 'maxWords', 'invalid_field'],
    ['maxWords over 2000', { prompt: 'x', maxWords: 2001 }, 'maxWords', 'invalid_field'],
    ['unknown field', { prompt: 'x', colour: 'red' }, 'colour', 'unknown_field'],
    ['array body', [{ prompt: 'x' }], 'body', 'invalid_body'],
    ['bad JSON', '{"prompt": ', 'body', 'invalid_json'],
  ];

  it.each(cases)('%s → 400 naming %s', async (_name, body, field, code) => {
    const r = await postJson(port, body);
    expect(r.status).toBe(400);
    const err = r.json<{ error: { code: string; field: string; message: string } }>().error;
    expect(err).toMatchObject({ code, field });
    expect(err.message).toContain(field === 'body' ? 'body' : field);
  });

  it('accepts a 2000-character prompt (code points, not UTF-16 units)', async () => {
    expect((await postJson(port, { prompt: 'x'.repeat(2000) })).status).toBe(201);
    expect((await postJson(port, { prompt: '📖'.repeat(2000) })).status).toBe(201);
  });

  it('rejects a wrong or missing content type naming content-type', async () => {
    const variants: Array<Record<string, string>> = [{ 'content-type': 'text/plain' }, {}];
    for (const headers of variants) {
      const r = await call(port, '/api/v1/narratives', { method: 'POST', headers, body: '{"prompt":"x"}' });
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ error: { code: 'unsupported_content_type', field: 'content-type' } });
    }
  });

  it('413s a body over 64 KiB, by Content-Length or while streaming', async () => {
    const big = JSON.stringify({ prompt: 'y'.repeat(70 * 1024) });
    const declared = await postJson(port, big);
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ error: { code: 'payload_too_large', field: 'body' } });
    expect(declared.headers.connection).toBe('close');
    const streamed = await postJson(port, big, { chunked: true });
    expect(streamed.status).toBe(413);
  });

  it('accepts a body just under the limit as far as size goes', async () => {
    // 64 KiB of JSON whose prompt is too long: the answer is the prompt's 400, not a 413.
    const body = JSON.stringify({ prompt: 'z'.repeat(64 * 1024 - 20) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64 * 1024);
    const r = await postJson(port, body);
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ error: { field: 'prompt' } });
  });
});

describe('routing errors', () => {
  it('404s unknown paths as JSON', async () => {
    for (const path of ['/', '/nope', '/api/v1/narratives/a/b', '/api/v1/narratives/']) {
      const r = await call(port, path);
      expect(r.status, path).toBe(404);
      expect(r.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('405s a wrong method on a known path with an Allow header', async () => {
    const a = await call(port, '/api/v1/narratives');
    expect(a.status).toBe(405);
    expect(a.headers.allow).toBe('POST');
    expect(a.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    const b = await call(port, '/healthz', { method: 'POST' });
    expect(b.status).toBe(405);
    expect(b.headers.allow).toBe('GET, HEAD');
    const c = await call(port, '/api/v1/narratives/00000000-0000-4000-8000-000000000000', {
      method: 'DELETE',
    });
    expect(c.status).toBe(405);
    expect(c.headers.allow).toBe('GET, HEAD');
  });
});

describe('metrics', () => {
  const created = 'novel_engine_http_requests_total{method="POST",route="/api/v1/narratives",status="201"}';
  const badRequests =
    'novel_engine_http_requests_total{method="POST",route="/api/v1/narratives",status="400"}';
  const unmatched = 'novel_engine_http_requests_total{method="GET",route="unmatched",status="404"}';

  it('exposes the app series and the default process metrics', async () => {
    const r = await call(port, '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of [
      'novel_engine_http_request_duration_seconds_bucket',
      'novel_engine_http_requests_total',
      'novel_engine_http_requests_in_flight',
      'novel_engine_queue_depth',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(r.text).toContain(name);
    }
    expect(r.text).toContain('le="0.001"');
    expect(r.text).toContain('le="10"');
  });

  it('counts requests by route and status, with templated routes', async () => {
    const before = (await call(port, '/metrics')).text;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await postJson(port, { prompt: `count ${i}` })).json<{ id: string }>().id);
    await postJson(port, { prompt: 1 });
    await call(port, '/definitely/unmatched/path');
    for (const id of ids) await call(port, `/api/v1/narratives/${id}`);
    const after = (await call(port, '/metrics')).text;

    expect(sample(after, created) - sample(before, created)).toBe(3);
    expect(sample(after, badRequests) - sample(before, badRequests)).toBe(1);
    expect(sample(after, unmatched) - sample(before, unmatched)).toBe(1);
    const byId = 'novel_engine_http_requests_total{method="GET",route="/api/v1/narratives/:id",status="200"}';
    expect(sample(after, byId) - sample(before, byId)).toBe(3);
    // No raw ids leak into labels.
    for (const id of ids) expect(after).not.toContain(id);
    const histCount =
      'novel_engine_http_request_duration_seconds_count{method="POST",route="/api/v1/narratives",status="201"}';
    expect(sample(after, histCount)).toBe(sample(after, created));
    // The scrape itself is the one request in flight.
    expect(sample(after, 'novel_engine_http_requests_in_flight')).toBe(1);
    expect(sample(after, 'novel_engine_queue_depth')).toBe(0);
  });
});
