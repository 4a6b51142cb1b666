/**
 * From the maximum sustainable rate to planning figures: rate per ready replica, rate per CPU
 * core, and how many replicas a target rate needs with a stated headroom. Pure arithmetic.
 *
 * Headroom is spare capacity kept unused: with 30 % headroom each replica is planned to run at no
 * more than 70 % of its measured maximum (the same reading as an HPA's 70 % utilisation target),
 * so replicas = ceil(targetRate / (ratePerReplica × (1 − headroom))).
 */

export const LINEAR_SCALING_ASSUMPTION =
  'throughput is assumed to scale linearly with replicas (each added replica serves as much as the measured ones); ' +
  'shared limits such as a database, an ingress or node CPU make the real figure lower';

export interface PerUnit {
  /** Requests per second per unit (replica or core). */
  readonly rps: number;
  /** How many units served the maximum rate (mean over the judged part of the step). */
  readonly units: number;
}

/** Rate per unit, or null when the unit count is unknown or zero. */
export function perUnit(maxRps: number | null, units: number | null): PerUnit | null {
  if (maxRps === null || units === null || !(units > 0) || !(maxRps > 0)) return null;
  return { rps: maxRps / units, units };
}

export interface Recommendation {
  readonly targetRps: number;
  /** Share kept spare, 0 ≤ h < 1. */
  readonly headroom: number;
  /** Replicas needed; at least 1. */
  readonly replicas: number;
  /** What each replica then serves at the target rate, req/s. */
  readonly rpsPerReplicaAtTarget: number;
  /** Its share of the measured per-replica maximum (≤ 1 − headroom). */
  readonly utilisation: number;
  /** CPU cores the target rate is expected to use, when the per-core rate is known. */
  readonly cores: number | null;
  readonly formula: string;
  readonly assumption: string;
}

export function checkHeadroom(h: number): void {
  if (!(Number.isFinite(h) && h >= 0 && h < 1)) {
    throw new RangeError(`headroom must be a share from 0 up to (not including) 1 (got ${h})`);
  }
}

export function recommendReplicas(
  targetRps: number,
  headroom: number,
  perReplica: PerUnit,
  perCore: PerUnit | null = null,
): Recommendation {
  if (!(Number.isFinite(targetRps) && targetRps > 0)) {
    throw new RangeError(`target rate must be a number of req/s > 0 (got ${targetRps})`);
  }
  checkHeadroom(headroom);
  const usable = perReplica.rps * (1 - headroom);
  // A hair of tolerance: 1000 / (100 × 0.7) must not round up to 15.000000001 → 16.
  const replicas = Math.max(1, Math.ceil(targetRps / usable - 1e-9));
  const each = targetRps / replicas;
  return {
    targetRps,
    headroom,
    replicas,
    rpsPerReplicaAtTarget: each,
    utilisation: each / perReplica.rps,
    cores: perCore ? targetRps / perCore.rps : null,
    formula: `ceil(${fmt(targetRps)} / (${fmt(perReplica.rps)} × (1 − ${fmt(headroom)}))) = ${replicas}`,
    assumption: LINEAR_SCALING_ASSUMPTION,
  };
}

function fmt(n: number): string {
  return String(Number(n.toFixed(2)));
}
