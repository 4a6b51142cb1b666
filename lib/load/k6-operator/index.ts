export { createK6OperatorEngine, runK6Operator, type K6OperatorEngineOptions } from './engine.ts';
export {
  K6_OPERATOR_ARGUMENTS,
  runnerSelector,
  scriptConfigMap,
  testRunName,
  testRunObject,
  type TestRunSpecInput,
} from './resources.ts';
export { ThresholdTally, type JudgedThreshold } from './thresholds.ts';
export { RunnerFleet, type RunnerReport } from './runners.ts';
export { K6_OPERATOR_INSTALL_HINT } from './cluster-objects.ts';
