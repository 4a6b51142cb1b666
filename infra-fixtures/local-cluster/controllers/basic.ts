/**
 * Starts the basic controller set on a store: ReplicaSet, Deployment, scheduler, Endpoints,
 * EndpointSlices and the garbage collector, each with an event recorder named like upstream's.
 *
 *   const controllers = startBasicControllers(store);
 *   await controllers.idle();   // tests: every queue drained
 *   await controllers.stop();
 */
import type { Store } from '../store/store.ts';
import { deploymentController } from './deployment/controller.ts';
import { endpointsController } from './endpoints.ts';
import { endpointSliceController } from './endpointSlices.ts';
import { createEventRecorder } from './events.ts';
import { startGarbageCollector } from './gc.ts';
import { replicaSetController } from './replicaset.ts';
import { startController, type RunningController } from './runtime.ts';
import { schedulerController } from './scheduler/scheduler.ts';

export interface BasicControllers {
  controllers: RunningController[];
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startBasicControllers(
  store: Store,
  options: { onError?: (err: unknown) => void } = {},
): BasicControllers {
  const specs = [
    replicaSetController(store, createEventRecorder(store, 'replicaset-controller')),
    deploymentController(store, createEventRecorder(store, 'deployment-controller')),
    schedulerController(store, createEventRecorder(store, 'default-scheduler')),
    endpointsController(store, createEventRecorder(store, 'endpoint-controller')),
    endpointSliceController(store, createEventRecorder(store, 'endpointslice-controller')),
  ];
  const controllers = specs.map((spec) => startController(store, spec, options.onError));
  const gc = startGarbageCollector(store);
  return {
    controllers,
    async idle() {
      // Controllers feed each other (deployment → RS → pods → scheduler); wait for a quiet round.
      for (let round = 0; round < 20; round++) {
        const rv = store.resourceVersion;
        await Promise.all(controllers.map((c) => c.idle()));
        await new Promise((r) => setImmediate(r));
        if (store.resourceVersion === rv) return;
      }
    },
    async stop() {
      gc.stop();
      await Promise.all(controllers.map((c) => c.stop()));
    },
  };
}
