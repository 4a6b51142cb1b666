/** Public surface of the API server. */
export { startApiServer, type ApiServer, type ApiServerOptions, type ExtraRoute } from './server.ts';
export { deleteOnEviction } from './handlers/pods.ts';
export { kContextName, renderKubeconfig } from './kubeconfig.ts';
export type {
  ContainerUsage,
  EvictionHandler,
  EvictionRequest,
  LogFollower,
  LogOptions,
  LogOutput,
  LogProvider,
  NodeUsage,
  PodUsage,
  Providers,
  UsageProvider,
} from './context.ts';
