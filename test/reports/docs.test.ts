import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  eventSchema,
  loadSummarySchema,
  resultSchema,
  seriesPointSchema,
  spanSchema,
  verdictSchema,
} from '../../lib/result/schema.ts';
import { renderJson } from '../../reports/index.ts';

const doc = await readFile(new URL('../../docs/result-schema.md', import.meta.url), 'utf8');

describe('docs/result-schema.md', () => {
  it('shows an example that is a valid result.json, exactly as the json reporter writes it', () => {
    const block = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(block, 'a ```json example block').toBeDefined();
    const parsed = resultSchema.parse(JSON.parse(block!));
    expect(renderJson(parsed)).toBe(`${block}\n`);
  });

  it('documents every field of the schema', () => {
    const shapes = {
      top: resultSchema.shape,
      scenario: resultSchema.shape.scenario.shape,
      load: loadSummarySchema.shape,
      series: seriesPointSchema.shape,
      spans: spanSchema.shape,
      events: eventSchema.shape,
      verdicts: verdictSchema.shape,
    };
    const missing = Object.entries(shapes).flatMap(([section, shape]) =>
      Object.keys(shape)
        .filter((field) => !new RegExp('`[^`]*\\b' + field + '\\b[^`]*`').test(doc))
        .map((field) => `${section}.${field}`),
    );
    expect(missing).toEqual([]);
  });
});
