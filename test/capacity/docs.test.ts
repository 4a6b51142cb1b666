import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { capacityResultSchema, capacityStepSchema } from '../../lib/capacity/schema.ts';

const doc = await readFile(new URL('../../docs/capacity.md', import.meta.url), 'utf8');

describe('docs/capacity.md', () => {
  it('documents every field of capacity.json', () => {
    const shapes = {
      top: capacityResultSchema.shape,
      plan: capacityResultSchema.shape.plan.shape,
      step: capacityStepSchema.shape,
      generator: capacityStepSchema.shape.generator.shape,
    };
    const missing = Object.entries(shapes).flatMap(([section, shape]) =>
      Object.keys(shape)
        .filter((field) => !new RegExp('`[^`]*\\b' + field + '\\b[^`]*`').test(doc))
        .map((field) => `${section}.${field}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents every outcome', () => {
    for (const o of capacityResultSchema.shape.outcome.options) expect(doc).toContain(`\`${o}\``);
  });
});
