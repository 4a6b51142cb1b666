/**
 * Validation of the create-narrative body, hand-written because it runs on every request: zod
 * would allocate an issue tree per call. Every failure names the field and what would be accepted.
 */

export const genres = ['fantasy', 'scifi', 'mystery', 'romance', 'horror'] as const;
export type Genre = (typeof genres)[number];

export const promptMaxChars = 2000;
export const maxWordsLimit = 2000;
export const defaultGenre: Genre = 'fantasy';
export const defaultMaxWords = 120;

export interface NarrativeInput {
  readonly prompt: string;
  readonly genre: Genre;
  readonly maxWords: number;
}

export interface FieldError {
  readonly code: string;
  readonly message: string;
  readonly field: string;
}

export type ParseResult =
  { readonly ok: true; readonly value: NarrativeInput } | { readonly ok: false; readonly error: FieldError };

const knownFields = new Set(['prompt', 'genre', 'maxWords']);
const genreSet: ReadonlySet<string> = new Set(genres);

const fail = (code: string, field: string, message: string): ParseResult => ({
  ok: false,
  error: { code, field, message },
});

/** `raw` is the request body text, already known to be JSON by content type. */
export function parseNarrativeInput(raw: string): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return fail('invalid_json', 'body', `request body is not valid JSON (${detail})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('invalid_body', 'body', 'request body must be a JSON object like {"prompt":"..."}');
  }
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!knownFields.has(key)) {
      return fail(
        'unknown_field',
        key,
        `unknown field ${JSON.stringify(key)}; allowed fields: prompt, genre, maxWords`,
      );
    }
  }

  const prompt = obj.prompt;
  if (prompt === undefined)
    return fail('missing_field', 'prompt', 'prompt is required: a string of 1 to 2000 characters');
  if (typeof prompt !== 'string')
    return fail('invalid_field', 'prompt', `prompt must be a string, got ${typeName(prompt)}`);
  if (prompt.trim() === '')
    return fail('invalid_field', 'prompt', 'prompt must contain at least one non-space character');
  // Count code points, not UTF-16 units, but only when the cheap length check is inconclusive.
  if (prompt.length > promptMaxChars && codePoints(prompt) > promptMaxChars) {
    return fail('invalid_field', 'prompt', `prompt must be at most ${promptMaxChars} characters`);
  }

  let genre: Genre = defaultGenre;
  if (obj.genre !== undefined) {
    if (typeof obj.genre !== 'string' || !genreSet.has(obj.genre)) {
      return fail(
        'invalid_field',
        'genre',
        `genre must be one of ${genres.join(', ')}, got ${JSON.stringify(obj.genre)}`,
      );
    }
    genre = obj.genre as Genre;
  }

  let maxWords = defaultMaxWords;
  if (obj.maxWords !== undefined) {
    const m = obj.maxWords;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > maxWordsLimit) {
      return fail(
        'invalid_field',
        'maxWords',
        `maxWords must be an integer from 1 to ${maxWordsLimit}, got ${JSON.stringify(m)}`,
      );
    }
    maxWords = m;
  }

  return { ok: true, value: { prompt, genre, maxWords } };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
