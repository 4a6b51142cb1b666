import { describe, expect, it } from 'vitest';
import { routeOptions } from '../../infra-fixtures/local-cluster/ingress/annotations.ts';
import {
  BackendTable,
  Blackhole,
  type Endpoint,
} from '../../infra-fixtures/local-cluster/ingress/backends.ts';
import {
  RequestRateLimiter,
  ConnectionLimiter,
} from '../../infra-fixtures/local-cluster/ingress/rate-limit.ts';
import {
  buildRoutes,
  matchRoute,
  type IngressObject,
} from '../../infra-fixtures/local-cluster/ingress/routes.ts';

const backend = (name: string, port: number | string = 80) => ({
  service: { name, port: typeof port === 'number' ? { number: port } : { name: port } },
});

const ingresses: IngressObject[] = [
  {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend('front') },
              { path: '/api', pathType: 'Prefix', backend: backend('api', 'http') },
              { path: '/api/v2/', pathType: 'Prefix', backend: backend('api-v2') },
              { path: '/api/health', pathType: 'Exact', backend: backend('health') },
            ],
          },
        },
        {
          host: '*.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('wild') }] },
        },
        {
          http: {
            paths: [{ path: '/any', pathType: 'ImplementationSpecific', backend: backend('anyhost') }],
          },
        },
      ],
    },
  },
  { metadata: { name: 'fallback', namespace: 'shop' }, spec: { defaultBackend: backend('fallback') } },
  {
    metadata: { name: 'other-class', namespace: 'shop' },
    spec: {
      ingressClassName: 'traefik',
      rules: [{ http: { paths: [{ path: '/t', pathType: 'Prefix', backend: backend('traefik') }] } }],
    },
  },
];

describe('ingress routing (networking.k8s.io/v1 semantics)', () => {
  const table = buildRoutes(ingresses, 'nginx');
  const service = (host: string, url: string) => matchRoute(table, host, url)?.service;

  it('matches Prefix element-wise, longest first, and Exact before Prefix', () => {
    expect(service('shop.example.com', '/api')).toBe('api');
    expect(service('shop.example.com', '/api/')).toBe('api');
    expect(service('shop.example.com', '/api/items?x=1')).toBe('api');
    expect(service('shop.example.com', '/apis')).toBe('front');
    expect(service('shop.example.com', '/api/v2')).toBe('api-v2');
    expect(service('shop.example.com', '/api/v2/x')).toBe('api-v2');
    expect(service('shop.example.com', '/api/health')).toBe('health');
    expect(service('shop.example.com', '/api/health/')).toBe('api');
  });

  it('picks the server by exact host, then one-label wildcard, then host-less rules, then the default backend', () => {
    expect(service('SHOP.example.com:8080', '/')).toBe('front');
    expect(service('blog.example.com', '/x')).toBe('wild');
    expect(service('a.b.example.com', '/any/thing')).toBe('anyhost');
    expect(service('127.0.0.1', '/any')).toBe('anyhost');
    expect(service('127.0.0.1', '/none')).toBe('fallback');
    expect(service('127.0.0.1', '/t')).toBe('fallback'); // another class's Ingress is not ours
  });

  it('looks backends up by service port first, then by service', () => {
    expect(matchRoute(table, 'shop.example.com', '/api')!.backendKeys).toEqual(['shop/api:http', 'shop/api']);
    expect(matchRoute(table, 'shop.example.com', '/')!.backendKeys).toEqual(['shop/front:80', 'shop/front']);
  });

  it('reads ingress-nginx annotations, ignoring invalid ones with a warning', () => {
    const warnings: string[] = [];
    const o = routeOptions(
      {
        'nginx.ingress.kubernetes.io/limit-rps': '2000',
        'nginx.ingress.kubernetes.io/limit-burst-multiplier': '5',
        'nginx.ingress.kubernetes.io/proxy-next-upstream': 'error timeout http_502 http_503',
        'nginx.ingress.kubernetes.io/limit-connections': 'lots',
        'nginx.ingress.kubernetes.io/proxy-body-size': '8k',
      },
      'ingress ns/web',
      warnings,
    );
    expect(o).toMatchObject({
      limitRps: 2000,
      burstMultiplier: 5,
      tries: 3,
      maxBodyBytes: 8192,
      retryNonIdempotent: false,
    });
    expect([...o.nextUpstream]).toEqual(['error', 'timeout', 'http_502', 'http_503']);
    expect(o.limitConnections).toBeUndefined();
    expect(warnings).toEqual([
      'ingress ns/web: nginx.ingress.kubernetes.io/limit-connections "lots" must be a positive integer; ignored',
    ]);
    const off = routeOptions({ 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'off' }, 'x', []);
    expect(off.nextUpstream.size).toBe(0);
  });
});

describe('ingress building blocks', () => {
  it("limits requests like nginx's leaky bucket: burst+1 at once, then the rate", () => {
    let now = 1_000_000;
    const limiter = new RequestRateLimiter(() => now);
    const burst = Array.from({ length: 10 }, () => limiter.allow('k', 5, 5));
    expect(burst.filter(Boolean).length).toBe(6);
    now += 200; // 5 r/s leaks one request per 200 ms
    expect(limiter.allow('k', 5, 5)).toBe(true);
    expect(limiter.allow('k', 5, 5)).toBe(false);
    expect(limiter.allow('other-client', 5, 5)).toBe(true);
    const conns = new ConnectionLimiter();
    expect([conns.acquire('c', 2), conns.acquire('c', 2), conns.acquire('c', 2)]).toEqual([
      true,
      true,
      false,
    ]);
    conns.release('c');
    expect(conns.acquire('c', 2)).toBe(true);
  });

  it('round-robins and prefers untried endpoints on retry', () => {
    const table = new BackendTable(0);
    table.set('ns/s', [
      { ip: '127.1.1.2', port: 80 },
      { ip: '127.1.1.3', port: 80 },
      { ip: '127.1.1.4', port: 80 },
    ]);
    const svc = table.lookup(['ns/s:80', 'ns/s'])!;
    const order = Array.from({ length: 6 }, () => BackendTable.pick(svc, [])!.ip.slice(-1));
    expect(order.join('')).toBe('234234');
    const tried: Endpoint[] = [svc.endpoints[0]!, svc.endpoints[1]!];
    expect(BackendTable.pick(svc, tried)!.ip).toBe('127.1.1.4');
    expect(() => table.set('ns/s', [{ ip: '127.1.1.2', port: 0 }])).toThrow(/port \(1-65535\)/);
  });

  it('blackholes exact IPs and CIDRs, and heals them', () => {
    const b = new Blackhole();
    b.add(['127.1.3.0/24', '127.1.4.7']);
    expect([b.has('127.1.3.9'), b.has('127.1.4.7'), b.has('127.1.4.8'), b.has('127.1.30.1')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    b.remove(['127.1.3.0/24']);
    expect(b.has('127.1.3.9')).toBe(false);
    b.remove();
    expect(b.size).toBe(0);
    expect(() => b.add(['127.1.3.0/40'])).toThrow(/neither an IP nor an IPv4 CIDR/);
  });
});
