import { describe, expect, it } from 'vitest';
import {
  bisectLevel,
  checkBisectPlan,
  checkStepPlan,
  nextLevel,
  plannedLevels,
  type StepPlan,
} from '../../lib/capacity/plan.ts';

const add = (start: number, step: number, max: number, integer = false): StepPlan => ({
  start,
  max,
  growth: { kind: 'add', step },
  integer,
});

describe('step plan', () => {
  it('adds a fixed step and clamps the last one to the maximum', () => {
    expect(plannedLevels(add(100, 100, 500))).toEqual([100, 200, 300, 400, 500]);
    expect(plannedLevels(add(100, 300, 500))).toEqual([100, 400, 500]);
  });

  it('multiplies by a factor, keeping one decimal for rates', () => {
    expect(
      plannedLevels({ start: 100, max: 600, growth: { kind: 'multiply', factor: 1.5 }, integer: false }),
    ).toEqual([100, 150, 225, 337.5, 506.3, 600]);
  });

  it('keeps connection counts whole and never repeats a level', () => {
    expect(
      plannedLevels({ start: 1, max: 5, growth: { kind: 'multiply', factor: 1.2 }, integer: true }),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('has no level after the maximum', () => {
    expect(nextLevel(add(10, 10, 50), 50)).toBeNull();
    expect(nextLevel(add(10, 10, 50), 45)).toBe(50);
  });

  it.each<[string, StepPlan, RegExp]>([
    ['a zero start', add(0, 10, 50), /start must be a number > 0 \(got 0\)/],
    ['a max below the start', add(100, 10, 50), /max must be a number >= start \(100\)/],
    ['a zero step', add(10, 0, 50), /step must be a number > 0/],
    [
      'a factor of 1',
      { start: 10, max: 50, growth: { kind: 'multiply', factor: 1 }, integer: false },
      /factor must be a number > 1/,
    ],
    ['a fractional connection count', add(1.5, 1, 5, true), /start must be a whole number/],
  ])('rejects %s naming the field', (_l, plan, message) => {
    expect(() => checkStepPlan(plan)).toThrow(message);
  });
});

describe('bisection', () => {
  const b = { maxSteps: 3, resolution: 0.02 };

  it('probes the midpoint of the bracket', () => {
    expect(bisectLevel(400, 500, b, false)).toBe(450);
    expect(bisectLevel(10, 13, b, true)).toBe(12);
  });

  it('stops once the bracket is within the resolution or the unit', () => {
    expect(bisectLevel(495, 500, b, false)).toBeNull();
    expect(bisectLevel(10, 11, b, true)).toBeNull();
    expect(bisectLevel(500, 400, b, false)).toBeNull();
  });

  it('checks its own plan', () => {
    expect(() => checkBisectPlan({ maxSteps: 0, resolution: 0.02 })).toThrow(
      /bisect steps must be a whole number >= 1/,
    );
    expect(() => checkBisectPlan({ maxSteps: 2, resolution: 1 })).toThrow(/resolution must be a share/);
  });
});
