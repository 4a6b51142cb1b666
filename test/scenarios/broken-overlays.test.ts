/**
 * The seeded-broken overlays render as `kubectl kustomize` renders them (renderOverlay hands an
 * overlay with patches to kubectl), and each differs from the healthy stack by exactly the claim
 * it breaks. An overlay within the built-in subset never needs kubectl; one beyond it without
 * kubectl fails with a message naming the overlay and the fix.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  KustomizeError,
  kubectlKustomize,
  renderKustomization,
  renderOverlay,
  type Manifest,
} from '../../infra-fixtures/local-cluster/cluster/kustomize.ts';
import { kStackOverlay } from '../../infra-fixtures/local-cluster/cluster/stack.ts';

const kBroken = path.join(kStackOverlay, '..', 'broken');
const kMissing = 'kubectl-not-installed-here';
const healthy = renderKustomization(kStackOverlay);

const find = (ms: Manifest[], kind: string) => ms.find((m) => m.kind === kind);
/* eslint-disable @typescript-eslint/no-explicit-any */
const container = (ms: Manifest[]): any => find(ms, 'Deployment')!.spec.template.spec.containers[0];
const podSpec = (ms: Manifest[]): any => find(ms, 'Deployment')!.spec.template.spec;
const env = (ms: Manifest[]) =>
  Object.fromEntries((container(ms).env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The objects other than the Deployment and HPA, which no overlay but its own may touch. */
const rest = (ms: Manifest[], drop: string[] = []) =>
  ms.filter((m) => !['Deployment', 'HorizontalPodAutoscaler', ...drop].includes(m.kind));

describe('seeded-broken overlays', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'broken-overlays-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('no-graceful-shutdown: exits at once on SIGTERM, no preStop, no drain delay; nothing else', async () => {
    const ms = await renderOverlay(path.join(kBroken, 'no-graceful-shutdown'));
    expect(env(ms)).toEqual({ ...env(healthy), GRACEFUL_SHUTDOWN: 'false', DRAIN_DELAY_MS: '0' });
    expect(container(ms).lifecycle).toBeUndefined();
    expect(container(healthy).lifecycle.preStop).toBeDefined();
    expect({ ...container(ms), env: [] }).toEqual({ ...container(healthy), env: [], lifecycle: undefined });
    expect(rest(ms)).toEqual(rest(healthy));
  });

  it('no-readiness-probe: the container has no readiness probe; nothing else', async () => {
    const ms = await renderOverlay(path.join(kBroken, 'no-readiness-probe'));
    expect(container(ms).readinessProbe).toBeUndefined();
    expect(container(ms)).toEqual({ ...container(healthy), readinessProbe: undefined });
    expect(rest(ms)).toEqual(rest(healthy));
  });

  it('no-pdb: the PodDisruptionBudget is gone; nothing else', async () => {
    const ms = await renderOverlay(path.join(kBroken, 'no-pdb'));
    expect(find(healthy, 'PodDisruptionBudget')).toBeDefined();
    expect(ms).toEqual(healthy.filter((m) => m.kind !== 'PodDisruptionBudget'));
  });

  it('one-zone: pods pinned to zone-a, the zone spread constraint removed, the hostname one kept', async () => {
    const ms = await renderOverlay(path.join(kBroken, 'one-zone'));
    const spec = podSpec(ms);
    expect(spec.nodeSelector).toEqual({ 'topology.kubernetes.io/zone': 'zone-a' });
    expect(spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      'kubernetes.io/hostname',
    ]);
    expect(container(ms)).toEqual(container(healthy));
    expect(rest(ms)).toEqual(rest(healthy));
  });

  it('hpa-cannot-scale: maxReplicas equals minReplicas; the metric target is unchanged', async () => {
    const ms = await renderOverlay(path.join(kBroken, 'hpa-cannot-scale'));
    const hpa = find(ms, 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.maxReplicas).toBe(3);
    expect(hpa.spec.minReplicas).toBe(3);
    expect({ ...hpa.spec, maxReplicas: 0 }).toEqual({
      ...find(healthy, 'HorizontalPodAutoscaler')!.spec,
      maxReplicas: 0,
    });
    expect(find(ms, 'Deployment')).toEqual(find(healthy, 'Deployment'));
  });

  it('renders the built-in subset without kubectl, exactly as before', async () => {
    expect(await renderOverlay(kStackOverlay, { kubectl: kMissing })).toEqual(healthy);
  });

  it('matches kubectl kustomize for a patched overlay, order included', async () => {
    const dir = path.join(kBroken, 'no-pdb');
    expect(await renderOverlay(dir)).toEqual(await kubectlKustomize(dir));
  });

  it('without kubectl, names the overlay, the field that needs it and the fix', async () => {
    const dir = path.join(kBroken, 'one-zone');
    const err = await renderOverlay(dir, { kubectl: kMissing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KustomizeError);
    const message = (err as Error).message;
    expect(message).toContain(dir);
    expect(message).toContain('field patches needs kubectl kustomize');
    expect(message).toMatch(/install kubectl .*or reduce the overlay to resources, namespace and labels/);
  });

  it('reports a broken patch with kubectl’s own reason, naming the overlay', async () => {
    const dir = path.join(scratch, 'bad');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `resources: [${JSON.stringify(path.relative(dir, kStackOverlay))}]\n` +
        'patches:\n  - target: {kind: Deployment}\n    patch: |-\n' +
        '      - op: test\n        path: /spec/replicas\n        value: 99\n',
    );
    const err = await renderOverlay(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KustomizeError);
    expect((err as Error).message).toContain(`${dir}: kubectl kustomize failed`);
    expect((err as Error).message).toMatch(/test/);
  });

  it('still refuses a broken kustomization instead of handing it to kubectl', () => {
    const dir = path.join(scratch, 'missing');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [nowhere.yaml]\n');
    return expect(renderOverlay(dir, { kubectl: kMissing })).rejects.toThrow(
      /resources: nowhere.yaml does not exist/,
    );
  });
});
