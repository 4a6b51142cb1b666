/**
 * A catalogue of bad requests: each gets the right code and a proper `Status` body, and the server
 * keeps serving afterwards. Ends with a bounded random sweep of methods, paths and bodies.
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { tempDir } from './api-helpers.ts';

let api: ApiServer;
let agent: Agent;
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  tmp = await tempDir('lc-bad-');
  const store = new Store();
  store.create('configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'default' },
  });
  api = await startApiServer({ store, dir: tmp.dir, maxBodyBytes: 3 * 1024 * 1024 });
  agent = new Agent({ connect: { ca: api.caPem }, connections: 4 });
});

afterAll(async () => {
  await api?.close();
  await agent?.destroy();
  await tmp?.cleanup();
});

interface Call {
  method?: string;
  path: string;
  token?: string | null;
  contentType?: string;
  body?: string | Buffer;
}

async function call(
  c: Call,
): Promise<{ status: number; json: Record<string, unknown> | undefined; text: string }> {
  const headers: Record<string, string> = {};
  const token = c.token === undefined ? api.token : c.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (c.contentType) headers['content-type'] = c.contentType;
  const res = await request(`${api.url}${c.path}`, {
    method: (c.method ?? 'GET') as 'GET',
    headers,
    body: c.body,
    dispatcher: agent,
  });
  const text = await res.body.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text };
}

const cm = '/api/v1/namespaces/default/configmaps';

const catalogue: Array<[string, Call, number, string]> = [
  ['no token', { path: '/api/v1/pods', token: null }, 401, 'Unauthorized'],
  ['wrong token', { path: '/api/v1/pods', token: 'nope' }, 401, 'Unauthorized'],
  ['wrong token on /version', { path: '/version', token: 'nope' }, 401, 'Unauthorized'],
  [
    'bad JSON',
    { method: 'POST', path: cm, contentType: 'application/json', body: '{"metadata": ' },
    400,
    'BadRequest',
  ],
  ['empty body', { method: 'POST', path: cm, contentType: 'application/json', body: '' }, 400, 'BadRequest'],
  [
    'JSON array body',
    { method: 'POST', path: cm, contentType: 'application/json', body: '[1,2]' },
    400,
    'BadRequest',
  ],
  [
    'metadata not an object',
    { method: 'POST', path: cm, contentType: 'application/json', body: '{"metadata":"x"}' },
    400,
    'BadRequest',
  ],
  [
    'huge body',
    { method: 'POST', path: cm, contentType: 'application/json', body: Buffer.alloc(4 * 1024 * 1024, 0x20) },
    413,
    'RequestEntityTooLarge',
  ],
  [
    'protobuf body',
    { method: 'POST', path: cm, contentType: 'application/vnd.kubernetes.protobuf', body: 'k8s\u0000' },
    415,
    'UnsupportedMediaType',
  ],
  [
    'corrupt protobuf body',
    {
      method: 'POST',
      path: cm,
      contentType: 'application/vnd.kubernetes.protobuf',
      body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]),
    },
    400,
    'BadRequest',
  ],
  [
    'kind of another resource',
    {
      method: 'POST',
      path: cm,
      contentType: 'application/json',
      body: '{"kind":"Deployment","metadata":{"name":"x"}}',
    },
    400,
    'BadRequest',
  ],
  [
    'wrong apiVersion',
    {
      method: 'POST',
      path: cm,
      contentType: 'application/json',
      body: '{"apiVersion":"apps/v1","metadata":{"name":"x"}}',
    },
    400,
    'BadRequest',
  ],
  [
    'invalid name',
    { method: 'POST', path: cm, contentType: 'application/json', body: '{"metadata":{"name":"Not_Valid"}}' },
    422,
    'Invalid',
  ],
  [
    'invalid label',
    {
      method: 'POST',
      path: cm,
      contentType: 'application/json',
      body: '{"metadata":{"name":"ok","labels":{"a":"b c"}}}',
    },
    422,
    'Invalid',
  ],
  [
    'missing name',
    { method: 'POST', path: cm, contentType: 'application/json', body: '{"metadata":{}}' },
    422,
    'Invalid',
  ],
  [
    'already exists',
    { method: 'POST', path: cm, contentType: 'application/json', body: '{"metadata":{"name":"cm"}}' },
    409,
    'AlreadyExists',
  ],
  [
    'stale resourceVersion',
    {
      method: 'PUT',
      path: `${cm}/cm`,
      contentType: 'application/json',
      body: '{"metadata":{"name":"cm","resourceVersion":"1"}}',
    },
    409,
    'Conflict',
  ],
  [
    'name mismatch on PUT',
    {
      method: 'PUT',
      path: `${cm}/cm`,
      contentType: 'application/json',
      body: '{"metadata":{"name":"other"}}',
    },
    400,
    'BadRequest',
  ],
  ['missing object', { path: `${cm}/nope` }, 404, 'NotFound'],
  [
    'missing namespace',
    {
      method: 'POST',
      path: '/api/v1/namespaces/nope/configmaps',
      contentType: 'application/json',
      body: '{"metadata":{"name":"x"}}',
    },
    404,
    'NotFound',
  ],
  ['unknown resource', { path: '/api/v1/foos' }, 404, 'NotFound'],
  ['unknown group', { path: '/apis/nope.example.com/v1/things' }, 404, 'NotFound'],
  ['unknown version', { path: '/apis/apps/v9/deployments' }, 404, 'NotFound'],
  ['unknown subresource', { path: `${cm}/cm/bogus` }, 404, 'NotFound'],
  ['too deep path', { path: `${cm}/cm/status/extra` }, 404, 'NotFound'],
  ['unknown top level', { path: '/nonsense' }, 404, 'NotFound'],
  ['broken percent-encoding', { path: '/api/v1/namespaces/%E0%A4%A/pods' }, 404, 'NotFound'],
  [
    'merge patch sent as plain JSON',
    { method: 'PATCH', path: `${cm}/cm`, contentType: 'application/json', body: '{}' },
    415,
    'UnsupportedMediaType',
  ],
  [
    'patch without content type',
    { method: 'PATCH', path: `${cm}/cm`, body: '{}' },
    415,
    'UnsupportedMediaType',
  ],
  [
    'server-side apply',
    { method: 'PATCH', path: `${cm}/cm`, contentType: 'application/apply-patch+yaml', body: 'a: b' },
    415,
    'UnsupportedMediaType',
  ],
  [
    'json patch that is not a list',
    { method: 'PATCH', path: `${cm}/cm`, contentType: 'application/json-patch+json', body: '{"op":"add"}' },
    400,
    'BadRequest',
  ],
  [
    'json patch on a missing path',
    {
      method: 'PATCH',
      path: `${cm}/cm`,
      contentType: 'application/json-patch+json',
      body: '[{"op":"replace","path":"/data/x","value":"1"}]',
    },
    422,
    'Invalid',
  ],
  [
    'json patch renaming the object',
    {
      method: 'PATCH',
      path: `${cm}/cm`,
      contentType: 'application/json-patch+json',
      body: '[{"op":"replace","path":"/metadata/name","value":"x"}]',
    },
    400,
    'BadRequest',
  ],
  [
    'PUT on a collection',
    { method: 'PUT', path: cm, contentType: 'application/json', body: '{}' },
    405,
    'MethodNotAllowed',
  ],
  [
    'POST on an object',
    { method: 'POST', path: `${cm}/cm`, contentType: 'application/json', body: '{}' },
    405,
    'MethodNotAllowed',
  ],
  [
    'POST to all namespaces',
    { method: 'POST', path: '/api/v1/configmaps', contentType: 'application/json', body: '{}' },
    405,
    'MethodNotAllowed',
  ],
  ['DELETE /version', { method: 'DELETE', path: '/version' }, 405, 'MethodNotAllowed'],
  [
    'POST metrics',
    {
      method: 'POST',
      path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods',
      contentType: 'application/json',
      body: '{}',
    },
    405,
    'MethodNotAllowed',
  ],
  [
    'deletecollection of namespaces',
    { method: 'DELETE', path: '/api/v1/namespaces' },
    405,
    'MethodNotAllowed',
  ],
  ['GET eviction', { path: '/api/v1/namespaces/default/pods/p/eviction' }, 405, 'MethodNotAllowed'],
  [
    'unbalanced label selector',
    { path: `${cm}?labelSelector=${encodeURIComponent('a in (b')}` },
    400,
    'BadRequest',
  ],
  [
    'label selector with bad key',
    { path: `${cm}?labelSelector=${encodeURIComponent('a b=c')}` },
    400,
    'BadRequest',
  ],
  ['unsupported field selector', { path: `${cm}?fieldSelector=spec.nodeName%3Dx` }, 400, 'BadRequest'],
  ['field selector without operator', { path: `${cm}?fieldSelector=zzz` }, 400, 'BadRequest'],
  ['non-numeric limit', { path: `${cm}?limit=abc` }, 400, 'BadRequest'],
  ['forged continue token', { path: `${cm}?limit=1&continue=garbage` }, 400, 'BadRequest'],
  [
    'watch from a non-numeric resourceVersion',
    { path: `${cm}?watch=true&resourceVersion=abc` },
    400,
    'BadRequest',
  ],
  [
    'bad dryRun',
    {
      method: 'POST',
      path: `${cm}?dryRun=Some`,
      contentType: 'application/json',
      body: '{"metadata":{"name":"x"}}',
    },
    400,
    'BadRequest',
  ],
  [
    'bad propagationPolicy',
    { method: 'DELETE', path: `${cm}/cm?propagationPolicy=Sideways` },
    400,
    'BadRequest',
  ],
  [
    'deleting the default namespace',
    { method: 'DELETE', path: '/api/v1/namespaces/default' },
    403,
    'Forbidden',
  ],
  [
    'eviction name mismatch',
    {
      method: 'POST',
      path: '/api/v1/namespaces/default/pods/p/eviction',
      contentType: 'application/json',
      body: '{"metadata":{"name":"q"}}',
    },
    400,
    'BadRequest',
  ],
];

describe('bad input corpus', () => {
  it.each(catalogue)('%s', async (_name, c, code, reason) => {
    const r = await call(c);
    expect(r.status).toBe(code);
    if (code >= 400) {
      expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
      expect(typeof r.json?.message).toBe('string');
    }
  });

  it('answers Table requests with a bad includeObject as a 400 Status', async () => {
    const res = await request(`${api.url}${cm}?includeObject=Everything`, {
      headers: {
        authorization: `Bearer ${api.token}`,
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      },
      dispatcher: agent,
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('survives a bounded random sweep and keeps serving', async () => {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    const paths = [
      '/',
      '/api',
      '/api/v1',
      '/apis',
      '/apis/apps/v1',
      cm,
      `${cm}/cm`,
      `${cm}/cm/status`,
      '/api/v1/nodes/x/status',
      '/api/v1/namespaces/default/pods/x/log',
      '/apis/apps/v1/namespaces/default/deployments/x/scale',
      '/openapi/v3',
      '/openapi/v2',
      '/api/v1/watch/pods?timeoutSeconds=1',
      '/api/v1/namespaces/default/pods/x/binding',
    ];
    const bodies = [
      '',
      '{',
      'null',
      '[]',
      '{"metadata":null}',
      '{"spec":[1]}',
      '[{"op":"move","from":"/a","path":"/b"}]',
      '"string"',
      '{"metadata":{"name":"cm","labels":[]}}',
      '\u0000\u0001',
    ];
    const types = [
      'application/json',
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'text/plain',
      undefined,
    ];
    let seed = 42;
    const pick = <T>(xs: T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
    for (let i = 0; i < 200; i++) {
      const method = pick(methods);
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const r = await call({
        method,
        path: pick(paths),
        ...(hasBody ? { body: pick(bodies), contentType: pick(types) } : {}),
      });
      expect(r.status, `${method} → ${r.text}`).toBeLessThan(500);
      if (r.status >= 400) expect(r.json?.kind, r.text).toBe('Status');
    }
    const alive = await call({ path: '/api/v1/namespaces' });
    expect(alive.status).toBe(200);
    expect((alive.json?.items as unknown[]).length).toBe(4);
  });
});
