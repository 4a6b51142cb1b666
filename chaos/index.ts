/** Chaos actions, their scheduler on the run's clock, the journal and recovery, and the safety checks. */
export type {
  ChaosAction,
  ChaosContext,
  ChaosEmission,
  ChaosEvent,
  ChaosSpan,
  ChaosTarget,
  CreatedObject,
  JournalEntry,
  TouchedObject,
  UndoStep,
  ZoneFaultHandle,
} from './action.ts';
export { createChaosAction, type ActionDeps } from './create.ts';
export { parseChaosSchedule } from './parse.ts';
export {
  runChaosSchedule,
  occurrenceTimes,
  type ChaosOccurrence,
  type ChaosScheduleOptions,
  type ChaosScheduleResult,
} from './schedule.ts';
export {
  ChaosJournal,
  CHAOS_ANNOTATION,
  JOURNAL_FILE,
  readJournal,
  type JournalGuard,
  type JournalRecord,
} from './journal.ts';
export { recoverFromJournal, findChaosMarks, type RecoverReport, type RecoveredEntry } from './recover.ts';
export {
  assertAllowed,
  chaosPlanText,
  isLocalCluster,
  LOCAL_CONTEXT,
  PROTECTED_NAMESPACES,
  type ChaosAllowlist,
  type PlanOptions,
} from './safety.ts';
export { ChaosRefusedError } from './targets.ts';
export { ChaosActionError } from './k8s.ts';
export { defaultZoneProviders } from './undo.ts';
export { createLocalZoneProvider, LOCAL_FAULTS_PATH } from './zone/local.ts';
export { createKindZoneProvider, kindZoneProvider, type KindZoneProviderOptions } from './zone/kind.ts';
export {
  createAwsFisZoneProvider,
  awsFisZoneProvider,
  type AwsFisZoneProviderOptions,
} from './zone/aws-fis.ts';
export type { ZoneFaultProvider, ZoneProviderRegistry, ZoneProviderFactory } from './zone/provider.ts';
export { ZoneFaultRejected } from './zone/provider.ts';
