/** Pod and node Table columns, ported from upstream `printPod`/`printNode` (1.32). */
import type { KubeObject } from '../types.ts';
import { ageColumn, ageSince, nameColumn, orNone, type TableColumn } from './format.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

interface PodSummary {
  ready: string;
  reason: string;
  restarts: string;
}

function isTerminalPhase(phase: unknown): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The READY / STATUS / RESTARTS triple exactly as `kubectl get pods` derives it. */
export function summarizePod(pod: KubeObject, nowMs: number): PodSummary {
  const status = pod.status ?? {};
  const total = (pod.spec?.containers ?? []).length;
  let readyCount = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason: string = status.reason || status.phase || '';
  const conditions: any[] = status.conditions ?? [];
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  let initializing = false;
  const inits: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated?.exitCode === 0) continue;
    if (c.state?.running && c.started) continue;
    if (c.state?.terminated) {
      reason = c.state.terminated.reason
        ? `Init:${c.state.terminated.reason}`
        : `Init:ExitCode:${c.state.terminated.exitCode}`;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  const initializedTrue = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');

  if (!initializing || initializedTrue) {
    restarts = 0;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) {
        reason = c.state.terminated.signal
          ? `Signal:${c.state.terminated.signal}`
          : `ExitCode:${c.state.terminated.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !isTerminalPhase(status.phase)) reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart > 0)
    restartsText = `${restarts} (${ageSince(new Date(lastRestart).toISOString(), nowMs)} ago)`;
  return { ready: `${readyCount}/${total}`, reason, restarts: restartsText };
}

export const podColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Ready',
    type: 'string',
    description: 'The aggregate readiness state of this pod for accepting traffic.',
    cell: (o, now) => summarizePod(o, now).ready,
  },
  {
    name: 'Status',
    type: 'string',
    description: 'The aggregate status of the containers in this pod.',
    cell: (o, now) => summarizePod(o, now).reason,
  },
  {
    name: 'Restarts',
    type: 'string',
    description:
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    cell: (o, now) => summarizePod(o, now).restarts,
  },
  ageColumn,
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description:
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    cell: (o) => orNone(o.status?.podIP),
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description: 'NodeName indicates in which node this pod is scheduled.',
    cell: (o) => orNone(o.spec?.nodeName),
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description: 'nominatedNodeName is set only when this pod preempts other pods on the node.',
    cell: (o) => orNone(o.status?.nominatedNodeName),
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    priority: 1,
    description: 'If specified, all readiness gates will be evaluated for pod readiness.',
    cell: (o) => {
      const gates: any[] = o.spec?.readinessGates ?? [];
      if (!gates.length) return '<none>';
      const conds: any[] = o.status?.conditions ?? [];
      const passing = gates.filter((g) =>
        conds.some((c) => c.type === g.conditionType && c.status === 'True'),
      ).length;
      return `${passing}/${gates.length}`;
    },
  },
];

function nodeStatus(node: KubeObject): string {
  const parts: string[] = [];
  const ready = ((node.status?.conditions ?? []) as any[]).find((c) => c.type === 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (!parts.length) parts.push('Unknown');
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = ((node.status?.addresses ?? []) as any[]).find((x) => x.type === type);
  return a?.address || '<none>';
}

const unknownIfEmpty = (v: unknown): string => (typeof v === 'string' && v ? v : '<unknown>');

export const nodeColumns: TableColumn[] = [
  nameColumn,
  { name: 'Status', type: 'string', description: 'The status of the node', cell: (o) => nodeStatus(o) },
  { name: 'Roles', type: 'string', description: 'The roles of the node', cell: (o) => nodeRoles(o) },
  ageColumn,
  {
    name: 'Version',
    type: 'string',
    description: 'Kubelet Version reported by the node.',
    cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '',
  },
  {
    name: 'Internal-IP',
    type: 'string',
    priority: 1,
    description: 'List of addresses reachable to the node.',
    cell: (o) => nodeAddress(o, 'InternalIP'),
  },
  {
    name: 'External-IP',
    type: 'string',
    priority: 1,
    description: 'List of addresses reachable to the node.',
    cell: (o) => nodeAddress(o, 'ExternalIP'),
  },
  {
    name: 'OS-Image',
    type: 'string',
    priority: 1,
    description: 'OS Image reported by the node.',
    cell: (o) => unknownIfEmpty(o.status?.nodeInfo?.osImage),
  },
  {
    name: 'Kernel-Version',
    type: 'string',
    priority: 1,
    description: 'Kernel Version reported by the node.',
    cell: (o) => unknownIfEmpty(o.status?.nodeInfo?.kernelVersion),
  },
  {
    name: 'Container-Runtime',
    type: 'string',
    priority: 1,
    description: 'Container Runtime Version reported by the node.',
    cell: (o) => unknownIfEmpty(o.status?.nodeInfo?.containerRuntimeVersion),
  },
];
