import { UsageError } from '../errors.ts';
import type { ScenarioInput } from '../scenario/schema.ts';

export interface QuickFlags {
  url?: string;
  rate?: number;
  duration?: string;
  connections?: number;
  method?: string;
  header?: Record<string, string>;
  body?: string;
  expectStatus?: number[];
  sla?: string[];
  maxInFlight?: number;
  timeout?: string;
  name?: string;
}

/** A scenario built from flags: `gauntlet run --url URL --rate N --duration 30s --sla 'p95<100ms'`. */
export function quickScenario(f: QuickFlags): ScenarioInput {
  if (!f.url)
    throw new UsageError('run: give a scenario file, or --url for a quick run (see gauntlet run --help)');
  if (f.rate !== undefined && f.connections !== undefined) {
    throw new UsageError(
      '--rate and --connections exclude each other: --rate is an open-model arrival rate, --connections a closed-model pool',
    );
  }
  const u = new URL(f.url);
  const path = `${u.pathname}${u.search}` || '/';
  const duration = f.duration ?? '30s';
  return {
    name: f.name ?? 'quick',
    target: u.origin,
    requests: [
      {
        method: (f.method?.toUpperCase() ?? 'GET') as 'GET',
        path,
        ...(f.header ? { headers: f.header } : {}),
        ...(f.body !== undefined ? { body: f.body } : {}),
        ...(f.expectStatus ? { expectStatus: f.expectStatus } : {}),
      },
    ],
    load:
      f.connections !== undefined
        ? { kind: 'closed', connections: f.connections, duration }
        : { kind: 'constant-arrival-rate', rate: f.rate ?? 10, duration },
    options: {
      ...(f.maxInFlight ? { maxInFlight: f.maxInFlight } : {}),
      ...(f.timeout ? { timeout: f.timeout } : {}),
    },
    slas: f.sla ?? [],
  };
}
