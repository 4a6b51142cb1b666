/** Capacity planning: find the highest rate a target sustains within its SLA, and what that means in replicas. */
export { runCapacity, levelText, MAX_STEPS, type CapacityOptions } from './search.ts';
export { runStep, stepLoadOptions, stepProfile, type StepMeasurement, type StepRunOptions } from './step.ts';
export {
  judgeStep,
  type GeneratorObservation,
  type LoadModel,
  type SlaCheck,
  type StepJudgement,
} from './judge.ts';
export {
  decide,
  type Decision,
  type JudgedLevel,
  type SearchConclusion,
  type SearchOutcome,
  type StepStatus,
} from './knee.ts';
export {
  bisectLevel,
  checkBisectPlan,
  checkStepPlan,
  defaultBisectResolution,
  nextLevel,
  plannedLevels,
  roundLevel,
  type BisectPlan,
  type Growth,
  type StepPlan,
} from './plan.ts';
export {
  checkHeadroom,
  LINEAR_SCALING_ASSUMPTION,
  perUnit,
  recommendReplicas,
  type PerUnit,
  type Recommendation,
} from './recommend.ts';
export { stepConditions } from './conditions.ts';
export { startClusterProbe, type ClusterProbe, type StepClusterFigures } from './cluster-probe.ts';
export {
  CAPACITY_SCHEMA_VERSION,
  capacityResultSchema,
  capacityStepSchema,
  type CapacityResult,
  type CapacityStep,
} from './schema.ts';
