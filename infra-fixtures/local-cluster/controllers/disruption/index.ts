/**
 * PodDisruptionBudgets (policy/v1) for the local cluster: the controller that keeps their status
 * current and the eviction handler the API server consults on `POST pods/<name>/eviction`.
 *
 *   const disruption = startDisruptionController(store);
 *   const api = await startApiServer({ store, dir, providers: { eviction: createEvictionHandler(store) } });
 *   await disruption.idle();   // tests: every queued budget reconciled
 *   await disruption.stop();
 *
 * Both take `now` (epoch ms, default the store's clock) for `disruptedPods` timestamps and their
 * 2-minute expiry. Evictions need the controller running: a budget whose status has not observed
 * its generation answers 429 "still being processed", as upstream.
 */
import type { Store } from '../../store/store.ts';
import { createEventRecorder } from '../events.ts';
import { startController } from '../runtime.ts';
import { disruptionController } from './controller.ts';

export { createEvictionHandler, type EvictionHandlerOptions } from './eviction.ts';

export interface DisruptionControllerOptions {
  onError?: (e: unknown) => void;
  now?: () => number;
  /** Periodic re-reconcile of every budget; default 30 s. */
  resyncMs?: number;
}

export interface DisruptionController {
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startDisruptionController(
  store: Store,
  options: DisruptionControllerOptions = {},
): DisruptionController {
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError(
      'startDisruptionController: options.now must be a function returning epoch milliseconds',
    );
  const now = options.now ?? (() => store.now().getTime());
  // Upstream's disruption controller records events as "controllermanager".
  const spec = disruptionController(store, createEventRecorder(store, 'controllermanager'), now);
  if (options.resyncMs !== undefined) spec.resyncMs = options.resyncMs;
  const running = startController(store, spec, options.onError);
  return { idle: () => running.idle(), stop: () => running.stop() };
}
