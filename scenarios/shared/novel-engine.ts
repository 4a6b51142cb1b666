/**
 * What every shipped scenario shares: the Novel Engine stack as a Kubernetes target (its address is
 * read from the Ingress status) and the request mix of normal traffic.
 */
import type { ScenarioInput } from '../../lib/scenario/index.ts';

/** The stack as deployed from infra-fixtures/k8s (local cluster, kind or EKS). */
export const novelEngine: ScenarioInput['target'] = {
  kubernetes: { namespace: 'novel-engine', deployment: 'novel-engine' },
};

/** Reads, writes and a miss, weighted like the stack's production traffic. */
export const trafficMix: ScenarioInput['requests'] = [
  { name: 'health', method: 'GET', path: '/healthz', weight: 1 },
  {
    name: 'create narrative',
    method: 'POST',
    path: '/api/v1/narratives',
    body: {
      prompt: 'A lighthouse keeper finds a map that redraws itself every night.',
      genre: 'mystery',
      maxWords: 120,
    },
    expectStatus: 201,
    weight: 3,
  },
  {
    name: 'missing narrative',
    method: 'GET',
    path: '/api/v1/narratives/00000000-0000-4000-8000-000000000000',
    expectStatus: 404,
    weight: 1,
  },
];
