/**
 * The "client vs server" table's rows as text, shared by the Markdown summary and the HTML report:
 * for each server-side SLA that names a client-side figure (`compareTo`), the claim, what the load
 * generator measured, what the server reported, and the difference, in one unit.
 */
import type { ClientServerFigure, RunResult } from '../lib/result/schema.ts';
import { ms, num, windowText } from './format.ts';

export const CLIENT_SERVER_HEAD = ['Claim', 'Client-side', 'Server-side', 'Difference', 'Window'] as const;

export const CLIENT_SERVER_NOTE =
  'The same figure measured twice: by the load generator (every request, from its intended send time) ' +
  'and by the server’s own metrics through Prometheus. Difference = server − client. The server does not ' +
  'see time or failures outside it (network, ingress, queueing in front of it): where those matter, its ' +
  'latency and error rate read lower, and its availability higher.';

const figureNames: Readonly<Record<string, string>> = {
  p50: 'p50 latency',
  p90: 'p90 latency',
  p95: 'p95 latency',
  p99: 'p99 latency',
  max: 'max latency',
  errors: 'error rate',
  availability: 'availability',
};

const reduceText: Readonly<Record<string, string>> = {
  worst: 'server: worst sample',
  mean: 'server: mean of samples',
  last: 'server: last sample',
};

function value(v: number | null, unit: string): string {
  if (v === null) return '—';
  return unit === 'ms' ? ms(v) : `${num(v, 3)} %`;
}

function signed(v: number | null, unit: string): string {
  if (v === null) return '—';
  const mag = value(Math.abs(v), unit);
  return v === 0 ? mag : `${v > 0 ? '+' : '−'}${mag}`;
}

export interface ClientServerRowText {
  readonly claim: string;
  readonly client: string;
  readonly server: string;
  readonly difference: string;
  readonly window: string;
}

export function clientServerRow(f: ClientServerFigure): ClientServerRowText {
  const limit = f.unit === 'ms' ? ms(f.limit) : `${num(f.limit, 3)} %`;
  return {
    claim: `${figureNames[f.metric] ?? f.metric} ${f.op} ${limit} (${f.sla}; ${reduceText[f.reduce] ?? f.reduce})`,
    client: value(f.client, f.unit),
    server: value(f.server, f.unit),
    difference: signed(f.difference, f.unit),
    window: windowText(f.window),
  };
}

export function clientServerRows(r: RunResult): ClientServerRowText[] {
  return (r.clientVsServer ?? []).map(clientServerRow);
}
