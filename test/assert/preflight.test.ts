import { describe, expect, it } from 'vitest';
import { preflightAssertions, preflightVerdicts } from '../../lib/assert/preflight.ts';
import type { PreflightContainer, PreflightPod, PreflightSnapshot } from '../../lib/result/timeline.ts';
import { steady, syntheticTimeline } from './synthetic.ts';

const safe: PreflightContainer = {
  name: 'api',
  readinessProbe: true,
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
};
const pod = (name: string, zone: string | null, extra: Partial<PreflightPod> = {}): PreflightPod => ({
  name,
  zone,
  node: zone ? `node-${zone}` : null,
  ready: true,
  containers: [safe],
  ...extra,
});

const healthy: PreflightSnapshot = {
  target: 'deployment novel/api',
  pods: [pod('api-1', 'zone-a'), pod('api-2', 'zone-b'), pod('api-3', 'zone-c')],
  pdbs: [
    { name: 'other', disruptionsAllowed: 0, matchesTarget: false },
    { name: 'api', disruptionsAllowed: 1, matchesTarget: true },
  ],
};

const byName = (snap: PreflightSnapshot, minZones?: number) =>
  Object.fromEntries(preflightVerdicts(snap, minZones ? { minZones } : {}).map((v) => [v.name, v]));

describe('preflight', () => {
  it('passes a target built for faults', () => {
    const vs = preflightVerdicts(healthy);
    expect(vs.map((v) => [v.name, v.pass])).toEqual([
      ['preflight.zone-spread', true],
      ['preflight.pdb', true],
      ['preflight.readiness-probes', true],
      ['preflight.non-root', true],
      ['preflight.read-only-root-fs', true],
    ]);
    expect(vs[0]?.observed).toBe('ready pods in 3 zones (zone-a: 1, zone-b: 1, zone-c: 1)');
    expect(vs[0]?.claim).toBe('ready pods of deployment novel/api span ≥ 2 zones');
    expect(vs[1]?.observed).toBe('PodDisruptionBudget api allows 1');
  });

  it('fails pods all in one zone, counting only ready pods and naming pods without a zone', () => {
    const snap = {
      ...healthy,
      pods: [
        pod('api-1', 'zone-a'),
        pod('api-2', 'zone-a'),
        pod('api-3', 'zone-b', { ready: false }),
        pod('api-4', ''),
      ],
    };
    const v = byName(snap)['preflight.zone-spread'];
    expect(v?.pass).toBe(false);
    expect(v?.observed).toMatch(
      /^ready pods in 1 zone \(zone-a: 2\); zone unknown for api-4 \(their node has no topology\.kubernetes\.io\/zone label\)/,
    );
    expect(v?.observed).toMatch(/Fix: spread the pods with topologySpreadConstraints/);
    expect(byName(snap, 1)['preflight.zone-spread']?.pass).toBe(true);
  });

  it('fails without a matching PDB, or with one that allows no disruption', () => {
    const none = byName({
      ...healthy,
      pdbs: [{ name: 'other', disruptionsAllowed: 2, matchesTarget: false }],
    })['preflight.pdb'];
    expect(none?.pass).toBe(false);
    expect(none?.observed).toMatch(
      /^no PodDisruptionBudget selects the target pods.*Fix: add a PodDisruptionBudget with maxUnavailable: 1/,
    );
    const blocked = byName({
      ...healthy,
      pdbs: [{ name: 'api', disruptionsAllowed: 0, matchesTarget: true }],
    })['preflight.pdb'];
    expect(blocked?.pass).toBe(false);
    expect(blocked?.observed).toMatch(
      /^PodDisruptionBudget api allows 0 disruptions now, so a drain would block\. Fix:/,
    );
  });

  it('names each container without a readiness probe, non-root or read-only root fs', () => {
    const sidecar: PreflightContainer = {
      name: 'proxy',
      readinessProbe: false,
      runAsNonRoot: false,
      readOnlyRootFilesystem: true,
    };
    const writable: PreflightContainer = { ...safe, readOnlyRootFilesystem: false };
    const snap = {
      ...healthy,
      pods: [
        pod('api-1', 'zone-a', { containers: [safe, sidecar] }),
        pod('api-2', 'zone-b', { containers: [writable] }),
      ],
    };
    const v = byName(snap);
    expect(v['preflight.readiness-probes']).toMatchObject({
      pass: false,
      observed: expect.stringMatching(
        /^no readiness probe \(.*\): pod api-1 container proxy\. Fix: add a readinessProbe/,
      ),
      evidence: { containers: 3, offenders: ['pod api-1 container proxy'] },
    });
    expect(v['preflight.non-root']?.observed).toMatch(
      /^may run as root: pod api-1 container proxy\. Fix: set securityContext\.runAsNonRoot: true/,
    );
    expect(v['preflight.read-only-root-fs']?.observed).toMatch(
      /^writable root filesystem: pod api-2 container api\. Fix: set securityContext\.readOnlyRootFilesystem: true/,
    );
  });

  it('names five offenders and counts the rest', () => {
    const pods = Array.from({ length: 8 }, (_, i) =>
      pod(`api-${i}`, 'zone-a', { containers: [{ ...safe, readinessProbe: false }] }),
    );
    const v = byName({ ...healthy, pods })['preflight.readiness-probes'];
    expect(v?.observed).toMatch(
      /^no readiness probe \(.*\): pod api-0 container api, .*pod api-4 container api and 3 more\. Fix:/,
    );
    expect((v?.evidence as { offenders: string[] }).offenders).toHaveLength(8);
  });

  it('fails every pod check when the target has no pods', () => {
    const vs = preflightVerdicts({ pods: [], pdbs: healthy.pdbs });
    expect(vs.filter((v) => !v.pass).map((v) => v.name)).toEqual([
      'preflight.zone-spread',
      'preflight.readiness-probes',
      'preflight.non-root',
      'preflight.read-only-root-fs',
    ]);
    expect(vs[0]?.observed).toBe("no pods found for the target: check the target's namespace and selector");
  });

  it('judges the timeline snapshot, and is inconclusive without one', () => {
    const withSnap = syntheticTimeline(steady(2, 1, 1), { preflight: healthy });
    expect(preflightAssertions().map((a) => a.evaluate(withSnap).pass)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    const without = preflightAssertions()[0]!.evaluate(syntheticTimeline(steady(2, 1, 1)));
    expect(without).toMatchObject({
      pass: false,
      inconclusive: true,
      observed: expect.stringMatching(/no preflight snapshot/),
    });
    expect(preflightAssertions().every((a) => a.loadIndependent)).toBe(true);
  });
});
