/**
 * rollout-restart and bad-rollout against the in-process controllers: a restart rolls every pod
 * and waits for completion; a bad template stalls until ProgressDeadlineExceeded, a rollback goes
 * back to the previous revision and is timed, and revert always restores the original template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { RolloutRestart, RESTARTED_AT, restartStamp } from '../../chaos/rollout-restart.ts';
import { BadRollout, breakTemplate } from '../../chaos/bad-rollout.ts';
import { CHAOS_ANNOTATION, readJournal } from '../../chaos/journal.ts';
import { ChaosRefusedError } from '../../chaos/targets.ts';
import {
  DEFAULT_BAD_IMAGE,
  DEFAULT_BAD_READINESS_PATH,
  type ResolvedBadRollout,
} from '../../lib/scenario/chaos-schema.ts';
import {
  createDeployment,
  directContext,
  readyPods,
  startTestCluster,
  waitFor,
  type TestCluster,
} from './cluster.ts';

let c: TestCluster;

const bad = (over: Partial<ResolvedBadRollout> = {}): ResolvedBadRollout => ({
  kind: 'bad-rollout',
  fault: 'unpullable-image',
  container: null,
  image: DEFAULT_BAD_IMAGE,
  readinessPath: DEFAULT_BAD_READINESS_PATH,
  progressDeadlineSeconds: 2,
  rollback: false,
  timeoutMs: 30_000,
  allowTotalOutage: false,
  ...over,
});

beforeAll(async () => {
  c = await startTestCluster('chaos-rollout-');
});
afterAll(async () => c?.close());

function deployment(name: string) {
  return c.store.get('deployments', 'default', name);
}

describe('rollout-restart', () => {
  it('stamps restartedAt like kubectl, never reusing the previous value', () => {
    const now = new Date('2026-11-02T10:00:00.123Z');
    expect(restartStamp(now, undefined)).toBe('2026-11-02T10:00:00Z');
    expect(restartStamp(now, '2026-11-02T10:00:00Z')).toBe('2026-11-02T10:00:00.123Z');
  });

  it('restarts the deployment and waits until every pod is new and available', async () => {
    const target = await createDeployment(c, 'svc', 3);
    await waitFor(() => readyPods(c.store, 'app=svc').length === 3, 'three ready pods');
    const before = readyPods(c.store, 'app=svc').map((p) => p.metadata.name);
    const action = new RolloutRestart({ kind: 'rollout-restart', timeoutMs: 20_000 }, target);
    const { ctx, guard, rec } = await directContext(c, target, action, path.join(c.dir, 'restart.jsonl'));
    await action.inject(ctx);
    const d = deployment('svc');
    expect(d.spec.template.metadata.annotations?.[RESTARTED_AT]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(d.metadata.annotations?.[CHAOS_ANNOTATION]).toBe('run-test/rollout-restart');
    expect(d.status.updatedReplicas).toBe(3);
    expect(d.status.availableReplicas).toBe(3);
    const after = readyPods(c.store, 'app=svc').map((p) => p.metadata.name);
    expect(after).toHaveLength(3);
    expect(after.some((n) => before.includes(n))).toBe(false);
    expect(action.journalEntry().detail?.rolloutSeconds).toBeGreaterThan(0);
    expect(rec.events().map((e) => e.message)).toEqual([
      'restarted (rollout-restart)',
      expect.stringMatching(/^rollout complete in [\d.]+ s$/),
    ]);
    await action.revert();
    await guard.reverted(c.client);
    expect(deployment('svc').metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
  });
});

describe('bad-rollout', () => {
  it('breaks a template by image or by readiness path, and refuses what it cannot break', () => {
    const t = {
      metadata: { labels: { app: 'x' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'a:1',
            readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 5 },
          },
        ],
      },
    };
    const byImage = breakTemplate(t, bad(), 'x') as typeof t;
    expect(byImage.spec.containers[0]!.image).toBe(DEFAULT_BAD_IMAGE);
    const byProbe = breakTemplate(t, bad({ fault: 'failing-readiness' }), 'x') as typeof t;
    expect(byProbe.spec.containers[0]!.readinessProbe).toEqual({
      httpGet: { path: DEFAULT_BAD_READINESS_PATH, port: 8080 },
      periodSeconds: 5,
    });
    expect(t.spec.containers[0]!.image).toBe('a:1');
    expect(() => breakTemplate(t, bad({ container: 'nope' }), 'x')).toThrow(/no container nope/);
    const noPort = { spec: { containers: [{ name: 'app', image: 'a:1' }] } };
    expect(() => breakTemplate(noPort, bad({ fault: 'failing-readiness' }), 'x')).toThrow(ChaosRefusedError);
  });

  it('stalls at the progress deadline, rolls back to the previous revision, times it, and revert restores the deadline', async () => {
    const target = await createDeployment(c, 'shop', 4);
    await waitFor(() => readyPods(c.store, 'app=shop').length === 4, 'four ready pods');
    const original = JSON.parse(JSON.stringify(deployment('shop').spec.template));
    const action = new BadRollout(bad({ rollback: true }), target);
    const file = path.join(c.dir, 'bad.jsonl');
    const { ctx, guard, rec } = await directContext(c, target, action, file);
    let minReady = Infinity;
    const sampler = setInterval(
      () => (minReady = Math.min(minReady, readyPods(c.store, 'app=shop').length)),
      20,
    );
    try {
      await action.inject(ctx);
    } finally {
      clearInterval(sampler);
    }
    // maxUnavailable 1: the bad rollout never took more than one ready replica away.
    expect(minReady).toBeGreaterThanOrEqual(3);
    const messages = rec.events().map((e) => e.message);
    expect(messages[0]).toBe('rolled out a template that cannot become ready (unpullable-image)');
    expect(messages[1]).toMatch(/^ProgressDeadlineExceeded after [\d.]+ s$/);
    expect(messages[2]).toBe('rolled back to revision 1 (rollout undo)');
    expect(messages[3]).toMatch(/^healthy again [\d.]+ s after the rollback$/);
    const detail = action.journalEntry().detail as { deadlineSeconds: number; rollbackSeconds: number };
    expect(detail.deadlineSeconds).toBeGreaterThanOrEqual(2);
    expect(detail.rollbackSeconds).toBeGreaterThan(0);
    expect(action.rollbackSeconds).toBe(detail.rollbackSeconds);

    const d = deployment('shop');
    expect(d.spec.template.spec.containers[0].image).toBe('novel-engine:1');
    expect(d.spec.progressDeadlineSeconds).toBe(2);
    expect(d.status.availableReplicas).toBe(4);
    await action.revert(ctx);
    await guard.reverted(c.client);
    const restored = deployment('shop');
    expect(restored.spec.progressDeadlineSeconds).toBe(600);
    expect(restored.spec.template).toEqual(original);
    expect(restored.metadata.annotations?.[CHAOS_ANNOTATION]).toBeUndefined();
    const [entry] = await readJournal(file);
    expect(entry?.undo[0]).toMatchObject({ kind: 'restore-template', progressDeadlineSeconds: 600 });
    expect(entry?.reverted).toBe(true);
  });

  it('without rollback stays broken until revert, which restores the original template', async () => {
    const target = await createDeployment(c, 'cart', 3);
    await waitFor(() => readyPods(c.store, 'app=cart').length === 3, 'three ready pods');
    const original = JSON.parse(JSON.stringify(deployment('cart').spec.template));
    const action = new BadRollout(bad({ fault: 'failing-readiness' }), target);
    const { ctx } = await directContext(c, target, action, path.join(c.dir, 'bad2.jsonl'));
    await action.inject(ctx);
    const stalled = deployment('cart');
    expect(stalled.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe(
      DEFAULT_BAD_READINESS_PATH,
    );
    expect(stalled.status.conditions.find((x: { type: string }) => x.type === 'Progressing').reason).toBe(
      'ProgressDeadlineExceeded',
    );
    await action.revert(ctx);
    expect(deployment('cart').spec.template).toEqual(original);
    await waitFor(() => {
      const d = deployment('cart');
      return d.status.updatedReplicas === 3 && d.status.availableReplicas === 3 && d.status.replicas === 3;
    }, 'healthy rollout after revert');
  });
});
