export { createK6Engine, runK6, k6RunArgs, type K6EngineOptions, type K6Files } from './engine.ts';
export { generateK6Script, scriptInputOf, k6ScenarioName, type K6ScriptInput } from './script.ts';
export { thresholdsFor, type MappedThresholds } from './thresholds.ts';
export { K6OutputParser, parseK6Time, errorKindOfCode } from './output.ts';
export { k6Ending, parseK6Log, describeExit, type K6Ending } from './exit.ts';
export { thresholdResults, readThresholdResults, type ThresholdResult } from './summary.ts';
export { locateK6, findOnPath, K6_INSTALL_HINT } from './locate.ts';
export { K6OutputMerger } from './merge.ts';
