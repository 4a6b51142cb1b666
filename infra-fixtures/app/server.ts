/**
 * Process entry: `node --import tsx infra-fixtures/app/server.ts`. Reads the environment, starts
 * the app, prints one `listening` JSON line (always, whatever LOG_LEVEL, because supervisors read
 * the port from it when PORT=0) and turns SIGTERM/SIGINT into a graceful or an abrupt exit.
 */
import { startApp, type RunningApp } from './app.ts';
import { ConfigError, configFromEnv, type AppConfig } from './config.ts';
import { createLogger } from './log.ts';

function die(variable: string | undefined, message: string): never {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: 'startup failed', variable, error: message })}\n`,
  );
  process.exit(1);
}

function listenFailure(e: unknown, config: AppConfig): never {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    die('PORT', `PORT ${config.port} is already in use on ${config.host}; pick another or 0`);
  if (code === 'EACCES')
    die('PORT', `PORT ${config.port} needs privileges on ${config.host}; use a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    die('HOST', `HOST ${config.host} is not an address of this machine (${code})`);
  }
  die(undefined, `cannot listen on ${where}: ${e instanceof Error ? e.message : String(e)}`);
}

let config: AppConfig;
try {
  config = configFromEnv(process.env);
} catch (e) {
  if (e instanceof ConfigError) die(e.variable, e.message);
  throw e;
}

const log = createLogger(config.logLevel);
const signalCodes = { SIGTERM: 143, SIGINT: 130 } as const;
// Filled once bound; the signal handler needs it, and a signal may come first.
const running: { app?: RunningApp } = {};
let shuttingDown = false;

function onSignal(signal: keyof typeof signalCodes): void {
  if (shuttingDown) {
    log.info('second signal: exiting without waiting', { signal });
    process.exit(signalCodes[signal]);
  }
  shuttingDown = true;
  if (!config.gracefulShutdown) {
    // The seeded-broken mode: in-flight requests are cut, exactly as an app with no handler would do.
    log.info('exiting without drain', { signal, gracefulShutdown: false });
    process.exit(signalCodes[signal]);
  }
  log.info('shutdown requested', { signal });
  // Signalled while still binding: nothing was served, so there is nothing to drain.
  if (running.app === undefined) process.exit(0);
  running.app.close().then(
    () => process.exit(0),
    (e: unknown) => {
      log.error('shutdown cut requests', { error: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    },
  );
}

// Installed before binding: a signal that arrives between `listening` and here would otherwise
// take the default action and skip the drain.
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));

const app = await startApp(config, { log }).catch((e: unknown) => listenFailure(e, config));
running.app = app;
process.stdout.write(
  `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'listening', host: app.host, port: app.port, pid: process.pid })}\n`,
);
