/**
 * Renders infra-fixtures/prometheus/prometheus.yml (a template with `${…}` placeholders) into the
 * configuration one Prometheus instance runs with. Pure apart from reading the template.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const kPrometheusDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../infra-fixtures/prometheus',
);
export const kPrometheusTemplate = path.join(kPrometheusDir, 'prometheus.yml');
export const kAlertmanagerConfig = path.join(kPrometheusDir, 'alertmanager.yml');
export const kRulesFile = path.join(kPrometheusDir, 'rules.yaml');

export interface PrometheusConfigInput {
  /** e.g. https://127.0.0.1:6443/local-cluster/v1/sd (no trailing slash needed). */
  readonly sdBaseUrl: string;
  /** kube-state-metrics endpoint; omitted → the job is left out. */
  readonly stateMetricsUrl?: string;
  /** The ingress proxy's /metrics; omitted → the job is left out. */
  readonly ingressMetricsUrl?: string;
  readonly alertmanagerAddress: string;
  /** Files holding the bearer token and the CA; omitted → plain http, no authorization. */
  readonly tokenFile?: string;
  readonly caFile?: string;
  readonly rulesFiles: readonly string[];
  readonly scrapeIntervalS: number;
  readonly evaluationIntervalS: number;
  readonly sdRefreshIntervalS: number;
  /** Template text; default infra-fixtures/prometheus/prometheus.yml. */
  readonly template?: string;
}

/** Prometheus durations: whole milliseconds, written in the largest exact unit. */
export function promDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms <= 0) throw new Error(`duration must be positive, got ${seconds} s`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function splitUrl(url: string, field: string): { scheme: string; address: string; path: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${field}: "${url}" is not a URL; give e.g. http://127.0.0.1:8081/metrics`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${field}: "${url}" must be http or https`);
  if (u.search) throw new Error(`${field}: "${url}" must not carry a query string`);
  return { scheme: u.protocol.slice(0, -1), address: u.host, path: u.pathname || '/metrics' };
}

function substitute(node: unknown, vars: Record<string, string>): unknown {
  if (typeof node === 'string') {
    return node.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`prometheus.yml template: no value for \${${name}}`);
      return v;
    });
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, vars));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return node;
}

type Json = Record<string, unknown>;

function stripAuth(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripAuth);
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  delete o.authorization;
  delete o.tls_config;
  Object.values(o).forEach(stripAuth);
}

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  if (!(input.scrapeIntervalS > 0)) throw new Error('scrapeIntervalS must be > 0');
  if (!(input.evaluationIntervalS > 0)) throw new Error('evaluationIntervalS must be > 0');
  if ((input.tokenFile === undefined) !== (input.caFile === undefined))
    throw new Error('tokenFile and caFile go together: give both for https discovery, neither for http');
  const template = input.template ?? readFileSync(kPrometheusTemplate, 'utf8');
  const sd = splitUrl(input.sdBaseUrl, 'sdBaseUrl');
  const ksm = input.stateMetricsUrl ? splitUrl(input.stateMetricsUrl, 'stateMetricsUrl') : undefined;
  const ingress = input.ingressMetricsUrl
    ? splitUrl(input.ingressMetricsUrl, 'ingressMetricsUrl')
    : undefined;
  const vars: Record<string, string> = {
    scrapeInterval: promDuration(input.scrapeIntervalS),
    // Prometheus refuses a timeout longer than the interval; its default is 10 s.
    scrapeTimeout: promDuration(Math.min(10, input.scrapeIntervalS)),
    evaluationInterval: promDuration(input.evaluationIntervalS),
    sdRefreshInterval: promDuration(input.sdRefreshIntervalS),
    sdBaseUrl: `${sd.scheme}://${sd.address}${sd.path.replace(/\/$/, '')}`,
    alertmanagerAddress: input.alertmanagerAddress,
    tokenFile: input.tokenFile ?? '',
    caFile: input.caFile ?? '',
    stateMetricsScheme: ksm?.scheme ?? '',
    stateMetricsAddress: ksm?.address ?? '',
    stateMetricsPath: ksm?.path ?? '',
    ingressScheme: ingress?.scheme ?? '',
    ingressAddress: ingress?.address ?? '',
    ingressPath: ingress?.path ?? '',
  };
  const config = substitute(parse(template), vars) as Json;
  config.rule_files = [...input.rulesFiles];
  const jobs = (config.scrape_configs ?? []) as Json[];
  config.scrape_configs = jobs.filter(
    (j) => !(j.job_name === 'kube-state-metrics' && !ksm) && !(j.job_name === 'ingress-nginx' && !ingress),
  );
  if (input.tokenFile === undefined) stripAuth(config.scrape_configs);
  return stringify(config);
}
