/**
 * Shared pieces of the kubelet suites: a tiny node:http server run through `node -e` (honours
 * HOST/PORT, logs its argv/env and every signal, drains or ignores SIGTERM on request), a runtime
 * config mapping test images to it, pod builders, and a kubelet that records what it reports.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseRuntimeConfig } from '../../infra-fixtures/local-cluster/runtime.ts';
import {
  createKubelet,
  type KubeletOptions,
  type ProcessKubelet,
} from '../../infra-fixtures/local-cluster/kubelet/index.ts';
import type {
  Container,
  KubeletEvent,
  Pod,
  PodStatus,
} from '../../infra-fixtures/local-cluster/kubelet/types.ts';

/**
 * Env: IGNORE_TERM=1 keeps running after SIGTERM; DRAIN_MS delays the exit; READY_AFTER_MS holds
 * /readyz at 503; BUSY=1 spins the CPU. Paths: /healthz, /readyz, /fail (500), /prestop (logs).
 */
export const serverScript = `
const http = require('node:http');
const env = process.env;
const started = Date.now();
let draining = false;
console.log(JSON.stringify({ argv: process.argv.slice(1), host: env.HOST, port: env.PORT, greeting: env.GREETING,
  podName: env.POD_NAME, podIP: env.POD_IP, nodeName: env.NODE_NAME, namespace: env.POD_NAMESPACE }));
if (env.BUSY === '1') setInterval(() => { const end = Date.now() + 40; while (Date.now() < end); }, 50);
const server = http.createServer((req, res) => {
  if (req.url === '/prestop') console.log('event prestop');
  if (req.url === '/fail') res.statusCode = 500;
  if (req.url === '/readyz' && (draining || Date.now() - started < Number(env.READY_AFTER_MS || 0))) res.statusCode = 503;
  res.end(req.url);
});
server.listen(Number(env.PORT), env.HOST, () => console.log('listening ' + env.HOST + ':' + env.PORT));
process.on('SIGTERM', () => {
  console.log('event sigterm');
  if (env.IGNORE_TERM === '1') return;
  draining = true;
  setTimeout(() => { server.close(); process.exit(0); }, Number(env.DRAIN_MS || 0));
});
`;

export const runtime = parseRuntimeConfig(
  `images:
  - image: 'test/server:*'
    command: ['${process.execPath}', '-e', ${JSON.stringify(serverScript)}, '--']
  - image: 'test/exec:*'
    command: []
    env: { FROM_IMAGE: 'yes' }
`,
  'test-runtime.yaml',
);

let podSerial = 0;

export function serverContainer(overrides: Partial<Container> = {}): Container {
  return {
    name: 'app',
    image: 'test/server:1',
    ports: [{ name: 'http', containerPort: 8080 }],
    ...overrides,
  };
}

export function makePod(node: string, containers: Container[], spec: Partial<Pod['spec']> = {}): Pod {
  podSerial++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${podSerial}-${process.pid}`, namespace: 'test', uid: `uid-${podSerial}` },
    spec: { nodeName: node, containers, terminationGracePeriodSeconds: 5, ...spec },
  };
}

export interface Recorder {
  readonly statuses: Map<string, PodStatus[]>;
  readonly events: { key: string; event: KubeletEvent; at: number }[];
  readonly heartbeats: boolean[];
  latest(key: string): PodStatus | undefined;
}

export function recordingKubelet(
  node: { name: string; address: string },
  extra: Partial<KubeletOptions> = {},
): { kubelet: ProcessKubelet; rec: Recorder } {
  const statuses = new Map<string, PodStatus[]>();
  const rec: Recorder = {
    statuses,
    events: [],
    heartbeats: [],
    latest: (key) => statuses.get(key)?.at(-1),
  };
  const kubelet = createKubelet({
    node,
    runtime,
    onPodStatus: (key, status) => statuses.set(key, [...(statuses.get(key) ?? []), structuredClone(status)]),
    onEvent: (key, event) => rec.events.push({ key, event, at: Date.now() }),
    onHeartbeatsChange: (running) => rec.heartbeats.push(running),
    ...extra,
  });
  return { kubelet, rec };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** GET with a client-side timeout; resolves to the status code or 'timeout'/'error'. */
export function get(url: string, timeoutMs = 2000): Promise<number | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('error'));
  });
}

/** True while the process runs; a killed orphan waiting for PID 1 to reap it (a zombie) does not. */
export function processExists(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
