/** Deployment arithmetic from upstream deploymentutil (spec §7.1): surge/unavailable, hashes, revisions. */
import { canonicalJson } from '../../store/json.ts';
import type { KubeObject } from '../../store/types.ts';

export const kRevisionAnnotation = 'deployment.kubernetes.io/revision';
export const kRevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const kDesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const kMaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const kHashLabel = 'pod-template-hash';

/** Annotations a Deployment does not copy onto its ReplicaSets. */
export const kSkippedAnnotations = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  kRevisionAnnotation,
  kRevisionHistoryAnnotation,
  kDesiredReplicasAnnotation,
  kMaxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

/** IntOrString against a total: `"25%"` scaled and rounded up or down, integers as they are. */
export function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value.trim());
    if (m) {
      const raw = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(raw) : Math.floor(raw);
    }
    const n = Number(value);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}

export function replicasOf(obj: KubeObject | undefined): number {
  return Number(obj?.spec?.replicas ?? 0);
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge rounds up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
export function surgeAndUnavailable(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  if (!isRollingUpdate(d)) return { maxSurge: 0, maxUnavailable: replicasOf(d) };
  const replicas = replicasOf(d);
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

function fnv32a(data: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (const byte of Buffer.from(data, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** upstream rand.SafeEncodeString: digits mapped onto a vowel-free alphabet. */
function safeEncode(text: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...text].map((ch) => alphabet[ch.charCodeAt(0) % alphabet.length]).join('');
}

function withoutHashLabel(template: unknown): unknown {
  const t = JSON.parse(JSON.stringify(template ?? {}));
  if (t.metadata?.labels) {
    delete t.metadata.labels[kHashLabel];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t;
}

/** `pod-template-hash`: fnv32a of the template (+ collisionCount), safe-encoded. */
export function templateHash(template: unknown, collisionCount?: number): string {
  let data = canonicalJson(withoutHashLabel(template));
  if (collisionCount) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    data += bytes.toString('latin1');
  }
  return safeEncode(String(fnv32a(data)));
}

export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

export function revisionOf(obj: KubeObject): number {
  const n = Number(obj.metadata.annotations?.[kRevisionAnnotation] ?? 0);
  return Number.isFinite(n) ? n : 0;
}
