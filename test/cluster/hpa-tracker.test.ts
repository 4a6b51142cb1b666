/** The HPA tracker: desiredReplicas 0 means "no metric yet", never a scale-up from zero. */
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { HpaTracker } from '../../lib/cluster/observe/hpa.ts';
import type { ClusterEvent } from '../../lib/cluster/timeline.ts';

const hpa = (desired: number, current = 3): V2HorizontalPodAutoscaler => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: { minReplicas: 3, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'web' } },
  status: { currentReplicas: current, desiredReplicas: desired },
});

describe('HpaTracker', () => {
  it('ignores the 0 an HPA reports before its first metric, then tracks real rescales', () => {
    const events: ClusterEvent[] = [];
    const tracker = new HpaTracker({ now: () => 1, emit: (e) => events.push(e) }, 'ns', 'web');
    tracker.apply({ type: 'added', object: hpa(0), initial: true } as never);
    expect(tracker.gauges().map((g) => g.name)).toEqual(['hpa.current']);
    tracker.apply({ type: 'modified', object: hpa(3) } as never);
    expect(events).toEqual([]);
    expect(tracker.gauges().find((g) => g.name === 'hpa.desired')?.value).toBe(3);
    tracker.apply({ type: 'modified', object: hpa(5) } as never);
    expect(events.map((e) => e.detail)).toEqual([{ from: 3, to: 5, current: 3, cpu: null }]);
  });
});
