import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  clusterEventKinds,
  eventSchema,
  failureSchema,
  gaugePointSchema,
  resultSchema,
} from '../../lib/result/schema.ts';
import { gaugeNames } from '../../lib/result/gauges.ts';
import { createTimeline, failureSampleComplete } from '../../lib/result/timeline.ts';
import { verifyKinds } from '../../lib/scenario/verify-schema.ts';
import { preflightCheckIds } from '../../lib/assert/preflight.ts';
import { failingRun } from '../reports/fixtures.ts';

const schemaDoc = await readFile(new URL('../../docs/result-schema.md', import.meta.url), 'utf8');
const verdictDoc = await readFile(new URL('../../docs/verdicts.md', import.meta.url), 'utf8');

describe('result.json v1 additions', () => {
  it('still reads a file without gauges, failures or event details', () => {
    const old = failingRun();
    delete (old as Record<string, unknown>).gauges;
    delete (old as Record<string, unknown>).failures;
    delete (old as Record<string, unknown>).failuresDropped;
    const parsed = resultSchema.parse(old);
    expect(parsed.gauges).toBeUndefined();
    expect(parsed.failures).toBeUndefined();
  });

  it('reads gauges, failures and event details', () => {
    const r = {
      ...failingRun(),
      events: [{ t: 1, kind: 'k8s-event', object: 'Pod/ns/a', message: 'x', detail: { reason: 'Killing' } }],
      gauges: [{ t: 0, name: 'hpa.desired', value: 3, labels: { hpa: 'api' } }],
      failures: [{ t: 1.234, kind: 'refused', latencyMs: 0.5, request: 'GET /' }],
      failuresDropped: 0,
    };
    const parsed = resultSchema.parse(r);
    expect(parsed.events[0]?.detail).toEqual({ reason: 'Killing' });
    expect(parsed.gauges).toHaveLength(1);
    expect(parsed.failures?.[0]).toEqual({ t: 1.234, kind: 'refused', latencyMs: 0.5, request: 'GET /' });
  });

  it('refuses malformed additions with the path of the field', () => {
    const bad = resultSchema.safeParse({ ...failingRun(), failuresDropped: -1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['failuresDropped']);
    expect(gaugePointSchema.safeParse({ t: 0, name: 'x', value: 'three' }).success).toBe(false);
    expect(failureSchema.safeParse({ t: 0, kind: 'refused', status: 1.5 }).success).toBe(false);
  });

  it('accepts error kinds it does not know in the failure sample (additive within v1)', () => {
    expect(failureSchema.safeParse({ t: 0, kind: 'tls-handshake' }).success).toBe(true);
  });
});

describe('timeline', () => {
  it('defaults the observation lists to empty', () => {
    const t = createTimeline({
      durationS: 1,
      load: failingRun().load,
      series: [],
      spans: [],
      events: [],
      window: () => {
        throw new Error('not used');
      },
    });
    expect(t.gauges).toEqual([]);
    expect(t.failures).toEqual([]);
    expect(t.preflight).toBeUndefined();
  });

  it('knows whether the failure sample holds every failure', () => {
    const load = failingRun().load;
    const failed = load.requests.failed;
    expect(failed).toBeGreaterThan(0);
    const f = { t: 0, kind: 'refused' };
    expect(failureSampleComplete({ load, failures: Array(failed).fill(f) })).toBe(true);
    expect(failureSampleComplete({ load, failures: Array(failed - 1).fill(f) })).toBe(false);
  });
});

describe('docs', () => {
  it('document every new field, gauge name and event kind', () => {
    const fields = [
      ...Object.keys(gaugePointSchema.shape),
      ...Object.keys(failureSchema.shape),
      ...Object.keys(eventSchema.shape),
      'gauges',
      'failures',
      'failuresDropped',
    ];
    const missing = [...fields, ...gaugeNames, ...clusterEventKinds].filter(
      (f) => !schemaDoc.includes(`\`${f}\``),
    );
    expect(missing).toEqual([]);
  });

  it('document every verify kind and preflight check', () => {
    const missing = [
      ...verifyKinds.map((k) => `## \`${k}\``),
      ...preflightCheckIds.map((id) => `\`preflight.${id}\``),
      ...['scale-up', 'peak', 'flapping', 'scale-down'].map((c) => `\`autoscaling.${c}\``),
    ].filter((s) => !verdictDoc.includes(s));
    expect(missing).toEqual([]);
  });
});
