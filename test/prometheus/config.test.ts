/**
 * prometheus.yml as lib/monitoring renders it from infra-fixtures/prometheus/prometheus.yml:
 * accepted by promtool check config (which also checks the rule files), with https discovery
 * authenticated and plain-http discovery without credentials.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kRulesFile, promDuration, renderPrometheusConfig } from '../../lib/monitoring/config.ts';
import { runPromtool } from '../../lib/monitoring/promtool.ts';

interface Job {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  authorization?: { type?: string; credentials_file?: string };
  tls_config?: { ca_file?: string };
  http_sd_configs?: Array<{ url: string; refresh_interval: string; authorization?: { type?: string } }>;
  static_configs?: Array<{ targets: string[] }>;
  relabel_configs?: Array<Record<string, unknown>>;
}
interface Config {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: Job[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'prom-config-'));
  await writeFile(path.join(dir, 'token'), 'x');
  await writeFile(path.join(dir, 'ca.pem'), '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = {
  sdBaseUrl: 'https://127.0.0.1:6443/local-cluster/v1/sd/',
  stateMetricsUrl: 'https://127.0.0.1:6443/local-cluster/v1/state-metrics',
  ingressMetricsUrl: 'http://127.0.0.1:8081/metrics',
  alertmanagerAddress: '127.0.0.1:9093',
  rulesFiles: [kRulesFile],
  scrapeIntervalS: 1,
  evaluationIntervalS: 1,
  sdRefreshIntervalS: 1,
};

describe('renderPrometheusConfig', () => {
  it('renders a config promtool accepts, with Bearer auth spelled out for http_sd and kube-state-metrics', async () => {
    const text = renderPrometheusConfig({
      ...base,
      tokenFile: path.join(dir, 'token'),
      caFile: path.join(dir, 'ca.pem'),
    });
    const file = path.join(dir, 'prometheus.yml');
    await writeFile(file, text);
    const r = await runPromtool(['check', 'config', file]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('SUCCESS: 7 rules found');

    const c = parse(text) as Config;
    expect(c.global).toEqual({ scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
    expect(c.rule_files).toEqual([kRulesFile]);
    expect(c.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:9093']);
    const jobs = new Map(c.scrape_configs.map((j) => [j.job_name, j]));
    expect([...jobs.keys()]).toEqual(['novel-engine', 'kube-state-metrics', 'ingress-nginx']);
    const sd = jobs.get('novel-engine')?.http_sd_configs?.[0];
    expect(sd?.url).toBe(
      'https://127.0.0.1:6443/local-cluster/v1/sd/endpointslice?namespace=novel-engine&attach_metadata=node',
    );
    expect(sd?.refresh_interval).toBe('1s');
    // 2.42's http_sd sends the bare token unless the type is given (measured: 401 from the API server).
    expect(sd?.authorization?.type).toBe('Bearer');
    expect(jobs.get('kube-state-metrics')).toMatchObject({
      scheme: 'https',
      metrics_path: '/local-cluster/v1/state-metrics',
      authorization: { type: 'Bearer', credentials_file: path.join(dir, 'token') },
      tls_config: { ca_file: path.join(dir, 'ca.pem') },
      static_configs: [{ targets: ['127.0.0.1:6443'] }],
    });
    expect(jobs.get('ingress-nginx')).toMatchObject({
      scheme: 'http',
      metrics_path: '/metrics',
      static_configs: [{ targets: ['127.0.0.1:8081'] }],
    });
  });

  it('drops credentials for plain-http discovery, jobs without a URL, and caps the scrape timeout at 10 s', () => {
    const c = parse(
      renderPrometheusConfig({
        ...base,
        sdBaseUrl: 'http://127.0.0.1:7000/sd',
        stateMetricsUrl: undefined,
        ingressMetricsUrl: undefined,
        scrapeIntervalS: 30,
        evaluationIntervalS: 15,
      }),
    ) as Config;
    expect(c.global).toMatchObject({
      scrape_interval: '30s',
      scrape_timeout: '10s',
      evaluation_interval: '15s',
    });
    expect(c.scrape_configs.map((j) => j.job_name)).toEqual(['novel-engine']);
    expect(JSON.stringify(c)).not.toMatch(/authorization|tls_config|credentials_file/);
    expect(c.scrape_configs[0]?.http_sd_configs?.[0]?.url).toBe(
      'http://127.0.0.1:7000/sd/endpointslice?namespace=novel-engine&attach_metadata=node',
    );
  });

  it('refuses inputs it cannot render, naming the field', () => {
    expect(() => renderPrometheusConfig({ ...base, sdBaseUrl: 'not a url' })).toThrow(
      /sdBaseUrl: "not a url" is not a URL/,
    );
    expect(() => renderPrometheusConfig({ ...base, ingressMetricsUrl: 'ftp://x/metrics' })).toThrow(
      /ingressMetricsUrl.*http or https/,
    );
    expect(() => renderPrometheusConfig({ ...base, tokenFile: '/t' })).toThrow(
      /tokenFile and caFile go together/,
    );
    expect(() => renderPrometheusConfig({ ...base, template: 'global:\n  x: ${nope}\n' })).toThrow(
      /no value for \$\{nope\}/,
    );
    expect(() => promDuration(0)).toThrow(/positive/);
    expect(promDuration(0.25)).toBe('250ms');
  });
});
