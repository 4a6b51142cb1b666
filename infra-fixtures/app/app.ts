/**
 * Builds and starts the app in this process. The process entry (`server.ts`) adds environment
 * parsing and signal handling on top; tests and benches call `startApp` directly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolveConfig, type AppConfig } from './config.ts';
import { createResponder } from './http-io.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createNarrativeHandlers } from './narratives.ts';
import { createDispatch, matchRoute } from './routes.ts';
import { drainAndClose, type LifecycleState } from './shutdown.ts';
import { createWorkQueue } from './work-queue.ts';

export interface RunningApp {
  readonly port: number;
  readonly host: string;
  /** `http://host:port`, with IPv6 hosts bracketed. */
  readonly url: string;
  readonly config: AppConfig;
  /**
   * Graceful shutdown (see shutdown.ts). Resolves once every connection has closed; rejects with
   * `ShutdownTimeoutError` if `shutdownTimeoutMs` passed and requests were cut. Calling it again
   * returns the same promise.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to JSON lines on stdout at `config.logLevel`. */
  readonly log?: Logger;
}

export async function startApp(
  input: Partial<AppConfig> = {},
  options: StartOptions = {},
): Promise<RunningApp> {
  const config = resolveConfig(input);
  const log = options.log ?? createLogger(config.logLevel);
  const state: LifecycleState = { ready: config.startupDelayMs === 0, draining: false, closing: false };
  const metrics = createMetrics();
  const respond = createResponder(() => state.closing);
  const queue = createWorkQueue(config.cpuWorkMs, metrics.setQueueDepth);
  const narratives = createNarrativeHandlers({ respond, queue, addedLatencyMs: config.addedLatencyMs });
  const dispatch = createDispatch({ respond, metrics, narratives, readiness: () => state });
  let inFlight = 0;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const match = matchRoute(req.url);
    inFlight++;
    metrics.requestStarted();
    res.once('close', () => {
      inFlight--;
      metrics.requestEnded();
      // 499 (client closed request, as nginx counts it): the connection ended before the response did.
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.observe(req.method ?? 'GET', match.route, status, (performance.now() - started) / 1000);
    });
    const fail = (e: unknown): void => {
      log.error('request failed', { route: match.route, error: e instanceof Error ? e.message : String(e) });
      respond.error(res, 500, 'internal', 'internal error; see the app log');
    };
    try {
      const pending = dispatch(req, res, match);
      if (pending !== undefined) pending.catch(fail);
    } catch (e) {
      fail(e);
    }
  };

  const server = createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('server error', { error: e.message }));

  let readyTimer: NodeJS.Timeout | undefined;
  if (!state.ready) {
    readyTimer = setTimeout(() => {
      if (state.draining) return;
      state.ready = true;
      log.info('ready', { startupDelayMs: config.startupDelayMs });
    }, config.startupDelayMs);
  }

  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: address.address,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    config,
    close() {
      if (closing === undefined) {
        clearTimeout(readyTimer);
        closing = drainAndClose({
          server,
          state,
          log,
          drainDelayMs: config.drainDelayMs,
          shutdownTimeoutMs: config.shutdownTimeoutMs,
          inFlight: () => inFlight,
        });
      }
      return closing;
    },
  };
}
