import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, defaultConfig, resolveConfig } from '../../infra-fixtures/app/config.ts';
import { call, killAll, runToExit, spawnApp } from './harness.ts';

afterEach(killAll);

describe('configFromEnv', () => {
  it('takes defaults when variables are unset or empty', () => {
    expect(configFromEnv({})).toEqual(defaultConfig);
    expect(configFromEnv({ PORT: '', CPU_WORK_MS: '  ' })).toEqual(defaultConfig);
    expect(defaultConfig.host).toBe('127.0.0.1');
  });

  it('parses every variable', () => {
    const c = configFromEnv({
      PORT: '0',
      HOST: '::1',
      CPU_WORK_MS: '2.5',
      ADDED_LATENCY_MS: '40',
      GRACEFUL_SHUTDOWN: 'FALSE',
      DRAIN_DELAY_MS: '100',
      SHUTDOWN_TIMEOUT_MS: '2000',
      STARTUP_DELAY_MS: '10',
      LOG_LEVEL: 'silent',
    });
    expect(c).toEqual({
      port: 0,
      host: '::1',
      cpuWorkMs: 2.5,
      addedLatencyMs: 40,
      gracefulShutdown: false,
      drainDelayMs: 100,
      shutdownTimeoutMs: 2000,
      startupDelayMs: 10,
      logLevel: 'silent',
    });
  });

  const bad: ReadonlyArray<[string, string]> = [
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['CPU_WORK_MS', 'abc'],
    ['CPU_WORK_MS', '1e3'],
    ['CPU_WORK_MS', '20000'],
    ['ADDED_LATENCY_MS', '0x10'],
    ['DRAIN_DELAY_MS', 'Infinity'],
    ['SHUTDOWN_TIMEOUT_MS', '-5'],
    ['STARTUP_DELAY_MS', 'soon'],
    ['GRACEFUL_SHUTDOWN', 'yes'],
    ['LOG_LEVEL', 'debug'],
  ];
  it.each(bad)('rejects %s=%s naming the variable', (name, value) => {
    const attempt = () => configFromEnv({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${name} must`));
    try {
      attempt();
    } catch (e) {
      expect((e as ConfigError).variable).toBe(name);
    }
  });
});

describe('resolveConfig', () => {
  it('names the field for programmatic callers and refuses unknown fields', () => {
    expect(() => resolveConfig({ cpuWorkMs: -1 })).toThrow(/^cpuWorkMs must be a number/);
    expect(() => resolveConfig({ port: 1.5 })).toThrow(/^port must be an integer/);
    expect(() => resolveConfig({ cpuWorkMS: 1 } as never)).toThrow(/unknown config field "cpuWorkMS"/);
    expect(resolveConfig({ port: 0, cpuWorkMs: undefined }).cpuWorkMs).toBe(0);
  });
});

describe('process start', () => {
  it('exits 1 on a bad variable, naming it on stderr', async () => {
    const r = await runToExit({ CPU_WORK_MS: 'lots' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CPU_WORK_MS must be a number');
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ msg: 'startup failed', variable: 'CPU_WORK_MS' });
  });

  it('exits 1 naming PORT when the port is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (squatter.address() as AddressInfo).port;
      const r = await runToExit({ PORT: String(taken) });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stderr.trim())).toMatchObject({ variable: 'PORT' });
      expect(r.stderr).toContain('already in use');
    } finally {
      squatter.close();
    }
  });

  it('runs from another working directory through the launcher, and prints the listening line when silent', async () => {
    const app = await spawnApp({ LOG_LEVEL: 'silent' }, { launcher: true, cwd: tmpdir() });
    expect((await call(app.port, '/healthz')).status).toBe(200);
    // Silent means no lifecycle lines; the one line supervisors parse stays.
    expect(app.stdoutLines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['listening']);
  });
});
