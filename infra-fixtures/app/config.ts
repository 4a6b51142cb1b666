/**
 * The app's settings: one resolved shape, filled either from environment variables (the process
 * entry) or from a partial object (in-process use). Both paths run the same range checks, so a bad
 * value fails at start with a message naming the variable or field and the accepted range.
 */

export const logLevels = ['info', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface AppConfig {
  /** TCP port; 0 binds an ephemeral port. @default 8080 */
  readonly port: number;
  /** Interface to bind. @default '127.0.0.1' (loopback only) */
  readonly host: string;
  /** Busy CPU time spent per API request, in milliseconds (fractions allowed). @default 0 */
  readonly cpuWorkMs: number;
  /** Non-CPU delay added per API request, in milliseconds. @default 0 */
  readonly addedLatencyMs: number;
  /** Drain on SIGTERM/SIGINT (true) or exit at once, cutting in-flight requests (false). @default true */
  readonly gracefulShutdown: boolean;
  /** How long to keep serving after turning not-ready, before closing the listener. @default 5000 */
  readonly drainDelayMs: number;
  /** Cap on waiting for in-flight requests once the listener is closed. @default 30000 */
  readonly shutdownTimeoutMs: number;
  /** Time after binding before /readyz turns 200. @default 0 */
  readonly startupDelayMs: number;
  /** Lifecycle log lines on stdout (info) or none (silent). @default 'info' */
  readonly logLevel: LogLevel;
}

export const defaultConfig: AppConfig = {
  port: 8080,
  host: '127.0.0.1',
  cpuWorkMs: 0,
  addedLatencyMs: 0,
  gracefulShutdown: true,
  drainDelayMs: 5000,
  shutdownTimeoutMs: 30_000,
  startupDelayMs: 0,
  logLevel: 'info',
};

export class ConfigError extends Error {
  readonly code = 'APP_CONFIG_INVALID';
  /** The environment variable (or config field) at fault. */
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type NumberKey =
  'port' | 'cpuWorkMs' | 'addedLatencyMs' | 'drainDelayMs' | 'shutdownTimeoutMs' | 'startupDelayMs';

interface NumberSpec {
  readonly env: string;
  readonly max: number;
  readonly integer: boolean;
  readonly unit: string;
}

const numberSpecs: Record<NumberKey, NumberSpec> = {
  port: { env: 'PORT', max: 65_535, integer: true, unit: 'port number' },
  cpuWorkMs: { env: 'CPU_WORK_MS', max: 10_000, integer: false, unit: 'milliseconds' },
  addedLatencyMs: { env: 'ADDED_LATENCY_MS', max: 300_000, integer: false, unit: 'milliseconds' },
  drainDelayMs: { env: 'DRAIN_DELAY_MS', max: 300_000, integer: false, unit: 'milliseconds' },
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', max: 600_000, integer: false, unit: 'milliseconds' },
  startupDelayMs: { env: 'STARTUP_DELAY_MS', max: 300_000, integer: false, unit: 'milliseconds' },
};

const envNames = {
  host: 'HOST',
  gracefulShutdown: 'GRACEFUL_SHUTDOWN',
  logLevel: 'LOG_LEVEL',
} as const;

function rangeText(spec: NumberSpec): string {
  const kind = spec.integer ? 'an integer' : 'a number';
  return `${kind} (${spec.unit}) from 0 to ${spec.max}`;
}

/** Reads the app's variables from `env`; unset or empty variables take the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv): AppConfig {
  const raw = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const out: { -readonly [K in keyof AppConfig]?: AppConfig[K] } = {};

  for (const key of Object.keys(numberSpecs) as NumberKey[]) {
    const spec = numberSpecs[key];
    const text = raw(spec.env);
    if (text === undefined) continue;
    // Decimal digits only: Number() would also take '0x10', '1e3' and 'Infinity'.
    const pattern = spec.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
    if (!pattern.test(text)) {
      throw new ConfigError(spec.env, `${spec.env} must be ${rangeText(spec)}, got ${JSON.stringify(text)}`);
    }
    out[key] = Number(text);
  }

  const host = raw(envNames.host);
  if (host !== undefined) out.host = host;

  const graceful = raw(envNames.gracefulShutdown);
  if (graceful !== undefined) {
    const lower = graceful.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new ConfigError(
        envNames.gracefulShutdown,
        `GRACEFUL_SHUTDOWN must be true or false, got ${JSON.stringify(graceful)}`,
      );
    }
    out.gracefulShutdown = lower === 'true';
  }

  const level = raw(envNames.logLevel);
  if (level !== undefined) out.logLevel = level.toLowerCase() as LogLevel;

  return resolveConfig(out, 'env');
}

/**
 * Fills defaults and checks every field. `source` picks how faults are named: by environment
 * variable (the process entry) or by field name (programmatic callers).
 */
export function resolveConfig(input: Partial<AppConfig> = {}, source: 'env' | 'field' = 'field'): AppConfig {
  for (const key of Object.keys(input)) {
    if (!(key in defaultConfig)) {
      throw new ConfigError(
        key,
        `unknown config field ${JSON.stringify(key)}; known: ${Object.keys(defaultConfig).join(', ')}`,
      );
    }
  }
  const config: AppConfig = { ...defaultConfig, ...definedOnly(input) };
  const name = (key: keyof AppConfig): string =>
    source === 'env'
      ? key in numberSpecs
        ? numberSpecs[key as NumberKey].env
        : envNames[key as keyof typeof envNames]
      : key;

  for (const key of Object.keys(numberSpecs) as NumberKey[]) {
    const spec = numberSpecs[key];
    const v = config[key];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      v >= 0 &&
      v <= spec.max &&
      (!spec.integer || Number.isInteger(v));
    if (!ok)
      throw new ConfigError(name(key), `${name(key)} must be ${rangeText(spec)}, got ${JSON.stringify(v)}`);
  }
  if (typeof config.host !== 'string' || config.host.trim() === '') {
    throw new ConfigError(
      name('host'),
      `${name('host')} must be a non-empty interface address, e.g. 127.0.0.1`,
    );
  }
  if (typeof config.gracefulShutdown !== 'boolean') {
    throw new ConfigError(name('gracefulShutdown'), `${name('gracefulShutdown')} must be true or false`);
  }
  if (!logLevels.includes(config.logLevel)) {
    throw new ConfigError(
      name('logLevel'),
      `${name('logLevel')} must be one of ${logLevels.join(', ')}, got ${JSON.stringify(config.logLevel)}`,
    );
  }
  return Object.freeze(config);
}

function definedOnly(input: Partial<AppConfig>): Partial<AppConfig> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<AppConfig>;
}
