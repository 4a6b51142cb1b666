import { describe, expect, it } from 'vitest';
import { expandVars } from '../../infra-fixtures/local-cluster/kubelet/env.ts';
import { defaultPodCIDR, PodIPAllocator } from '../../infra-fixtures/local-cluster/kubelet/pod-ips.ts';
import { mergeConditions, podPhase, qosClass } from '../../infra-fixtures/local-cluster/kubelet/status.ts';
import type { Container, ContainerStatus } from '../../infra-fixtures/local-cluster/kubelet/types.ts';

const cs = (
  state: ContainerStatus['state'],
  lastState: ContainerStatus['lastState'] = {},
): ContainerStatus => ({
  name: 'c',
  image: 'i',
  imageID: '',
  ready: false,
  started: false,
  restartCount: 0,
  state,
  lastState,
});
const exited = (exitCode: number) => ({
  terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: '', finishedAt: '' },
});

describe('pod status pieces', () => {
  it('derives the phase like the kubelet', () => {
    const running = cs({ running: { startedAt: '' } });
    const creating = cs({ waiting: { reason: 'ContainerCreating' } });
    const looping = cs({ waiting: { reason: 'CrashLoopBackOff' } }, exited(1));
    expect(podPhase([creating, running], 'Always', false)).toBe('Pending');
    expect(podPhase([running, looping], 'Always', false)).toBe('Running');
    expect(podPhase([looping], 'Always', false)).toBe('Running');
    expect(podPhase([cs(exited(0))], 'Never', false)).toBe('Succeeded');
    expect(podPhase([cs(exited(0)), cs(exited(2))], 'Never', false)).toBe('Failed');
    expect(podPhase([cs(exited(2))], 'OnFailure', false)).toBe('Running');
    expect(podPhase([cs(exited(0))], 'Always', true)).toBe('Succeeded');
    expect(podPhase([cs(exited(137))], 'Always', true)).toBe('Failed');
  });

  it('keeps lastTransitionTime until a condition flips', () => {
    const first = mergeConditions(undefined, [{ type: 'Ready', ok: false }], 't1');
    const same = mergeConditions(first, [{ type: 'Ready', ok: false }], 't2');
    const flipped = mergeConditions(same, [{ type: 'Ready', ok: true }], 't3');
    expect([
      first[0]!.lastTransitionTime,
      same[0]!.lastTransitionTime,
      flipped[0]!.lastTransitionTime,
    ]).toEqual(['t1', 't1', 't3']);
    expect(flipped[0]).toMatchObject({ status: 'True', lastProbeTime: null });
  });

  it('classifies QoS from requests and limits', () => {
    const c = (resources: Container['resources']): Container => ({ name: 'c', image: 'i', resources });
    expect(qosClass([c(undefined)])).toBe('BestEffort');
    expect(qosClass([c({ requests: { cpu: '200m', memory: '128Mi' }, limits: { memory: '256Mi' } })])).toBe(
      'Burstable',
    );
    expect(qosClass([c({ limits: { cpu: '1', memory: '1Gi' } })])).toBe('Guaranteed');
    expect(
      qosClass([c({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1024Mi' } })]),
    ).toBe('Guaranteed');
  });

  it('expands $(VAR) references, leaves unknown ones, and unescapes $$', () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$$', { A: 'x' })).toBe('x-$(B)-$(A)-$');
  });

  it('hands out pod IPs from the node CIDR round the range, never twice at once', () => {
    expect(defaultPodCIDR('127.0.3.7')).toBe('127.3.7.0/24');
    expect(() => defaultPodCIDR('10.0.0.1')).toThrow(/node.address 10.0.0.1 must be 127.0.X.Y/);
    const ips = new PodIPAllocator('127.3.7.0/24');
    const a = ips.allocate();
    const b = ips.allocate();
    expect([a, b]).toEqual(['127.3.7.2', '127.3.7.3']);
    ips.release(a);
    expect(ips.allocate()).toBe('127.3.7.4'); // not the just-freed address
    expect(ips.allocate('127.3.7.2')).toBe('127.3.7.2'); // a pod keeps the IP it already had
    expect(ips.allocate('127.3.7.3')).toBe('127.3.7.5'); // taken: the next free one instead
  });
});
