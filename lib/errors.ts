/**
 * Errors a user can cause carry a stable code and a one-line message naming the file, field or flag
 * and the fix. The CLI prints them without a stack and exits 2; anything else is a bug and shows
 * its stack.
 */
export type ErrorCode =
  | 'GAUNTLET_SCENARIO_INVALID'
  | 'GAUNTLET_SCENARIO_NOT_FOUND'
  | 'GAUNTLET_USAGE'
  | 'GAUNTLET_SETUP'
  | 'GAUNTLET_TARGET_UNREACHABLE'
  | 'GAUNTLET_RESULT_INVALID';

export class GauntletError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GauntletError';
    this.code = code;
  }
}

export class ScenarioInvalidError extends GauntletError {
  /** One line per problem: `field: what is wrong (fix)`. */
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    const head = `${source}: invalid scenario`;
    super(
      'GAUNTLET_SCENARIO_INVALID',
      problems.length === 1 ? `${head}: ${problems[0]}` : `${head}:\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ScenarioInvalidError';
    this.problems = problems;
  }
}

export class UsageError extends GauntletError {
  constructor(message: string) {
    super('GAUNTLET_USAGE', message);
    this.name = 'UsageError';
  }
}

export function isGauntletError(e: unknown): e is GauntletError {
  return e instanceof GauntletError;
}
