/**
 * preflight: is the target built to survive the faults about to be injected? Judged on a read-only
 * snapshot of its pods and PodDisruptionBudgets taken before any load (RunTimeline.preflight).
 * Each check names the offending pod or container and the fix.
 */
import type { Verdict } from '../result/schema.ts';
import type { PreflightContainer, PreflightPod, PreflightSnapshot, RunTimeline } from '../result/timeline.ts';
import type { Assertion } from './assertion.ts';

export interface PreflightOptions {
  /** Zones the ready pods must span. @default 2 */
  readonly minZones?: number;
}

/** Offenders named in `observed`; the evidence lists them all. */
const kNamed = 5;

type Check = (snap: PreflightSnapshot, opts: Required<PreflightOptions>) => Omit<Verdict, 'name'>;

const window = { start: 0, end: 0 };

function named(list: readonly string[]): string {
  const head = list.slice(0, kNamed).join(', ');
  return list.length > kNamed ? `${head} and ${list.length - kNamed} more` : head;
}

const targetOf = (snap: PreflightSnapshot) => snap.target ?? 'the target';

function noPods(snap: PreflightSnapshot, claim: string): Omit<Verdict, 'name'> {
  return {
    claim,
    observed: `no pods found for ${targetOf(snap)}: check the target's namespace and selector`,
    pass: false,
    window,
    evidence: { pods: 0 },
  };
}

const zoneSpread: Check = (snap, opts) => {
  const claim = `ready pods of ${targetOf(snap)} span ≥ ${opts.minZones} zones`;
  if (!snap.pods.length) return noPods(snap, claim);
  const byZone: Record<string, string[]> = {};
  const unknown: string[] = [];
  for (const p of snap.pods.filter((p) => p.ready)) {
    if (p.zone) (byZone[p.zone] ??= []).push(p.name);
    else unknown.push(p.name);
  }
  const zones = Object.keys(byZone).sort();
  const pass = zones.length >= opts.minZones;
  const where = zones.map((z) => `${z}: ${byZone[z]?.length}`).join(', ') || 'none';
  let observed = `ready pods in ${zones.length} zone${zones.length === 1 ? '' : 's'} (${where})`;
  if (unknown.length) {
    observed += `; zone unknown for ${named(unknown)} (their node has no topology.kubernetes.io/zone label)`;
  }
  if (!pass) {
    observed +=
      '. Fix: spread the pods with topologySpreadConstraints (topologyKey: topology.kubernetes.io/zone, maxSkew: 1) and run nodes in several zones';
  }
  return { claim, observed, pass, window, evidence: { zones: byZone, unknownZone: unknown } };
};

const pdb: Check = (snap) => {
  const claim = `a PodDisruptionBudget selects ${targetOf(snap)} and allows a disruption`;
  const matching = snap.pdbs.filter((p) => p.matchesTarget);
  const allowing = matching.filter((p) => p.disruptionsAllowed >= 1);
  const evidence = { pdbs: matching };
  if (!matching.length) {
    return {
      claim,
      observed:
        'no PodDisruptionBudget selects the target pods, so a drain may take them all at once. Fix: add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the pods',
      pass: false,
      window,
      evidence,
    };
  }
  if (!allowing.length) {
    return {
      claim,
      observed: `${named(matching.map((p) => `PodDisruptionBudget ${p.name}`))} allow${matching.length === 1 ? 's' : ''} 0 disruptions now, so a drain would block. Fix: run more replicas than minAvailable (or use maxUnavailable: 1) and make sure the pods are ready`,
      pass: false,
      window,
      evidence,
    };
  }
  return {
    claim,
    observed: allowing.map((p) => `PodDisruptionBudget ${p.name} allows ${p.disruptionsAllowed}`).join(', '),
    pass: true,
    window,
    evidence,
  };
};

function containerCheck(
  claimText: (target: string) => string,
  bad: (c: PreflightContainer) => boolean,
  problem: string,
  fix: string,
): Check {
  return (snap) => {
    const claim = claimText(targetOf(snap));
    if (!snap.pods.length) return noPods(snap, claim);
    const offenders = snap.pods.flatMap((p: PreflightPod) =>
      p.containers.filter(bad).map((c) => `pod ${p.name} container ${c.name}`),
    );
    const total = snap.pods.reduce((n, p) => n + p.containers.length, 0);
    return {
      claim,
      observed: offenders.length
        ? `${problem}: ${named(offenders)}. Fix: ${fix}`
        : `all ${total} containers in ${snap.pods.length} pods comply`,
      pass: offenders.length === 0,
      window,
      evidence: { containers: total, offenders },
    };
  };
}

const checks: Record<string, Check> = {
  'zone-spread': zoneSpread,
  pdb,
  'readiness-probes': containerCheck(
    (t) => `every container of ${t} has a readiness probe`,
    (c) => !c.readinessProbe,
    'no readiness probe (traffic arrives before the container can serve and while it shuts down)',
    'add a readinessProbe (e.g. httpGet on the ready endpoint) to each container',
  ),
  'non-root': containerCheck(
    (t) => `every container of ${t} runs as non-root`,
    (c) => !c.runAsNonRoot,
    'may run as root',
    'set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or the container',
  ),
  'read-only-root-fs': containerCheck(
    (t) => `every container of ${t} has a read-only root filesystem`,
    (c) => !c.readOnlyRootFilesystem,
    'writable root filesystem',
    'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app must write',
  ),
};

export const preflightCheckIds = Object.keys(checks);

/** Every preflight verdict for a snapshot (pure). */
export function preflightVerdicts(snap: PreflightSnapshot, opts: PreflightOptions = {}): Verdict[] {
  const o = { minZones: opts.minZones ?? 2 };
  return Object.entries(checks).map(([id, check]) => ({ name: `preflight.${id}`, ...check(snap, o) }));
}

/** One assertion per check, judged on the timeline's snapshot; not affected by the load's validity. */
export function preflightAssertions(opts: PreflightOptions = {}): Assertion[] {
  const o = { minZones: opts.minZones ?? 2 };
  return Object.entries(checks).map(([id, check]) => {
    const name = `preflight.${id}`;
    return {
      name,
      loadIndependent: true,
      evaluate(t: RunTimeline): Verdict {
        if (!t.preflight) {
          return {
            name,
            claim: check({ pods: [], pdbs: [] }, o).claim,
            observed:
              'no preflight snapshot: it is read from the cluster before the load, and this run had no Kubernetes target',
            pass: false,
            inconclusive: true,
            window,
          };
        }
        return { name, ...check(t.preflight, o) };
      },
    };
  });
}
