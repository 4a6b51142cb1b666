/**
 * Scenarios the k6 tests generate scripts from, one per golden file in test/fixtures/k6/golden.
 * Together they cover every profile kind, fractional rates, every SLA metric, abortOnFail, SLAs
 * k6 cannot express (windows, phases, achieved in the closed model) and awkward names.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type K6ScriptInput, scriptInputOf } from '../../lib/load/k6/script.ts';
import { loadScenarioFile } from '../../lib/scenario/load-file.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';

export const goldenDir = fileURLToPath(new URL('../fixtures/k6/golden/', import.meta.url));
export const k6DoubleDir = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));
const shippedDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/**
 * The scenarios shipped in scenarios/, as `gauntlet k6 export` reads them (file name → script
 * input). Loaded fresh each call, so tests follow edits of those files.
 */
export async function shippedScenarios(): Promise<Record<string, K6ScriptInput>> {
  const files = readdirSync(shippedDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const out: Record<string, K6ScriptInput> = {};
  for (const f of files)
    out[f.replace(/\.ts$/, '')] = scriptInputOf(await loadScenarioFile(join(shippedDir, f)));
  return out;
}

const closed = () =>
  scriptInputOf(
    resolveScenario({
      name: 'closed',
      target: 'http://127.0.0.1:8080',
      requests: [{ path: '/healthz' }],
      load: { kind: 'closed', connections: 8, duration: '10s' },
      slas: ['errors<=1%', 'achieved>=95%'],
    }),
  );

export const k6Scenarios: Record<string, () => K6ScriptInput> = {
  'constant-mix': () =>
    scriptInputOf(
      resolveScenario({
        name: 'constant-mix',
        description: 'Steady 200 req/s of reads and writes\nwith the SLAs of normal traffic',
        target: 'http://127.0.0.1:8080/api',
        requests: [
          { name: 'health', path: '/healthz' },
          {
            name: 'create narrative',
            method: 'POST',
            path: '/v1/narratives',
            body: { prompt: "It's a map that redraws itself", maxWords: 120 },
            expectStatus: 201,
            weight: 3,
          },
          {
            name: 'missing',
            path: '/v1/narratives/0?x=1&y=2',
            headers: { Accept: 'application/json', 'X-Trace': 'gauntlet' },
            expectStatus: [404, 410],
            weight: 1,
          },
        ],
        load: { kind: 'constant-arrival-rate', rate: 200, duration: '20s' },
        options: { timeout: '5s' },
        slas: ['p95<100ms', 'p99<250ms', 'errors<0.1%', 'achieved>=99%'],
      }),
    ),
  'ramp-fractional': () =>
    scriptInputOf(
      resolveScenario({
        name: 'ramp.fractional_v2',
        target: 'http://127.0.0.1:8080',
        requests: [
          { name: 'checkout & pay "v2"', method: 'PUT', path: '/cart', body: 'raw\tbody', weight: 2.5 },
        ],
        load: {
          kind: 'ramping-arrival-rate',
          startRate: 0.5,
          stages: [
            { target: 12.5, duration: '30s' },
            { target: 20, duration: '1m30s' },
            { target: 0, duration: '1500ms' },
          ],
        },
        slas: [
          { sla: 'p99.9<1s', abortOnFail: true, abortWindow: '15s' },
          { metric: 'availability', op: '>=', value: 99.5, abortOnFail: true },
          { sla: 'max<=2s' },
          { sla: 'p95<50ms', window: { start: '10s', end: '60s' } },
          { sla: 'errors<1%', scope: 'during-fault' },
        ],
      }),
    ),
  closed,
  // A Kubernetes target has no URL until the run discovers it: the script then requires one.
  'no-url': () => {
    const { baseUrl: _, ...rest } = closed();
    return { ...rest, name: 'no-url' };
  },
};
