import type { ScenarioInput } from '../lib/scenario/index.ts';
import { defineScenario } from '../lib/scenario/index.ts';
import { novelEngine, trafficMix } from './shared/novel-engine.ts';

/**
 * The nightly run: the stack's claims in one pass under steady load. A healthy baseline, then a pod
 * kill, a rolling update and a node drain, each of which must cost no request; the stack must be
 * built to survive faults (preflight) and recover within 30 s of each.
 *
 * With GAUNTLET_MONITORING=1 (Prometheus and Alertmanager watch the cluster: `gauntlet local up
 * --stack --monitoring`, or `gauntlet run --prometheus URL --alertmanager URL`; a local cluster the
 * run starts itself gets them when they are installed), a zone outage follows and the claim that
 * critical issues are detected in under a minute is judged: TargetDown must fire within 60 s of
 * it. The outage kills requests in flight, so zero-downtime then covers the run up to it, while
 * availability and recovery judge it as they do in scenarios/zone-outage.ts. The baseline p95 is
 * then also judged server-side, from the app's own latency histogram, and the reports show it
 * beside the client-side p95: what the network and the ingress add is the difference.
 */
/** The stand-in app's request latency histogram (infra-fixtures/app/metrics.ts), seconds. */
const kServerLatency = 'novel_engine_http_request_duration_seconds_bucket';

export default defineScenario((): ScenarioInput => {
  const detection = ['1', 'true', 'yes'].includes((process.env.GAUNTLET_MONITORING ?? '').toLowerCase());
  const chaos: ScenarioInput['chaos'] = [
    { at: '20s', duration: '10s', action: { kind: 'pod-kill', count: 1 } },
    { at: '45s', action: { kind: 'rollout-restart', timeout: '90s' } },
    { at: '95s', duration: '20s', action: { kind: 'node-drain' } },
  ];
  if (detection) chaos.push({ at: '130s', duration: '40s', action: { kind: 'zone-outage', mode: 'stop' } });
  const verify: ScenarioInput['verify'] = [
    { kind: 'preflight' },
    detection ? { kind: 'zero-downtime', window: { start: '0s', end: '125s' } } : { kind: 'zero-downtime' },
    { kind: 'recovery-time', within: '30s', sla: 'errors<0.1%', stableFor: '5s' },
  ];
  if (detection) {
    verify.push({
      kind: 'alert-detection',
      alerts: ['TargetDown'],
      within: '60s',
      fault: 'zone-outage',
      labels: { namespace: 'novel-engine' },
    });
  }
  const slas: ScenarioInput['slas'] = [
    { sla: 'p95<100ms', scope: 'baseline' },
    { sla: 'errors<0.1%', scope: 'baseline' },
    { sla: 'availability>=99.9%', scope: 'during-fault' },
  ];
  if (detection) {
    slas.push({
      id: 'server-p95',
      // The app's requests as clients send them: Prometheus' scrapes and the kubelet's readiness
      // probes are left out, they are not the traffic the client-side p95 measures.
      promql: `histogram_quantile(0.95, sum by (le) (rate(${kServerLatency}{namespace="novel-engine", route!~"/metrics|/readyz"}[30s])))`,
      op: '<',
      value: 0.1,
      unit: 's',
      scope: 'baseline',
      compareTo: 'p95',
    });
  }
  return {
    name: 'nightly',
    description: detection
      ? 'Baseline, pod kill, rolling update, node drain and a zone outage under 300 req/s; zero downtime up to the outage, TargetDown within 60 s of it'
      : 'Baseline, pod kill, rolling update and node drain under 300 req/s; zero downtime throughout',
    target: novelEngine,
    requests: trafficMix,
    load: { kind: 'constant-arrival-rate', rate: 300, duration: detection ? '210s' : '150s' },
    options: { maxInFlight: 2000, timeout: '5s' },
    slas,
    verify,
    chaos,
  };
});
