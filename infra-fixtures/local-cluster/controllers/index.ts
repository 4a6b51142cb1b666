/** Public surface of the basic controllers and the runtime other controllers build on. */
export { startBasicControllers, type BasicControllers } from './basic.ts';
export {
  keyOf,
  ownerKeys,
  startController,
  type ControllerSpec,
  type ObjectKey,
  type ReconcileResult,
  type RunningController,
} from './runtime.ts';
export { createEventRecorder, type EventRecorder, type EventType } from './events.ts';
export { startGarbageCollector, type GarbageCollector } from './gc.ts';
export * from './podUtil.ts';
export { place } from './scheduler/scheduler.ts';
export * from './node-lifecycle/index.ts';
export * from './hpa/index.ts';
export * from './disruption/index.ts';
