/**
 * Field numbers of the Kubernetes protobuf messages that kubectl's typed clients send as request
 * bodies (`kubectl create deployment|service|configmap|secret|namespace|serviceaccount|pdb|ingress`,
 * `kubectl autoscale`). Field numbers never change across releases, so this table is stable.
 *
 * Notation per field: `name[:kind][[]][?]`
 *   kind  str (default) | int | bool | bytes | time | qty | ios (IntOrString) | map | mapBytes | mapQty | <Message>
 *   []    repeated
 *   ?     pointer field upstream: keep it even when zero (`replicas: 0` means zero, not unset)
 *   name `...` inlines the nested message's fields into the parent (IngressRule.ingressRuleValue).
 * Fields not listed here are accepted only when they carry a zero value (Go's marshaller writes every
 * non-pointer field); anything else is refused rather than silently dropped.
 */

export type MessageSchema = Record<number, string>;

const objectMeta: MessageSchema = {
  1: 'name',
  2: 'generateName',
  3: 'namespace',
  4: 'selfLink',
  5: 'uid',
  6: 'resourceVersion',
  7: 'generation:int',
  8: 'creationTimestamp:time',
  9: 'deletionTimestamp:time',
  10: 'deletionGracePeriodSeconds:int?',
  11: 'labels:map',
  12: 'annotations:map',
  13: 'ownerReferences[]:OwnerReference',
  14: 'finalizers[]',
};

export const kMessages: Record<string, MessageSchema> = {
  // runtime and meta/v1
  Unknown: { 1: 'typeMeta:TypeMeta', 2: 'raw:bytes', 3: 'contentEncoding', 4: 'contentType' },
  TypeMeta: { 1: 'apiVersion', 2: 'kind' },
  ObjectMeta: objectMeta,
  OwnerReference: {
    1: 'kind',
    3: 'name',
    4: 'uid',
    5: 'apiVersion',
    6: 'controller:bool?',
    7: 'blockOwnerDeletion:bool?',
  },
  LabelSelector: { 1: 'matchLabels:map', 2: 'matchExpressions[]:LabelSelectorRequirement' },
  LabelSelectorRequirement: { 1: 'key', 2: 'operator', 3: 'values[]' },
  Empty: {},

  // core/v1
  Namespace: { 1: 'metadata:ObjectMeta', 2: 'spec:NamespaceSpec', 3: 'status:NamespaceStatus' },
  NamespaceSpec: { 1: 'finalizers[]' },
  NamespaceStatus: { 1: 'phase' },
  ConfigMap: { 1: 'metadata:ObjectMeta', 2: 'data:map', 3: 'binaryData:mapBytes', 4: 'immutable:bool?' },
  Secret: {
    1: 'metadata:ObjectMeta',
    2: 'data:mapBytes',
    3: 'type',
    4: 'stringData:map',
    5: 'immutable:bool?',
  },
  ServiceAccount: {
    1: 'metadata:ObjectMeta',
    2: 'secrets[]:ObjectReference',
    3: 'imagePullSecrets[]:LocalObjectReference',
    4: 'automountServiceAccountToken:bool?',
  },
  ObjectReference: {
    1: 'kind',
    2: 'namespace',
    3: 'name',
    4: 'uid',
    5: 'apiVersion',
    6: 'resourceVersion',
    7: 'fieldPath',
  },
  LocalObjectReference: { 1: 'name' },
  Service: { 1: 'metadata:ObjectMeta', 2: 'spec:ServiceSpec', 3: 'status:ServiceStatus' },
  ServiceSpec: {
    1: 'ports[]:ServicePort',
    2: 'selector:map',
    3: 'clusterIP',
    4: 'type',
    5: 'externalIPs[]',
    7: 'sessionAffinity',
    8: 'loadBalancerIP',
    9: 'loadBalancerSourceRanges[]',
    10: 'externalName',
    11: 'externalTrafficPolicy',
    12: 'healthCheckNodePort:int',
    13: 'publishNotReadyAddresses:bool',
    17: 'ipFamilyPolicy?',
    18: 'clusterIPs[]',
    19: 'ipFamilies[]',
    20: 'allocateLoadBalancerNodePorts:bool?',
    21: 'loadBalancerClass?',
    22: 'internalTrafficPolicy?',
  },
  ServicePort: {
    1: 'name',
    2: 'protocol',
    3: 'port:int',
    4: 'targetPort:ios',
    5: 'nodePort:int',
    6: 'appProtocol?',
  },
  ServiceStatus: { 1: 'loadBalancer:Empty' },
  PodTemplateSpec: { 1: 'metadata:ObjectMeta', 2: 'spec:PodSpec' },
  PodSpec: {
    2: 'containers[]:Container',
    3: 'restartPolicy',
    4: 'terminationGracePeriodSeconds:int?',
    5: 'activeDeadlineSeconds:int?',
    6: 'dnsPolicy',
    7: 'nodeSelector:map',
    8: 'serviceAccountName',
    9: 'serviceAccount',
    10: 'nodeName',
    11: 'hostNetwork:bool',
    12: 'hostPID:bool',
    13: 'hostIPC:bool',
    15: 'imagePullSecrets[]:LocalObjectReference',
    16: 'hostname',
    17: 'subdomain',
    19: 'schedulerName',
    20: 'initContainers[]:Container',
    21: 'automountServiceAccountToken:bool?',
    22: 'tolerations[]:Toleration',
    24: 'priorityClassName',
    25: 'priority:int?',
    27: 'shareProcessNamespace:bool?',
    29: 'runtimeClassName?',
    30: 'enableServiceLinks:bool?',
    31: 'preemptionPolicy?',
    35: 'setHostnameAsFQDN:bool?',
    37: 'hostUsers:bool?',
  },
  Container: {
    1: 'name',
    2: 'image',
    3: 'command[]',
    4: 'args[]',
    5: 'workingDir',
    6: 'ports[]:ContainerPort',
    7: 'env[]:EnvVar',
    8: 'resources:ResourceRequirements',
    9: 'volumeMounts[]:VolumeMount',
    13: 'terminationMessagePath',
    14: 'imagePullPolicy',
    16: 'stdin:bool',
    17: 'stdinOnce:bool',
    18: 'tty:bool',
    20: 'terminationMessagePolicy',
  },
  ContainerPort: { 1: 'name', 2: 'hostPort:int', 3: 'containerPort:int', 4: 'protocol', 5: 'hostIP' },
  EnvVar: { 1: 'name', 2: 'value' },
  ResourceRequirements: { 1: 'limits:mapQty', 2: 'requests:mapQty' },
  VolumeMount: {
    1: 'name',
    2: 'readOnly:bool',
    3: 'mountPath',
    4: 'subPath',
    5: 'mountPropagation?',
    6: 'subPathExpr',
  },
  Toleration: { 1: 'key', 2: 'operator', 3: 'value', 4: 'effect', 5: 'tolerationSeconds:int?' },

  // apps/v1
  Deployment: { 1: 'metadata:ObjectMeta', 2: 'spec:DeploymentSpec', 3: 'status:Empty' },
  DeploymentSpec: {
    1: 'replicas:int?',
    2: 'selector:LabelSelector',
    3: 'template:PodTemplateSpec',
    4: 'strategy:DeploymentStrategy',
    5: 'minReadySeconds:int',
    6: 'revisionHistoryLimit:int?',
    7: 'paused:bool',
    9: 'progressDeadlineSeconds:int?',
  },
  DeploymentStrategy: { 1: 'type', 2: 'rollingUpdate:RollingUpdateDeployment' },
  RollingUpdateDeployment: { 1: 'maxUnavailable:ios?', 2: 'maxSurge:ios?' },

  // policy/v1
  PodDisruptionBudget: { 1: 'metadata:ObjectMeta', 2: 'spec:PodDisruptionBudgetSpec', 3: 'status:Empty' },
  PodDisruptionBudgetSpec: {
    1: 'minAvailable:ios?',
    2: 'selector:LabelSelector',
    3: 'maxUnavailable:ios?',
    4: 'unhealthyPodEvictionPolicy?',
  },

  // networking.k8s.io/v1
  Ingress: { 1: 'metadata:ObjectMeta', 2: 'spec:IngressSpec', 3: 'status:Empty' },
  IngressSpec: {
    1: 'defaultBackend:IngressBackend',
    2: 'tls[]:IngressTLS',
    3: 'rules[]:IngressRule',
    4: 'ingressClassName?',
  },
  IngressTLS: { 1: 'hosts[]', 2: 'secretName' },
  IngressRule: { 1: 'host', 2: '...:IngressRuleValue' },
  IngressRuleValue: { 1: 'http:HTTPIngressRuleValue' },
  HTTPIngressRuleValue: { 1: 'paths[]:HTTPIngressPath' },
  HTTPIngressPath: { 1: 'path', 2: 'backend:IngressBackend', 3: 'pathType?' },
  IngressBackend: { 4: 'service:IngressServiceBackend' },
  IngressServiceBackend: { 1: 'name', 2: 'port:ServiceBackendPort' },
  ServiceBackendPort: { 1: 'name', 2: 'number:int' },

  // autoscaling v1 and v2
  HorizontalPodAutoscalerV1: { 1: 'metadata:ObjectMeta', 2: 'spec:HpaSpecV1', 3: 'status:Empty' },
  HpaSpecV1: {
    1: 'scaleTargetRef:CrossVersionObjectReference',
    2: 'minReplicas:int?',
    3: 'maxReplicas:int',
    4: 'targetCPUUtilizationPercentage:int?',
  },
  CrossVersionObjectReference: { 1: 'kind', 2: 'name', 3: 'apiVersion' },
  HorizontalPodAutoscalerV2: { 1: 'metadata:ObjectMeta', 2: 'spec:HpaSpecV2', 3: 'status:Empty' },
  HpaSpecV2: {
    1: 'scaleTargetRef:CrossVersionObjectReference',
    2: 'minReplicas:int?',
    3: 'maxReplicas:int',
    4: 'metrics[]:MetricSpec',
  },
  MetricSpec: { 1: 'type', 4: 'resource:ResourceMetricSource' },
  ResourceMetricSource: { 1: 'name', 2: 'target:MetricTarget' },
  MetricTarget: { 1: 'type', 2: 'value:qty?', 3: 'averageValue:qty?', 4: 'averageUtilization:int?' },
};

/** Top-level message of each apiVersion/kind a typed kubectl command may send. */
export const kTopLevel: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'apps/v1/Deployment': 'Deployment',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV2',
};

export interface FieldSpec {
  name: string;
  kind: string;
  repeated: boolean;
  keepZero: boolean;
}

const cache = new Map<string, FieldSpec>();

export function fieldSpec(text: string): FieldSpec {
  let spec = cache.get(text);
  if (!spec) {
    const m = /^([^:[?]+)(\[\])?(?::([A-Za-z0-9]+))?(\[\])?(\?)?$/.exec(text);
    if (!m) throw new Error(`protobuf schema: bad field notation "${text}"`);
    spec = { name: m[1]!, kind: m[3] ?? 'str', repeated: Boolean(m[2] || m[4]), keepZero: Boolean(m[5]) };
    cache.set(text, spec);
  }
  return spec;
}
