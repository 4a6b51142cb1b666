/**
 * Safety before anything is touched: the cluster allowlist (the local cluster always allowed),
 * protected namespaces, the dry-run plan text, and the chaos schedule's validation with
 * field-named messages and --scale.
 */
import { describe, expect, it } from 'vitest';
import { assertAllowed, chaosPlanText, isLocalCluster } from '../../chaos/safety.ts';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import { ChaosRefusedError } from '../../chaos/targets.ts';
import { isGauntletError } from '../../lib/errors.ts';
import type { ChaosTarget } from '../../chaos/action.ts';

const target: ChaosTarget = {
  namespace: 'novel-engine',
  deployment: 'novel-engine',
  selector: 'app=novel-engine',
};
const local = { contextName: 'gauntlet-local', server: 'https://127.0.0.1:40123' };
const kind = { contextName: 'kind-gauntlet', server: 'https://127.0.0.1:6443' };
const eks = {
  contextName: 'arn:aws:eks:eu-west-1:1:cluster/prod',
  server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
};

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChaosRefusedError);
    expect(isGauntletError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('assertAllowed', () => {
  it('allows the local cluster without configuration', () => {
    expect(isLocalCluster(local)).toBe(true);
    expect(() => assertAllowed(local, target)).not.toThrow();
  });

  it('refuses any other cluster unless its context or server is allowlisted', () => {
    expect(refusal(() => assertAllowed(kind, target))).toBe(
      'chaos refused: context "kind-gauntlet" (server https://127.0.0.1:6443) is not on the chaos allowlist ' +
        '(allowed: gauntlet-local (the local cluster)); add the context to the allowlist if faults there are intended. Nothing was touched.',
    );
    expect(refusal(() => assertAllowed(eks, target, { contexts: ['kind-gauntlet'] }))).toMatch(
      /context "arn:aws:eks:eu-west-1:1:cluster\/prod" .* \(allowed: gauntlet-local \(the local cluster\), kind-gauntlet\)/,
    );
    expect(() => assertAllowed(kind, target, { contexts: ['kind-gauntlet'] })).not.toThrow();
    expect(() =>
      assertAllowed(eks, target, { servers: ['https://abc.gr7.eu-west-1.eks.amazonaws.com/'] }),
    ).not.toThrow();
  });

  it('does not take a context named like the local one on a remote server for the local cluster', () => {
    const impostor = { contextName: 'gauntlet-local', server: 'https://10.1.2.3:6443' };
    expect(isLocalCluster(impostor)).toBe(false);
    expect(refusal(() => assertAllowed(impostor, target))).toMatch(/is not on the chaos allowlist/);
  });

  it('never touches kube-system, and honours a namespace allowlist', () => {
    expect(refusal(() => assertAllowed(local, { ...target, namespace: 'kube-system' }))).toBe(
      "chaos refused: namespace kube-system holds the cluster's own components; gauntlet never injects faults there. Nothing was touched.",
    );
    expect(refusal(() => assertAllowed(local, target, { namespaces: ['staging'] }))).toMatch(
      /namespace novel-engine is not on the allowlist \(staging\)/,
    );
    expect(() => assertAllowed(local, target, { namespaces: ['novel-engine'] })).not.toThrow();
  });
});

describe('chaosPlanText', () => {
  it('lists each entry with its offsets and what it will touch', () => {
    const entries = parseChaosSchedule([
      { at: '10s', every: '30s', times: 3, duration: '20s', action: { kind: 'node-drain' } },
      { at: '1m', action: { kind: 'pod-kill', percent: 50, mode: 'forced' } },
      { at: '5s', every: '1m', duration: '30s', action: { kind: 'zone-outage', mode: 'partition' } },
      { at: '2m', action: { kind: 'bad-rollout', rollback: true, progressDeadline: '30s' } },
    ]);
    const text = chaosPlanText(entries, target, { endMs: 180_000, cluster: local });
    expect(text.split('\n')).toEqual([
      'Chaos plan for novel-engine/novel-engine (pods: app=novel-engine) on context gauntlet-local (https://127.0.0.1:40123)',
      'Limits: at most 10 pods and 3 nodes per action; never the last ready replica unless an action sets allowTotalOutage.',
      '  1. at 10s, every 30s × 3 (10s, 40s, 1m10s), hold 20s: node-drain — cordon the node hosting most pods of ' +
        'novel-engine/novel-engine (app=novel-engine), evict every pod on it except DaemonSet and mirror pods through the ' +
        'Eviction API (429 retried up to 20 times, back-off 1000–10000 ms), then uncordon it on revert if it was schedulable before',
      '  2. at 1m: pod-kill — delete 50% of the pod(s) of novel-engine matching app=novel-engine, forced (grace period 0); the ReplicaSet replaces them',
      '  3. at 5s, every 1m until the run ends (5s, 1m5s, 2m5s), hold 30s: zone-outage — take the zone hosting most pods of ' +
        "novel-engine/novel-engine down ('partition' on every node of it, provider local); recover it on revert",
      '  4. at 2m: bad-rollout — roll out a template to novel-engine/novel-engine that cannot become ready ' +
        '(image gauntlet.invalid/unpullable:bad-rollout), wait for a progress deadline of 30 s to pass, then roll back like ' +
        '`kubectl rollout undo` and time the way back to a complete rollout; revert restores the original template',
      'Every fault is journalled before it is injected and reverted when its hold ends, on abort or on error.',
    ]);
  });
});

describe('the chaos schedule schema', () => {
  function problems(input: unknown, runMs?: number): string {
    try {
      parseChaosSchedule(input, { source: 'x.ts', runMs });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected the schedule to be invalid');
  }

  it('names the field and the fix', () => {
    expect(problems([{ at: '1s', action: { kind: 'pod-nuke' } }])).toBe(
      "x.ts: invalid scenario: chaos[0].action.kind: kind must be 'pod-kill', 'node-drain', 'zone-outage', 'rollout-restart' or 'bad-rollout'",
    );
    expect(problems([{ at: 'soon', action: { kind: 'pod-kill' } }])).toMatch(
      /chaos\[0\]\.at: not a duration; use a duration like '30s'/,
    );
    expect(problems([{ action: { kind: 'pod-kill', count: 2, percent: 10 } }])).toBe(
      'x.ts: invalid scenario: chaos[0].action: give count or percent, not both',
    );
    expect(problems([{ times: 3, action: { kind: 'rollout-restart' } }])).toBe(
      "x.ts: invalid scenario: chaos[0].times: 3 injections need 'every' (the interval between them)",
    );
    expect(problems([{ every: '10s', duration: '10s', action: { kind: 'node-drain' } }])).toMatch(
      /chaos\[0\]\.every: the interval must be longer than duration/,
    );
    expect(problems([{ action: { kind: 'node-drain', node: 'n1', zone: 'zone-a' } }])).toMatch(
      /chaos\[0\]\.action: give node \(a name\) or zone, not both/,
    );
    expect(problems([{ action: { kind: 'zone-outage', provider: 'gcp' } }])).toMatch(
      /chaos\[0\]\.action\.provider: provider must be one of local, kind, aws-fis/,
    );
    expect(problems([{ action: { kind: 'pod-kill', sellector: 'a=b' } }])).toMatch(
      /chaos\[0\]\.action: unknown field 'sellector' \(check the spelling\)/,
    );
    expect(problems([{ at: '2m', action: { kind: 'pod-kill' } }], 60_000)).toMatch(
      /chaos\[0\]\.at: 2m is not before the load ends \(1m\); inject earlier or lengthen the load/,
    );
    expect(problems([{ action: { kind: 'bad-rollout', image: 'x:1', fault: 'failing-readiness' } }])).toMatch(
      /chaos\[0\]\.action\.image: only used with fault 'unpullable-image'/,
    );
  });

  it('scales offsets, intervals and holds with --scale, not timeouts or Kubernetes settings', () => {
    const [e] = parseChaosSchedule(
      [
        {
          at: '10s',
          every: '30s',
          times: 2,
          duration: '20s',
          action: { kind: 'bad-rollout', progressDeadline: '30s', timeout: '2m' },
        },
      ],
      { scale: 0.1 },
    );
    expect(e).toMatchObject({ atMs: 1000, everyMs: 3000, times: 2, holdMs: 2000 });
    expect(e!.action).toMatchObject({ kind: 'bad-rollout', progressDeadlineSeconds: 30, timeoutMs: 120_000 });
  });

  it('fills defaults', () => {
    const [kill, drain, zone] = parseChaosSchedule([
      { action: { kind: 'pod-kill' } },
      { action: { kind: 'node-drain', zone: 'zone-b' } },
      { action: { kind: 'zone-outage' } },
    ]);
    expect(kill).toMatchObject({ atMs: 0, everyMs: null, times: 1, holdMs: 0 });
    expect(kill!.action).toEqual({
      kind: 'pod-kill',
      selector: null,
      amount: { count: 1 },
      mode: 'graceful',
      gracePeriodSeconds: null,
      allowTotalOutage: false,
    });
    expect(drain!.action).toMatchObject({
      node: { by: 'zone', zone: 'zone-b' },
      evictionRetry: { attempts: 20, backoffMs: 1000, maxBackoffMs: 10_000 },
    });
    expect(zone!.action).toEqual({
      kind: 'zone-outage',
      zone: null,
      mode: 'stop',
      provider: 'local',
      allowTotalOutage: false,
    });
  });
});
