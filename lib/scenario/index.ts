export { defineScenario } from './define.ts';
export { resolveScenario, type ResolveOptions } from './resolve.ts';
export { loadScenarioFile } from './load-file.ts';
export type { PromqlSlaInput, ScenarioInput, SlaInput, VerifyInput } from './schema.ts';
export type * from './resolved.ts';
export { profileDurationMs } from './resolved.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { parseSlaText } from './sla-text.ts';
