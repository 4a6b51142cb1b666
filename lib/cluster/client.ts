/**
 * The one way gauntlet talks to a cluster (local, kind or EKS): @kubernetes/client-node typed APIs
 * built from a kubeconfig. Everything in lib/cluster and chaos/ takes a ClusterClient, so tests can
 * point it at the local cluster's kubeconfig.
 */
import { existsSync } from 'node:fs';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PolicyV1Api,
  Watch,
} from '@kubernetes/client-node';
import { GauntletError } from '../errors.ts';

export interface ClusterClientOptions {
  /** Path to a kubeconfig; default: $KUBECONFIG or ~/.kube/config (client-node's loadFromDefault). */
  readonly kubeconfig?: string;
  /** Context to use; default the kubeconfig's current context. */
  readonly context?: string;
}

export interface ClusterClient {
  readonly kc: KubeConfig;
  /** API server URL of the selected context. */
  readonly server: string;
  readonly contextName: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly policy: PolicyV1Api;
  readonly networking: NetworkingV1Api;
  /** discovery.k8s.io/v1: EndpointSlices. */
  readonly discovery: DiscoveryV1Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
  readonly watch: Watch;
}

export function createClusterClient(options: ClusterClientOptions = {}): ClusterClient {
  const kc = new KubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) {
      throw new GauntletError(
        'GAUNTLET_USAGE',
        `--kubeconfig: ${options.kubeconfig} does not exist; pass the path of a kubeconfig file`,
      );
    }
    kc.loadFromFile(options.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new GauntletError(
        'GAUNTLET_USAGE',
        `--context: no context "${options.context}" in the kubeconfig; known: ${known.join(', ') || 'none'}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new GauntletError(
      'GAUNTLET_USAGE',
      'kubeconfig has no current cluster; pass --kubeconfig FILE (and --context NAME) or use --target local',
    );
  }
  return {
    kc,
    server: cluster.server,
    contextName: kc.getCurrentContext(),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    policy: kc.makeApiClient(PolicyV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    watch: new Watch(kc),
  };
}
