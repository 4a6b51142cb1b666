/**
 * The slice of core/v1 Pod JSON the process kubelet reads and the PodStatus it writes. Shapes follow
 * the Kubernetes API field for field, so the assembler passes stored objects in and stores the
 * status it gets back without translation.
 */

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: 'HTTP' | 'HTTPS';
  httpHeaders?: HTTPHeader[];
}

export interface ExecAction {
  command?: string[];
}

export interface TCPSocketAction {
  port: number | string;
  host?: string;
}

export interface Probe {
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  exec?: ExecAction;
  grpc?: unknown;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface LifecycleHandler {
  httpGet?: HTTPGetAction;
  exec?: ExecAction;
  sleep?: { seconds: number };
  tcpSocket?: TCPSocketAction;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: unknown;
    configMapKeyRef?: unknown;
    secretKeyRef?: unknown;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface ResourceRequirements {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: LifecycleHandler; postStart?: LifecycleHandler };
  resources?: ResourceRequirements;
  [key: string]: unknown;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionGracePeriodSeconds?: number;
    [key: string]: unknown;
  };
  spec: {
    nodeName?: string;
    containers: Container[];
    initContainers?: Container[];
    restartPolicy?: RestartPolicy;
    terminationGracePeriodSeconds?: number;
    serviceAccountName?: string;
    [key: string]: unknown;
  };
  status?: { podIP?: string; startTime?: string; [key: string]: unknown };
}

export interface ContainerStateWaiting {
  reason: string;
  message?: string;
}

export interface ContainerStateRunning {
  startedAt: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export type PodConditionType =
  'PodScheduled' | 'PodReadyToStartContainers' | 'Initialized' | 'ContainersReady' | 'Ready';

export interface PodCondition {
  type: PodConditionType;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodStatus {
  phase: PodPhase;
  conditions: PodCondition[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime: string;
  containerStatuses: ContainerStatus[];
  qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort';
}

export interface KubeletEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{api}` when the event is about one container, as the kubelet sets it. */
  fieldPath?: string;
}

/** `namespace/name` */
export type PodKey = string;

export function podKeyOf(pod: Pod): PodKey {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** Kubernetes timestamps are RFC 3339 with whole seconds. */
export function kubeTime(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
