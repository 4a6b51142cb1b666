/**
 * Measures the ingress proxy's overhead on loopback: the same autocannon load straight at one
 * backend, then through the ingress to that same backend, at max throughput (closed model) and at
 * a fixed 1000 req/s. The ingress runs in this process; the backend and the load generator are
 * child processes, so each can have a core, as in the local cluster.
 *
 *   node --import tsx infra-fixtures/local-cluster/ingress/bench.ts [--backend echo|app] [--seconds 10] [--connections 50] [--rate 1000]
 *
 * `echo` is a bare node:http server (overhead in isolation); `app` is the stand-in app
 * (infra-fixtures/app/server.ts, GET /healthz). Prints one JSON line per run and a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startIngress } from './index.ts';

const echoServer = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json');
  s.end('{"ok":true}'); }).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));`;

interface LoadResult {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU time this process (the ingress) spent per request, µs; robust to a busy machine. */
  readonly ingressCpuUs: number;
}

/** Child mode: run autocannon against a URL, record every latency in an HDR histogram. */
async function load(url: string, seconds: number, connections: number, rate: number): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  const hdr = await import('hdr-histogram-js');
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let non2xx = 0;
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    ...(rate > 0 ? { overallRate: rate } : {}),
  });
  (instance as unknown as NodeJS.EventEmitter).on(
    'response',
    (_client: unknown, status: number, _bytes: number, ms: number) => {
      histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
      if (status < 200 || status > 299) non2xx++;
    },
  );
  const result = (await instance) as { requests: { total: number }; errors: number; duration: number };
  const us = (q: number) => histogram.getValueAtPercentile(q) / 1000;
  process.stdout.write(
    JSON.stringify({
      rps: Math.round(result.requests.total / result.duration),
      p50: us(50),
      p95: us(95),
      p99: us(99),
      max: histogram.maxValue / 1000,
      non2xx,
      errors: result.errors,
    }) + '\n',
  );
}

function run(argv: string[]): ChildProcess {
  return spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function measure(
  label: string,
  url: string,
  seconds: number,
  connections: number,
  rate: number,
): Promise<LoadResult> {
  const self = fileURLToPath(import.meta.url);
  const child = run([
    '--import',
    'tsx',
    self,
    'load',
    url,
    String(seconds),
    String(connections),
    String(rate),
  ]);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  const cpu = process.cpuUsage();
  await once(child, 'exit');
  const used = process.cpuUsage(cpu);
  const result = JSON.parse(out) as Omit<LoadResult, 'label' | 'ingressCpuUs'>;
  const ingressCpuUs = Math.round(((used.user + used.system) / (result.rps * seconds)) * 10) / 10;
  return { label, ...result, ingressCpuUs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'echo' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '1000' },
    },
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const ip = '127.1.250.2';
  const port = 18080;
  const appPath = fileURLToPath(new URL('../../app/server.ts', import.meta.url));
  const backend =
    values.backend === 'app'
      ? spawn(process.execPath, ['--import', 'tsx', appPath], {
          env: { PATH: process.env.PATH, HOST: ip, PORT: String(port), LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      : spawn(process.execPath, ['-e', echoServer], {
          env: { HOST: ip, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  const ingress = await startIngress({ propagationDelayMs: 0 });
  try {
    await once(backend.stdout!, 'data');
    ingress.setIngresses([
      {
        metadata: { name: 'bench', namespace: 'bench' },
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'svc', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    ]);
    ingress.setBackends('bench/svc', [{ ip, port }]);
    const path = values.backend === 'app' ? '/healthz' : '/';
    const direct = `http://${ip}:${port}${path}`;
    const via = `${ingress.url}${path}`;
    const results: LoadResult[] = [];
    for (const [label, url, r] of [
      ['direct, max', direct, 0],
      ['ingress, max', via, 0],
      [`direct, ${rate}/s`, direct, rate],
      [`ingress, ${rate}/s`, via, rate],
    ] as const) {
      const result = await measure(label, url, seconds, connections, r);
      results.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    process.stdout.write(
      `\n| run (${values.backend}, ${connections} connections, ${seconds} s) | req/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx | errors | ingress CPU µs/req |\n|---|---|---|---|---|---|---|---|---|\n`,
    );
    for (const r of results) {
      process.stdout.write(
        `| ${r.label} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} | ${r.label.startsWith('ingress') ? r.ingressCpuUs : '–'} |\n`,
      );
    }
  } finally {
    backend.kill('SIGKILL');
    await ingress.close();
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'load') {
  const [url, seconds, connections, rate] = rest;
  await load(url as string, Number(seconds), Number(connections), Number(rate));
} else {
  await main();
}
