/** Label selector parsing and matching, and the step-series gauge book. */
import { describe, expect, it } from 'vitest';
import {
  mapSelectorMatches,
  parseLabelSelector,
  selectorMatches,
  selectorToString,
} from '../../lib/cluster/selector.ts';
import { GaugeBook, type ClusterGaugePoint } from '../../lib/cluster/timeline.ts';

describe('label selectors', () => {
  it('parses every term form of the string syntax', () => {
    expect(
      parseLabelSelector('app=web, tier==front,env!=dev,zone in (a, b),team notin (x),canary,!legacy'),
    ).toEqual({
      matchLabels: { app: 'web', tier: 'front' },
      matchExpressions: [
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'zone', operator: 'In', values: ['a', 'b'] },
        { key: 'team', operator: 'NotIn', values: ['x'] },
        { key: 'canary', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(parseLabelSelector('app.kubernetes.io/name=novel-engine')).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'novel-engine' },
    });
    expect(() => parseLabelSelector('app===web')).toThrow(/"app===web" is not a label selector term/);
  });

  it('prints a selector the way the API takes it', () => {
    expect(
      selectorToString({
        matchLabels: { tier: 'front', app: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier=front,zone in (a,b),!legacy');
  });

  it('matches like the API: empty selects all, a map selector of a Service must be non-empty', () => {
    const sel = parseLabelSelector('app=web,env!=dev,!legacy');
    expect(selectorMatches(sel, { app: 'web' })).toBe(true);
    expect(selectorMatches(sel, { app: 'web', env: 'dev' })).toBe(false);
    expect(selectorMatches(sel, { app: 'web', legacy: '' })).toBe(false);
    expect(selectorMatches({}, { any: 'thing' })).toBe(true);
    expect(mapSelectorMatches({}, { app: 'web' })).toBe(false);
    expect(mapSelectorMatches({ app: 'web' }, { app: 'web', x: 'y' })).toBe(true);
  });
});

describe('GaugeBook', () => {
  it('emits initial values and changes only, dropping vanished series to 0 unless sticky', () => {
    const points: ClusterGaugePoint[] = [];
    const book = new GaugeBook((p) => points.push(p), new Set(['hpa.cpu']));
    book.update(
      0,
      ['nodes.ready', 'hpa.cpu'],
      [
        { name: 'nodes.ready', labels: { zone: 'a' }, value: 2 },
        { name: 'nodes.ready', labels: { zone: 'b' }, value: 1 },
        { name: 'hpa.cpu', labels: { hpa: 'web' }, value: 40 },
      ],
    );
    book.update(
      1,
      ['nodes.ready', 'hpa.cpu'],
      [
        { name: 'nodes.ready', labels: { zone: 'a' }, value: 2 },
        { name: 'nodes.ready', labels: { zone: 'b' }, value: 0 },
        { name: 'hpa.cpu', labels: { hpa: 'web' }, value: 40 },
      ],
    );
    book.update(2, ['nodes.ready', 'hpa.cpu'], []);
    expect(points).toEqual([
      { t: 0, name: 'nodes.ready', value: 2, labels: { zone: 'a' } },
      { t: 0, name: 'nodes.ready', value: 1, labels: { zone: 'b' } },
      { t: 0, name: 'hpa.cpu', value: 40, labels: { hpa: 'web' } },
      { t: 1, name: 'nodes.ready', value: 0, labels: { zone: 'b' } },
      { t: 2, name: 'nodes.ready', value: 0, labels: { zone: 'a' } },
    ]);
  });
});
