/**
 * Node objects as a kubelet registers them: the well-known labels, addresses, capacity and
 * allocatable, nodeInfo and the four kubelet conditions. Capacity defaults to this machine
 * (cores, memory, the filesystem of the temp dir), so `kubectl describe node` reads like a real
 * node and the scheduler packs pods against real resources.
 *
 *   store.create('nodes', nodeObject({ name: 'node-a1', address: '127.0.1.1', zone: 'zone-a', region: 'local' }));
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import { kQuantitySuffix } from '../controllers/scheduler/quantity.ts';
import { defaultPodCIDR } from '../kubelet/pod-ips.ts';
import type { KubeObject } from '../store/types.ts';
import { rfc3339 } from '../store/util.ts';

export interface NodeObjectOptions {
  name: string;
  /** InternalIP; pods get addresses from the pod CIDR derived from it (127.0.X.Y → 127.X.Y.0/24). */
  address: string;
  /** `topology.kubernetes.io/zone`; omitted when unset, like a node without a cloud provider. */
  zone?: string;
  /** `topology.kubernetes.io/region`; omitted when unset. */
  region?: string;
  podCIDR?: string;
  /** Default: this machine's logical cores. */
  cpu?: string | number;
  /** Default: this machine's memory, in Ki as the kubelet reports it. */
  memory?: string;
  /** Default: size of the filesystem holding the temp dir. */
  ephemeralStorage?: string;
  maxPods?: number;
  kubeletVersion?: string;
  /** Timestamp for the initial conditions. */
  now?: Date;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NodeCondition {
  type: string;
  status: ConditionStatus;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** What a healthy kubelet reports, in the order it reports them. */
export const kKubeletConditions: ReadonlyArray<
  Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>
> = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The kubelet's conditions merged into `previous`: every heartbeat moves lastHeartbeatTime, while
 * lastTransitionTime moves only when the status changes. Conditions the kubelet does not own
 * (NetworkUnavailable) are kept as they are.
 */
export function kubeletConditions(now: Date, previous: readonly NodeCondition[] = []): NodeCondition[] {
  const at = rfc3339(now);
  const owned = new Set(kKubeletConditions.map((c) => c.type));
  const kept = previous.filter((c) => !owned.has(c.type));
  const mine = kKubeletConditions.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    const transition = prev && prev.status === c.status ? prev.lastTransitionTime : at;
    return { ...c, lastHeartbeatTime: at, lastTransitionTime: transition ?? at };
  });
  return [...kept, ...mine];
}

const kQuantity = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function quantityValue(field: string, text: string): number {
  const m = kQuantity.exec(text);
  if (!m) {
    throw new Error(
      `nodeObject: ${field} "${text}" is not a Kubernetes quantity; use a number with an optional suffix such as 4, 500m, 8Gi or 16384Ki`,
    );
  }
  return Number(m[1]) * (kQuantitySuffix[m[2] ?? ''] ?? 1);
}

/** Kubelet defaults: hard eviction at memory.available<100Mi and nodefs.available<10% come off allocatable. */
const kMemoryEvictionBytes = 100 * 2 ** 20;
const kNodefsEvictionFraction = 0.1;

function goArch(): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[process.arch] ?? process.arch;
}

function osImage(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) return m[1];
  } catch {
    // Not every host has /etc/os-release (macOS); fall through to the kernel name.
  }
  return `${os.type()} ${os.release()}`;
}

function filesystemBytes(): number {
  try {
    const s = statfsSync(os.tmpdir());
    return s.blocks * s.bsize;
  } catch {
    return 100 * 2 ** 30;
  }
}

/** Stable per-node ids: machine-id style hex and an RFC 4122-shaped system UUID. */
function nodeIds(name: string): { machineID: string; systemUUID: string } {
  const hex = createHash('sha256').update(`local-cluster-node:${name}`).digest('hex').slice(0, 32);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return { machineID: hex, systemUUID: uuid };
}

const kName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kIPv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const kLabelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function validate(o: NodeObjectOptions): void {
  if (typeof o?.name !== 'string' || !kName.test(o.name) || o.name.length > 253)
    throw new Error(
      `nodeObject: name ${JSON.stringify(o?.name)} must be a lowercase RFC 1123 subdomain such as node-a1`,
    );
  if (typeof o.address !== 'string' || !kIPv4.test(o.address))
    throw new Error(
      `nodeObject: address ${JSON.stringify(o.address)} must be an IPv4 address such as 127.0.1.1`,
    );
  for (const field of ['zone', 'region'] as const) {
    const v = o[field];
    if (v !== undefined && (typeof v !== 'string' || !kLabelValue.test(v) || v.length > 63))
      throw new Error(`nodeObject: ${field} ${JSON.stringify(v)} must be a label value such as zone-a`);
  }
  if (o.maxPods !== undefined && (!Number.isInteger(o.maxPods) || o.maxPods < 1))
    throw new Error(
      `nodeObject: maxPods ${String(o.maxPods)} must be a positive integer (kubelet default 110)`,
    );
  if (o.kubeletVersion !== undefined && !/^v\d+\.\d+\.\d+/.test(o.kubeletVersion))
    throw new Error(`nodeObject: kubeletVersion "${o.kubeletVersion}" must look like v1.32.0`);
}

export function nodeObject(options: NodeObjectOptions): KubeObject {
  validate(options);
  const { name, address, zone, region } = options;
  const arch = goArch();
  const cpu = String(options.cpu ?? os.availableParallelism());
  if (quantityValue('cpu', cpu) <= 0) throw new Error(`nodeObject: cpu "${cpu}" must be more than 0`);
  const memory = options.memory ?? `${Math.floor(os.totalmem() / 1024)}Ki`;
  const memoryBytes = quantityValue('memory', memory);
  const storage = options.ephemeralStorage ?? `${Math.floor(filesystemBytes() / 1024)}Ki`;
  const storageBytes = quantityValue('ephemeralStorage', storage);
  const pods = String(options.maxPods ?? 110);
  const podCIDR = options.podCIDR ?? defaultPodCIDR(address);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'local',
  };
  if (region !== undefined) labels['topology.kubernetes.io/region'] = region;
  if (zone !== undefined) labels['topology.kubernetes.io/zone'] = zone;
  const hugepages = { 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu, 'ephemeral-storage': storage, ...hugepages, memory, pods },
      allocatable: {
        cpu,
        'ephemeral-storage': String(Math.floor(storageBytes * (1 - kNodefsEvictionFraction))),
        ...hugepages,
        memory: `${Math.floor(Math.max(0, memoryBytes - kMemoryEvictionBytes) / 1024)}Ki`,
        pods,
      },
      conditions: kubeletConditions(options.now ?? new Date()),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        ...nodeIds(name),
        bootID: randomUUID(),
        kernelVersion: os.release(),
        osImage: osImage(),
        containerRuntimeVersion: 'local-process://1',
        kubeletVersion: options.kubeletVersion ?? 'v1.32.0',
        operatingSystem: 'linux',
        architecture: arch,
      },
    },
  };
}
