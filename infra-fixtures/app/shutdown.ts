/**
 * The graceful shutdown sequence, in the order a Kubernetes rollout needs it:
 * 1. turn not-ready, so the endpoint controller takes this pod out of rotation;
 * 2. keep serving for `drainDelayMs`, because removal reaches proxies and load balancers late;
 * 3. stop accepting and close idle kept-alive connections;
 * 4. let in-flight requests finish (their responses say `Connection: close`), at most
 *    `shutdownTimeoutMs`, then cut whatever is left.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './log.ts';

export interface LifecycleState {
  ready: boolean;
  /** Not-ready because shutdown began; still serving. */
  draining: boolean;
  /** The listener is closed; responses now end their connections. */
  closing: boolean;
}

export interface ShutdownDeps {
  readonly server: Server;
  readonly state: LifecycleState;
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly inFlight: () => number;
  readonly log: Logger;
}

export class ShutdownTimeoutError extends Error {
  readonly code = 'APP_SHUTDOWN_TIMEOUT';
  constructor(
    readonly cut: number,
    timeoutMs: number,
  ) {
    super(`${cut} request(s) still in flight after ${timeoutMs} ms were cut`);
    this.name = 'ShutdownTimeoutError';
  }
}

export async function drainAndClose(deps: ShutdownDeps): Promise<void> {
  const { server, state, log } = deps;
  state.draining = true;
  log.info('draining', { drainDelayMs: deps.drainDelayMs, inFlight: deps.inFlight() });
  if (deps.drainDelayMs > 0) await sleep(deps.drainDelayMs);

  state.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Node 20 already closes idle connections in close(); saying so keeps that explicit.
  server.closeIdleConnections();
  log.info('listener closed', { inFlight: deps.inFlight() });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.shutdownTimeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    const cut = deps.inFlight();
    server.closeAllConnections();
    await closed;
    throw new ShutdownTimeoutError(cut, deps.shutdownTimeoutMs);
  }
  log.info('shutdown complete');
}
