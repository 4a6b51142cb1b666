/** The public API for scenario authors and programmatic use. */
export { defineScenario } from './scenario/define.ts';
export type { ScenarioInput, SlaInput, VerifyInput } from './scenario/schema.ts';
export { resolveScenario } from './scenario/resolve.ts';
export { loadScenarioFile } from './scenario/load-file.ts';
export type { RunResult, Verdict } from './result/schema.ts';
export { resultSchema } from './result/schema.ts';
