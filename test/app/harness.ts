/**
 * Spawns the app as a real process on 127.0.0.1 with an ephemeral port, and speaks plain
 * node:http to it so tests see exact status codes, headers and connection behaviour.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Agent, type IncomingHttpHeaders, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const serverPath = fileURLToPath(new URL('../../infra-fixtures/app/server.ts', import.meta.url));
export const launcherPath = fileURLToPath(new URL('../../infra-fixtures/app/start.js', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly stdoutLines: string[];
  stderr(): string;
  readonly exited: Promise<Exit>;
}

const live = new Set<ChildProcess>();

function launch(env: Record<string, string>, argv: string[], cwd: string): ChildProcess {
  const child = spawn(process.execPath, argv, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function watchExit(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export interface SpawnOptions {
  /** Start through the launcher instead of `--import tsx`. */
  readonly launcher?: boolean;
  readonly cwd?: string;
}

/** Resolves once the `listening` line names the port. */
export async function spawnApp(
  env: Record<string, string> = {},
  opts: SpawnOptions = {},
): Promise<AppProcess> {
  const argv = opts.launcher === true ? [launcherPath] : ['--import', 'tsx', serverPath];
  const child = launch({ LOG_LEVEL: 'info', ...env }, argv, opts.cwd ?? repoRoot);
  const exited = watchExit(child);
  const stdoutLines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s; stderr: ${stderr}`)), 20_000);
    lines.on('line', (line) => {
      stdoutLines.push(line);
      let msg: { msg?: string; port?: number } = {};
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        // Every stdout line should be JSON; tests on log shape check that separately.
      }
      if (msg.msg === 'listening' && typeof msg.port === 'number') {
        clearTimeout(timer);
        resolve(msg.port);
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${e.code ?? e.signal}) before listening: ${stderr}`));
    });
  });
  return { child, port, stdoutLines, stderr: () => stderr, exited };
}

/** Runs the entry expecting it to exit by itself (e.g. on bad configuration). */
export async function runToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<Exit & { stderr: string }> {
  const child = launch(env, ['--import', 'tsx', serverPath], repoRoot);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await watchExit(child);
  clearTimeout(timer);
  return { ...exit, stderr };
}

/** Kills every process these helpers started that is still running; for afterEach/afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    }),
  );
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Buffer;
  /** Write the body in pieces without Content-Length (chunked). */
  readonly chunked?: boolean;
  readonly agent?: Agent | false;
}

export function call(port: number, path: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined && opts.chunked !== true)
      headers['content-length'] = Buffer.byteLength(opts.body);
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined && opts.chunked === true) {
      const body = Buffer.from(opts.body);
      for (let i = 0; i < body.length; i += 8192) req.write(body.subarray(i, i + 8192));
      req.end();
    } else {
      req.end(opts.body);
    }
  });
}

export function postJson(port: number, body: unknown, opts: RequestOptions = {}): Promise<Reply> {
  return call(port, '/api/v1/narratives', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...opts,
  });
}

/** Reads one unlabelled or labelled sample from Prometheus text; 0 when the series is absent. */
export function sample(metricsText: string, series: string): number {
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
