/**
 * A tiny in-test HTTP target on 127.0.0.1 (port 0). Behaviour by path:
 *   /ok            200 "ok"
 *   /status/<n>    responds with status n
 *   /delay/<ms>    200 after <ms>
 *   /reset         destroys the socket without a response
 *   /stall         never answers (until the server closes)
 *   anything else  200, counted by path
 * It counts requests by path and tracks the highest concurrency it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly counts: Map<string, number>;
  readonly bodies: string[];
  readonly headers: IncomingMessage['headers'][];
  maxConcurrent: number;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  let active = 0;
  const timers = new Set<NodeJS.Timeout>();
  const state = {
    counts: new Map<string, number>(),
    bodies: [] as string[],
    headers: [] as IncomingMessage['headers'][],
    maxConcurrent: 0,
  };
  const finish = (res: ServerResponse, status: number) => {
    active--;
    res.writeHead(status, { 'content-type': 'text/plain' }).end('body-that-must-be-drained');
  };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    state.counts.set(path, (state.counts.get(path) ?? 0) + 1);
    state.headers.push(req.headers);
    active++;
    if (active > state.maxConcurrent) state.maxConcurrent = active;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (body) state.bodies.push(body);
      const m = /^\/(status|delay)\/(\d+)/.exec(path);
      if (path === '/reset') {
        active--;
        req.socket.destroy();
      } else if (path === '/stall') {
        req.socket.on('close', () => active--);
      } else if (m?.[1] === 'status') {
        finish(res, Number(m[2]));
      } else if (m?.[1] === 'delay') {
        const t = setTimeout(() => {
          timers.delete(t);
          finish(res, 200);
        }, Number(m[2]));
        timers.add(t);
      } else {
        finish(res, 200);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A port that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
