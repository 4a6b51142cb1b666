import { describe, expect, it } from 'vitest';
import { decide, type JudgedLevel, type SearchSpec, type StepStatus } from '../../lib/capacity/knee.ts';

const spec: SearchSpec = {
  plan: { start: 100, max: 500, growth: { kind: 'add', step: 100 }, integer: false },
  bisect: null,
};
const withBisect: SearchSpec = { ...spec, bisect: { maxSteps: 2, resolution: 0.02 } };
const s = (level: number, status: StepStatus, phase: JudgedLevel['phase'] = 'step'): JudgedLevel => ({
  level,
  status,
  phase,
});

describe('the search decision', () => {
  it('starts at the start level and climbs while steps pass', () => {
    expect(decide(spec, [])).toEqual({ next: 100, phase: 'step' });
    expect(decide(spec, [s(100, 'pass'), s(200, 'pass')])).toEqual({ next: 300, phase: 'step' });
  });

  it('finds the knee at the last good step when a step breaks the SLA', () => {
    expect(decide(spec, [s(100, 'pass'), s(200, 'pass'), s(300, 'fail')])).toEqual({
      done: { outcome: 'knee', lastGood: 200, firstBad: 300, invalidAt: null },
    });
  });

  it('reports a break at the first step as such, not as a knee', () => {
    expect(decide(spec, [s(100, 'fail')])).toEqual({
      done: { outcome: 'broken-at-start', lastGood: null, firstBad: 100, invalidAt: null },
    });
  });

  it('runs an invalid step again before giving up on it', () => {
    expect(decide(spec, [s(100, 'pass'), s(200, 'invalid')])).toEqual({
      next: 200,
      phase: 'step',
      retry: true,
    });
    // A stall of a busy machine passes: the search goes on from the rerun.
    expect(decide(spec, [s(100, 'pass'), s(200, 'invalid'), s(200, 'pass')])).toEqual({
      next: 300,
      phase: 'step',
    });
    expect(decide({ ...spec, retries: 0 }, [s(100, 'invalid')])).toMatchObject({
      done: { outcome: 'generator-limited', invalidAt: 100 },
    });
  });

  it('ends as generator-limited when the rerun is invalid too, keeping what passed as a lower bound', () => {
    expect(decide(spec, [s(100, 'pass'), s(200, 'invalid'), s(200, 'invalid')])).toEqual({
      done: { outcome: 'generator-limited', lastGood: 100, firstBad: null, invalidAt: 200 },
    });
    expect(decide(spec, [s(100, 'invalid'), s(100, 'invalid')])).toMatchObject({
      done: { outcome: 'generator-limited', lastGood: null, invalidAt: 100 },
    });
  });

  it('says the maximum was reached when every step passed', () => {
    const all = [100, 200, 300, 400, 500].map((l) => s(l, 'pass'));
    expect(decide(spec, all)).toEqual({
      done: { outcome: 'max-reached', lastGood: 500, firstBad: null, invalidAt: null },
    });
  });

  it('bisects between the last good and the first bad level, within its step budget', () => {
    const steps = [s(100, 'pass'), s(200, 'pass'), s(300, 'fail')];
    expect(decide(withBisect, steps)).toEqual({ next: 250, phase: 'bisect' });
    steps.push(s(250, 'pass', 'bisect'));
    expect(decide(withBisect, steps)).toEqual({ next: 275, phase: 'bisect' });
    steps.push(s(275, 'fail', 'bisect'));
    // Two bisection steps used: done, with the bracket narrowed to 250–275.
    expect(decide(withBisect, steps)).toEqual({
      done: { outcome: 'knee', lastGood: 250, firstBad: 275, invalidAt: null },
    });
  });

  it('keeps the knee when the generator gives out inside the bisection', () => {
    const steps = [s(100, 'pass'), s(200, 'fail'), s(150, 'invalid', 'bisect')];
    expect(decide(withBisect, steps)).toEqual({ next: 150, phase: 'bisect', retry: true });
    steps.push(s(150, 'invalid', 'bisect'));
    expect(decide(withBisect, steps)).toEqual({
      done: { outcome: 'knee', lastGood: 100, firstBad: 200, invalidAt: 150 },
    });
  });

  it('never moves the knee above a broken level on a noisy pass', () => {
    const steps = [s(100, 'pass'), s(300, 'fail'), s(200, 'fail', 'bisect'), s(250, 'pass', 'bisect')];
    expect(decide(withBisect, steps)).toMatchObject({
      done: { outcome: 'knee', lastGood: 100, firstBad: 200 },
    });
  });

  it('concludes on interruption with what is known', () => {
    expect(decide(spec, [s(100, 'pass')], true)).toMatchObject({
      done: { outcome: 'interrupted', lastGood: 100 },
    });
    expect(decide(spec, [s(100, 'pass'), s(200, 'fail')], true)).toMatchObject({ done: { outcome: 'knee' } });
  });
});
