import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  startIngress,
  type IngressOptions,
  type IngressProxy,
} from '../../infra-fixtures/local-cluster/ingress/index.ts';
import type { IngressObject } from '../../infra-fixtures/local-cluster/ingress/routes.ts';

type Behaviour = 'ok' | 'hang' | 'reset' | '503';

interface Backend {
  readonly ip: string;
  readonly port: number;
  hits: number;
  behaviour: Behaviour;
  delayMs: number;
  lastHeaders?: http.IncomingHttpHeaders;
}

const servers: http.Server[] = [];
const sockets = new Set<Socket>();

/** An in-process pod: answers its own IP, or hangs, resets, or says 503, as told. */
async function backend(ip: string): Promise<Backend> {
  const b: Backend = { ip, port: 0, hits: 0, behaviour: 'ok', delayMs: 0 };
  const server = http.createServer((req, res) => {
    b.hits++;
    b.lastHeaders = req.headers;
    req.resume();
    if (b.behaviour === 'hang') return;
    if (b.behaviour === 'reset') return req.socket.destroy();
    setTimeout(() => {
      res.statusCode = b.behaviour === '503' ? 503 : 200;
      res.end(ip);
    }, b.delayMs);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, ip, r));
  servers.push(server);
  return Object.assign(b, { port: (server.address() as AddressInfo).port });
}

/** A port nothing listens on: connections are refused. */
async function deadPort(ip: string): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, ip, r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const ingressFor = (annotations: Record<string, string> = {}): IngressObject => ({
  metadata: { name: 'web', namespace: 'shop', annotations },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } },
          ],
        },
      },
    ],
  },
});

const proxies: IngressProxy[] = [];

async function proxy(
  endpoints: Backend[] | { ip: string; port: number }[],
  options: IngressOptions = {},
  annotations = {},
) {
  const p = await startIngress({ propagationDelayMs: 0, ...options });
  proxies.push(p);
  p.setIngresses([ingressFor(annotations)]);
  p.setBackends(
    'shop/api',
    endpoints.map((e, i) => ({ ip: e.ip, port: e.port, zone: `zone-${i}`, podName: `api-${i}` })),
  );
  return p;
}

interface Reply {
  status: number | 'timeout' | 'error';
  body: string;
}

function request(url: string, method = 'GET', timeoutMs = 5000, body?: string): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ status: 'timeout', body: '' });
    });
    req.on('error', () => resolve({ status: 'error', body: '' }));
    req.end(body);
  });
}

const statuses = (replies: Reply[]) => replies.map((r) => r.status);

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('ingress proxy', () => {
  it('round-robins over ready endpoints and forwards the ingress-nginx headers', async () => {
    const pods = await Promise.all(['127.0.91.1', '127.0.91.2', '127.0.91.3'].map(backend));
    const p = await proxy(pods);
    const replies: Reply[] = [];
    for (let i = 0; i < 30; i++) replies.push(await request(`${p.url}/items?page=${i}`));
    expect(statuses(replies).every((s) => s === 200)).toBe(true);
    expect(replies.slice(0, 3).map((r) => r.body)).toEqual(['127.0.91.1', '127.0.91.2', '127.0.91.3']);
    expect(pods.map((b) => b.hits)).toEqual([10, 10, 10]);
    const h = pods[0]!.lastHeaders!;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(h.host).toBe(new URL(p.url).host);
  });

  it('answers 404 without a route, 503 without endpoints, and applies endpoint changes after the propagation delay', async () => {
    const [a, b] = await Promise.all(['127.0.92.1', '127.0.92.2'].map(backend));
    const p = await startIngress({ propagationDelayMs: 300 });
    proxies.push(p);
    p.setIngresses([ingressFor()]);
    expect((await request(`${p.url}/`)).status).toBe(404); // Ingress not in effect yet
    await new Promise((r) => setTimeout(r, 400));
    expect((await request(`${p.url}/`)).status).toBe(503);
    p.setBackends('shop/api', [{ ip: a!.ip, port: a!.port }]);
    expect((await request(`${p.url}/`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 400));
    expect((await request(`${p.url}/`)).body).toBe(a!.ip);
    p.setBackends('shop/api', [{ ip: b!.ip, port: b!.port }]);
    // The removed pod keeps getting traffic until the change has propagated.
    expect((await request(`${p.url}/`)).body).toBe(a!.ip);
    await new Promise((r) => setTimeout(r, 400));
    expect((await request(`${p.url}/`)).body).toBe(b!.ip);
  });

  it('retries a refused connection on the next endpoint: no failed request with one pod down', async () => {
    const up = await Promise.all(['127.0.93.1', '127.0.93.2'].map(backend));
    const down = { ip: '127.0.93.3', port: await deadPort('127.0.93.3') };
    const p = await proxy([up[0]!, down, up[1]!]);
    const replies = await Promise.all(Array.from({ length: 60 }, () => request(`${p.url}/`)));
    expect(statuses(replies).filter((s) => s !== 200)).toEqual([]);
    expect(up[0]!.hits + up[1]!.hits).toBe(60);
    const metrics = await (await fetch(`${p.adminUrl}/metrics`)).text();
    const refused =
      /ingress_upstream_attempts_total\{[^}]*upstream="127\.0\.93\.3:\d+"[^}]*outcome="refused"\} (\d+)/.exec(
        metrics,
      );
    // A third of first picks land on the dead pod; retries advance the same cursor and may land there again.
    expect(Number(refused?.[1])).toBeGreaterThanOrEqual(20);
    expect(metrics).toMatch(
      /nginx_ingress_controller_requests\{namespace="shop",ingress="web",service="api",method="GET",status="200"\} 60/,
    );
    expect(metrics).toMatch(/ingress_upstream_response_duration_seconds_count\{[^}]*pod="api-0"[^}]*\} \d+/);
    expect(metrics).toContain('ingress_upstream_endpoints{backend="shop/api"} 3');
  });

  it('gives 502 when every try fails, and retries a reset GET but not a POST that was already sent', async () => {
    const dead = { ip: '127.0.94.1', port: await deadPort('127.0.94.1') };
    const p1 = await proxy([dead]);
    expect((await request(`${p1.url}/`)).status).toBe(502);

    const [resetter, good] = await Promise.all(['127.0.94.2', '127.0.94.3'].map(backend));
    resetter!.behaviour = 'reset';
    const p2 = await proxy([resetter!, good!]);
    expect((await request(`${p2.url}/`, 'GET')).status).toBe(200);
    expect([resetter!.hits, good!.hits]).toEqual([1, 1]);
    expect((await request(`${p2.url}/`, 'POST', 5000, '{"a":1}')).status).toBe(502);
    expect([resetter!.hits, good!.hits]).toEqual([2, 1]);
  });

  it('gives 504 when the upstream does not answer within the read timeout', async () => {
    const slow = await backend('127.0.95.1');
    slow.behaviour = 'hang';
    const p = await proxy(
      [slow],
      { readTimeoutMs: 200 },
      { 'nginx.ingress.kubernetes.io/proxy-next-upstream-tries': '1' },
    );
    expect((await request(`${p.url}/`)).status).toBe(504);
  });

  it('moves on after an upstream 503 when proxy-next-upstream lists http_503', async () => {
    const [draining, good] = await Promise.all(['127.0.95.2', '127.0.95.3'].map(backend));
    draining!.behaviour = '503';
    const p = await proxy(
      [draining!, good!],
      {},
      { 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'error timeout http_503' },
    );
    const replies = await Promise.all(Array.from({ length: 10 }, () => request(`${p.url}/`)));
    expect(statuses(replies).every((s) => s === 200)).toBe(true);
  });

  it('answers 503 beyond limit-rps (burst = rate × multiplier) and beyond limit-connections', async () => {
    const pod = await backend('127.0.96.1');
    const p = await proxy(
      [pod],
      {},
      {
        'nginx.ingress.kubernetes.io/limit-rps': '5',
        'nginx.ingress.kubernetes.io/limit-burst-multiplier': '1',
      },
    );
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(`${p.url}/`)));
    const ok = statuses(replies).filter((s) => s === 200).length;
    // burst + 1 pass at once; a slow box leaks one more per 200 ms while the 20 arrive.
    expect(ok).toBeGreaterThanOrEqual(6);
    expect(ok).toBeLessThanOrEqual(10);
    expect(statuses(replies).filter((s) => s === 503).length).toBe(20 - ok);
    expect(replies.find((r) => r.status === 503)!.body).toContain('503 Service Temporarily Unavailable');

    const slow = await backend('127.0.96.2');
    slow.delayMs = 300;
    const p2 = await proxy([slow], {}, { 'nginx.ingress.kubernetes.io/limit-connections': '2' });
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => request(`${p2.url}/`)));
    expect(statuses(concurrent).sort()).toEqual([200, 200, 503, 503, 503, 503]);
    expect(await p2.metricsText()).toContain(
      'ingress_rate_limited_total{namespace="shop",ingress="web",limit="connections"} 4',
    );
  });

  it('blackholes a partitioned pod: requests hang (the client times out) instead of being refused', async () => {
    const [a, b] = await Promise.all(['127.0.97.1', '127.0.97.2'].map(backend));
    const p = await proxy([a!], { connectTimeoutMs: 3000 });
    p.blackhole(['127.0.97.0/24']);
    expect((await request(`${p.url}/`, 'GET', 400)).status).toBe('timeout');
    expect(a!.hits).toBe(0);
    p.unblackhole();
    expect((await request(`${p.url}/`)).status).toBe(200);

    // With a healthy pod left, the blackholed attempt costs one connect timeout, then succeeds.
    const p2 = await proxy([a!, b!], { connectTimeoutMs: 150 });
    p2.blackhole([a!.ip]);
    const replies = await Promise.all(Array.from({ length: 6 }, () => request(`${p2.url}/`)));
    expect(replies.map((r) => r.body)).toEqual(Array(6).fill(b!.ip));
    expect(await p2.metricsText()).toMatch(/outcome="blackholed"\} 3/);
  });
});
